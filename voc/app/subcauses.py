"""Cached queries for sub-causes and misattributed blame: failure-point counts, evidence, blame vs likely cause."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from voc.app.sql import ThemeMap, filtered_query
from voc.app.store_access import open_store, run_query

CANDIDATES = 200


@st.cache_data(show_spinner=False, max_entries=8)
def has_subcauses(path: str, ver: str) -> bool:
    """Whether the store's lenses declared the sub-cause outputs (blamed, likely_cause, subcauses)."""
    names = {o["name"] for o in open_store(path).lens_outputs()}
    return {"subcauses", "blamed", "likely_cause", "likely_subcause"} <= names


@st.cache_data(show_spinner=False, max_entries=4)
def parents() -> dict[str, str]:
    """Sub-cause -> parent cause, from the shipped sub-cause taxonomy (unknown labels count as 'other')."""
    from voc.lenses.subcause_taxonomy import load_subcause_taxonomy

    return load_subcause_taxonomy().parents


@st.cache_data(show_spinner=False, max_entries=64)
def subcause_counts(path: str, ver: str, tmap: ThemeMap, fkey: str) -> pd.DataFrame:
    """subcause, documents and share of the filtered documents with a sub-cause prediction (multi-label)."""
    out = filtered_query(
        path, tmap, fkey,
        "SELECT subcause, count(*) AS documents, count(*) / (SELECT greatest(count(*), 1) FROM b "
        "WHERE subcauses IS NOT NULL) AS share "
        "FROM (SELECT unnest(subcauses) AS subcause FROM b WHERE subcauses IS NOT NULL) e "
        "GROUP BY subcause ORDER BY documents DESC, subcause",
        ver=ver,
    )  # fmt: skip
    out["cause"] = out["subcause"].map(lambda s: parents().get(s, "other"))
    return out


@st.cache_data(show_spinner=False, max_entries=64)
def misattributed(path: str, ver: str, tmap: ThemeMap, fkey: str, min_docs: int = 3) -> pd.DataFrame:
    """Themes where customers blame one capability and the likely cause is another, ranked by those documents."""
    return filtered_query(
        path, tmap, fkey,
        "SELECT theme_id, any_value(theme_label) AS theme, count(*) AS documents, "
        "sum(mis::INTEGER) AS misattributed, sum(mis::INTEGER) / count(*) AS share_misattributed, "
        "mode(blamed[1]) FILTER (WHERE mis) AS customers_blame, "
        "mode(likely_cause) FILTER (WHERE mis) AS likely_cause, "
        "mode(likely_subcause) FILTER (WHERE mis) AS likely_subcause "
        "FROM (SELECT theme_id, theme_label, blamed, likely_cause, likely_subcause, likely_cause IS NOT NULL "
        "AND len(blamed) > 0 AND NOT list_contains(blamed, likely_cause) AS mis FROM b WHERE blamed IS NOT NULL) m "
        "GROUP BY theme_id HAVING sum(mis::INTEGER) >= ? ORDER BY misattributed DESC, documents DESC",
        outer_params=[int(min_docs)], ver=ver,
    )  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=64)
def evidence(path: str, ver: str, tmap: ThemeMap, fkey: str, subcause: str, k: int = 5) -> pd.DataFrame:
    """The k most confident filtered documents for one sub-cause (among the newest), with text and evidence."""
    meta = filtered_query(
        path, tmap, fkey,
        "SELECT doc_id, date, channel, source, sentiment, causes, segments, blamed, likely_cause FROM b "
        "WHERE list_contains(subcauses, ?) ORDER BY date DESC NULLS LAST, doc_id LIMIT ?",
        outer_params=[subcause, CANDIDATES], ver=ver,
    )  # fmt: skip
    if meta.empty:
        return meta.assign(text=pd.Series(dtype=object), cause_evidence=pd.Series(dtype=object))
    ids = meta["doc_id"].tolist()
    marks = ", ".join("?" for _ in ids)
    key = subcause.replace("'", "''").replace('"', '\\"')
    texts = run_query(
        path,
        f"SELECT d.doc_id, d.text, p.subcause_evidence AS cause_evidence, "
        f"TRY_CAST(json_extract_string(p.subcause_scores, '$.\"{key}\"') AS DOUBLE) AS score "
        f"FROM (SELECT doc_id, text FROM documents WHERE doc_id IN ({marks})) d JOIN "
        f"(SELECT doc_id, subcause_evidence, subcause_scores FROM predictions WHERE doc_id IN ({marks})) p "
        "ON p.doc_id = d.doc_id",
        [*ids, *ids],
    )
    out = meta.merge(texts, on="doc_id", how="left")
    return out.sort_values(["score", "date"], ascending=False, kind="stable").head(k).reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def theme_tech_subcause(path: str, ver: str, tmap: ThemeMap, fkey: str) -> pd.DataFrame:
    """Per (display) theme: its most common technology sub-cause (the default effort reads it), if any."""
    from voc.insights.priority import SUBCAUSE_EFFORT

    names = sorted(SUBCAUSE_EFFORT)
    counts = filtered_query(
        path, tmap, fkey,
        "SELECT theme_id, likely_subcause AS tech_subcause, count(*) AS n FROM b "
        f"WHERE likely_subcause IN ({', '.join('?' for _ in names)}) GROUP BY ALL",
        outer_params=names, ver=ver,
    )  # fmt: skip
    counts = counts.sort_values(["theme_id", "n", "tech_subcause"], ascending=[True, False, True])
    return counts.drop_duplicates("theme_id")[["theme_id", "tech_subcause"]]
