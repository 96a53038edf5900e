"""Choose the churn decision on out-of-fold train scores with a demo false-positive ceiling; or measure one.

Run: python -m bench.churn_decision [--store DEMO.duckdb] [--out models/churn] [--demo-ceiling 0.12]
       [--windows 2+3]
  Trains the churn head (`voc train churn`'s recipe) into --out (default a temporary folder), scores the
  demo corpus's English items with it, and picks (threshold, staying_weight) by voc.train.churn_decision:
  best out-of-fold F1 on the dev set's train part with <= 5% of train hard negatives flagged, <= the
  ceiling of demo items outside the planted churn wave flagged and >= 85% of the wave found.
Run: python -m bench.churn_decision --measure [--model models/churn] [--threshold T --staying-weight S]
  Only prints the demo shares of a head and decision (default: the configured ones). The held-out part is
  never read here. --store reuses an analysed demo store (`voc demo --no-app --store PATH`); without it
  the demo pipeline runs into a temporary store first (a few minutes).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from voc.config import ChurnConfig
from voc.lenses.rootcause_model import RootCauseHead
from voc.lenses.churn import churn_probs
from voc.paths import MODELS_DIR, PROJECT_ROOT
from voc.train.churn_decision import Scores, choose, decision_table, f1
from voc.train.rootcause_corpus import encode_texts

RESULTS = PROJECT_ROOT / "bench" / "results" / "churn_decision.json"


def demo_items(store: Path | None, tmp: Path) -> pd.DataFrame:
    """English demo items as stored (redacted text) with `wave` = planted price churn."""
    from voc.insights.load import load_documents

    if store is None:
        from voc.config import PipelineConfig
        from voc.engine.local import run_pipeline

        store = tmp / "demo.duckdb"
        run_pipeline(
            PipelineConfig.load(PROJECT_ROOT / "pipelines" / "demo.yaml", store={"path": str(store)})
        )
    docs = load_documents(store, columns=("doc_id", "text", "source", "source_id"))
    truth = pd.read_csv(PROJECT_ROOT / "data" / "demo" / "truth.csv", dtype=str)
    merged = docs.merge(truth, left_on=["source", "source_id"], right_on=["file", "id"])
    merged = merged[merged["language"] == "en"].reset_index(drop=True)
    merged["wave"] = merged["planted"].eq("price_churn")
    return merged


def head_scores(model_dir: Path, texts: list[str], tag: str) -> Scores:
    """p(churn) and p(staying) of a trained churn head over texts."""
    head = RootCauseHead.load(model_dir)
    enc = encode_texts(texts, tag=tag)
    probs = churn_probs(head, enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    return Scores(
        probs[:, head.labels.index("churn")].astype(float),
        probs[:, head.labels.index("staying")].astype(float),
    )


def measure(args, demo: pd.DataFrame) -> dict:
    cfg = ChurnConfig()
    t = cfg.threshold if args.threshold is None else args.threshold
    s = cfg.staying_weight if args.staying_weight is None else args.staying_weight
    flags = head_scores(Path(args.model), demo["text"].tolist(), "churn-demo").flags(t, s)
    wave = demo["wave"].to_numpy()
    return {"model": str(args.model), "threshold": t, "staying_weight": s, "demo_items": len(demo),
            "demo_other_flagged": round(float(flags[~wave].mean()), 4),
            "demo_wave_found": round(float(flags[wave].mean()), 4)}  # fmt: skip


def search(args, demo: pd.DataFrame, out: Path) -> dict:
    from voc.train.journey import churn_dev, train_churn

    windows = tuple(int(k) for k in args.windows.split("+") if k)
    result = train_churn(args.taxonomy, out, args.dev, context_windows=windows)
    oof = result["oof_dev_train"]
    labels = result["labels"]
    probs = np.asarray(oof["probs"], float)
    dev = churn_dev(args.dev).set_index("id").loc[oof["ids"]]
    train = Scores(probs[:, labels.index("churn")], probs[:, labels.index("staying")])
    gold, hard = dev["churn"].to_numpy(bool), dev["hard_negative"].to_numpy(bool)
    demo_scores = head_scores(out, demo["text"].tolist(), "churn-demo")
    rows = decision_table(train, gold, hard, demo_scores, demo["wave"].to_numpy())
    best = choose(rows, args.max_hard, args.demo_ceiling, args.wave_floor)
    pred = train.flags(best["threshold"], best["staying_weight"])
    ids = dev.index.to_numpy()
    subsets = {"ids<=400": ids <= 400, "ids<=549": ids <= 549, "ids<=802": ids <= 802, "all": ids > 0}
    best["oof_by_part"] = {
        name: dict(
            zip(("precision", "recall", "f1"), (round(x, 4) for x in f1(pred[m], gold[m]))), n=int(m.sum())
        )
        for name, m in subsets.items()
    }  # the train texts of the first, second and third rounds, and all (the decision is chosen on all)
    unconstrained = choose(rows, args.max_hard, 1.0, 0.0)
    return {"train_docs": len(dev), "out": str(out), "rule": vars(args) | {"store": str(args.store)},
            "chosen": best, "without_demo_ceiling": unconstrained,
            "cv_churn": result["cv_dev_train"]["per_label"].get("churn")}  # fmt: skip


def main() -> None:
    """Print the chosen churn decision (or a head's demo shares) as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--taxonomy", type=Path, default=None, help="default models/churn/taxonomy.yaml")
    parser.add_argument("--dev", type=Path, default=None, help="default data/churn/dev.jsonl")
    parser.add_argument("--demo-ceiling", type=float, default=0.12)
    parser.add_argument("--max-hard", type=float, default=0.05)
    parser.add_argument("--wave-floor", type=float, default=0.85)
    parser.add_argument("--windows", default="", help="context windows to train with, e.g. 2+3 (none)")
    parser.add_argument("--measure", action="store_true")
    parser.add_argument("--model", type=Path, default=MODELS_DIR / "churn")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--staying-weight", type=float, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = demo_items(args.store, Path(tmp))
        if args.measure:
            report = measure(args, demo)
        else:
            report = search(args, demo, args.out or Path(tmp) / "churn")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
