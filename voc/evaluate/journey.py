"""Journey-stage and churn-signal evaluation on the dev sets' parts (held-out: id % 4 == 0).

`python -m voc.evaluate.journey --part test` scores the held-out parts (do this rarely; the model cards
count how often it was done); `--part train` gives in-sample figures for a quick check.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd

from voc.lenses.churn import ChurnLens
from voc.lenses.journey import JourneyLens
from voc.train.journey import churn_dev, journey_dev
from voc.train.rootcause_corpus import encode_texts


def _part(df: pd.DataFrame, part: str) -> pd.DataFrame:
    if part == "all":
        return df.reset_index(drop=True)
    test = df["id"] % 4 == 0
    return df[test if part == "test" else ~test].reset_index(drop=True)


def evaluate_journey(part: str = "test", lens: JourneyLens | None = None) -> dict:
    """Accuracy and per-stage recall of the journey lens on a part of the journey dev set."""
    lens = lens or JourneyLens.load()
    dev = _part(journey_dev(), part)
    enc = encode_texts(dev["text"].tolist(), tag="journey-dev")
    docs, _ = lens.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    hit = docs["journey_stage"].to_numpy() == dev["stage"].to_numpy()
    per_stage = {
        s: round(float(hit[dev["stage"].to_numpy() == s].mean()), 4) for s in sorted(dev["stage"].unique())
    }
    return {
        "part": part,
        "n": len(dev),
        "accuracy": round(float(hit.mean()), 4),
        "recall_by_stage": per_stage,
    }


def _prf(pred: np.ndarray, gold: np.ndarray) -> dict:
    tp = float((pred & gold).sum())
    p, r = tp / max(pred.sum(), 1), tp / max(gold.sum(), 1)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "support": int(gold.sum())}  # fmt: skip


def evaluate_churn(part: str = "test", lens: ChurnLens | None = None) -> dict:
    """Churn F1, hard-negative figures, disparage F1 and asks_for micro-F1 on a part of the churn dev set."""
    lens = lens or ChurnLens.load()
    dev = _part(churn_dev(), part)
    enc = encode_texts(dev["text"].tolist(), tag="churn-dev")
    out = lens.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    pred, gold = out["churn_intent"].to_numpy(bool), dev["churn"].to_numpy(bool)
    hard = dev["hard_negative"].to_numpy(bool)
    on_hard = pred[hard | gold]
    gold_hard = gold[hard | gold]
    asks_pred = np.array([[a in row for a in lens.asks] for row in out["asks_for"]], bool)
    asks_gold = np.array([[a in row for a in lens.asks] for row in dev["asks_for"]], bool)
    return {
        "part": part,
        "n": len(dev),
        "churn": _prf(pred, gold),
        "hard_negatives": int(hard.sum()),
        "hard_negatives_kept_out": round(float(1 - pred[hard].mean()), 4),
        "precision_churn_vs_hard_negatives": round(
            float((on_hard & gold_hard).sum() / max(on_hard.sum(), 1)), 4
        ),
        "disparage": _prf(out["disparage_intent"].to_numpy(bool), dev["disparage"].to_numpy(bool)),
        "asks_for_micro": _prf(asks_pred.ravel(), asks_gold.ravel()),
    }


def main() -> None:
    """CLI: print journey and churn metrics for a part as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=["train", "test", "all"], default="train")
    args = parser.parse_args()
    print(json.dumps({"journey": evaluate_journey(args.part), "churn": evaluate_churn(args.part)}, indent=2))


if __name__ == "__main__":
    main()
