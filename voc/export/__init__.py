"""Exports: per-document tables (CSV, Parquet, XLSX) streamed from the store."""

from __future__ import annotations

from pathlib import Path

from voc.errors import VocError
from voc.export.documents import DOCUMENT_FORMATS, export_documents


def export(store_path: Path, *, format: str, out: Path, level: str = "documents") -> Path:
    """Export a store at a level (documents or themes) in a format; returns the written path."""
    if level == "documents":
        if format not in DOCUMENT_FORMATS:
            raise VocError(f"Format {format!r} is not available for documents; use one of {', '.join(DOCUMENT_FORMATS)}.")
        return export_documents(store_path, format, out)
    raise VocError(f"Export level {level!r} is not available yet; use --level documents.")
