"""The int8 shared trunk against two passes: sentiment agreement, the eval figures and the encoder vectors' change.

Run: python -m bench.trunk_int8 [--k 2] [--chunk 1000] [--sets sst2 airline ...] [--no-floor]
Every sentiment eval split (voc.evaluate.sentiment.eval_sets) is analysed twice by the pipeline's own batch
function (voc.engine.stages.analyse_batch, the sentiment lens only, embedding cache off, chunks of --chunk
documents as the chunk runner hands them over):
  - two passes (the default before this change): the fp32 encoder, and the shipped int8 sentiment model's own
    pass over the same texts;
  - the int8 shared trunk: embeddings and bottom k layers once, in int8 (exactly the sentiment model's own
    quantised layers), then the encoder's fp32 top and the sentiment model's int8 top on those states;
  - two passes again with batch size 16 instead of 32: the noise floor. int8 dynamic quantisation scales
    activations per batch tensor, so the shipped model's outputs already move with their batch-mates.
Reported per split and variant: the eval metric, label agreement with two passes, the largest probability
difference, and the cosine of the document vectors to the two-pass fp32 vectors (min / median).
Writes bench/results/trunk_int8.json.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

import voc  # noqa: F401  (sets HF_HUB_OFFLINE)
from voc.config import PipelineConfig

log = logging.getLogger("bench.trunk_int8")
RESULTS = Path(__file__).resolve().parent / "results"
PROBS = ["p_negative", "p_neutral", "p_positive"]


def _run(models, texts: list[str], chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 3) document probabilities and (n, dim) document vectors, chunk by chunk."""
    from voc.engine.stages import analyse_batch

    probs, vecs = [], []
    for a in range(0, len(texts), chunk):
        part = texts[a : a + chunk]
        docs = pd.DataFrame({"doc_id": [str(i) for i in range(len(part))], "text": part, "language": "en"})
        out = analyse_batch(docs, models)
        probs.append(out.predictions[PROBS].to_numpy(dtype=np.float64))
        vecs.append(out.vectors)
    return np.concatenate(probs), np.concatenate(vecs)


def labels_of(probs: np.ndarray, binary: bool) -> np.ndarray:
    """Predicted classes as the eval reads them (binary sets: the larger of negative and positive)."""
    return np.where(probs[:, 2] >= probs[:, 0], 2, 0) if binary else probs.argmax(1)


def write_results(name: str, how: str, args, versions: dict, rows: list[dict]) -> None:
    """Print the rows as a table and write them, with how they were made, to bench/results/<name>.json."""
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "how": how.strip(),
        "args": vars(args),
        "versions": versions,
        "rows": table.to_dict(orient="records"),
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")


def main() -> None:
    """Print the comparison table and write JSON."""
    from voc.engine.stages import load_models
    from voc.evaluate.sentiment import eval_sets, metrics_for

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sets", nargs="*", default=None, help="eval splits to run (default: all present)")
    ap.add_argument("--no-floor", action="store_true", help="skip the batch-16 noise-floor variant")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    variants = {
        "two passes": {"shared_trunk": 0},
        f"int8 trunk k={args.k}": {"shared_trunk": args.k, "trunk_precision": "int8"},
        "two passes, batch 16": {"shared_trunk": 0, "batch_size": 16},
    }
    if args.no_floor:
        variants.pop("two passes, batch 16")
    models = {}
    for name, enc in variants.items():
        cfg = PipelineConfig.load(
            None, encoder={**enc, "cache": False, "threads": args.threads}, lenses=["sentiment"]
        )
        models[name] = load_models(cfg)
        log.info("%s: %s", name, models[name].versions)
    base = next(iter(variants))
    rows = []
    for set_name, (frame, binary) in eval_sets().items():
        if args.sets and set_name not in args.sets:
            continue
        texts, y = frame["text"].astype(str).tolist(), frame["y"].to_numpy()
        out = {name: _run(m, texts, args.chunk) for name, m in models.items()}
        p0, v0 = out[base]
        for name, (p, v) in out.items():
            cos = (v * v0).sum(1)
            for metric, value in metrics_for(set_name, y, p, binary).items():
                rows.append({
                    "set": set_name, "n": len(texts), "variant": name, "metric": metric, "value": value,
                    "label_agreement": float((labels_of(p, binary) == labels_of(p0, binary)).mean()),
                    "max_prob_diff": float(np.abs(p - p0).max()), "cos_min": float(cos.min()),
                    "cos_median": float(np.median(cos)),
                })  # fmt: skip
            log.info("%s", rows[-1])
    write_results("trunk_int8", __doc__, args, {k: m.versions for k, m in models.items()}, rows)


if __name__ == "__main__":
    main()
