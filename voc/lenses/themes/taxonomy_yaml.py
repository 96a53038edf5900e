"""Taxonomy as code: export the themes table as readable YAML and import it back (round-trips)."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pandas as pd
import yaml

from voc.errors import InputError
from voc.lenses.themes.model import THEME_COLUMNS

VERSION = 1


def _b64(vec: Any) -> str | None:
    if vec is None or (not isinstance(vec, (list, np.ndarray))):
        return None
    return base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")


def _unb64(text: str | None) -> np.ndarray | None:
    if not text:
        return None
    return np.frombuffer(base64.b64decode(text), dtype="<f4").copy()


def _none(v: Any) -> Any:
    return None if v is None or (not isinstance(v, (list, np.ndarray, str)) and pd.isna(v)) else v


def _entry(r: pd.Series, with_centroid: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"id": int(r["theme_id"]), "label": str(r["label"])}
    if _none(r["user_label"]):
        d["user_label"] = str(r["user_label"])
    d["keywords"] = [str(k) for k in list(r["keywords"] if _none(r["keywords"]) is not None else [])]
    d["level"] = int(r["level"])
    d["size"] = int(r["size"]) if _none(r["size"]) is not None else 0
    d["status"] = str(r["status"])
    d["pinned"] = bool(r["pinned"]) if _none(r["pinned"]) is not None else False
    for key in ("created_run", "updated_run"):
        if _none(r[key]) is not None:
            d[key] = r[key] if isinstance(r[key], (int, str)) else str(r[key])
    if with_centroid and _b64(r["centroid"]):
        d["centroid"] = _b64(r["centroid"])
    return d


def export_taxonomy(themes: pd.DataFrame, include_centroids: bool = True) -> str:
    """YAML with parents and their nested children; centroids as base64 float32 so identity survives."""
    t = themes.sort_values("theme_id")
    parents = t[t["level"] == 0]
    out: list[dict[str, Any]] = []
    placed: set[int] = set()
    for _, p in parents.iterrows():
        entry = _entry(p, include_centroids)
        kids = t[(t["level"] == 1) & (t["parent_id"] == p["theme_id"])]
        entry["children"] = [_entry(c, include_centroids) for _, c in kids.iterrows()]
        placed.update(int(i) for i in kids["theme_id"])
        out.append(entry)
    for _, c in t[(t["level"] == 1) & ~t["theme_id"].isin(placed)].iterrows():
        out.append(_entry(c, include_centroids))
    doc = {"version": VERSION, "themes": out}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def import_taxonomy(yaml_text: str) -> pd.DataFrame:
    """Parse a taxonomy YAML (from export_taxonomy or hand-written) into a themes table."""
    try:
        doc = yaml.safe_load(yaml_text) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"Taxonomy YAML is not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("themes"), list):
        raise InputError("Taxonomy YAML needs a top-level `themes:` list (see `voc themes export`).")
    rows: list[dict[str, Any]] = []
    next_id = [1 + max([_max_id(e) for e in doc["themes"]] + [0])]

    def add(e: Any, parent: int | None, level: int, where: str) -> int:
        if not isinstance(e, dict) or not e.get("label"):
            raise InputError(f"Taxonomy YAML {where}: each theme needs a `label`.")
        tid = e.get("id")
        if tid is None:
            tid, next_id[0] = next_id[0], next_id[0] + 1
        rows.append({
            "theme_id": int(tid), "label": str(e["label"]), "keywords": [str(k) for k in e.get("keywords") or []],
            "parent_id": parent, "level": int(e.get("level", level)), "size": int(e.get("size", 0)),
            "centroid": _unb64(e.get("centroid")), "status": str(e.get("status", "active")),
            "created_run": e.get("created_run"), "updated_run": e.get("updated_run"),
            "user_label": e.get("user_label"), "pinned": bool(e.get("pinned", False)),
        })  # fmt: skip
        return int(tid)

    for i, e in enumerate(doc["themes"]):
        kids = e.get("children") if isinstance(e, dict) else None
        pid = add(e, None, 0 if kids is not None else 1, f"themes[{i}]")
        for j, c in enumerate(kids or []):
            add(c, pid, 1, f"themes[{i}].children[{j}]")
    out = pd.DataFrame(rows, columns=list(THEME_COLUMNS))
    if out["theme_id"].duplicated().any():
        dup = out.loc[out["theme_id"].duplicated(), "theme_id"].tolist()
        raise InputError(f"Taxonomy YAML has duplicate theme ids {dup}; give each theme a unique id.")
    out["parent_id"] = out["parent_id"].astype("Int64")
    return out


def _max_id(e: Any) -> int:
    if not isinstance(e, dict):
        return 0
    ids = [int(e["id"])] if e.get("id") is not None else []
    ids += [_max_id(c) for c in e.get("children") or []]
    return max(ids + [0])


def taxonomy_edits(imported: pd.DataFrame, current: pd.DataFrame, start_edit_id: int = 1) -> pd.DataFrame:
    """Edits (rename, pin) that turn `current` into the imported taxonomy's names and pins."""
    cur = current.set_index("theme_id")
    rows, eid = [], start_edit_id
    for _, r in imported.iterrows():
        tid = int(r["theme_id"])
        if tid not in cur.index:
            continue
        c = cur.loc[tid]
        want = _none(r["user_label"]) or (r["label"] if r["label"] != c["label"] else None)
        if want and want != _none(c["user_label"]):
            rows.append((eid, "rename", json.dumps({"theme_id": tid, "label": str(want)})))
            eid += 1
        if bool(r["pinned"]) != bool(c["pinned"]):
            rows.append((eid, "pin", json.dumps({"theme_id": tid, "pinned": bool(r["pinned"])})))
            eid += 1
    df = pd.DataFrame(rows, columns=["edit_id", "op", "payload"])
    df.insert(1, "at", pd.Timestamp.now(tz="UTC"))
    return df
