"""Language groups: the reserved themes that hold documents in a language the encoder does not cover.

Such documents are kept out of the theme fit and assignment (an English encoder would cluster them by their
words, not their topic). Each language gets one reserved theme, labelled "Spanish (es) — not analysed", whose
id is fixed by the language code: negative, at or below LANGUAGE_ID_BASE, so it never collides with a fitted
theme (positive ids) or "Other" (0), the identity matcher leaves it out, and every run gives it the same id.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from voc.clean.coverage import coverage_mask, not_analysed_label
from voc.lenses.themes.model import THEME_COLUMNS, _row

LANGUAGE_ID_BASE = -1000  # language group ids are LANGUAGE_ID_BASE - (the code in base 27, a=1 .. z=26)
# SQL: a prediction that has no theme (null, or a negative id other than a language group); `p` is predictions.
UNTHEMED_SQL = f"(p.theme_id IS NULL OR p.theme_id BETWEEN {LANGUAGE_ID_BASE} AND -1)"


def language_theme_id(code: str) -> int:
    """The reserved theme id of a language code: -1000 minus the code read in base 27 ('es' -> -1154)."""
    value = 0
    for ch in code.lower()[:3]:
        value = value * 27 + (ord(ch) - 96 if "a" <= ch <= "z" else 0)
    return LANGUAGE_ID_BASE - value


def language_of_theme(theme_id: int) -> str | None:
    """The language code of a reserved language group id, None for any other theme id."""
    if not is_language_theme(theme_id):
        return None
    value, letters = LANGUAGE_ID_BASE - int(theme_id), []
    while value:
        value, digit = divmod(value, 27)
        letters.append(chr(96 + digit) if digit else "?")
    return "".join(reversed(letters))


def is_language_theme(theme_id) -> bool:
    """Whether a theme id is a reserved language group."""
    return theme_id is not None and not pd.isna(theme_id) and int(theme_id) < LANGUAGE_ID_BASE


def without_language_groups(themes: pd.DataFrame | None) -> pd.DataFrame | None:
    """The themes table without its language group rows (what the fit and the identity matcher see)."""
    if themes is None or not len(themes):
        return themes
    return themes[[not is_language_theme(t) for t in themes["theme_id"]]].reset_index(drop=True)


def split_by_coverage(
    languages: Sequence[str] | None, covered: Sequence[str], n: int
) -> tuple[np.ndarray, list]:
    """(True where the encoder covers the document, its language group id or None), for n documents."""
    if languages is None:
        return np.ones(n, dtype=bool), [None] * n
    langs = [str(x) if isinstance(x, str) else "und" for x in languages]
    mask, _ = coverage_mask(langs, covered)
    return mask, [None if ok else language_theme_id(lang) for lang, ok in zip(langs, mask)]


def language_group_rows(sizes: dict[int, int], dim: int, run_id: str | None = None) -> pd.DataFrame:
    """Theme rows for the language groups of `sizes` (group id -> documents), zero centroid like "Other"."""
    rows = []
    for tid, size in sorted(sizes.items()):
        row = _row(tid, not_analysed_label(language_of_theme(tid) or "?"), [], None, 1, size, np.zeros(dim))
        row["created_run"] = row["updated_run"] = run_id
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(THEME_COLUMNS))
    out["parent_id"] = out["parent_id"].astype("Int64")
    return out
