"""Per-theme sentiment from sentence-level sentiment (not whole-document sentiment)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from voc.lenses.themes.model import OTHER_ID
from voc.metrics import frame_metrics


def assign_sentences(
    sentence_emb: np.ndarray,
    doc_theme: np.ndarray,
    themes: pd.DataFrame,
    other_threshold: float = 0.3,
    margin: float = 0.1,
) -> np.ndarray:
    """Theme per sentence: its document's theme, unless another theme is closer by `margin` (and above the floor)."""
    from voc.lenses.themes.spans import closer_themes

    t = themes[(themes["level"] == 1) & (themes["status"] == "active") & (themes["theme_id"] != OTHER_ID)]
    doc_theme = np.asarray(doc_theme, np.int64)
    if not len(t) or not len(sentence_emb):
        return doc_theme.copy()
    cents = np.stack([np.asarray(c, np.float32) for c in t["centroid"]])
    return closer_themes(sentence_emb, doc_theme, t["theme_id"].to_numpy(np.int64), cents, other_threshold, margin)


def theme_sentiment(sentences: pd.DataFrame) -> pd.DataFrame:
    """Aggregate sentence sentiment per theme: counts, mean score, class shares and net sentiment (voc.metrics).

    `sentences` needs theme_id and sentiment_score (-1..1); `sentiment` (negative/neutral/positive) and
    doc_id are used when present (otherwise the label is derived from the score with a ±0.25 band).
    Sentences without a sentiment are left out of the shares, the mean score and net sentiment (-100..100).
    """
    cols = ["theme_id", "n_sentences", "n_docs", "mean_score", "share_negative", "share_neutral",
            "share_positive", "net_sentiment"]  # fmt: skip
    if sentences.empty:
        return pd.DataFrame(columns=cols)
    df = sentences.copy()
    if "sentiment" not in df:
        s = df["sentiment_score"].astype(float)
        df["sentiment"] = np.where(s <= -0.25, "negative", np.where(s >= 0.25, "positive", "neutral"))
    docs = "count(DISTINCT doc_id)" if "doc_id" in df else "count(*)"
    shares = ", ".join(
        f"avg((sentiment = '{lab}')::INT) AS share_{lab}" for lab in ("negative", "neutral", "positive")
    )
    out = frame_metrics(
        df,
        by=("theme_id",),
        names=("sentiment_score", "net_sentiment"),
        labels=None,
        extra=f"{docs} AS n_docs, {shares}",
    )
    out = out.rename(columns={"volume": "n_sentences", "sentiment_score": "mean_score"})
    return out[cols]
