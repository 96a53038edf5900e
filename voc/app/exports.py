"""Bytes of each export format under a filter (the Export page's download buttons call these)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd

from voc.errors import VocError
from voc.export.documents import DOCUMENT_FORMATS, export_documents  # noqa: F401  (re-exported for the Export page)
from voc.export.themes import THEME_FORMATS, write_themes
from voc.insights.filters import Filter
from voc.insights.load import load_documents, load_themes
from voc.insights.summary import issue_summaries

MIME = {
    "csv": "text/csv",
    "jira": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown",
    "json": "application/json",
}


def document_bytes(store_path: str | Path, fmt: str, flt: Filter | None = None) -> bytes:
    """Documents joined with predictions matching `flt`, as csv, parquet or xlsx bytes."""
    buf = io.BytesIO()
    export_documents(store_path, fmt, buf, flt)
    return buf.getvalue()


def theme_summaries(
    store_path: str | Path,
    flt: Filter | None = None,
    labels: dict[int, str] | None = None,
    canonical: dict[int, int] | None = None,
) -> list[dict]:
    """Issue summaries (voc.insights.summary) under `flt`, with pending merges (`canonical`) and labels applied,
    and severity, effort and priority as in `voc export` (voc.insights.priority)."""
    from voc.encode import get_encoder
    from voc.insights.causes import store_cause_labels
    from voc.insights.priority import with_priority
    from voc.insights.priority_store import priority_columns, store_effort_settings, store_priority_weights

    docs = load_documents(store_path, flt, priority_columns(store_path))
    if docs.empty:
        raise VocError(f"No documents in {store_path} match the filter; nothing to summarise.")
    if canonical:
        docs["theme_id"] = docs["theme_id"].map(lambda t: canonical.get(int(t), t) if pd.notna(t) else t)
    if labels:
        docs["theme_label"] = docs["theme_id"].map(labels).fillna(docs["theme_label"])
    from voc.insights.cause_map import store_confirmed_causes

    confirmed = store_confirmed_causes(store_path)
    summaries = issue_summaries(docs, load_themes(store_path), get_encoder().encode,
                                labels=store_cause_labels(store_path), confirmed=confirmed)  # fmt: skip
    weights = store_priority_weights(store_path)
    return with_priority(summaries, docs, weights, store_effort_settings(store_path), confirmed)


def theme_bytes(
    store_path: str | Path,
    fmt: str,
    flt: Filter | None = None,
    labels: dict[int, str] | None = None,
    canonical: dict[int, int] | None = None,
) -> bytes:
    """Per-theme issue summaries under `flt` as csv, xlsx, md, json or jira bytes (voc.export writers)."""

    if fmt not in THEME_FORMATS:
        raise VocError(f"Theme export format {fmt!r} is unknown; use one of {', '.join(THEME_FORMATS)}.")
    summaries = theme_summaries(store_path, flt, labels, canonical)
    with tempfile.TemporaryDirectory() as tmp:
        out = write_themes(summaries, fmt, Path(tmp) / f"themes.{fmt}")
        return out.read_bytes()
