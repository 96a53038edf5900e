"""Per-theme metrics over a filtered frame: volume, share, sentiment, cause mix, scores, resolution time.

Every figure comes from voc.metrics (one definition each, and one rule for missing values).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from voc.insights.causes import frame_cause_labels, labels_of
from voc.metrics import cause_column, frame_metrics

RENAME = {"sentiment_score": "mean_score", "rating_norm": "mean_rating_norm", "ttr_hours": "median_ttr_hours"}


def theme_metrics(frame: pd.DataFrame, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per theme: volume, share, net sentiment, mean score, cause shares, mean rating, NPS/CSAT/CES, TTR.

    Cause shares are for `labels` (the store's cause labels; default the shipped taxonomy's), plus any
    other label found in the frame."""
    if frame.empty:
        return pd.DataFrame(columns=["theme_id", "theme_label", "volume", "share", "net_sentiment"])
    labels = frame_cause_labels(frame.get("causes"), labels)
    work = frame.copy()
    if "theme_label" not in work:
        work["theme_label"] = work["theme_id"].astype(str)
    out = frame_metrics(work, by=("theme_id", "theme_label"), labels=labels).rename(columns=RENAME)
    out["share"] = out["volume"] / out["volume"].sum()
    front = ["theme_id", "theme_label", "volume", "share", "net_sentiment", "mean_score"]
    out = out[front + [c for c in out.columns if c not in front]]
    return out.sort_values(["volume", "theme_id"], ascending=[False, True], ignore_index=True)


def dominant_cause(row: pd.Series, labels: Sequence[str] | None = None) -> str | None:
    """The cause with the largest share in a theme_metrics row, or None when no cause reaches 10%."""
    shares = {c: _num(row.get(cause_column(c))) for c in (labels if labels is not None else labels_of(row))}
    if not shares:
        return None
    best = max(shares, key=shares.get)
    return best if shares[best] >= 0.10 else None


def _num(value) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)
