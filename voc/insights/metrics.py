"""Per-theme metrics over a filtered frame: volume, share, sentiment, cause mix, scores, resolution time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from voc.insights.causes import frame_cause_labels, labels_of

NET = {"positive": 1.0, "negative": -1.0, "neutral": 0.0}


def score_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-document NPS/CSAT/CES contributions (NaN where the document has no such rating)."""
    scale = frame.get("rating_scale", pd.Series(index=frame.index, dtype=object))
    rating = pd.to_numeric(frame.get("rating", pd.Series(index=frame.index, dtype=float)), errors="coerce")
    nps = np.where(scale == "nps", np.select([rating >= 9, rating <= 6], [100.0, -100.0], 0.0), np.nan)
    csat = np.where(scale == "csat", np.where(rating >= 4, 100.0, 0.0), np.nan)
    ces = np.where(scale == "ces", rating, np.nan)
    stars = np.where(scale == "stars", rating, np.nan)
    return pd.DataFrame({"nps": nps, "csat": csat, "ces": ces, "stars": stars}, index=frame.index)


def _cause_dummies(causes: pd.Series, labels: list[str]) -> pd.DataFrame:
    rows = causes.map(lambda c: set(c) if isinstance(c, (list, tuple, np.ndarray)) else set())
    return pd.DataFrame({label: rows.map(lambda s, lab=label: lab in s) for label in labels}, index=causes.index)


def theme_metrics(frame: pd.DataFrame, labels: list[str] | None = None) -> pd.DataFrame:
    """One row per theme: volume, share, net sentiment, mean score, cause shares, mean rating, NPS/CSAT/CES, TTR.

    Cause shares are for `labels` (the store's cause labels; default the shipped taxonomy's), plus any
    other label found in the frame."""
    if frame.empty:
        return pd.DataFrame(columns=["theme_id", "theme_label", "volume", "share", "net_sentiment"])
    work = pd.DataFrame(
        {
            "theme_id": frame["theme_id"],
            "theme_label": frame.get("theme_label", frame["theme_id"].astype(str)),
            "net": frame["sentiment"].map(NET),
            "positive": frame["sentiment"].eq("positive"),
            "negative": frame["sentiment"].eq("negative"),
            "score": frame.get("sentiment_score"),
            "rating_norm": frame.get("rating_norm"),
        }
    )
    causes = frame.get("causes", pd.Series(index=frame.index, dtype=object))
    labels = frame_cause_labels(causes, labels)
    work = work.join(_cause_dummies(causes, labels))
    work = work.join(score_columns(frame))
    if "created_at" in frame and "resolved_at" in frame:
        hours = (pd.to_datetime(frame["resolved_at"], utc=True) - pd.to_datetime(frame["created_at"], utc=True))
        work["ttr_hours"] = hours.dt.total_seconds() / 3600
    else:
        work["ttr_hours"] = np.nan
    grouped = work.groupby(["theme_id", "theme_label"], dropna=False)
    out = grouped.agg(
        volume=("net", "size"),
        pct_positive=("positive", "mean"),
        pct_negative=("negative", "mean"),
        mean_score=("score", "mean"),
        mean_rating_norm=("rating_norm", "mean"),
        nps=("nps", "mean"),
        csat=("csat", "mean"),
        ces=("ces", "mean"),
        stars=("stars", "mean"),
        median_ttr_hours=("ttr_hours", "median"),
        **{f"cause_{c}": (c, "mean") for c in labels},
    ).reset_index()
    out["share"] = out["volume"] / out["volume"].sum()
    out["net_sentiment"] = 100 * (out["pct_positive"] - out["pct_negative"])
    front = ["theme_id", "theme_label", "volume", "share", "net_sentiment", "mean_score"]
    return out[front + [c for c in out.columns if c not in front]].sort_values("volume", ascending=False, ignore_index=True)


def dominant_cause(row: pd.Series) -> str | None:
    """The cause with the largest share in a theme_metrics row, or None when no cause reaches 10%."""
    shares = {c: row.get(f"cause_{c}", 0.0) or 0.0 for c in labels_of(row)}
    if not shares:
        return None
    best = max(shares, key=shares.get)
    return best if shares[best] >= 0.10 else None
