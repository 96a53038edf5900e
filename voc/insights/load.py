"""Load a filtered view of the store for the insights functions (the app and the exports call this)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from voc.insights.blame import BLAME_COLUMNS
from voc.insights.filters import Filter
from voc.store import Store

INSIGHT_COLUMNS = (
    "doc_id", "text", "date", "channel", "source", "rating", "rating_scale", "rating_norm", "segments",
    "created_at", "resolved_at", "sentiment", "sentiment_score", "theme_id", "theme_label", "causes", "cause_evidence",
)  # fmt: skip


def load_documents(
    store_path: str | Path, flt: Filter | None = None, columns=INSIGHT_COLUMNS
) -> pd.DataFrame:
    """Documents with predictions matching a filter, with the columns insights need."""

    where, params = (flt or Filter()).to_sql()
    store = Store(store_path, read_only=True)
    if columns is INSIGHT_COLUMNS:  # with the sub-cause lens: whom customers blame and the likely cause
        declared = {o["name"] for o in store.lens_outputs()}
        columns = [*columns, *(c for c in BLAME_COLUMNS if c in declared)]
    return store.documents_with_predictions(
        where=where, params=params, columns=list(columns), order_by=None
    )


def load_themes(store_path: str | Path) -> pd.DataFrame:
    """Active themes (id, labels, keywords, hierarchy)."""

    return Store(store_path, read_only=True).themes()
