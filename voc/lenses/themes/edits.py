"""User edits (rename, merge, split, pin) replayed in order over a themes table and doc assignments."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from voc.errors import InputError

log = logging.getLogger(__name__)

OPS = ("rename", "merge", "split", "pin", "effort", "cause", "retire")  # effort: voc.insights.priority; cause: voc.insights.cause_map
# retire: a re-run's record of where a theme it retired went (voc.lenses.themes.succession); it changes no theme


def _payload(raw: Any, edit_id: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        out = json.loads(raw)
    except (TypeError, ValueError):
        raise InputError(f"theme_edits row edit_id={edit_id}: payload is not valid JSON: {raw!r}") from None
    if not isinstance(out, dict):
        raise InputError(f"theme_edits row edit_id={edit_id}: payload must be a JSON object, got {raw!r}")
    return out


def _active(themes: pd.DataFrame, tid: int) -> bool:
    return bool(((themes["theme_id"] == tid) & (themes["status"] == "active")).any())


def make_split_edit(themes: pd.DataFrame, theme_id: int, k: int, labels: list[str] | None = None) -> dict:
    """A split payload with new ids reserved now, so replays on later runs reuse the same ids."""
    start = int(themes["theme_id"].max()) + 1
    payload: dict[str, Any] = {
        "theme_id": int(theme_id),
        "k": int(k),
        "new_ids": list(range(start, start + k)),
    }
    if labels:
        payload["labels"] = list(labels)
    return payload


def apply_edits(
    themes: pd.DataFrame,
    assignments: pd.DataFrame,
    edits: pd.DataFrame,
    embeddings_for: Callable[[list[Any]], np.ndarray] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replay the edit log (ordered by edit_id) and return the edited (themes, assignments).

    assignments has doc_id and theme_id; embeddings_for(doc_ids) -> (n, d) is needed only for split.
    Edits whose target themes are not active are skipped with a log line (they may be gone this run).
    """
    themes = themes.copy().reset_index(drop=True)
    assign = assignments.copy().reset_index(drop=True)
    if edits is None or edits.empty:
        return themes, assign
    order = "edit_id" if "edit_id" in edits else "at"
    for _, e in edits.sort_values(order, kind="stable").iterrows():
        op = str(e["op"]).lower()
        p = _payload(e["payload"], e.get("edit_id"))
        if op not in OPS:
            raise InputError(
                f"theme_edits row edit_id={e.get('edit_id')}: unknown op {op!r}; use one of {OPS}."
            )
        try:
            if op == "rename":
                themes = _rename(themes, int(p["theme_id"]), str(p["label"]), pin=None)
            elif op == "pin":
                themes = _rename(themes, int(p["theme_id"]), p.get("label"), pin=bool(p.get("pinned", True)))
            elif op == "merge":
                themes, assign = _merge(
                    themes, assign, [int(t) for t in p["theme_ids"]], p.get("into"), p.get("label")
                )
            elif op == "split":
                themes, assign = _split(themes, assign, p, embeddings_for)
            elif op in ("cause", "retire"):  # neither changes a theme; settings and reports read them from the log
                int(p["theme_id"])
        except KeyError as exc:
            raise InputError(
                f"theme_edits row edit_id={e.get('edit_id')} ({op}): payload lacks {exc}."
            ) from None
    return themes, assign


def _rename(themes: pd.DataFrame, tid: int, label: str | None, pin: bool | None) -> pd.DataFrame:
    m = themes["theme_id"] == tid
    if not m.any():
        log.info("edit skipped: theme %s does not exist", tid)
        return themes
    if label:
        themes.loc[m, "user_label"] = label
    if pin is not None:
        themes.loc[m, "pinned"] = pin
    return themes


