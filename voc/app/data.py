"""Cached aggregate queries for the pages: DuckDB GROUP BYs over the in-memory copy, small frames out.

Every function takes the store path and its content version (so any write invalidates the caches), the
theme map (edits replayed at read time, see voc.insights.theme_map) and the filter as JSON
(voc.insights.filters.Filter): `data.kpis(*ctx.args, ...)`.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from voc.app.fact import lens_filter_outputs
from voc.app.sql import ThemeMap, fact_query, filtered_query
from voc.app.store_access import open_store
from voc.insights.causes import store_cause_labels
from voc.insights.drivers import theme_impact
from voc.insights.totals import not_analysed_summary
from voc.metrics import cause_shares_sql, metric_sql

FREQ_TRUNC = {"week": "week", "month": "month", "day": "day"}
NET = metric_sql("net_sentiment")
SHOWN_FILTER_VALUES = 50


@st.cache_data(show_spinner=False, max_entries=8)
def cause_labels(path: str, ver: str) -> list[str]:
    """The store's cause labels: declared by its root-cause lens (custom taxonomies too), then any stored one."""
    return store_cause_labels(path)


@st.cache_data(show_spinner=False, max_entries=8)
def not_analysed(path: str, ver: str) -> list[str]:
    """'58 documents in Spanish (es) are not analysed by the English models', one line per language."""
    return not_analysed_summary(path)


@st.cache_data(show_spinner=False, max_entries=8)
def lens_filters(path: str, ver: str) -> list[dict]:
    """The filterable outputs the store's lenses declared beyond sentiment and causes, with their choices."""
    return [
        {**o, "choices": ["yes", "no"] if o["dtype"] == "BOOLEAN" else list(o["labels"])[:SHOWN_FILTER_VALUES]}
        for o in lens_filter_outputs(open_store(path).lens_outputs())
    ]


@st.cache_data(show_spinner=False, max_entries=8)
def options(path: str, ver: str) -> dict:
    """Sidebar choices: date bounds, channels, sources, segment keys and values, causes, lens filters, counts."""
    bounds = fact_query(path, ver, "SELECT min(date) AS lo, max(date) AS hi, count(*) AS n FROM fact").iloc[0]
    chan = fact_query(
        path,
        ver,
        "SELECT channel FROM fact WHERE channel IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 200",
    )
    src = fact_query(
        path,
        ver,
        "SELECT source FROM fact WHERE source IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 200",
    )
    lang = fact_query(
        path, ver, "SELECT language FROM fact WHERE language IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 200"
    )
    seg = fact_query(
        path,
        ver,
        "WITH s AS (SELECT segments FROM fact WHERE segments IS NOT NULL USING SAMPLE reservoir(20000 ROWS) REPEATABLE (7)), "
        "k AS (SELECT segments, unnest(json_keys(segments)) AS k FROM s) "
        "SELECT k, json_extract_string(segments, '$.' || k) AS v, count(*) AS n FROM k GROUP BY ALL ORDER BY k, n DESC",
    )
    segments = {}
    for key, g in seg.groupby("k", sort=True):
        vals = [v for v in g["v"].tolist() if isinstance(v, str)]
        if 1 < len(vals) <= 100:
            segments[str(key)] = vals
    return {
        "n": int(bounds["n"]),
        "date_min": None if pd.isna(bounds["lo"]) else pd.Timestamp(bounds["lo"]).date(),
        "date_max": None if pd.isna(bounds["hi"]) else pd.Timestamp(bounds["hi"]).date(),
        "channels": chan["channel"].tolist(),
        "sources": src["source"].tolist(),
        "languages": lang["language"].tolist(),
        "segments": segments,
        "causes": cause_labels(path, ver),
        "lens_filters": lens_filters(path, ver),
    }


@st.cache_data(show_spinner=False, max_entries=64)
def kpis(
    path: str,
    ver: str,
    tmap: ThemeMap,
    fkey: str,
    prev_start: datetime,
    cur_start: datetime,
    cur_end: datetime,
) -> pd.DataFrame:
    """Volume, net sentiment, NPS, CSAT and theme coverage in the current and the previous period."""
    return filtered_query(
        path,
        tmap,
        fkey,
        "SELECT CASE WHEN date >= ? THEN 'current' ELSE 'previous' END AS period, count(*) AS volume, "
        f"{NET} AS net_sentiment, {metric_sql('nps')} AS nps, {metric_sql('csat')} AS csat, "
        "100 * avg((theme_id >= 0)::INT) AS coverage FROM b GROUP BY 1",
        "date >= ? AND date < ?",
        [prev_start, cur_end],
        [cur_start],
        ver=ver,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def movers(
    path: str,
    ver: str,
    tmap: ThemeMap,
    fkey: str,
    prev_start: datetime,
    cur_start: datetime,
    cur_end: datetime,
) -> pd.DataFrame:
    """Per theme: volume and net sentiment in the current and previous period, and the change."""
    df = filtered_query(
        path,
        tmap,
        fkey,
        "SELECT theme_id, any_value(theme_label) AS theme, "
        "count(*) FILTER (WHERE date >= ?) AS current, count(*) FILTER (WHERE date < ?) AS previous, "
        f"{metric_sql('net_sentiment', where='date >= ?')} AS net_current "
        "FROM b WHERE theme_id >= 0 GROUP BY theme_id",
        "date >= ? AND date < ?",
        [prev_start, cur_end],
        [cur_start, cur_start, cur_start],
        ver=ver,
    )
    df["change"] = df["current"] - df["previous"]
    df["change_pct"] = 100 * df["change"] / df["previous"].where(df["previous"] > 0)
    return df.sort_values(["change", "current"], ascending=False, ignore_index=True)


@st.cache_data(show_spinner=False, max_entries=64)
def totals(
    path: str, ver: str, tmap: ThemeMap, fkey: str, labels: tuple[str, ...] | None = None
) -> pd.Series:
    """The filtered range in one row: volume, net sentiment, mean score, NPS, CSAT and each cause's share."""
    return filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT count(*) AS volume, {NET} AS net_sentiment, {metric_sql('sentiment_score')} AS mean_score, "
        f"{metric_sql('nps')} AS nps, {metric_sql('csat')} AS csat, {cause_shares_sql(labels or cause_labels(path, ver))} FROM b",
        ver=ver,
    ).iloc[0]


