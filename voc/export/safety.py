"""Export safety: neutralise spreadsheet formulas in cells and keep output paths inside their folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from voc.errors import VocError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix a string that a spreadsheet would run as a formula with a quote, so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise every string cell of a frame (a copy); numbers are left as they are."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def safe_path(folder: Path, name: str) -> Path:
    """`folder / name`, refusing names that would escape the folder (absolute paths, `..`, links)."""
    folder = folder.resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder):
        raise VocError(f"Export file name {name!r} would write outside {folder}; use a plain file name.")
    return target
