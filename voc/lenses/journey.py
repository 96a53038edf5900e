"""Journey-stage lens: one stage per document (and per sentence) from a taxonomy YAML, over the shared vectors.

The second instance of the root-cause mechanism: the taxonomy (models/journey/taxonomy.yaml) is data,
the head is trained by the root-cause trainer (`voc train journey`), and scores come from
`voc.lenses.taxonomy_scores`. A document gets the stage with the highest score; each sentence of a
document with several gets the stage of its own evidence (without the document's shift).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from voc.errors import ModelError
from voc.lenses.rootcause_model import RootCauseHead, head_version
from voc.lenses.rootcause_taxonomy import load_taxonomy
from voc.lenses.taxonomy_scores import clean_texts, score_taxonomy
from voc.paths import MODELS_DIR

DEFAULT_DIR = MODELS_DIR / "journey"
STAGES = ("awareness", "onboarding", "purchase", "delivery", "usage", "billing", "support", "cancellation")


class JourneyLens:
    """Predicts journey_stage and journey_scores per document, and journey_stage per sentence."""

    def __init__(self, head: RootCauseHead):
        self.head = head
        self.labels: list[str] = list(head.labels)
        self.version = head_version("journey", head)

    @classmethod
    def load(cls, cfg=None) -> JourneyLens:
        """Load the trained head (cfg.model, default models/journey); checks it matches cfg.taxonomy."""
        model_dir = Path(cfg.model) if cfg is not None and cfg.model is not None else DEFAULT_DIR
        head = RootCauseHead.load(model_dir)
        if cfg is not None and cfg.taxonomy is not None:
            wanted = load_taxonomy(cfg.taxonomy).names
            if sorted(wanted) != sorted(head.labels):
                raise ModelError(
                    f"Journey head in {model_dir} was trained for stages {head.labels}, but taxonomy "
                    f"{cfg.taxonomy} has {wanted}; run `voc train journey --taxonomy {cfg.taxonomy}`."
                )
        return cls(head)

    def predict(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        doc_vecs: np.ndarray,
        sent_vecs: Sequence[np.ndarray],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Documents (journey_stage, journey_scores) and sentences (journey_stage, one row per span)."""
        texts = clean_texts(texts)
        scores = score_taxonomy(self.head, texts, spans, doc_vecs, sent_vecs)
        probs = scores.doc_probs.astype(np.float64)
        norm = probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-9)
        best = probs.argmax(axis=1) if len(texts) else np.zeros(0, int)
        empty = [not t.strip() for t in texts]
        stage = [None if e else self.labels[j] for e, j in zip(empty, best)]
        score_col = [
            None if e else dict(zip(self.labels, row)) for e, row in zip(empty, np.round(norm, 4).tolist())
        ]
        sentence_stage: list[str | None] = []
        for d, doc_spans in enumerate(spans):
            a, b = int(scores.offsets[d]), int(scores.offsets[d + 1])
            own = scores.sentence_logits[a:b]
            if len(doc_spans) > 1 and len(own) == len(doc_spans):
                sentence_stage.extend(self.labels[j] for j in own.argmax(axis=1))
            else:
                sentence_stage.extend([stage[d]] * len(doc_spans))
        docs = pd.DataFrame({"journey_stage": stage, "journey_scores": score_col})
        return docs, pd.DataFrame({"journey_stage": sentence_stage})
