"""Every sentiment eval figure for two passes, the fp32 trunk and the int8 trunk, side by side in one run.

Run: python -m bench.trunk_sentiment [--k 2] [--sets alexa sst2 ...] [--variants "two passes" ...] [--vectors]
       [--model DIR] [--out NAME]
Each variant loads the sentiment lens exactly as `voc eval sentiment` does (voc.evaluate.sentiment: the
shipped model, or --model DIR such as one retrained with k frozen layers; SentimentLens.load on the encoder
settings with 2 threads, `lens.predict` in the lens's own length-sorted batches of 32) with only
encoder.shared_trunk / encoder.trunk_precision set:
  - two passes: shared_trunk 0, the model's own int8 graph;
  - fp32 trunk k: the base MiniLM's fp32 bottom k layers, then the model's own int8 top layers;
  - int8 trunk k: the base MiniLM's int8 bottom k layers (bit-identical to the model's own), then its top.
Reported per eval split and variant: the metric, its difference to two passes in points, the label agreement
with two passes and the largest probability difference. With --vectors, also the shared encoder's document
vectors under the fp32 trunk against its whole graph's (exactly equal rows, largest absolute difference).
Writes bench/results/trunk_sentiment.json (or NAME.json).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

import voc  # noqa: F401  (sets HF_HUB_OFFLINE)
from bench.trunk_int8 import labels_of, write_results
from voc.config import PipelineConfig

log = logging.getLogger("bench.trunk_sentiment")
RESULTS = Path(__file__).resolve().parent / "results"
PROBS = ["p_negative", "p_neutral", "p_positive"]


def _vectors(set_name: str, texts: list[str], k: int) -> dict:
    """The shared encoder's vectors through the fp32 trunk against its whole graph, on one eval split."""
    from voc.config import EncoderConfig
    from voc.encode import get_encoder

    split = get_encoder(EncoderConfig(cache=False, threads=2, shared_trunk=k, trunk_precision="fp32"))
    whole = get_encoder(EncoderConfig(cache=False, threads=2, shared_trunk=0))
    a, b = split.encode(texts), whole.encode(texts)
    return {
        "set": set_name, "n": len(texts), "metric": "vectors_exactly_equal", "variant": f"fp32 trunk k={k}",
        "value": float((a == b).all(1).mean()), "max_abs_diff": float(np.abs(a - b).max()),
    }  # fmt: skip


def main() -> None:
    """Print the side-by-side table and write JSON."""
    from voc.evaluate.sentiment import eval_sets, metrics_for
    from voc.lenses.sentiment import SentimentLens

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=2)
    ap.add_argument(
        "--sets", nargs="*", default=None, help="eval splits to run, in this order (default: all)"
    )
    ap.add_argument("--variants", nargs="*", default=None, help="variant names to run (default: all three)")
    ap.add_argument("--vectors", action="store_true", help="compare the encoder's fp32-trunk vectors too")
    ap.add_argument("--model", default="default", help="sentiment model folder (default: the shipped one)")
    ap.add_argument("--out", default="trunk_sentiment", help="results file name under bench/results")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    variants = {
        "two passes": {"shared_trunk": 0},
        f"fp32 trunk k={args.k}": {"shared_trunk": args.k, "trunk_precision": "fp32"},
        f"int8 trunk k={args.k}": {"shared_trunk": args.k, "trunk_precision": "int8"},
    }
    variants = {n: v for n, v in variants.items() if not args.variants or n in args.variants}
    lenses = {}
    for name, enc in variants.items():
        cfg = PipelineConfig.load(None, encoder=enc, sentiment={"model": args.model})
        lenses[name] = SentimentLens.load(cfg.sentiment, cfg.encoder.model_copy(update={"threads": 2}))
        log.info("%s: %s", name, lenses[name].version)
    base = next(iter(variants))
    rows = []
    sets = eval_sets()
    for set_name in args.sets or list(sets):
        frame, binary = sets[set_name]
        texts, y = frame["text"].astype(str).tolist(), frame["y"].to_numpy()
        probs = {name: lens.predict(texts)[PROBS].to_numpy(dtype=np.float64) for name, lens in lenses.items()}
        p0 = probs[base]
        for name, p in probs.items():
            ref = metrics_for(set_name, y, p0, binary)
            for metric, value in metrics_for(set_name, y, p, binary).items():
                rows.append({
                    "set": set_name, "n": len(texts), "metric": metric, "variant": name, "value": value,
                    "points_vs_two_passes": 100 * (value - ref[metric]),
                    "label_agreement": float((labels_of(p, binary) == labels_of(p0, binary)).mean()),
                    "max_prob_diff": float(np.abs(p - p0).max()),
                })  # fmt: skip
                log.info("%s", rows[-1])
        if args.vectors:
            rows.append(_vectors(set_name, texts, args.k))
            log.info("%s", rows[-1])
    write_results(args.out, __doc__, args, {k: v.version for k, v in lenses.items()}, rows)


if __name__ == "__main__":
    main()
