"""Exports: per-document tables streamed from the store, and per-theme issue summaries."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from voc.errors import VocError
from voc.export.documents import DOCUMENT_FORMATS, export_documents  # noqa: F401
from voc.export.themes import THEME_FORMATS, write_themes
from voc.insights.load import load_documents, load_themes
from voc.insights.priority import with_priority
from voc.insights.priority_store import priority_columns, store_effort_settings, store_priority_weights
from voc.insights.summary import issue_summaries


def export(
    store_path: Path, *, format: str, out: Path, level: str = "documents", flt=None, encoder_cfg=None
) -> Path:
    """Export a store at a level (documents or themes) in a format; returns the written path."""
    if format in ("md", "json", "jira") and level == "documents":
        level = "themes"
    if level == "themes":
        if format not in THEME_FORMATS:
            raise VocError(
                f"Format {format!r} is not available for themes; use one of {', '.join(THEME_FORMATS)}."
            )
        return write_themes(theme_summaries(store_path, flt, encoder_cfg), format, out)
    if level == "documents":
        return export_documents(store_path, format, out, flt)
    raise VocError(f"Export level {level!r} is unknown; use --level documents or --level themes.")


def theme_summaries(
    store_path: Path,
    flt=None,
    encoder_cfg=None,
    labels: dict[int, str] | None = None,
    canonical: dict[int, int] | None = None,
) -> list[dict]:
    """Issue summaries for the store's themes under a filter, with the edit log's renames and merges applied
    (`labels` / `canonical` as the app's theme map gives them; read from the store when both are None).
    Quotes and sentences use the encoder cache."""
    from voc.encode import get_encoder
    from voc.insights.cause_map import store_confirmed_causes
    from voc.insights.causes import store_cause_labels
    from voc.insights.theme_map import store_display_map

    docs = load_documents(store_path, flt, priority_columns(store_path))
    if docs.empty:
        raise VocError(f"No documents in {store_path} match the filter; nothing to summarise.")
    if labels is None and canonical is None:
        labels, canonical = store_display_map(store_path)
    if canonical:
        docs["theme_id"] = docs["theme_id"].map(lambda t: canonical.get(int(t), t) if pd.notna(t) else t)
    if labels:
        docs["theme_label"] = docs["theme_id"].map(labels).fillna(docs["theme_label"])
    confirmed = store_confirmed_causes(store_path)
    summaries = issue_summaries(docs, load_themes(store_path), get_encoder(encoder_cfg).encode,
                                labels=store_cause_labels(store_path), confirmed=confirmed)  # fmt: skip
    weights = store_priority_weights(store_path)  # the latest run's `priority:` section, else the defaults
    return with_priority(summaries, docs, weights, store_effort_settings(store_path), confirmed)
