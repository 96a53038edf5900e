"""Per-document analysis speed: two passes vs the shared trunk (fp32 or int8) vs the fast profile.

Run: python -m bench.profiles [--docs 20000] [--batch 1000] [--threads 2]
Documents: a slice of the scale corpus (airline tweets, clothing reviews and other shared corpora, resampled
and lightly perturbed; bench.scale_corpus), language set to English (cleaning is the same for all variants). Each variant loads its models once (encoder + sentiment +
root cause, the lenses that run per document; themes run once per corpus and are left out), then the four
variants analyse the SAME batches interleaved (A, B, C on batch 1, then on batch 2, ...), with the embedding
cache off, so machine noise hits all four alike. Reported: docs/s over the whole slice and the median of
the per-batch speed ratios. Writes JSON to bench/results/profiles.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import time
from pathlib import Path

import pandas as pd

import voc  # noqa: F401  (sets HF_HUB_OFFLINE)
from voc.config import PipelineConfig
from voc.paths import shared_data_dir

log = logging.getLogger("bench.profiles")
RESULTS = Path(__file__).resolve().parent / "results"
VARIANTS = {
    "two passes": {"encoder": {"shared_trunk": 0}},
    "fp32 trunk k=2": {"encoder": {"shared_trunk": 2, "trunk_precision": "fp32"}},
    "int8 trunk k=2": {"encoder": {"shared_trunk": 2, "trunk_precision": "int8"}},
    "fast profile": {"profile": "fast"},
}


def _docs(n: int) -> pd.DataFrame:
    """n documents as the chunk runner hands them to the lenses (doc_id, text, language)."""
    from bench.scale_corpus import generate, load_pool

    frame = pd.concat(list(generate(load_pool(shared_data_dir()), n, seed=7)), ignore_index=True).head(n)
    return pd.DataFrame(
        {"doc_id": [f"d{i}" for i in range(len(frame))], "text": frame["text"], "language": "en"}
    )


def main() -> None:
    """Time the variants side by side and print a table."""
    from voc.engine.stages import analyse_batch, load_models

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=1_000)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    docs = _docs(args.docs)
    models = {}
    for name, over in VARIANTS.items():
        over = {**over, "lenses": ["sentiment", "rootcause"]}
        over["encoder"] = {**over.get("encoder", {}), "cache": False, "threads": args.threads}
        models[name] = load_models(PipelineConfig.load(None, **over))
        analyse_batch(docs.head(64), models[name])  # warm-up
    seconds = {name: [] for name in VARIANTS}
    for start in range(0, len(docs), args.batch):
        batch = docs.iloc[start : start + args.batch].reset_index(drop=True)
        for name, m in models.items():
            t = time.perf_counter()
            analyse_batch(batch, m)
            seconds[name].append(time.perf_counter() - t)
        log.info("batch %d: %s", start // args.batch, {k: round(v[-1], 1) for k, v in seconds.items()})
    base = next(iter(VARIANTS))
    rows = []
    for name, secs in seconds.items():
        ratios = [b / s for b, s in zip(seconds[base], secs)]
        rows.append({
            "variant": name, "docs": len(docs), "docs_per_s": len(docs) / sum(secs),
            "median_batch_ratio_vs_before": statistics.median(ratios), "batches": len(secs),
        })  # fmt: skip
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "profiles.json").write_text(json.dumps({
        "how": __doc__.strip(), "args": vars(args), "machine": platform.platform(),
        "rows": table.to_dict(orient="records"), "batch_seconds": seconds,
    }, indent=1), encoding="utf-8")  # fmt: skip


if __name__ == "__main__":
    main()
