"""Cached text queries: quotes, evidence, summaries and search read customer text from the store, few rows at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from voc.app.sql import ThemeMap, base_sql, fact_db, filtered_query
from voc.app.store_access import open_store, run_query
from voc.errors import StoreError
from voc.insights.summary import issue_summaries
from voc.schema import CAUSE_LABELS

CAUSE_CANDIDATES = 200
META_COLUMNS = (
    "doc_id, date, channel, source, rating, rating_scale, sentiment, sentiment_score, causes, segments, "
    "theme_id, theme_label"
)


def scores_sql(labels: tuple[str, ...] | list[str]) -> str:
    """One `score_<label>` column per cause label, read from the stored cause_scores JSON."""
    cols = []
    for c in labels:
        key = c.replace("'", "''").replace('"', '\\"')
        alias = "score_" + c.replace('"', '""')
        cols.append("TRY_CAST(json_extract_string(p.cause_scores, '$.\"" + key + "\"') AS DOUBLE) AS \"" + alias + "\"")
    return "".join(f", {c}" for c in cols)


def fetch_texts(
    path: str, doc_ids: list[str], with_predictions: bool = True, labels: tuple[str, ...] = CAUSE_LABELS
) -> pd.DataFrame:
    """doc_id, text (and cause_evidence, score_<cause> per label) of a few documents, read from the store.

    Both tables are filtered by an explicit IN list before the join, so the store is probed, not scanned
    (~10x faster than joining first at 1M rows).
    """
    if not doc_ids:
        return pd.DataFrame({"doc_id": pd.Series(dtype=object), "text": pd.Series(dtype=object)})
    marks = ", ".join("?" for _ in doc_ids)
    if not with_predictions:
        return run_query(path, f"SELECT doc_id, text FROM documents WHERE doc_id IN ({marks})", doc_ids)
    return run_query(
        path,
        f"SELECT d.doc_id, d.text, p.cause_evidence{scores_sql(labels)} "
        f"FROM (SELECT doc_id, text FROM documents WHERE doc_id IN ({marks})) d LEFT JOIN "
        f"(SELECT doc_id, cause_evidence, cause_scores FROM predictions WHERE doc_id IN ({marks})) p "
        "ON p.doc_id = d.doc_id",
        [*doc_ids, *doc_ids],
    )


@st.cache_data(show_spinner=False, max_entries=128)
def quotes(
    path: str,
    ver: str,
    tmap: ThemeMap,
    fkey: str,
    theme_id: int | None,
    limit: int = 10,
    offset: int = 0,
    cause: str | None = None,
) -> pd.DataFrame:
    """Feedback rows with metadata and text, newest first (or by cause score), one page at a time."""
    extra, params = [], []
    if theme_id is not None:
        extra.append("theme_id = ?")
        params.append(theme_id)
    if cause:
        from voc.app.data import cause_labels

        known = cause_labels(path, ver)
        if cause not in known:
            raise StoreError(f"unknown cause {cause!r}; expected one of {', '.join(known)}")
        extra.append("list_contains(causes, ?)")
        params.append(cause)
    # by cause: the most confident among the newest CAUSE_CANDIDATES (scores are read from the store for those)
    take, skip = (CAUSE_CANDIDATES, 0) if cause else (int(limit), int(offset))
    meta = filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT {META_COLUMNS} FROM b ORDER BY date DESC NULLS LAST, doc_id LIMIT ? OFFSET ?",
        " AND ".join(extra),
        params,
        [take, skip],
        ver=ver,
        theme_id=theme_id,
    )
    if meta.empty:
        return meta.assign(text=pd.Series(dtype=object), cause_evidence=pd.Series(dtype=object))
    scored = (cause,) if cause else ()
    out = meta.merge(fetch_texts(path, meta["doc_id"].tolist(), labels=scored), on="doc_id", how="left")
    if cause:
        out = out.sort_values([f"score_{cause}", "date"], ascending=False, kind="stable", ignore_index=True)
        out = out.iloc[int(offset) : int(offset) + int(limit)].reset_index(drop=True)
    return out


@st.cache_data(show_spinner=False, max_entries=32)
def recent_with_causes(
    path: str,
    ver: str,
    tmap: ThemeMap,
    fkey: str,
    theme_id: int | None,
    n: int = CAUSE_CANDIDATES,
    labels: tuple[str, ...] = CAUSE_LABELS,
) -> pd.DataFrame:
    """The `n` newest filtered rows (of one theme) with text, evidence and one score column per cause label."""
    extra, params = ("theme_id = ?", [theme_id]) if theme_id is not None else ("", [])
    meta = filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT {META_COLUMNS} FROM b ORDER BY date DESC NULLS LAST, doc_id LIMIT ?",
        extra,
        params,
        [int(n)],
        ver=ver,
        theme_id=theme_id,
    )
    if meta.empty:
        return meta.assign(text=pd.Series(dtype=object), cause_evidence=pd.Series(dtype=object))
    return meta.merge(fetch_texts(path, meta["doc_id"].tolist(), labels=labels), on="doc_id", how="left")


def top_evidence(recent: pd.DataFrame, cause: str, k: int = 3) -> pd.DataFrame:
    """The k most confident rows for `cause` among `recent` (see recent_with_causes)."""
    if recent.empty:
        return recent
    has = recent["causes"].map(lambda c: isinstance(c, (list, tuple, np.ndarray)) and cause in list(c))
    return recent[has].sort_values([f"score_{cause}", "date"], ascending=False, kind="stable").head(k)


@st.cache_data(show_spinner="Summarising with the encoder…", max_entries=16)
def theme_summary(
    path: str, ver: str, tmap: ThemeMap, fkey: str, theme_id: int, max_docs: int = 400
) -> dict | None:
    """voc.insights.summary.issue_summaries for one theme, over a fixed sample of its filtered documents."""
    from voc.encode import get_encoder

    docs = filtered_query(
        path,
        tmap,
        fkey,
        "SELECT doc_id, text, date, channel, source, rating, rating_scale, rating_norm, segments, sentiment, "
        "sentiment_score, theme_id, theme_label, causes, cause_evidence FROM b ORDER BY hash(doc_id) LIMIT ?",
        "theme_id = ? AND text IS NOT NULL",
        [theme_id],
        [int(max_docs)],
        theme_id=theme_id,
    )
    if docs.empty:
        return None
    themes = pd.DataFrame({"theme_id": [theme_id], "keywords": [[]]})
    out = issue_summaries(docs, themes, get_encoder().encode, n_quotes=3, n_sentences=3)
    return out[0] if out else None


@st.cache_resource(show_spinner=False, max_entries=8)
def keyword_hits(path: str, ver: str, text: str):
    """Arrow table of the doc_ids whose text contains `text` (case-insensitive); shared across filters."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with open_store(path).reader() as session:
        return session.con.sql(
            "SELECT doc_id FROM documents WHERE text ILIKE ? ESCAPE '\\'", params=[pattern]
        ).to_arrow_table()


