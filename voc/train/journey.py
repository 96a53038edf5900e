"""`voc train journey` / `voc train churn`: the root-cause trainer applied to another taxonomy and dev set.

The journey dev set (`data/journey/dev.jsonl`: id, text, channel, industry, stage) and the churn dev set
(`data/churn/dev.jsonl`: id, text, churn, disparage, asks_for, hard_negative) are turned into the root-cause
dev format (`causes` = the labels a text carries) and trained with the same head, combiner and thresholds.
The fixed held-out part is id % 4 == 0 in both; training and tuning only see the rest.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from voc.paths import MODELS_DIR, SHIPPED, trained_model_dir
from voc.train.dev_jsonl import read_dev_jsonl

JOURNEY_DEV = SHIPPED / "data" / "journey" / "dev.jsonl"
CHURN_DEV = SHIPPED / "data" / "churn" / "dev.jsonl"
JOURNEY_TAXONOMY = MODELS_DIR / "journey" / "taxonomy.yaml"
CHURN_TAXONOMY = MODELS_DIR / "churn" / "taxonomy.yaml"
ASKS = ("apology", "refund", "callback", "fix", "explanation", "escalation")


def journey_dev(path: Path | None = None) -> pd.DataFrame:
    """The journey dev set with `causes` = [stage]."""
    df = read_dev_jsonl(path or JOURNEY_DEV, ("id", "text", "channel", "industry", "stage"))
    df["causes"] = df["stage"].map(lambda s: [s])
    return df


def churn_causes(row: pd.Series) -> list[str]:
    """The churn-signal labels a churn dev record carries."""
    flags = [("churn", row["churn"]), ("staying", row["hard_negative"]), ("disparage", row["disparage"])]
    return [name for name, on in flags if on] + list(row["asks_for"])


def churn_dev(path: Path | None = None) -> pd.DataFrame:
    """The churn dev set with `causes` = its signal labels."""
    keys = ("id", "text", "channel", "industry", "churn", "hard_negative", "disparage", "asks_for")
    df = read_dev_jsonl(path or CHURN_DEV, keys)
    df["causes"] = df.apply(churn_causes, axis=1)
    return df


def _train_on(dev: pd.DataFrame, taxonomy: Path, out_dir: Path, **options) -> dict:
    from voc.lenses.rootcause_taxonomy import load_taxonomy
    from voc.train.rootcause import train_rootcause

    labels = tuple(load_taxonomy(taxonomy).names)
    with tempfile.TemporaryDirectory() as tmp:
        dev_path = Path(tmp) / "dev.jsonl"
        cols = ["id", "text", "channel", "industry", "causes"]
        dev_path.write_text(dev[cols].to_json(orient="records", lines=True), encoding="utf-8")
        return train_rootcause(
            taxonomy, None, out_dir, dev_path=dev_path, weak=False, base_labels=labels, **options
        )


def train_journey(
    taxonomy: Path | None = None, out_dir: Path | None = None, dev_path: Path | None = None
) -> dict:
    """Fit the journey-stage head (default models/journey) on the taxonomy and the dev set's train part."""
    out = Path(out_dir) if out_dir is not None else trained_model_dir("journey")
    return _train_on(journey_dev(dev_path), Path(taxonomy or JOURNEY_TAXONOMY), out)


def train_churn(
    taxonomy: Path | None = None, out_dir: Path | None = None, dev_path: Path | None = None, **options
) -> dict:
    """Fit the churn-signal head (default models/churn) on the taxonomy and the dev set's train part.

    options go to train_rootcause: `context_windows` (runs of adjacent sentences also scored; off by
    default, see bench.churn_signal) and `cv_seed` (the out-of-fold split).
    """
    out = Path(out_dir) if out_dir is not None else trained_model_dir("churn")
    return _train_on(churn_dev(dev_path), Path(taxonomy or CHURN_TAXONOMY), out, **options)
