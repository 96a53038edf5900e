"""The cause map per theme: root causes confirmed by editors, read from the theme edit log (op `cause`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from voc.errors import InputError

CAUSES = ("people", "process", "technology")


def cause_payload(theme_id: int, cause: str, subcause: str | None = None, note: str = "") -> dict:
    """A checked `cause` edit payload: the theme's confirmed root cause, optional sub-cause and a note."""
    if cause not in CAUSES:
        raise InputError(f"Confirmed cause {cause!r} is not one of {', '.join(CAUSES)}.")
    return {"theme_id": int(theme_id), "cause": cause, "subcause": subcause or None, "note": note.strip()}


def confirmed_causes(edits: pd.DataFrame) -> dict[int, dict]:
    """theme_id -> the latest confirmed {cause, subcause, note, actor, at} in the edit log (replayed each run)."""
    out: dict[int, dict] = {}
    if edits is None or edits.empty:
        return out
    for row in edits.sort_values("edit_id", kind="stable").itertuples(index=False):
        if str(row.op) != "cause" or not isinstance(row.payload, dict):
            continue
        p = row.payload
        out[int(p["theme_id"])] = {"cause": p.get("cause"), "subcause": p.get("subcause"), "note": p.get("note") or "",
                                   "actor": getattr(row, "actor", None), "at": str(row.at)}  # fmt: skip
    return out


def store_confirmed_causes(store_path: str | Path) -> dict[int, dict]:
    """The confirmed causes of a store's themes."""
    from voc.store import Store

    return confirmed_causes(Store(store_path, read_only=True).edits())
