"""The cause label set: what the root-cause lens declared (its taxonomy, custom labels included) and what is stored.

Cause shares are computed for a list of labels everywhere (app, insights, exports); this module says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from voc.schema import CAUSE_LABELS


def store_cause_labels(store_path: str | Path) -> list[str]:
    """The store's cause labels: those its runs' root-cause lens declared, then any other stored label."""
    from voc.store import Store

    return Store(store_path, read_only=True).label_set("causes") or list(CAUSE_LABELS)


def frame_cause_labels(causes: pd.Series | None, labels: Sequence[str] | None = None) -> list[str]:
    """`labels` (or the shipped taxonomy's when None), then any other label found in a `causes` column."""
    out = list(labels) if labels is not None else list(CAUSE_LABELS)
    if causes is not None:
        seen = {c for row in causes if isinstance(row, (list, tuple, np.ndarray)) for c in row}
        out += sorted(seen - set(out))
    return out


def labels_of(row: pd.Series | pd.DataFrame) -> list[str]:
    """The labels of a metrics row or frame's `cause_<label>` columns, in column order."""
    keys = row.columns if isinstance(row, pd.DataFrame) else row.index
    return [str(k)[len("cause_") :] for k in keys if str(k).startswith("cause_")]
