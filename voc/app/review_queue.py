"""The Review page's queue: least-sure documents first, spread over themes, or a seeded random order."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from voc.app.sql import ThemeMap, filtered_query
from voc.app.store_access import open_store, run_query
from voc.config import ThemesConfig
from voc.insights.run_config import latest_run_section
from voc.store import Store

CANDIDATES = 4000
KEEP = 200  # ids kept in the session (its state stays small); the queue refills when they are done
THEME_FLOOR = ThemesConfig().other_threshold  # the default Other floor; a store's queue uses its run's (theme_floor)
THEME_MARGIN = 0.25  # a theme similarity within this of the floor makes the document's theme doubtful


def configured_models() -> tuple[Path | None, Path | None]:
    """The adapted sentiment and root-cause model folders the app's environment selects (None: shipped)."""
    sent = os.environ.get("VOC_SENTIMENT__MODEL")
    cause = os.environ.get("VOC_ROOTCAUSE__MODEL")
    return (Path(sent) if sent and sent != "default" else None, Path(cause) if cause else None)


def cause_thresholds() -> dict[str, float]:
    """The configured root-cause head's per-label thresholds (0.5 when it cannot be read)."""
    from voc.errors import VocError
    from voc.lenses.rootcause_model import RootCauseHead
    from voc.lenses.rootcause_taxonomy import DEFAULT_DIR

    try:
        model = configured_models()[1]
        head = RootCauseHead.load(model or DEFAULT_DIR)
    except VocError:
        return {}
    return dict(zip(head.labels, head.thresholds.astype(float).tolist()))


def uncertainty(frame: pd.DataFrame, thresholds: dict[str, float], floor: float = THEME_FLOOR) -> np.ndarray:
    """Per document, how unsure the models are in [0, 1]: the largest of a small sentiment margin, a cause
    probability near its threshold and a theme similarity near the Other floor, plus 0.2 for documents no
    theme took."""
    probs = frame[["p_negative", "p_neutral", "p_positive"]].to_numpy(dtype=float)
    top = np.sort(np.nan_to_num(probs, nan=0.0), axis=1)
    u_sent = np.where(np.isnan(probs).any(1), 0.0, 1.0 - (top[:, 2] - top[:, 1]))
    u_cause = np.zeros(len(frame))
    for i, raw in enumerate(frame["cause_scores"]):
        scores = json.loads(raw) if isinstance(raw, str) else (raw or {})
        gaps = [abs(float(p) - thresholds.get(lab, 0.5)) for lab, p in scores.items() if p is not None]
        u_cause[i] = 1.0 - 2 * min(gaps) if gaps else 0.0
    u_theme = np.zeros(len(frame))
    if "theme_similarity" in frame.columns:  # stores written before the themes lens declared it lack it
        sim = pd.to_numeric(frame["theme_similarity"], errors="coerce").to_numpy(dtype=float)
        u_theme = np.nan_to_num(np.clip((floor + THEME_MARGIN - sim) / THEME_MARGIN, 0.0, 1.0), nan=0.0)
    unthemed = frame["theme_id"].fillna(-1).astype(int) < 0
    return np.maximum.reduce([u_sent, u_cause, u_theme]) + 0.2 * unthemed.to_numpy()


def theme_floor(path: str) -> float:
    """The cosine below which the store's latest finished run sent a document to Other (themes.other_threshold)."""
    return latest_run_section(open_store(path).runs(), "themes", ThemesConfig).other_threshold


def diversify(frame: pd.DataFrame, score: np.ndarray) -> list[str]:
    """Doc ids, most unsure first, taking turns across themes so no theme fills the head of the queue."""
    ranked = frame.assign(_u=score).sort_values("_u", ascending=False, kind="stable")
    ranked["_turn"] = ranked.groupby("theme_id", dropna=False).cumcount()
    return ranked.sort_values(["_turn", "_u"], ascending=[True, False], kind="stable")["doc_id"].tolist()


def build_queue(
    path: str, ver: str, tmap: ThemeMap, fkey: str, order: str, labelled: set[str], seed: int = 0
) -> list[str]:
    """The filtered, not yet labelled documents in review order ("least sure" or "random")."""
    ids = filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT doc_id, theme_id FROM b ORDER BY hash(doc_id) LIMIT {CANDIDATES * 2}",
        ver=ver,
    )
    ids = ids[~ids["doc_id"].isin(labelled)].head(CANDIDATES)
    if ids.empty:
        return []
    if order == "random":
        return ids["doc_id"].sample(frac=1.0, random_state=seed).tolist()[:KEEP]
    has_sim = not run_query(path, "SELECT 1 FROM information_schema.columns WHERE table_name = 'predictions' "
                            "AND column_name = 'theme_similarity'").empty  # fmt: skip
    preds = run_query(
        path,
        f"SELECT doc_id, p_negative, p_neutral, p_positive, cause_scores{', theme_similarity' if has_sim else ''} "
        "FROM predictions WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids["doc_id"].tolist()],
    )
    frame = ids.merge(preds, on="doc_id", how="left")
    return diversify(frame, uncertainty(frame, cause_thresholds(), theme_floor(path)))[:KEEP]


@st.cache_data(show_spinner=False, max_entries=8)
def latest_labels(path: str, file_ver: str) -> pd.DataFrame:
    """The store's latest label per document, as of the store file's version `file_ver`."""
    return Store(path, read_only=True).labels(latest=True)


@st.cache_data(show_spinner=False, max_entries=16)
def shared_queue(path: str, ver: str, tmap: ThemeMap, fkey: str, order: str, file_ver: str) -> list[str]:
    """build_queue without the labelled documents as of `file_ver`: computed once for every session on one view."""
    labels = latest_labels(path, file_ver)
    return build_queue(path, ver, tmap, fkey, order, set(labels["doc_id"]) if len(labels) else set())


@st.cache_data(show_spinner=False, max_entries=64)
def shared_document(path: str, file_ver: str, doc_id: str) -> dict:
    """document() as of the store file's version `file_ver` (sessions on one queue all open its head first)."""
    return document(path, doc_id)


def document(path: str, doc_id: str) -> dict:
    """One document's text and the model's current answer (sentiment, probabilities, causes, evidence, theme)."""
    row = run_query(
        path,
        "SELECT d.doc_id, d.text, p.sentiment, p.p_negative, p.p_neutral, p.p_positive, p.causes, "
        "p.cause_scores, p.cause_evidence, p.theme_id FROM documents d LEFT JOIN predictions p USING (doc_id) "
        "WHERE d.doc_id = ?",
        [doc_id],
    )
    if row.empty:
        return {}
    rec = row.iloc[0].to_dict()
    for key in ("cause_scores", "cause_evidence"):
        rec[key] = json.loads(rec[key]) if isinstance(rec[key], str) else (rec[key] or {})
    rec["causes"] = [] if rec["causes"] is None or isinstance(rec["causes"], float) else list(rec["causes"])
    return rec
