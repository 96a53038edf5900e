"""What priority reads from a store: the journey and churn columns (when declared) and the effort edits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from voc.insights.load import INSIGHT_COLUMNS
from voc.insights.priority import EFFORTS
from voc.store import Store

PRIORITY_COLUMNS = ("journey_stage", "churn_intent")


def priority_columns(store_path: str | Path) -> tuple[str, ...]:
    """INSIGHT_COLUMNS plus journey_stage and churn_intent where the store's lenses declared them."""
    declared = {
        o["name"] for o in Store(store_path, read_only=True).lens_outputs() if o["level"] == "document"
    }
    return INSIGHT_COLUMNS + tuple(c for c in PRIORITY_COLUMNS if c in declared)


def efforts_from_edits(edits: pd.DataFrame | None) -> dict[int, str]:
    """Theme id -> effort from the edit log's `effort` edits (the latest per theme wins)."""
    out: dict[int, str] = {}
    if edits is None or edits.empty:
        return out
    for edit in edits.sort_values("edit_id").to_dict("records"):
        payload = edit.get("payload") or {}
        if edit.get("op") == "effort" and payload.get("effort") in EFFORTS and "theme_id" in payload:
            out[int(payload["theme_id"])] = str(payload["effort"])
    return out


def theme_efforts(store_path: str | Path) -> dict[int, str]:
    """The efforts set on the Manage themes page, replayed from the store's edit log."""
    return efforts_from_edits(Store(store_path, read_only=True).edits())
