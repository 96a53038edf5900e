"""One call for the engine: fit, match to stored themes, replay edits, and return what to store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from voc.config import ThemesConfig
from voc.lenses.themes.edits import apply_edits
from voc.lenses.themes.identity import match_themes, reconcile, remap_assignments
from voc.lenses.themes.model import ThemeModel
from voc.lenses.themes.spans import SpanUnits, active_secondary


@dataclass
class ThemesRun:
    """The result of one themes run: table to store, per-doc assignments, drift report and the model."""

    themes: pd.DataFrame
    assignments: pd.DataFrame  # doc_id, theme_id, theme_label (and secondary: list of theme ids, span units)
    drift: pd.DataFrame
    model: ThemeModel


def run_themes(
    doc_ids: Sequence[Any],
    texts: Sequence[str],
    embeddings: np.ndarray,
    cfg: ThemesConfig,
    encode_phrases: Callable[[list[str]], np.ndarray],
    stored: pd.DataFrame | None = None,
    edits: pd.DataFrame | None = None,
    run_id: str | int | None = None,
    units: SpanUnits | None = None,
) -> ThemesRun:
    """Fit themes, keep stored ids (match_themes + reconcile), replay the edit log, label every doc.

    With span units (cfg.units == "span"), assignments also carry each document's secondary themes.
    """
    model = ThemeModel.fit(texts, embeddings, cfg, encode_phrases, units)
    stored = stored if stored is not None and len(stored) else model.themes.iloc[0:0]
    mapping, drift = match_themes(model.themes, stored, cfg.match_threshold)
    table = reconcile(model.themes, stored, mapping, run_id)
    assign = pd.DataFrame({"doc_id": list(doc_ids), "theme_id": remap_assignments(model.labels_, mapping)})
    if model.secondary_ is not None:
        assign["secondary"] = [[mapping.get(int(t), int(t)) for t in sec] for sec in model.secondary_]
    pos = {d: i for i, d in enumerate(assign["doc_id"])}
    emb = np.asarray(embeddings, np.float32)
    table, assign = apply_edits(table, assign, edits, embeddings_for=lambda ids: emb[[pos[d] for d in ids]])
    if "secondary" in assign:
        assign["secondary"] = active_secondary(table, assign["secondary"], assign["theme_id"])
    sizes = assign["theme_id"].value_counts()
    kids = table["level"] == 1
    table.loc[kids, "size"] = table.loc[kids, "theme_id"].map(sizes).fillna(0).astype(int)
    for pid in table.loc[table["level"] == 0, "theme_id"]:
        table.loc[table["theme_id"] == pid, "size"] = int(
            table.loc[kids & (table["parent_id"] == pid), "size"].sum()
        )
    final = ThemeModel(table, cfg.other_threshold)
    labels = final.display_labels()
    assign["theme_label"] = assign["theme_id"].map(labels)
    return ThemesRun(table, assign, drift, final)
