"""Stage functions shared by the local engine, the Ray engine and voc.analyze.

Each stage takes and returns pandas frames and holds no global state; models are passed in. The prediction
and sentence columns come from the enabled lenses' declared outputs (voc.lenses.registry).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from voc.config import PipelineConfig
from voc.engine import coverage as cov
from voc.lenses.registry import DEFAULT_LENSES, Output, SharedPass, is_corpus_lens, lens_class, static_outputs


@dataclass
class Models:
    """The loaded encoder and per-document lenses a pipeline needs (loaded once per process or actor)."""

    encoder: Any
    lenses: list[Any] = field(default_factory=list)  # loaded per-document lenses, in config order
    versions: dict[str, str] = field(default_factory=dict)
    corpus_lenses: list[str] = field(default_factory=list)  # enabled lenses that run after the chunks (themes)
    coverage: dict[str, list[str]] = field(default_factory=dict)  # lens name -> the languages it covers
    theme_view: bool = False  # also pool the themes lens's view spans in the shared pass
    view_pooling: str = "pieces"  # which view spans ("idf" adds each word's; voc.lenses.themes.view.pass_spans)

    def lens(self, name: str) -> Any:
        """The loaded lens of that name, or None."""
        return next((lens for lens in self.lenses if lens.name == name), None)

    @property
    def sentiment(self) -> Any:
        """The sentiment model, or None when the lens is off."""
        spec = self.lens("sentiment")
        return spec.model if spec is not None else None

    @property
    def rootcause(self) -> Any:
        """The root-cause model, or None when the lens is off."""
        spec = self.lens("rootcause")
        return spec.model if spec is not None else None

    def outputs(self) -> list[Output]:
        """Declared outputs: the built-in lenses' (static unless loaded) and every enabled lens's, in order."""
        names = list(DEFAULT_LENSES) + [n for n in self.corpus_lenses if n not in DEFAULT_LENSES]
        names += [lens.name for lens in self.lenses if lens.name not in names]
        loaded = {lens.name: lens.declared_outputs() for lens in self.lenses}
        return [*(o for n in names for o in (loaded.get(n) or lens_class(n).outputs)), cov.REASON_OUTPUT]

    def corpus_outputs(self) -> set[str]:
        """Names of the columns corpus-level lenses fill later (null at the chunk stage)."""
        names = [n for n in dict.fromkeys([*DEFAULT_LENSES, *self.corpus_lenses]) if is_corpus_lens(n)]
        return {o.name for o in static_outputs(names)}


def enabled_lenses(cfg: PipelineConfig) -> list[str]:
    """The lenses the config lists and whose own section leaves on."""
    out = []
    for name in cfg.lenses:
        enabled = getattr(lens_class(name), "enabled", None)
        if enabled is None or enabled(cfg):
            out.append(name)
    return out


def load_models(cfg: PipelineConfig) -> Models:
    """Load the shared encoder and the per-document lenses the config enables."""
    from voc.encode import get_encoder

    encoder = get_encoder(cfg.encoder)
    models = Models(encoder=encoder, versions={"profile": cfg.profile, "encoder": encoder.version})
    for name in enabled_lenses(cfg):
        models.coverage[name] = cov.lens_languages(name, cfg)
        if is_corpus_lens(name):
            models.corpus_lenses.append(name)
            continue
        lens = lens_class(name).from_config(cfg)
        models.lenses.append(lens)
        models.versions[name] = lens.version
    models.theme_view = "themes" in models.corpus_lenses
    models.view_pooling = cfg.themes.view_pooling
    return models


@dataclass
class Analysed:
    """One analysed batch: per-document predictions, per-sentence rows and document vectors."""

    predictions: pd.DataFrame
    sentences: pd.DataFrame
    vectors: np.ndarray
    seconds: dict[str, float] = field(default_factory=dict)  # encode, then one entry per lens


def analyse_batch(docs: pd.DataFrame, models: Models) -> Analysed:
    """Encode a cleaned batch once and run the per-document lenses over it (corpus lenses come later).

    Each lens runs only on the documents in the languages it covers; the others get its outputs null and a
    `not_analysed_reason` (voc.engine.coverage).
    """
    from voc.clean.sentences import split_sentences
    from voc.lenses.themes.view import pass_spans

    clock = _Clock()
    texts = docs["text"].tolist()
    spans = [split_sentences(t) or [(0, len(t))] for t in texts]
    taps = {}
    for lens in models.lenses:  # a lens that shares the encoder's trunk sees its states in the pass
        tap = lens.trunk_tap(texts, spans) if hasattr(lens, "trunk_tap") else None
        if tap is not None:
            taps[lens.name] = tap
    tap = _fan_out(list(taps.values())) if taps else None
    extra = {"tap": tap} if tap is not None else {}  # encoders without a trunk take no tap
    view = [pass_spans(t, models.view_pooling) if models.theme_view else [] for t in texts]  # for the themes stage
    doc_vecs, pooled = models.encoder.encode_spans(texts, [s + v for s, v in zip(spans, view)], **extra)
    sent_vecs = [p[: len(s)] for p, s in zip(pooled, spans)]
    clock.lap("encode")
    shared = SharedPass(docs["doc_id"].tolist(), texts, spans, doc_vecs, sent_vecs, taps)
    preds = pd.DataFrame({"doc_id": docs["doc_id"].to_numpy()})
    sentence_rows = _sentence_frame(shared.doc_ids, spans)
    masks = cov.lens_masks(cov.batch_languages(docs), models.coverage)
    for lens in models.lenses:
        mask = masks[lens.name][0] if lens.name in masks else np.ones(len(texts), dtype=bool)
        if mask.all():
            result = lens.predict_pass(shared)
            documents, sentences = result.documents, result.sentences
        elif mask.any():
            result = lens.predict_pass(cov.subset_pass(shared, mask))
            documents = cov.scatter(result.documents, mask)
            sentences = result.sentences
            if sentences is not None:
                sentences = cov.scatter(sentences, cov.sentence_mask(spans, mask))
        else:  # no document of the batch is in a language the lens covers: its outputs stay null
            documents, sentences = pd.DataFrame(index=range(len(texts))), None
        for col in documents.columns:
            preds[col] = documents[col].to_numpy()
        if sentences is not None and len(sentences) == len(sentence_rows):
            for col in sentences.columns:
                sentence_rows[col] = sentences[col].to_numpy()
        clock.lap(lens.name)
    preds[cov.REASON_OUTPUT.name] = cov.not_analysed_reasons(masks, len(texts))
    outputs, corpus = models.outputs(), models.corpus_outputs()
    return Analysed(
        _complete(preds, outputs, corpus, "document"),
        _complete(sentence_rows, outputs, corpus, "sentence"),
        doc_vecs,
        clock.seconds,
    )


def _fan_out(taps: list[Any]):
    def call(*args):
        for tap in taps:
            tap(*args)

    return call


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
    return pd.DataFrame(rows, columns=["doc_id", "idx", "start_char", "end_char"])


def _complete(frame: pd.DataFrame, outputs: list[Output], corpus: set[str], level: str) -> pd.DataFrame:
    """Add the stored columns a disabled lens did not fill as nulls; corpus lenses' columns start null."""
    for out in outputs:
        if out.level != level or not out.stored:
            continue
        if out.name not in frame.columns or out.name in corpus:
            frame[out.name] = out.null(len(frame))
    return frame
