"""Export: download the filtered feedback and the theme summaries in every format."""

from __future__ import annotations

import logging

import streamlit as st

from voc.app.context import Ctx
from voc.app.exports import DOCUMENT_FORMATS, MIME, THEME_FORMATS, document_bytes, theme_bytes
from voc.insights.filters import Filter
from voc.insights.theme_map import label_and_canonical

log = logging.getLogger(__name__)
EXT = {"jira": "csv"}


def _deferred(fn, path: str, fmt: str, flt: Filter, **kwargs):
    """A zero-argument callable for st.download_button (runs when the user clicks)."""

    def make() -> bytes:
        try:
            return fn(path, fmt, flt, **kwargs)
        except Exception as exc:
            log.exception("export %s failed", fmt)
            return f"Export failed: {exc}\n".encode()

    return make


def render(ctx: Ctx) -> None:
    """Render the Export page."""
    st.title("Export")
    active = ctx.flt.model_dump(exclude_defaults=True)
    st.caption(
        "Exports respect the sidebar filters"
        + (f": {active}" if active else " (none active: everything is exported).")
    )
    st.subheader("Documents")
    st.caption(
        "One row per document with every prediction column. Spreadsheet formulas in text are neutralised."
    )
    for column, fmt in zip(st.columns(len(DOCUMENT_FORMATS)), DOCUMENT_FORMATS):
        column.download_button(
            f"Documents .{fmt}",
            _deferred(document_bytes, ctx.path, fmt, ctx.flt),
            file_name=f"voc_documents.{fmt}",
            mime=MIME[fmt],
            key=f"dl_docs_{fmt}",
            on_click="ignore",
        )
    st.subheader("Themes")
    st.caption(
        "Issue summaries per theme (volume, trend, alerts, causes, impact, quotes). Quotes and summary "
        "sentences use the shared encoder, so the first theme export can take a while."
    )
    labels, canonical = label_and_canonical(ctx.tmap)
    for column, fmt in zip(st.columns(len(THEME_FORMATS)), THEME_FORMATS):
        name = f"voc_themes{'_jira' if fmt == 'jira' else ''}.{EXT.get(fmt, fmt)}"
        column.download_button(
            f"Themes .{fmt}",
            _deferred(theme_bytes, ctx.path, fmt, ctx.flt, labels=labels, canonical=canonical),
            file_name=name,
            mime=MIME[fmt],
            key=f"dl_themes_{fmt}",
            on_click="ignore",
        )
