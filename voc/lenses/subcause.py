"""The sub-cause lens: failure points under each root cause, who the customer blames, and the likely cause.

Registered as `subcause`; it reads the shared pass (sentence and document vectors, sentence spans, text) and
never encodes. Outputs: `subcauses` (labels from the sub-cause taxonomy), `subcause_scores` (label ->
probability), `subcause_evidence` (label -> [start, end]), `blamed` (people/process/technology the customer
faults), `likely_cause` and `likely_subcause` (the single most likely underlying cause).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from voc.lenses.registry import LensResult, Output, SharedPass, with_labels
from voc.lenses.subcause_taxonomy import CAUSES


class SubCauseLensSpec:
    """Sub-causes (multi-label, probability and evidence each), blamed capabilities and the likely cause."""

    name = "subcause"
    needs = frozenset({"text", "sentence_spans", "sentence_vectors", "doc_vectors"})
    outputs = (
        Output("subcauses", "VARCHAR[]"),  # labels come from the loaded model's taxonomy
        Output("subcause_scores", "JSON"),
        Output("subcause_evidence", "JSON"),
        Output("blamed", "VARCHAR[]", labels=CAUSES),
        Output("likely_cause", "VARCHAR", labels=CAUSES),
        Output("likely_subcause", "VARCHAR"),
    )

    def __init__(self, model: Any) -> None:
        self.model = model
        self.version = model.version

    @classmethod
    def enabled(cls, cfg: Any) -> bool:
        """On when both `subcause.enabled` and `rootcause.enabled` are."""
        return bool(cfg.subcause.enabled and cfg.rootcause.enabled)

    @classmethod
    def from_config(cls, cfg: Any) -> SubCauseLensSpec:
        """Load the configured sub-cause model (default models/subcause)."""
        from voc.lenses.subcause_model import SubCauseModel

        return cls(SubCauseModel.load(cfg.subcause.model))

    def declared_outputs(self) -> tuple[Output, ...]:
        """The outputs, `subcauses` and `likely_subcause` carrying the loaded model's labels."""
        return with_labels(
            with_labels(self.outputs, "subcauses", self.model.labels), "likely_subcause", self.model.labels
        )

    def predict_pass(self, shared: SharedPass) -> LensResult:
        """Sub-causes, blame and likely cause for one batch."""
        frame = self.model.predict(shared.texts, shared.spans, shared.doc_vectors, shared.sentence_vectors)
        return LensResult(pd.DataFrame({o.name: frame[o.name].to_numpy() for o in self.outputs}))
