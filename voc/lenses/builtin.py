"""The built-in lenses as registered components: sentiment, themes and root cause, with their declared outputs.

The model code lives in voc.lenses.sentiment, voc.lenses.themes and voc.lenses.rootcause; these classes declare
what each lens needs and writes, and load the model only when a pipeline enables the lens.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from voc.lenses.registry import LensResult, Output, SharedPass, with_labels
from voc.schema import SENTIMENT_LABELS


class SentimentLensSpec:
    """Sentiment per document and sentence, from the sentiment model's own pass over the text."""

    name = "sentiment"
    needs = frozenset({"text", "sentence_spans"})
    outputs = (
        Output("sentiment", "VARCHAR", labels=SENTIMENT_LABELS),
        Output("sentiment_score", "DOUBLE"),
        *(Output(f"p_{label}", "DOUBLE") for label in SENTIMENT_LABELS),
        Output("sentiment", "VARCHAR", level="sentence", labels=SENTIMENT_LABELS),
        Output("sentiment_score", "DOUBLE", level="sentence"),
    )

    def __init__(self, model: Any) -> None:
        self.model = model
        self.version = model.version

    @classmethod
    def enabled(cls, cfg: Any) -> bool:
        """Whether the pipeline config turns the lens on (beyond listing it)."""
        return True

    @classmethod
    def languages(cls, cfg: Any) -> list[str]:
        """The languages the sentiment model covers (`sentiment.languages`), apart from the encoder's."""
        return list(cfg.sentiment.languages)

    @classmethod
    def from_config(cls, cfg: Any) -> SentimentLensSpec:
        """Load the configured sentiment model."""
        from voc.lenses.sentiment import SentimentLens

        return cls(SentimentLens.load(cfg.sentiment, cfg.encoder))

    def declared_outputs(self) -> tuple[Output, ...]:
        """The outputs, as declared."""
        return self.outputs

    def trunk_tap(self, texts: list[str], spans: list[list[tuple[int, int]]]) -> Any:
        """A tap on the encoder's shared trunk for this batch, or None (voc.lenses.sentiment_trunk)."""
        make = getattr(self.model, "make_tap", None)
        return make(texts, spans) if make is not None else None

    def predict_pass(self, shared: SharedPass) -> LensResult:
        """Document and sentence sentiment for one batch (from the shared trunk's tap when it ran)."""
        if getattr(self.model, "reads_vectors", False):  # the fast profile: a head on the shared vectors
            doc, per_sentence = self.model.predict_from_vectors(
                shared.texts, shared.spans, shared.doc_vectors, shared.sentence_vectors
            )
            return LensResult(doc, per_sentence[["sentiment", "sentiment_score"]])
        tap = shared.taps.get(self.name)
        doc, per_sentence = self.model.predict_sentences_flat(shared.texts, shared.spans, tap=tap)
        return LensResult(doc, per_sentence[["sentiment", "sentiment_score"]])


class ThemesLensSpec:
    """Themes: fitted over the whole corpus after the chunks are stored (voc.engine.themes_stage)."""

    name = "themes"
    corpus_level = True
    needs = frozenset({"text", "doc_vectors"})
    outputs = (
        Output("theme_id", "INTEGER"),
        Output("theme_label", "VARCHAR", stored=False),
        Output("theme_id", "INTEGER", level="sentence"),
    )

    @classmethod
    def enabled(cls, cfg: Any) -> bool:
        """Whether `themes.enabled` is on."""
        return bool(cfg.themes.enabled)


class RootCauseLensSpec:
    """Root cause over the shared vectors: causes (labels from the taxonomy), scores and evidence spans."""

    name = "rootcause"
    needs = frozenset({"text", "sentence_spans", "sentence_vectors", "doc_vectors"})
    outputs = (
        Output("causes", "VARCHAR[]"),  # labels come from the loaded model's taxonomy
        Output("cause_scores", "JSON"),
        Output("cause_evidence", "JSON"),
    )

    def __init__(self, model: Any) -> None:
        self.model = model
        self.version = model.version

    @classmethod
    def enabled(cls, cfg: Any) -> bool:
        """Whether `rootcause.enabled` is on."""
        return bool(cfg.rootcause.enabled)

    @classmethod
    def from_config(cls, cfg: Any) -> RootCauseLensSpec:
        """Load the configured root-cause head (custom labels included)."""
        from voc.lenses.rootcause import RootCauseLens

        return cls(RootCauseLens.load(cfg.rootcause))

    def declared_outputs(self) -> tuple[Output, ...]:
        """The outputs, `causes` carrying the loaded model's labels."""
        return with_labels(self.outputs, "causes", self.model.labels)

    def predict_pass(self, shared: SharedPass) -> LensResult:
        """Causes, scores and evidence for one batch."""
        frame = self.model.predict(shared.texts, shared.spans, shared.doc_vectors, shared.sentence_vectors)
        return LensResult(pd.DataFrame({o.name: frame[o.name].to_numpy() for o in self.outputs}))
