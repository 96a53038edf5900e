"""Where a re-run's retired themes went: for each, the theme that took most of its documents (its successor).

The identity matcher retires a stored theme that no new theme resembles. Its documents are then spread over the
new themes. The themes stage records one `retire` entry per such theme in the edit log (actor RERUN_ACTOR): the
retired theme, how many of its documents were re-assigned, where the largest groups went and its successor, the
theme that took more than SUCCESSOR_MIN_SHARE of them (none when no theme did). Theme settings (effort, a confirmed
cause) follow the successor, or are listed as orphaned (voc.insights.theme_settings). Themes retired by a merge or
split edit are not recorded: those edits already say where their settings go.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

SUCCESSOR_MIN_SHARE = 0.5
RERUN_ACTOR = "voc (re-run)"
TOP_DESTINATIONS = 3


def _edited_away(edits: pd.DataFrame | None) -> set[int]:
    """Theme ids a merge (as a source) or a split (as the split theme) retires."""
    out: set[int] = set()
    for e in [] if edits is None or edits.empty else edits.to_dict("records"):
        p = e.get("payload") if isinstance(e.get("payload"), dict) else {}
        try:
            if e.get("op") == "merge":
                ids = [int(t) for t in p.get("theme_ids") or []]
                into = int(p["into"]) if p.get("into") is not None else (ids[0] if ids else None)
                out |= {t for t in ids if t != into}
            elif e.get("op") == "split":
                out.add(int(p["theme_id"]))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def retired_by_rerun(stored: pd.DataFrame, themes: pd.DataFrame, edits: pd.DataFrame | None) -> pd.DataFrame:
    """Stored active themes (ids > 0) that the new themes table no longer has active, not retired by an edit."""
    if stored is None or stored.empty:
        return pd.DataFrame(columns=["theme_id"])
    before = stored[(stored["status"].fillna("active") == "active") & (stored["theme_id"] > 0)]
    live = set(themes.loc[themes["status"].fillna("active") == "active", "theme_id"].astype(int))
    gone = ~before["theme_id"].astype(int).isin(live | _edited_away(edits))
    return before[gone].reset_index(drop=True)


def _parents(table: pd.DataFrame) -> dict[int, int]:
    rows = table.dropna(subset=["parent_id"]) if len(table) else table
    return {int(t): int(p) for t, p in zip(rows["theme_id"], rows["parent_id"])}


def retire_payloads(
    retired: pd.DataFrame, moves: pd.DataFrame, stored: pd.DataFrame, themes: pd.DataFrame, run_id: Any
) -> list[dict]:
    """One `retire` payload per retired theme from `moves` (old_id, new_id, n: documents re-assigned).

    A theme that held documents is followed by its documents; a parent theme by its children's documents,
    counted at the new parents.
    """
    old_parent, new_parent = _parents(stored), _parents(themes)
    live = set(themes.loc[themes["status"].fillna("active") == "active", "theme_id"].astype(int))
    out = []
    for row in retired.to_dict("records"):
        tid = int(row["theme_id"])
        own = moves[moves["old_id"] == tid]
        if own.empty and tid in set(old_parent.values()):  # a parent: its children's documents, by new parent
            kids = moves[moves["old_id"].map(old_parent) == tid]
            own = kids.assign(new_id=kids["new_id"].map(lambda n: new_parent.get(int(n), 0)))
        counts = own.groupby("new_id")["n"].sum().sort_index().sort_values(ascending=False, kind="stable")
        total = int(counts.sum())
        real = counts[[int(i) in live and int(i) > 0 for i in counts.index]]
        best = int(real.index[0]) if len(real) else None
        share = float(real.iloc[0]) / total if best is not None and total else 0.0
        user = row.get("user_label")
        label = user if isinstance(user, str) and user else row.get("label")
        out.append({
            "theme_id": tid, "label": str(label) if label is not None else None, "run_id": None if run_id is None else str(run_id),
            "docs": total, "successor": best if share > SUCCESSOR_MIN_SHARE else None, "share": round(share, 4),
            "went_to": [[int(i), int(n)] for i, n in counts.head(TOP_DESTINATIONS).items()],
        })  # fmt: skip
    return out
