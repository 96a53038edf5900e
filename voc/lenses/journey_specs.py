"""The journey-stage and churn-signal lenses as registered components, with their declared outputs.

Both read the shared pass's vectors (no encoder of their own) and load their heads only when enabled.
"""

from __future__ import annotations

from typing import Any

from voc.lenses.registry import LensResult, Output, SharedPass, with_labels

ASKS = ("apology", "refund", "callback", "fix", "explanation", "escalation")
_VECTORS = frozenset({"text", "sentence_spans", "sentence_vectors", "doc_vectors"})


class JourneyLensSpec:
    """Journey stage per document and per sentence (labels from the journey taxonomy) and the stage scores."""

    name = "journey"
    needs = _VECTORS
    outputs = (
        Output("journey_stage", "VARCHAR"),  # labels come from the loaded head's taxonomy
        Output("journey_scores", "JSON"),
        Output("journey_stage", "VARCHAR", level="sentence"),
    )

    def __init__(self, model: Any) -> None:
        self.model = model
        self.version = model.version

    @classmethod
    def enabled(cls, cfg: Any) -> bool:
        """Whether `journey.enabled` is on."""
        return bool(cfg.journey.enabled)

    @classmethod
    def from_config(cls, cfg: Any) -> JourneyLensSpec:
        """Load the configured journey head."""
        from voc.lenses.journey import JourneyLens

        return cls(JourneyLens.load(cfg.journey))

    def declared_outputs(self) -> tuple[Output, ...]:
        """The outputs, `journey_stage` carrying the loaded head's stages."""
        return with_labels(self.outputs, "journey_stage", self.model.labels)

    def predict_pass(self, shared: SharedPass) -> LensResult:
        """Stages and scores for one batch."""
        docs, sentences = self.model.predict(
            shared.texts, shared.spans, shared.doc_vectors, shared.sentence_vectors
        )
        return LensResult(docs, sentences)


class ChurnLensSpec:
    """Churn intent and score, disparagement and what the customer asks for, per document."""

    name = "churn"
    needs = _VECTORS
    outputs = (
        Output("churn_intent", "BOOLEAN"),
        Output("churn_score", "DOUBLE"),
        Output("disparage_intent", "BOOLEAN"),
        Output("asks_for", "VARCHAR[]", labels=ASKS),
    )

    def __init__(self, model: Any) -> None:
        self.model = model
        self.version = model.version

    @classmethod
    def enabled(cls, cfg: Any) -> bool:
        """Whether `churn.enabled` is on."""
        return bool(cfg.churn.enabled)

    @classmethod
    def from_config(cls, cfg: Any) -> ChurnLensSpec:
        """Load the configured churn head and decision."""
        from voc.lenses.churn import ChurnLens

        return cls(ChurnLens.load(cfg.churn))

    def declared_outputs(self) -> tuple[Output, ...]:
        """The outputs, `asks_for` carrying the loaded head's asks."""
        return with_labels(self.outputs, "asks_for", self.model.asks)

    def predict_pass(self, shared: SharedPass) -> LensResult:
        """Churn signals for one batch."""
        return LensResult(
            self.model.predict(shared.texts, shared.spans, shared.doc_vectors, shared.sentence_vectors)
        )
