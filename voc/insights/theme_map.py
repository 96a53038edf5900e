"""Replay the theme edit log at read time, so renames and merges show (in the app and in `voc export`) before
the engine applies them on the next run."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

MAP_COLUMNS = [
    "theme_id",
    "canonical_id",
    "display_label",
    "parent_id",
    "parent_label",
    "level",
    "status",
    "pinned",
]


def _label(row: Mapping[str, Any]) -> str:
    for key in ("user_label", "label"):
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return f"Theme {row['theme_id']}"


def display_map(themes: pd.DataFrame, edits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Themes with their display label and canonical id after replaying rename/pin/merge edits in order.

    Labels start as user_label, else label. Replaying is idempotent, so an edit the engine already applied
    changes nothing. A split cannot be applied at read time (it needs clustering) and is left to the engine.
    """
    rows = themes.to_dict("records") if len(themes) else []
    label = {int(r["theme_id"]): _label(r) for r in rows}
    pinned = {int(r["theme_id"]): bool(r.get("pinned")) if pd.notna(r.get("pinned")) else False for r in rows}
    parent = {
        int(r["theme_id"]): (None if pd.isna(r.get("parent_id")) else int(r["parent_id"])) for r in rows
    }
    canon: dict[int, int] = {t: t for t in label}

    def find(t: int) -> int:
        seen = set()
        while canon.get(t, t) != t and t not in seen:
            seen.add(t)
            t = canon[t]
        return t

    for edit in [] if edits is None else edits.sort_values("edit_id").to_dict("records"):
        op, payload = edit.get("op"), edit.get("payload") or {}
        try:
            if op in ("rename", "pin"):
                target = find(int(payload["theme_id"]))
                if target in label and payload.get("label"):
                    label[target] = str(payload["label"])
                if op == "pin" and target in pinned:
                    pinned[target] = True
            elif op == "merge":
                into = find(int(payload["into"]))
                if into not in label:
                    continue
                for t in payload.get("theme_ids", []):
                    src = find(int(t))
                    if src != into and src in label:
                        canon[src] = into
                if payload.get("label"):
                    label[into] = str(payload["label"])
        except (KeyError, TypeError, ValueError):
            log.warning("skipping malformed theme edit %s: %r", edit.get("edit_id"), payload)
    out = []
    for r in rows:
        tid = int(r["theme_id"])
        c = find(tid)
        p = parent.get(c)
        p = find(p) if p is not None else None
        out.append(
            {
                "theme_id": tid,
                "canonical_id": c,
                "display_label": label[c],
                "parent_id": p,
                "parent_label": label.get(p) if p is not None else None,
                "level": r.get("level"),
                "status": r.get("status") or "active",
                "pinned": pinned[c],
            }
        )
    return pd.DataFrame(out, columns=MAP_COLUMNS)


def theme_map_rows(mapped: pd.DataFrame) -> tuple[tuple[int, int, str, str | None], ...]:
    """A hashable (theme_id, canonical_id, display_label, parent_label) tuple for cached SQL queries."""
    return tuple(
        (
            int(r.theme_id),
            int(r.canonical_id),
            str(r.display_label),
            None if r.parent_label is None else str(r.parent_label),
        )
        for r in mapped.itertuples(index=False)
    )


def label_and_canonical(
    rows: tuple[tuple[int, int, str, str | None], ...],
) -> tuple[dict[int, str], dict[int, int]]:
    """From theme_map_rows: display labels of the surviving themes, and merged-away id -> surviving id."""
    labels = {tid: label for tid, canon, label, _ in rows if tid == canon}
    canonical = {tid: canon for tid, canon, _, _ in rows if tid != canon}
    return labels, canonical


def store_display_map(store_path) -> tuple[dict[int, str], dict[int, int]]:
    """label_and_canonical for a store: every theme (retired too) with its edit log replayed."""
    from voc.store import Store

    store = Store(store_path, read_only=True)
    themes = store.themes(include_retired=True).drop(columns=["centroid"], errors="ignore")
    return label_and_canonical(theme_map_rows(display_map(themes, store.edits())))
