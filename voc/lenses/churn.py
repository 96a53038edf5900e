"""Churn and recovery signals per document: churn intent and score, disparagement, and what the customer asks for.

A taxonomy lens like root cause (models/churn/taxonomy.yaml, trained by `voc train churn`): labels
churn, staying (hard negatives: the words of leaving without the intent), disparage and the asks.
churn_score = p(churn) - staying_weight * p(staying), clipped to 0..1; churn_intent is score >= threshold.
Each probability is the maximum over the document's sentences (and, for a head trained with them, runs of
adjacent sentences: voc.lenses.churn_context).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from voc.errors import ModelError
from voc.lenses.churn_context import head_windows, with_windows
from voc.lenses.journey import head_version
from voc.lenses.rootcause_model import RootCauseHead
from voc.lenses.taxonomy_scores import clean_texts, score_taxonomy
from voc.paths import MODELS_DIR

DEFAULT_DIR = MODELS_DIR / "churn"
ASKS = ("apology", "refund", "callback", "fix", "explanation", "escalation")
REQUIRED = ("churn", "staying", "disparage")


def churn_probs(
    head: RootCauseHead,
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    doc_vecs: np.ndarray,
    sent_vecs: Sequence[np.ndarray],
) -> np.ndarray:
    """Per-document label probabilities (n, L): the maximum over sentences and the head's context windows."""
    windows = head_windows(head.meta)
    if windows:
        spans, sent_vecs = with_windows(spans, sent_vecs, windows)
    return score_taxonomy(head, texts, spans, doc_vecs, sent_vecs).doc_probs.astype(np.float64)


class ChurnLens:
    """Predicts churn_intent, churn_score, disparage_intent and asks_for per document."""

    def __init__(self, head: RootCauseHead, threshold: float = 0.375, staying_weight: float = 0.75):
        missing = [name for name in REQUIRED if name not in head.labels]
        if missing:
            raise ModelError(f"Churn head lacks labels {missing}; retrain with `voc train churn`.")
        self.head = head
        self.labels = list(head.labels)
        self.asks = [a for a in self.labels if a not in REQUIRED]
        self.threshold = float(threshold)
        self.staying_weight = float(staying_weight)
        self.version = head_version("churn", head) + f"-t{self.threshold:g}-s{self.staying_weight:g}"

    @classmethod
    def load(cls, cfg=None) -> ChurnLens:
        """Load the trained head (cfg.model, default models/churn) with the configured decision."""
        model_dir = Path(cfg.model) if cfg is not None and cfg.model is not None else DEFAULT_DIR
        if cfg is None:
            return cls(RootCauseHead.load(model_dir))
        return cls(RootCauseHead.load(model_dir), cfg.threshold, cfg.staying_weight)

    def predict(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        doc_vecs: np.ndarray,
        sent_vecs: Sequence[np.ndarray],
    ) -> pd.DataFrame:
        """One row per text: churn_intent, churn_score, disparage_intent, asks_for (list)."""
        texts = clean_texts(texts)
        probs = churn_probs(self.head, texts, spans, doc_vecs, sent_vecs)
        col = {name: j for j, name in enumerate(self.labels)}
        score = np.clip(probs[:, col["churn"]] - self.staying_weight * probs[:, col["staying"]], 0.0, 1.0)
        th = self.head.thresholds.astype(np.float64)
        empty = np.array([not t.strip() for t in texts], dtype=bool)
        disparage = (probs[:, col["disparage"]] >= th[col["disparage"]]) & ~empty
        asked = [
            [] if empty[d] else [a for a in self.asks if probs[d, col[a]] >= th[col[a]]]
            for d in range(len(texts))
        ]
        return pd.DataFrame(
            {
                "churn_intent": (score >= self.threshold) & ~empty,
                "churn_score": np.where(empty, np.nan, np.round(score, 4)),
                "disparage_intent": disparage,
                "asks_for": asked,
            }
        )
