"""Theme-level settings (effort to fix, confirmed root cause) followed through merges and splits in the edit log.

`effort` and `cause` edits are keyed by theme id. Replaying the log in edit order, this rule carries them along:
- an `effort` or `cause` edit sets the value on its theme, and the latest edit wins; an edit that names a theme
  already merged away applies to the theme it was merged into (as the app's read-time replay does);
- **merge**: the surviving theme keeps its own setting. If it has none, it takes the merged themes' setting
  (marked `merged`; when they disagree, the most recently set value wins). Every value among them that differs
  from the one kept is recorded as a conflict, and the readers show it: nothing is dropped silently;
- **split**: each new theme without a setting of its own inherits the split theme's (marked `inherited`); a split
  edit without reserved `new_ids` names no children, so nothing is inherited;
- a later edit on a theme replaces its value and clears its conflicts.
Re-runs keep stored theme ids through the identity matcher and replay the same log, so the result is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

SET, MERGED, INHERITED = "set", "merged", "inherited"


@dataclass(frozen=True)
class Setting:
    """One theme's resolved value, where it came from (set / merged / inherited) and any conflicting values."""

    value: Any
    source: str
    origin: int  # the theme the value was set on
    edit_id: int
    actor: str | None = None
    at: str | None = None
    conflicts: tuple[tuple[int, Any], ...] = ()


def describe(setting: Setting | None, show: Callable[[Any], str] = str) -> str:
    """A short note: where a merged or inherited value came from, and the conflicting values ('' when plain)."""
    if setting is None:
        return ""
    parts = []
    if setting.source == MERGED:
        parts.append(f"taken from merged theme #{setting.origin}")
    elif setting.source == INHERITED:
        parts.append(f"inherited from split theme #{setting.origin}")
    if setting.conflicts:
        others = ", ".join(f"#{tid} {show(v)}" for tid, v in setting.conflicts)
        parts.append(f"merged themes disagree: {others}")
    return "; ".join(parts)


def _records(edits: pd.DataFrame | None) -> list[dict]:
    if edits is None or edits.empty:
        return []
    return edits.sort_values("edit_id", kind="stable").to_dict("records")


def resolve(
    edits: pd.DataFrame | None, op: str, read: Callable[[dict], Any], key: Callable[[Any], Any] = lambda v: v
) -> dict[int, Setting]:
    """theme_id -> Setting for edits of `op`: read(payload) gives a hashable value (None ignores the edit);
    values conflict when their key(value) differ."""
    out: dict[int, Setting] = {}
    canon: dict[int, int] = {}

    def find(t: int) -> int:
        seen = set()
        while t in canon and t not in seen:
            seen.add(t)
            t = canon[t]
        return t

    for e in _records(edits):
        payload = e.get("payload")
        if not isinstance(payload, dict):
            continue
        kind = str(e.get("op"))
        try:
            if kind == op:
                value = read(payload)
                if value is not None:
                    tid = find(int(payload["theme_id"]))
                    out[tid] = Setting(value, SET, tid, int(e["edit_id"]), e.get("actor"), str(e.get("at")))
            elif kind == "merge":
                _merge(out, canon, find, payload, key)
            elif kind == "split":
                _split(out, find, payload)
        except (KeyError, TypeError, ValueError):
            continue  # malformed edits are reported by the theme replay (voc.lenses.themes.edits)
    return out


def _merge(out: dict[int, Setting], canon: dict[int, int], find, payload: dict, key) -> None:
    ids = [int(t) for t in payload["theme_ids"]]
    into = find(int(payload["into"]) if payload.get("into") is not None else ids[0])
    sources = list(dict.fromkeys(s for s in (find(t) for t in ids) if s != into))
    for s in sources:
        canon[s] = into
    moved = [out.pop(s) for s in sources if s in out]
    if not moved:
        return
    own = out.get(into)
    if own is None:
        latest = max(moved, key=lambda s: s.edit_id)
        own = replace(latest, source=MERGED if latest.source == SET else latest.source)
    pool = (
        list(own.conflicts) + [(m.origin, m.value) for m in moved] + [c for m in moved for c in m.conflicts]
    )
    conflicts = tuple(dict.fromkeys((t, v) for t, v in pool if key(v) != key(own.value)))
    out[into] = replace(own, conflicts=conflicts)


def _split(out: dict[int, Setting], find, payload: dict) -> None:
    tid = find(int(payload["theme_id"]))
    parent = out.get(tid)
    if parent is None:
        return
    for nid in payload.get("new_ids") or []:
        if int(nid) not in out:
            out[int(nid)] = replace(parent, source=INHERITED, origin=tid)
