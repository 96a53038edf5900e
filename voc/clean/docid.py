"""Stable document ids: from the source id when given, else from the source, text and timestamp."""

from __future__ import annotations

import hashlib
import math
from typing import Any

_SEP = "\x1f"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        if value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and not value.strip()


def _stamp(value: Any) -> str:
    if _missing(value):
        return ""
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else str(value)


def doc_id(source: str, source_id: Any = None, text: str = "", timestamp: Any = None) -> str:
    """A 16-hex-char id: sha1(source, source_id) when the id is given, else sha1(source, text, timestamp)."""
    source = "" if _missing(source) else str(source)
    if not _missing(source_id):
        sid = str(source_id).strip()
        if isinstance(source_id, float) and source_id.is_integer():
            sid = str(int(source_id))
        payload = _SEP.join(("id", source, sid))
    else:
        payload = _SEP.join(("text", source, text or "", _stamp(timestamp)))
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]
