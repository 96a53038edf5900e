"""Sanity table: the share of airline tweets (shared data, all 14.6k) the journey lens puts in each stage.

Run: python -m bench.journey_airline   (encodes the tweets once with the shared encoder, cached)
Also prints the stage mix of each negative reason and the churn-intent share.
"""

from __future__ import annotations

import pandas as pd

from voc import datasets
from voc.lenses.churn import ChurnLens
from voc.lenses.journey import JourneyLens
from voc.train.rootcause_corpus import encode_texts


def main() -> None:
    """Print the stage shares, the top stage per negative reason and the churn share."""
    df = datasets.airline()
    enc = encode_texts(df["text"].tolist(), tag="airline-all")
    docs, _ = JourneyLens.load().predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    churn = ChurnLens.load().predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    df["stage"], df["churn"] = docs["journey_stage"].to_numpy(), churn["churn_intent"].to_numpy()
    print(df["stage"].value_counts(normalize=True).round(3).to_frame("share").to_string())
    by_reason = pd.crosstab(df["reason"], df["stage"], normalize="index").round(2)
    print(
        by_reason.idxmax(axis=1)
        .to_frame("top stage")
        .join(by_reason.max(axis=1).rename("share"))
        .to_string()
    )
    print(f"churn intent share: {df['churn'].mean():.3f} (n={len(df)})")


if __name__ == "__main__":
    main()
