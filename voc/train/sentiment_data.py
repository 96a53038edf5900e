"""The sentiment training mix and dev sets, built only from train/dev splits of the shared datasets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from voc import datasets

LABELS = ("negative", "neutral", "positive")
LABEL_ID = {name: i for i, name in enumerate(LABELS)}


def _airline_dev_mask(df: pd.DataFrame) -> pd.Series:
    """A fixed held-out slice of airline *train* rows used for model selection (about 10%)."""
    return (df["tweet_id"] // 5) % 10 == 0


def training_mix(
    seed: int = 42,
    sst2_rows: int = 30_000,
    clothing_positive_rows: int = 5_000,
    min_sst2_words: int = 3,
) -> pd.DataFrame:
    """Shuffled training rows: text, label (0 neg, 1 neu, 2 pos), binary (SST-2 rows have no neutral), source."""
    rng = np.random.default_rng(seed)
    parts = []

    sst = datasets.sst2("train")
    sst = sst[sst["text"].str.split().str.len() >= min_sst2_words]
    sst = sst.sample(n=min(sst2_rows, len(sst)), random_state=seed)
    parts.append(
        pd.DataFrame(
            {"text": sst["text"], "label": sst["label"].map({0: 0, 1: 2}), "binary": True, "source": "sst2"}
        )
    )

    air = datasets.airline("train")
    air = air[~_airline_dev_mask(air)]
    parts.append(
        pd.DataFrame(
            {
                "text": air["text"],
                "label": air["sentiment"].map(LABEL_ID),
                "binary": False,
                "source": "airline",
            }
        )
    )

    clo = datasets.womens_clothing("train")
    pos = clo[clo["sentiment"] == "positive"]
    clo = pd.concat(
        [
            clo[clo["sentiment"] != "positive"],
            pos.sample(n=min(clothing_positive_rows, len(pos)), random_state=seed),
        ]
    )
    parts.append(
        pd.DataFrame(
            {
                "text": clo["text"],
                "label": clo["sentiment"].map(LABEL_ID),
                "binary": False,
                "source": "womens_clothing",
            }
        )
    )

    mix = pd.concat(parts, ignore_index=True)
    mix["text"] = mix["text"].astype(str)
    mix["label"] = mix["label"].astype(int)
    return mix.iloc[rng.permutation(len(mix))].reset_index(drop=True)


def dev_sets(max_rows: int = 1_000, seed: int = 42) -> dict[str, pd.DataFrame]:
    """Model-selection sets (text, label 0/1/2, binary): SST-2 dev, held-out airline train slice, TweetEval val."""
    sst = datasets.sst2("dev").sample(n=max_rows, random_state=seed)
    air = datasets.airline("train")
    air = air[_airline_dev_mask(air)]
    air = air.sample(n=min(max_rows, len(air)), random_state=seed)
    tw = datasets.tweeteval("dev").sample(n=max_rows, random_state=seed)
    return {
        "sst2_dev": pd.DataFrame(
            {"text": sst["text"], "label": sst["label"].map({0: 0, 1: 2}), "binary": True}
        ),
        "airline_dev": pd.DataFrame(
            {"text": air["text"], "label": air["sentiment"].map(LABEL_ID), "binary": False}
        ),
        "tweeteval_dev": pd.DataFrame(
            {"text": tw["text"], "label": tw["sentiment"].map(LABEL_ID), "binary": False}
        ),
    }