def _merge(themes, assign, ids: list[int], into: int | None, label: str | None):
    live = [t for t in ids if _active(themes, t)]
    into = int(into) if into is not None else (live[0] if live else None)
    if into is None or not _active(themes, into) or len(live) < 2:
        log.info("merge of %s skipped: fewer than two active themes", ids)
        return themes, assign
    idx = themes.set_index("theme_id")
    sizes = idx.loc[live, "size"].astype(float).to_numpy()
    cents = np.stack([np.asarray(idx.loc[t, "centroid"], np.float32) for t in live])
    c = (cents * np.maximum(sizes, 1e-9)[:, None]).sum(axis=0)
    into_row = themes.index[themes["theme_id"] == into][0]
    themes.at[into_row, "centroid"] = (c / max(np.linalg.norm(c), 1e-12)).astype(np.float32)
    themes.at[into_row, "size"] = int(sizes.sum())
    kws = [k for t in live for k in list(idx.loc[t, "keywords"])]
    themes.at[into_row, "keywords"] = list(dict.fromkeys(kws))[:10]
    if label:
        themes.at[into_row, "user_label"] = label
    for t in live:
        if t == into:
            continue
        m = themes["theme_id"] == t
        themes.loc[m, ["status", "size"]] = ["retired", 0]
        themes.loc[themes["parent_id"] == t, "parent_id"] = into  # children of merged parents move over
        assign.loc[assign["theme_id"] == t, "theme_id"] = into
        if "secondary" in assign:  # a document's secondary themes follow the merge as its primary does
            assign["secondary"] = [[into if s == t else s for s in sec] for sec in assign["secondary"]]
    return themes, assign


def _split(themes, assign, p: dict[str, Any], embeddings_for):
    from sklearn.cluster import KMeans

    tid, k = int(p["theme_id"]), int(p.get("k", 2))
    if not _active(themes, tid):
        log.info("split of %s skipped: theme not active", tid)
        return themes, assign
    members = assign.index[assign["theme_id"] == tid]
    if embeddings_for is None:
        raise InputError(f"split of theme {tid} needs embeddings_for(doc_ids) to re-cluster its documents.")
    if len(members) < k:
        log.info("split of %s skipped: %d docs for k=%d", tid, len(members), k)
        return themes, assign
    emb = np.asarray(embeddings_for(assign.loc[members, "doc_id"].tolist()), np.float32)
    emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    parts = KMeans(k, n_init=3, random_state=0).fit_predict(emb)
    # Stable part order: by size, then by first member.
    order = sorted(range(k), key=lambda j: (-(parts == j).sum(), int(np.argmax(parts == j))))
    new_ids = [int(i) for i in p.get("new_ids") or []]
    start = int(themes["theme_id"].max()) + 1
    while len(new_ids) < k:
        new_ids.append(start)
        start += 1
    row = themes.loc[themes["theme_id"] == tid].iloc[0].to_dict()
    base = row["user_label"] if isinstance(row["user_label"], str) and row["user_label"] else row["label"]
    names = list(p.get("labels") or []) + [f"{base} ({n})" for n in range(1, k + 1)]
    for rank, j in enumerate(order):
        nid, m = new_ids[rank], parts == j
        c = emb[m].mean(axis=0)
        assign.loc[members[m], "theme_id"] = nid
        if _active(themes, nid):  # id already live this run (matched by identity): fold into it
            themes.loc[themes["theme_id"] == nid, "size"] += int(m.sum())
            continue
        new = dict(row, theme_id=nid, size=int(m.sum()), label=names[rank], user_label=None, pinned=False,
                   centroid=(c / max(np.linalg.norm(c), 1e-12)).astype(np.float32), status="active")  # fmt: skip
        themes = themes[themes["theme_id"] != nid]
        themes = pd.concat([themes, pd.DataFrame([new])], ignore_index=True)
    m = themes["theme_id"] == tid
    themes.loc[m, ["status", "size"]] = ["retired", 0]
    themes["parent_id"] = themes["parent_id"].astype("Int64")
    return themes.sort_values("theme_id").reset_index(drop=True), assign
