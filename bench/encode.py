"""Encoder throughput: torch vs ONNX fp32 (sorted / unsorted) vs ONNX int8, plus cache hits.

Run: python -m bench.encode [--n 2000] [--threads 2] [--repeats 3] [--batch-size 32]
Texts: the first N airline tweets from the shared data (generated sentences when that folder is absent).
Every backend is timed on the same texts in one process, interleaved round by round, and the median of
the rounds is reported, after one warm-up call each. The embedding cache is off for the speed rows; the
cache-hit row reads vectors back from a fresh SQLite cache in a temporary folder. ONNX exports come from
(or go to) the normal voc cache dir. Writes JSON to bench/results/encode.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import voc  # noqa: F401  (sets HF_HUB_OFFLINE)
from voc.config import EncoderConfig
from voc.paths import shared_data_dir

log = logging.getLogger("bench.encode")
RESULTS = Path(__file__).resolve().parent / "results"


def load_texts(n: int) -> tuple[list[str], str]:
    """N texts: airline tweets when available, else generated feedback sentences."""
    path = shared_data_dir() / "airline_tweets" / "Tweets.csv"
    if path.is_file():
        import pandas as pd

        texts = pd.read_csv(path, usecols=["text"])["text"].dropna().astype(str).tolist()[:n]
        return texts, f"{len(texts)} airline tweets ({path})"
    log.warning("%s not found: using generated sentences instead of airline tweets", path)
    rng = np.random.default_rng(0)
    subjects = ["The app", "My flight", "The agent", "Delivery", "The refund", "Checkout", "Support chat"]
    verbs = [
        "was late again",
        "keeps crashing",
        "was really helpful",
        "took three weeks",
        "failed with an error",
        "was quick and friendly",
        "never answered my emails",
    ]
    extra = [
        "",
        " and I am upset",
        ", thanks a lot",
        " which is unacceptable for the price I paid",
        " but the staff tried their best to fix it before the weekend",
    ]
    texts = [f"{rng.choice(subjects)} {rng.choice(verbs)}{rng.choice(extra)}." for _ in range(n)]
    return texts, f"{n} generated sentences (airline tweets absent)"


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def main() -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--no-st", action="store_true", help="skip the sentence-transformers row")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    import torch

    from voc.encode import Encoder
    from voc.encode.cache import EmbeddingCache
    from voc.encode.source import resolve_model

    torch.set_num_threads(args.threads)
    texts, source = load_texts(args.n)
    common = {"batch_size": args.batch_size, "threads": args.threads, "cache": False}
    t0 = time.perf_counter()
    encoders = {
        "torch (voc pipeline, AutoModel)": Encoder(EncoderConfig(backend="torch", **common)),
        "ONNX fp32, length-sorted": Encoder(EncoderConfig(**common)),
        "ONNX int8 per-channel, length-sorted": Encoder(EncoderConfig(precision="int8", **common)),
    }
    setup_s = time.perf_counter() - t0
    fp32 = encoders["ONNX fp32, length-sorted"]

    def run_unsorted(batch):
        fp32.sort_by_length = False
        try:
            return fp32.encode(batch)
        finally:
            fp32.sort_by_length = True

    runners = {name: enc.encode for name, enc in encoders.items()}
    runners["ONNX fp32, unsorted"] = run_unsorted
    if not args.no_st:
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(str(resolve_model(None).path), device="cpu")
        runners["sentence-transformers encode"] = lambda b: st.encode(
            b, batch_size=args.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )

    for fn in runners.values():  # warm-up
        fn(texts[:64])
    times: dict[str, list[float]] = {k: [] for k in runners}
    vecs: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        for name, fn in runners.items():
            t = time.perf_counter()
            vecs[name] = fn(texts)
            times[name].append(time.perf_counter() - t)

    with tempfile.TemporaryDirectory() as tmp:  # cache hits: fill once, then read back
        fp32.cache = EmbeddingCache(Path(tmp) / "bench.sqlite", fp32.dim)
        t = time.perf_counter()
        fp32.encode(texts)
        fill_s = time.perf_counter() - t
        calls = fp32.model_calls
        hit = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            fp32.encode(texts)
            hit.append(time.perf_counter() - t)
        assert fp32.model_calls == calls, "cache hits ran the model"
        fp32.cache.close()
        fp32.cache = None

    ref = vecs["torch (voc pipeline, AutoModel)"]
    rows = []
    for name in runners:
        med = statistics.median(times[name])
        c = _cos(vecs[name], ref)
        rows.append(
            {
                "backend": name,
                "texts_per_s": len(texts) / med,
                "median_s": med,
                "runs_s": times[name],
                "cos_to_torch_mean": float(c.mean()),
                "cos_to_torch_min": float(c.min()),
            }
        )
    rows.append(
        {
            "backend": "cache hits (SQLite, fp32)",
            "texts_per_s": len(texts) / statistics.median(hit),
            "median_s": statistics.median(hit),
            "runs_s": hit,
            "cache_fill_s": fill_s,
            "cos_to_torch_mean": float(_cos(vecs["ONNX fp32, length-sorted"], ref).mean()),
            "cos_to_torch_min": float(_cos(vecs["ONNX fp32, length-sorted"], ref).min()),
        }
    )

    tok_lens = [len(fp32.tokenizer.encode(t).ids) for t in texts]
    load = os.getloadavg()
    print(
        f"\nEncoder throughput: {source}, mean {np.mean(tok_lens):.1f} tokens/text; batch {args.batch_size}, "
        f"{args.threads} intra-op threads, median of {args.repeats} interleaved runs after a warm-up."
    )
    print(
        f"Model {fp32.version.rsplit(':', 1)[0]}; {os.cpu_count()} CPUs, load average {load[0]:.1f} "
        f"(CPU shared with other jobs: absolute numbers are noisy; compare rows). Setup {setup_s:.1f} s.\n"
    )
    print(f"| {'backend':38} | texts/s | cosine to torch (mean / min) |")
    print(f"|{'-' * 40}|---------|------------------------------|")
    for r in rows:
        print(
            f"| {r['backend']:38} | {r['texts_per_s']:7.0f} | {r['cos_to_torch_mean']:.4f} / {r['cos_to_torch_min']:.4f}"
            f"{'':>13}|"
        )
    print(f"\nCache fill (encode + write {len(texts)} vectors): {fill_s:.2f} s.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "bench": "encode",
        "texts": source,
        "n": len(texts),
        "mean_tokens": float(np.mean(tok_lens)),
        "threads": args.threads,
        "batch_size": args.batch_size,
        "repeats": args.repeats,
        "cpu_count": os.cpu_count(),
        "loadavg": load,
        "python": platform.python_version(),
        "model": fp32.version,
        "rows": rows,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    (RESULTS / "encode.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"Wrote {RESULTS / 'encode.json'}")


if __name__ == "__main__":
    main()
