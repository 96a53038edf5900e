"""CPU cost of the sentiment model's own layers per shared-trunk depth k: what a deeper trunk saves a document.

Run: python -m bench.trunk_top_cost [--k 2 3 4] [--docs 1000] [--rounds 5] [--model DIR]
Documents: the scale corpus slice bench.profiles uses, tokenised as the lens does (max_length 128), in
length-sorted batches of 32. Every session runs with 1 intra-op thread, and each is timed by this process's
CPU time (time.process_time), not wall time, so the other jobs on a busy machine inflate it far less; the
variants run interleaved, one pass over all batches each, for --rounds rounds after a warm-up pass, and the
median round is kept:
  - encoder, whole fp32 graph (the shared pass; the same work for every k: trunk k + top 6-k layers);
  - sentiment, own pass (the model's whole int8 graph: what two passes run);
  - sentiment, top above k (int8) on the fp32 trunk's states, for each k.
The cost of a top does not depend on its weights, so the shipped graph (or --model DIR) cut at each k gives
what a model retrained with k frozen layers costs there.
Also printed: docs/s modelled at 1M documents from issue 8's measured split (shared pass 3.08 ms, sentiment
pass 1.88 ms, the rest 0.68 ms a document), with the sentiment pass scaled by the measured top/own ratio.
Writes bench/results/trunk_top_cost.json.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from pathlib import Path

import numpy as np

import voc  # noqa: F401  (sets HF_HUB_OFFLINE)
from bench.trunk_int8 import write_results

log = logging.getLogger("bench.trunk_top_cost")
ISSUE8_MS = {"shared pass": 3.08, "sentiment pass": 1.88, "rest": 0.68}


def _batches(tokenizer_model, texts: list[str], max_length: int, size: int = 32):
    order = np.argsort([len(t) for t in texts], kind="stable")
    for start in range(0, len(texts), size):
        ids, mask, _, _ = tokenizer_model.tokenize([texts[i] for i in order[start : start + size]], max_length)
        yield ids, mask


def _cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def main() -> None:
    """Print per-document CPU ms of each variant and the modelled 1M-document speed, and write JSON."""
    from bench.profiles import _docs
    from voc.encode.backends import ensure_onnx
    from voc.encode.onnx_export import OnnxTokenModel, make_session
    from voc.encode.source import resolve_model
    from voc.encode.trunk import Top, Trunk
    from voc.lenses.sentiment import default_model_dir

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--model", default=None, help="sentiment model folder (default: shipped)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    folder = Path(args.model) if args.model else default_model_dir()
    graph = folder / "model.int8.onnx"
    base = ensure_onnx(resolve_model(None), "fp32")
    own = OnnxTokenModel(graph, folder / "tokenizer.json", threads=1)
    texts = _docs(args.docs)["text"].astype(str).tolist()
    batches = list(_batches(own, texts, 128))
    encoder = make_session(base, 1)
    trunks = {k: Trunk(base, k, 1) for k in args.k}
    tops = {k: Top(graph, k, 1) for k in args.k}
    states = {k: [trunks[k](ids, mask) for ids, mask in batches] for k in args.k}
    feeds = [{"input_ids": i, "attention_mask": m, "token_type_ids": np.zeros_like(i)} for i, m in batches]
    names = {i.name for i in encoder.get_inputs()}
    variants = {
        "encoder, whole fp32 graph": lambda: [encoder.run(None, {n: f[n] for n in names}) for f in feeds],
        "sentiment, own pass (int8, 6 layers)": lambda: [own.run_ids(i, m) for i, m in batches],
        **{
            f"sentiment, top above k={k} (int8, {6 - k} layers)": (
                lambda k=k: [tops[k](h, b) for h, b in states[k]]
            )
            for k in args.k
        },
    }
    for fn in variants.values():  # warm-up: first runs allocate
        fn()
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for r in range(args.rounds):
        for name, fn in variants.items():
            seconds[name].append(_cpu(fn))
        log.info("round %d: %s", r, {n: round(s[-1], 2) for n, s in seconds.items()})
    ms = {name: 1000 * statistics.median(s) / len(texts) for name, s in seconds.items()}
    own_ms = ms["sentiment, own pass (int8, 6 layers)"]
    rows = []
    for name, value in ms.items():
        ratio = value / own_ms if name.startswith("sentiment") else None
        modelled = None
        if ratio is not None:
            per_doc = ISSUE8_MS["shared pass"] + ISSUE8_MS["sentiment pass"] * ratio + ISSUE8_MS["rest"]
            modelled = 1000 / per_doc
        rows.append({
            "variant": name, "cpu_ms_per_doc": value, "vs_own_pass": ratio,
            "modelled_docs_per_s_1M": modelled, "rounds_cpu_s": seconds[name],
        })  # fmt: skip
    write_results("trunk_top_cost", __doc__, args, {"sentiment": str(graph), "encoder": str(base)}, rows)


if __name__ == "__main__":
    main()
