"""Stage functions shared by the local engine, the Ray engine and voc.analyze.

Each stage takes and returns pandas frames and holds no global state; models are passed in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from voc.config import PipelineConfig
from voc.schema import SENTIMENT_LABELS


@dataclass
class Models:
    """The loaded encoder and lenses a pipeline needs (loaded once per process or actor)."""

    encoder: Any
    sentiment: Any = None
    rootcause: Any = None
    versions: dict[str, str] = field(default_factory=dict)
    theme_view: bool = False  # also pool the themes lens's view spans in the shared pass


def load_models(cfg: PipelineConfig) -> Models:
    """Load the shared encoder and the per-document lenses the config enables."""
    from voc.encode import get_encoder

    encoder = get_encoder(cfg.encoder)
    models = Models(encoder=encoder, versions={"encoder": encoder.version})
    models.theme_view = "themes" in cfg.lenses
    if "sentiment" in cfg.lenses:
        from voc.lenses.sentiment import SentimentLens

        models.sentiment = SentimentLens.load(cfg.sentiment, cfg.encoder)
        models.versions["sentiment"] = models.sentiment.version
    if "rootcause" in cfg.lenses and cfg.rootcause.enabled:
        from voc.lenses.rootcause import RootCauseLens

        models.rootcause = RootCauseLens.load(cfg.rootcause)
        models.versions["rootcause"] = models.rootcause.version
    return models


@dataclass
class Analysed:
    """One analysed batch: per-document predictions, per-sentence rows and document vectors."""

    predictions: pd.DataFrame
    sentences: pd.DataFrame
    vectors: np.ndarray
    seconds: dict[str, float] = field(default_factory=dict)  # encode, sentiment, rootcause


def analyse_batch(docs: pd.DataFrame, models: Models) -> Analysed:
    """Encode a cleaned batch once and run the per-document lenses over it (themes come later)."""
    from voc.clean.sentences import split_sentences
    from voc.lenses.themes.view import theme_spans

    clock = _Clock()
    texts = docs["text"].tolist()
    spans = [split_sentences(t) or [(0, len(t))] for t in texts]
    view = [theme_spans(t) if models.theme_view else [] for t in texts]  # cached for the themes stage
    doc_vecs, pooled = models.encoder.encode_spans(texts, [s + v for s, v in zip(spans, view)])
    sent_vecs = [p[: len(s)] for p, s in zip(pooled, spans)]
    clock.lap("encode")
    preds = pd.DataFrame({"doc_id": docs["doc_id"].to_numpy()})
    sentence_rows = _sentence_frame(docs["doc_id"].tolist(), spans)
    if models.sentiment is not None:
        doc_sent, per_sentence = models.sentiment.predict_sentences_flat(texts, spans)
        for col in doc_sent.columns:
            preds[col] = doc_sent[col].to_numpy()
        if len(per_sentence) == len(sentence_rows):
            sentence_rows["sentiment"] = per_sentence["sentiment"].to_numpy()
            sentence_rows["sentiment_score"] = per_sentence["sentiment_score"].to_numpy()
        clock.lap("sentiment")
    if models.rootcause is not None:
        causes = models.rootcause.predict(texts, spans, doc_vecs, sent_vecs)
        preds["causes"] = causes["causes"].to_numpy()
        preds["cause_scores"] = causes["cause_scores"].to_numpy()
        preds["cause_evidence"] = causes["cause_evidence"].to_numpy()
        clock.lap("rootcause")
    return Analysed(_complete(preds), sentence_rows, doc_vecs, clock.seconds)


class _Clock:
    """Seconds per named step, measured lap by lap."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self._last = now


def _sentence_frame(doc_ids: list[str], spans: list[list[tuple[int, int]]]) -> pd.DataFrame:
    rows = [(d, i, s, e) for d, doc_spans in zip(doc_ids, spans) for i, (s, e) in enumerate(doc_spans)]
    frame = pd.DataFrame(rows, columns=["doc_id", "idx", "start_char", "end_char"])
    frame["sentiment"] = None
    frame["sentiment_score"] = np.nan
    frame["theme_id"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    return frame


def _complete(preds: pd.DataFrame) -> pd.DataFrame:
    """Add the prediction columns a disabled lens did not fill, as nulls."""
    defaults: dict[str, Any] = {"sentiment": None, "sentiment_score": np.nan}
    defaults.update({f"p_{label}": np.nan for label in SENTIMENT_LABELS})
    defaults.update({"causes": None, "cause_scores": None, "cause_evidence": None})
    for col, value in defaults.items():
        if col not in preds.columns:
            preds[col] = value
    preds["theme_id"] = pd.array([pd.NA] * len(preds), dtype="Int64")
    return preds
