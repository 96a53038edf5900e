"""What priority reads from a store: the journey, churn and blame columns (when declared), the effort edits
(followed through merges and splits) and the `priority:` weights of the latest finished run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from voc.config import PriorityConfig
from voc.insights.blame import BLAME_COLUMNS
from voc.insights.load import INSIGHT_COLUMNS
from voc.insights.priority import EFFORTS
from voc.insights.run_config import latest_run_section, store_run_section
from voc.insights.theme_settings import Setting, resolve
from voc.store import Store

PRIORITY_INPUTS = ("journey_stage", "churn_intent", *BLAME_COLUMNS)


def priority_columns(store_path: str | Path) -> tuple[str, ...]:
    """INSIGHT_COLUMNS plus journey_stage, churn_intent and the blame columns where the store's lenses declared them."""
    declared = {
        o["name"] for o in Store(store_path, read_only=True).lens_outputs() if o["level"] == "document"
    }
    return INSIGHT_COLUMNS + tuple(c for c in PRIORITY_INPUTS if c in declared)


def effort_settings(edits: pd.DataFrame | None) -> dict[int, Setting]:
    """Theme id -> effort Setting from the `effort` edits, carried through merges and splits (theme_settings)."""
    return resolve(edits, "effort", lambda p: str(p["effort"]) if p.get("effort") in EFFORTS else None)


def efforts_from_edits(edits: pd.DataFrame | None) -> dict[int, str]:
    """Theme id -> effort from the edit log's `effort` edits (the latest per theme wins; merges and splits carry it)."""
    return {tid: s.value for tid, s in effort_settings(edits).items()}


def theme_efforts(store_path: str | Path) -> dict[int, str]:
    """The efforts set on the Manage themes page, replayed from the store's edit log."""
    return efforts_from_edits(Store(store_path, read_only=True).edits())


def store_effort_settings(store_path: str | Path) -> dict[int, Setting]:
    """The store's effort settings, with where each came from (set / merged / inherited) and any conflicts."""
    return effort_settings(Store(store_path, read_only=True).edits())


def weights_from_runs(runs: pd.DataFrame | None) -> dict[str, float]:
    """The `priority:` weights of the latest finished run that recorded its config; the defaults otherwise."""
    return latest_run_section(runs, "priority", PriorityConfig).model_dump()


def store_priority_weights(store_path: str | Path) -> dict[str, float]:
    """The severity weights the store's latest finished run was configured with (voc.config.PriorityConfig)."""
    return store_run_section(store_path, "priority", PriorityConfig).model_dump()
