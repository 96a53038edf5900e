"""The SQL layer of the app: the `fact` table for aggregates, and the filtered base view.

Aggregates run on the store's joined documents x predictions without the text (the `fact` table, materialised
once per store content version in the voc cache, see voc.app.fact), so a page or a filter change never
re-joins the store. Text is read from the store itself, only for the rows shown (voc.app.texts).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from voc.app.fact import open_fact
from voc.app.store_access import run_query
from voc.insights.filters import Filter
from voc.lenses.themes.languages import LANGUAGE_ID_BASE, UNTHEMED_SQL

ThemeMap = tuple[tuple[int, int, str, str | None], ...]

@st.cache_resource(show_spinner="Preparing the store for the app…", max_entries=1)
def fact_db(path: str, ver: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the `fact` table of this store version (voc.app.fact; built if missing)."""
    return open_fact(path, ver)


def fact_query(path: str, ver: str, sql: str, params: list | tuple = ()) -> pd.DataFrame:
    """Run SQL over the in-memory `fact` table (a cursor per call: safe across sessions' threads)."""
    cur = fact_db(path, ver).cursor()
    try:
        return cur.execute(sql, list(params)).df()
    finally:
        cur.close()


def base_sql(
    tmap: ThemeMap,
    fkey: str,
    extra: str = "",
    extra_params: list | None = None,
    kind: str = "fact",
    theme_id: int | None = None,
) -> tuple[str, list]:
    """SQL for the filtered, theme-mapped view (over `fact`, or over the store when kind='store'), and params.

    `theme_id` (a display theme) is also pushed down as a filter on the stored theme ids it covers, so
    DuckDB can prune rows before the theme mapping.
    """
    values = ["(NULL::INTEGER, NULL::INTEGER, NULL::VARCHAR, NULL::VARCHAR)"]
    params: list = []
    for tid, canon, label, parent in tmap:
        values.append("(?::INTEGER, ?::INTEGER, ?::VARCHAR, ?::VARCHAR)")
        params += [tid, canon, label, parent]
    where, fparams = Filter.model_validate_json(fkey).to_sql()
    if kind == "fact":
        select = "SELECT p.* EXCLUDE (theme_id), "
        source = "FROM fact p "
    else:
        select = (
            "SELECT d.doc_id, d.text, d.date, d.channel, d.source, d.language, d.rating, d.rating_scale, d.rating_norm, "
            "d.segments, p.sentiment, p.sentiment_score, p.causes, p.cause_scores, p.cause_evidence, "
        )
        source = "FROM documents d LEFT JOIN predictions p ON p.doc_id = d.doc_id "
    sql = (
        f"WITH tm(theme_id, canon_id, theme_label, parent_label) AS (VALUES {', '.join(values)}), "
        f"v AS ({select}"
        "p.theme_id AS raw_theme_id, "
        f"CASE WHEN {UNTHEMED_SQL} THEN -1 ELSE coalesce(tm.canon_id, p.theme_id) END AS theme_id, "
        f"CASE WHEN {UNTHEMED_SQL} THEN 'Unthemed' "
        "ELSE coalesce(tm.theme_label, 'Theme ' || p.theme_id) END AS theme_label, "
        f"coalesce(tm.parent_label, CASE WHEN {UNTHEMED_SQL} THEN 'Unthemed' "
        f"WHEN p.theme_id < {LANGUAGE_ID_BASE} THEN tm.theme_label ELSE 'Other' END) AS parent_label "
        f"{source}LEFT JOIN tm ON tm.theme_id = p.theme_id{{raw}}) "
        f"SELECT * FROM v WHERE ({where})"
    )
    raw = ""
    if theme_id is not None and LANGUAGE_ID_BASE <= theme_id < 0:
        raw = f" WHERE {UNTHEMED_SQL}"
    elif theme_id is not None:
        members = sorted({int(theme_id)} | {tid for tid, canon, _, _ in tmap if canon == theme_id})
        raw = f" WHERE p.theme_id IN ({', '.join(str(m) for m in members)})"
    sql = sql.replace("{raw}", raw)
    params += fparams
    if extra:
        sql += f" AND ({extra})"
        params += list(extra_params or [])
    return sql, params


def filtered_query(
    path: str,
    tmap: ThemeMap,
    fkey: str,
    outer: str,
    extra: str = "",
    extra_params: list | None = None,
    outer_params: list | None = None,
    ver: str | None = None,
    theme_id: int | None = None,
) -> pd.DataFrame:
    """Run `outer` (which reads FROM b) over the filtered view: in memory when `ver` is given, else the store."""
    inner, params = base_sql(
        tmap, fkey, extra, extra_params, "fact" if ver is not None else "store", theme_id
    )
    sql, all_params = f"WITH b AS ({inner}) {outer}", [*params, *(outer_params or [])]
    return fact_query(path, ver, sql, all_params) if ver is not None else run_query(path, sql, all_params)