@st.cache_data(show_spinner=False, max_entries=64)
def keyword_search(
    path: str, ver: str, tmap: ThemeMap, fkey: str, text: str, limit: int = 50
) -> pd.DataFrame:
    """Feedback whose text contains `text` (case-insensitive), newest first, with the total match count."""
    hits = keyword_hits(path, ver, text)
    inner, params = base_sql(tmap, fkey)
    cur = fact_db(path, ver).cursor()
    try:
        cur.register("hits", hits)
        meta = cur.execute(
            f"WITH b AS ({inner}) SELECT b.doc_id, date, channel, source, rating, rating_scale, sentiment, "
            "sentiment_score, causes, segments, theme_id, theme_label, count(*) OVER () AS matches "
            "FROM b SEMI JOIN hits ON hits.doc_id = b.doc_id ORDER BY date DESC NULLS LAST, b.doc_id LIMIT ?",
            [*params, int(limit)],
        ).df()
    finally:
        cur.close()
    if meta.empty:
        return meta.assign(text=pd.Series(dtype=object))
    return meta.merge(fetch_texts(path, meta["doc_id"].tolist(), False), on="doc_id", how="left")


@st.cache_data(show_spinner=False, max_entries=64)
def documents_by_id(path: str, ver: str, tmap: ThemeMap, fkey: str, doc_ids: tuple[str, ...]) -> pd.DataFrame:
    """The filtered rows among `doc_ids`, with their text (order not kept)."""
    meta = filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT {META_COLUMNS} FROM b",
        "doc_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(doc_ids)],
        ver=ver,
    )
    return meta.merge(fetch_texts(path, meta["doc_id"].tolist(), False), on="doc_id", how="left")


@st.cache_data(show_spinner=False, max_entries=4)
def search_texts(path: str, ver: str, max_docs: int) -> pd.DataFrame:
    """doc_id and text of the newest `max_docs` documents (the semantic search index)."""
    return run_query(
        path,
        "SELECT doc_id, text FROM documents WHERE text IS NOT NULL ORDER BY date DESC NULLS LAST, doc_id LIMIT ?",
        [int(max_docs)],
    )
