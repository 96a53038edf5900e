"""Theme identity across runs: one-to-one centroid matching, id carry-over and a drift report."""

from __future__ import annotations

import numpy as np
import pandas as pd

from voc.lenses.themes.model import OTHER_ID

GROWTH = 1.2  # share ratio above which a theme counts as grown (and below 1/GROWTH as shrunk)


def _cents(df: pd.DataFrame) -> np.ndarray:
    m = np.stack([np.asarray(c, np.float32) for c in df["centroid"]]) if len(df) else np.zeros((0, 1))
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def _match_level(new: pd.DataFrame, old: pd.DataFrame, threshold: float) -> dict[int, tuple[int, float]]:
    from scipy.optimize import linear_sum_assignment

    if not len(new) or not len(old):
        return {}
    sim = _cents(new) @ _cents(old).T
    # Active stored themes win ties over retired ones (a retired theme is revived only if clearly closer).
    sim_adj = sim - 1e-3 * (old["status"].to_numpy() != "active")[None, :]
    rows, cols = linear_sum_assignment(-sim_adj)
    out = {}
    for r, c in zip(rows, cols):
        if sim[r, c] >= threshold:
            out[int(new["theme_id"].iloc[r])] = (int(old["theme_id"].iloc[c]), float(sim[r, c]))
    return out


def match_themes(
    new: pd.DataFrame, stored: pd.DataFrame, threshold: float
) -> tuple[dict[int, int], pd.DataFrame]:
    """Map new theme ids to stored ids (Hungarian on centroid cosine >= threshold, per level) + drift report."""
    mapping: dict[int, int] = {}
    sims: dict[int, float] = {}
    stored = stored if stored is not None else new.iloc[0:0]
    if (new["theme_id"] == OTHER_ID).any():
        mapping[OTHER_ID] = OTHER_ID
    for level in (0, 1):
        n_l = new[(new["level"] == level) & (new["theme_id"] != OTHER_ID)]
        o_l = stored[(stored["level"] == level) & (stored["theme_id"] != OTHER_ID)]
        for nid, (oid, s) in _match_level(n_l, o_l, threshold).items():
            mapping[nid], sims[nid] = oid, s
    next_id = int(max(stored["theme_id"].max() if len(stored) else 0, 0)) + 1
    for nid in sorted(int(i) for i in new["theme_id"]):
        if nid not in mapping:
            mapping[nid], next_id = next_id, next_id + 1
    return mapping, drift_report(new, stored, mapping, sims)


def drift_report(
    new: pd.DataFrame, stored: pd.DataFrame, mapping: dict[int, int], sims: dict[int, float] | None = None
) -> pd.DataFrame:
    """One row per theme: new | grown | shrunk | stable | retired, with sizes and shares before/after."""
    sims = sims or {}
    tot_new = max(int(new.loc[new["level"] == 1, "size"].sum()), 1)
    tot_old = max(int(stored.loc[stored["level"] == 1, "size"].sum()), 1) if len(stored) else 1
    old_by_id = {int(r.theme_id): r for r in stored.itertuples()} if len(stored) else {}
    rows, seen = [], set()
    for r in new.itertuples():
        sid = mapping[int(r.theme_id)]
        seen.add(sid)
        o = old_by_id.get(sid)
        share_new = r.size / tot_new
        if o is None or o.status != "active":
            change, size_before, share_old = "new", 0, 0.0
        else:
            size_before, share_old = int(o.size), o.size / tot_old
            ratio = share_new / max(share_old, 1e-12)
            change = "grown" if ratio >= GROWTH else "shrunk" if ratio <= 1 / GROWTH else "stable"
        label = o.user_label if o is not None and isinstance(o.user_label, str) and o.user_label else r.label
        rows.append((sid, label, int(r.level), change, size_before, int(r.size), share_old, share_new,
                     sims.get(int(r.theme_id))))  # fmt: skip
    for sid, o in old_by_id.items():
        if sid not in seen and o.status == "active":
            label = o.user_label if isinstance(o.user_label, str) and o.user_label else o.label
            rows.append((sid, label, int(o.level), "retired", int(o.size), 0, o.size / tot_old, 0.0, None))
    cols = ["theme_id", "label", "level", "change", "size_before", "size_after", "share_before", "share_after",
            "similarity"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols).sort_values(["level", "theme_id"]).reset_index(drop=True)


def reconcile(
    new: pd.DataFrame, stored: pd.DataFrame, mapping: dict[int, int], run_id: str | int | None = None
) -> pd.DataFrame:
    """The themes table to store: new rows under their mapped ids, user fields kept, gone themes retired."""
    stored = stored if stored is not None else new.iloc[0:0]
    old_by_id = {int(r["theme_id"]): r for _, r in stored.iterrows()}
    rows = []
    for _, r in new.iterrows():
        row = r.to_dict()
        sid = mapping[int(r["theme_id"])]
        row["theme_id"] = sid
        pid = r["parent_id"]
        row["parent_id"] = mapping.get(int(pid)) if pid is not None and not pd.isna(pid) else None
        o = old_by_id.get(sid)
        row["status"], row["updated_run"] = "active", run_id
        if o is not None:
            row["created_run"] = o["created_run"]
            row["user_label"] = o["user_label"]
            row["pinned"] = bool(o["pinned"])
            if row["pinned"]:
                row["label"] = o["label"]
        else:
            row["created_run"] = run_id
        rows.append(row)
    live = {row["theme_id"] for row in rows}
    for sid, o in old_by_id.items():
        if sid not in live:
            row = o.to_dict()
            row["status"] = "retired"
            if o["status"] == "active":
                row["updated_run"] = run_id
            row["size"] = 0
            rows.append(row)
    out = pd.DataFrame(rows, columns=list(new.columns)).sort_values("theme_id").reset_index(drop=True)
    out["parent_id"] = out["parent_id"].astype("Int64")
    return out


def remap_assignments(assigned: np.ndarray, mapping: dict[int, int]) -> np.ndarray:
    """Apply a new->stored id mapping to an array of theme ids."""
    lut = np.vectorize(lambda t: mapping.get(int(t), int(t)), otypes=[np.int64])
    return lut(assigned) if len(assigned) else np.asarray(assigned, np.int64)
