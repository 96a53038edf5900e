"""Theme-level settings (effort to fix, confirmed root cause) followed through merges and splits in the edit log.

`effort` and `cause` edits are keyed by theme id. Replaying the log in edit order, this rule carries them along:
- an `effort` or `cause` edit sets the value on its theme, and the latest edit wins; an edit that names a theme
  already merged away applies to the theme it was merged into (as the app's read-time replay does);
- **merge**: the surviving theme keeps its own setting. If it has none, it takes the merged themes' setting
  (marked `merged`; when they disagree, the most recently set value wins). Every value among them that differs
  from the one kept is recorded as a conflict, and the readers show it: nothing is dropped silently;
- **split**: each new theme without a setting of its own inherits the split theme's (marked `inherited`); a split
  edit without reserved `new_ids` names no children, so nothing is inherited;
- **retire** (written by a re-run whose identity matcher retired a theme, voc.lenses.themes.succession): the
  retired theme's setting moves to its successor, the theme that took most of its documents (marked `inherited`,
  the note names the retired theme); a successor with a setting of its own keeps it and the note names the retired
  theme's differing value. With no successor the setting stays on the retired id marked `orphaned`, which the Manage themes page
  lists, so nothing disappears from view;
- a later edit on a theme replaces its value and clears its conflicts.
Re-runs keep stored theme ids through the identity matcher and replay the same log, so the result is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

SET, MERGED, INHERITED, ORPHANED = "set", "merged", "inherited", "orphaned"


@dataclass(frozen=True)
class Setting:
    """One theme's resolved value, where it came from (set / merged / inherited / orphaned) and any conflicts."""

    value: Any
    source: str
    origin: int  # the theme the value was set on
    edit_id: int
    actor: str | None = None
    at: str | None = None
    conflicts: tuple[tuple[int, Any], ...] = ()
    retired: dict | None = None  # set when the value came from a retired theme: its `retire` record
    overruled: tuple[
        tuple[dict, Any], ...
    ] = ()  # (retire record, value): retired themes' values this one kept out


def _named(retired: dict) -> str:
    label = retired.get("label")
    return f"#{retired['theme_id']}" + (f' "{label}"' if label else "")


def describe(setting: Setting | None, show: Callable[[Any], str] = str) -> str:
    """A short note: where a merged or inherited value came from, and the conflicting values ('' when plain)."""
    if setting is None:
        return ""
    parts = []
    if setting.source == MERGED:
        parts.append(f"taken from merged theme #{setting.origin}")
    elif setting.source == INHERITED and setting.retired is not None:
        r = setting.retired
        parts.append(
            f"inherited from retired theme {_named(r)} (took {r.get('share', 0):.0%} of its documents)"
        )
    elif setting.source == INHERITED:
        parts.append(f"inherited from split theme #{setting.origin}")
    elif setting.source == ORPHANED and setting.retired is not None:
        r = setting.retired
        went = ", ".join(f"#{t} ({n})" if t > 0 else f"unthemed ({n})" for t, n in r.get("went_to") or [])
        parts.append(
            f"orphaned: theme {_named(r)} was retired by a re-run and no theme took most of its "
            f"{r.get('docs', 0)} documents" + (f" (they went to: {went})" if went else "")
        )
    if setting.conflicts:
        others = ", ".join(f"#{tid} {show(v)}" for tid, v in setting.conflicts)
        parts.append(f"merged themes disagree: {others}")
    for r, v in setting.overruled:
        parts.append(f"retired theme {_named(r)} had {show(v)} (this theme keeps its own)")
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
            elif kind == "retire":
                _retire(out, find, payload, key)
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
            out[int(nid)] = replace(parent, source=INHERITED, origin=tid, retired=None)


def _retire(out: dict[int, Setting], find, payload: dict, key) -> None:
    tid = int(payload["theme_id"])
    if find(tid) != tid or tid not in out:  # merged away earlier (its setting moved then), or nothing set
        return
    record = {
        k: payload.get(k) for k in ("theme_id", "label", "docs", "share", "went_to", "successor", "run_id")
    }
    if payload.get("successor") is None:
        out[tid] = replace(out[tid], source=ORPHANED, origin=tid, retired=record)
        return
    moved = replace(out.pop(tid), source=INHERITED, origin=tid, retired=record)
    heir = find(int(payload["successor"]))
    own = out.get(heir)
    if own is None:
        out[heir] = moved
    elif key(own.value) != key(moved.value):
        out[heir] = replace(own, overruled=(*own.overruled, (record, moved.value)))


def orphaned(settings: dict[int, Setting], live: set[int]) -> dict[int, Setting]:
    """The settings left on themes a re-run retired with no successor (not live again since)."""
    return {t: s for t, s in settings.items() if s.source == ORPHANED and t not in live}
