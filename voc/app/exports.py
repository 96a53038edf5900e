"""Bytes of each export format under a filter (the Export page's download buttons call these)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from voc.errors import VocError
from voc.export import theme_summaries
from voc.export.documents import DOCUMENT_FORMATS, export_documents  # noqa: F401  (re-exported for the Export page)
from voc.export.themes import THEME_FORMATS, write_themes
from voc.insights.filters import Filter

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
    summaries = theme_summaries(Path(store_path), flt, labels=labels, canonical=canonical)
    with tempfile.TemporaryDirectory() as tmp:
        out = write_themes(summaries, fmt, Path(tmp) / f"themes.{fmt}")
        return out.read_bytes()