@st.cache_data(show_spinner=False, max_entries=64)
def theme_stats(
    path: str, ver: str, tmap: ThemeMap, fkey: str, labels: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """One row per (display) theme: volume, share, net sentiment, mean score, cause mix, rating, NPS, CSAT."""
    df = filtered_query(
        path,
        tmap,
        fkey,
        "SELECT theme_id, any_value(theme_label) AS theme, any_value(parent_label) AS parent, count(*) AS volume, "
        f"{NET} AS net_sentiment, {metric_sql('sentiment_score')} AS mean_score, {cause_shares_sql(labels or cause_labels(path, ver))}, "
        f"{metric_sql('rating_norm')} AS mean_rating_norm, {metric_sql('nps')} AS nps, {metric_sql('csat')} AS csat "
        "FROM b GROUP BY theme_id ORDER BY volume DESC, theme_id",
        ver=ver,
    )
    df["share"] = df["volume"] / df["volume"].sum() if len(df) else []
    return df


@st.cache_data(show_spinner=False, max_entries=64)
def theme_series(path: str, ver: str, tmap: ThemeMap, fkey: str, freq: str = "week") -> pd.DataFrame:
    """Volume, negatives and mean score per theme per period, with the period's total (dated rows only)."""
    trunc = FREQ_TRUNC[freq]
    df = filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT theme_id, any_value(theme_label) AS theme, date_trunc('{trunc}', date)::TIMESTAMP AS period, "
        "count(*) AS volume, count(*) FILTER (WHERE sentiment = 'negative') AS negatives, "
        f"{metric_sql('sentiment_score')} AS mean_score, {NET} AS net_sentiment "
        "FROM b WHERE date IS NOT NULL GROUP BY theme_id, period ORDER BY period, theme_id",
        ver=ver,
    )
    df["period_total"] = df.groupby("period")["volume"].transform("sum")
    df["share"] = df["volume"] / df["period_total"]
    df["negative_share"] = df["negatives"] / df["volume"]
    return df


@st.cache_data(show_spinner=False, max_entries=32)
def impact(path: str, ver: str, tmap: ThemeMap, fkey: str, sample: int = 20_000) -> pd.DataFrame:
    """theme_impact (bootstrap CI) on a fixed random sample of at most `sample` rated documents."""
    frame = filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT theme_id, rating_norm FROM b USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE (11)",
        "rating_norm IS NOT NULL",
        ver=ver,
    )
    return theme_impact(frame, n_boot=100)


@st.cache_data(show_spinner=False, max_entries=64)
def breakdown(
    path: str, ver: str, tmap: ThemeMap, fkey: str, theme_id: int, segment: str | None = None
) -> pd.DataFrame:
    """Sentiment counts of one theme by channel, or by one segment key's values."""
    dim = "coalesce(json_extract_string(segments, ?), '(none)')" if segment else "coalesce(channel, '(none)')"
    outer_params = [f"$.{segment}"] if segment else []
    df = filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT {dim} AS value, coalesce(sentiment, 'unknown') AS sentiment, count(*) AS n FROM b GROUP BY ALL",
        "theme_id = ?",
        [theme_id],
        outer_params,
        ver=ver,
        theme_id=theme_id,
    )
    if df.empty:
        return df
    wide = df.pivot_table(index="value", columns="sentiment", values="n", aggfunc="sum", fill_value=0)
    return wide.reindex(
        columns=[c for c in ("negative", "neutral", "positive", "unknown") if c in wide.columns]
    )


@st.cache_data(show_spinner=False, max_entries=64)
def cause_series(
    path: str, ver: str, tmap: ThemeMap, fkey: str, freq: str = "week", labels: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Per period: documents, and the share mentioning each cause."""
    trunc = FREQ_TRUNC[freq]
    return filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT date_trunc('{trunc}', date)::TIMESTAMP AS period, count(*) AS volume, {cause_shares_sql(labels or cause_labels(path, ver))} "
        "FROM b WHERE date IS NOT NULL GROUP BY period ORDER BY period",
        ver=ver,
    )


@st.cache_data(show_spinner=False, max_entries=8)
def themes_and_edits(path: str, ver: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All themes (retired too) and the edit log."""
    with open_store(path).reader() as session:  # one connection for both
        return session.themes(include_retired=True).drop(
            columns=["centroid"], errors="ignore"
        ), session.edits()
