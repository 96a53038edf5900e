"""Language coverage in the engine: which lens runs on which documents of a batch, and why the rest are null.

A lens covers the languages its model was trained for: the sentiment lens `sentiment.languages`, every other
lens (they read the shared encoder pass) `encoder.languages`, unless the lens class says otherwise with a
`languages(cfg)` classmethod. A lens runs only on the documents it covers; the others get null outputs and a
`not_analysed_reason` (voc.clean.coverage) saying which language the models do not cover.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from voc.clean.coverage import REASON_COLUMN, coverage_mask
from voc.lenses.registry import Output, SharedPass, lens_class

REASON_OUTPUT = Output(REASON_COLUMN, "VARCHAR")


def lens_languages(name: str, cfg: Any) -> list[str]:
    """The languages the named lens covers under this config."""
    own = getattr(lens_class(name), "languages", None)
    return list(own(cfg)) if callable(own) else list(cfg.encoder.languages)


def batch_languages(docs: pd.DataFrame) -> list[str]:
    """The detected language per document ('und' where the batch has no language column)."""
    if "language" not in docs.columns:
        return ["und"] * len(docs)
    return [str(x) if isinstance(x, str) else "und" for x in docs["language"]]


def lens_masks(languages: list[str], coverage: dict[str, list[str]]) -> dict[str, tuple[np.ndarray, list]]:
    """Per lens name: (True where the lens covers the document, the reason per uncovered document)."""
    return {name: coverage_mask(languages, covered) for name, covered in coverage.items()}


def not_analysed_reasons(masks: dict[str, tuple[np.ndarray, list]], n: int) -> list[str | None]:
    """Per document: None when every lens covers it, the reason when none does, else the reason and the lenses."""
    out: list[str | None] = [None] * n
    for i in range(n):
        missed = [(name, m[1][i]) for name, m in masks.items() if not m[0][i]]
        if not missed:
            continue
        reason = missed[0][1]
        out[i] = (
            reason if len(missed) == len(masks) else f"{reason} (for {', '.join(name for name, _ in missed)})"
        )
    return out


def subset_pass(shared: SharedPass, mask: np.ndarray) -> SharedPass:
    """The shared pass of the covered documents only."""
    keep = np.flatnonzero(mask)
    return SharedPass(
        [shared.doc_ids[i] for i in keep],
        [shared.texts[i] for i in keep],
        [shared.spans[i] for i in keep],
        shared.doc_vectors[keep],
        [shared.sentence_vectors[i] for i in keep],
        shared.taps,
    )


def scatter(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """A lens's rows for the covered positions spread to len(mask) rows, uncovered rows null."""
    n = len(mask)
    out = {}
    for col in frame.columns:
        values = frame[col].to_numpy()
        if values.dtype.kind == "f":
            full = np.full(n, np.nan)
        elif values.dtype.kind in "iu":
            full = pd.array([pd.NA] * n, dtype="Int64")
        elif values.dtype.kind == "b":
            full = pd.array([pd.NA] * n, dtype="boolean")
        else:
            full = np.empty(n, dtype=object)
            full[:] = None
        full[mask] = values
        out[col] = full
    return pd.DataFrame(out, columns=frame.columns)


def sentence_mask(spans: list[list[tuple[int, int]]], mask: np.ndarray) -> np.ndarray:
    """The document mask repeated over each document's sentences (flat, documents in order)."""
    return np.repeat(np.asarray(mask, dtype=bool), [len(s) for s in spans])
