"""Cached queries of the Journey and At-risk pages: stage mix, stage x cause, stage x theme, churn by stage."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from voc.app.sql import ThemeMap, filtered_query
from voc.app.texts import fetch_texts
from voc.metrics import HIGH_RATING_SQL, churn_share_sql, metric_sql, satisfied_at_risk_sql

NET = metric_sql("net_sentiment")
AT_RISK_ROWS = 5000


def has_columns(opts: dict, *names: str) -> bool:
    """Whether the store's lenses declared these (filterable) document outputs."""
    declared = {o["name"] for o in opts.get("lens_filters", [])}
    return all(n in declared for n in names)


@st.cache_data(show_spinner=False, max_entries=64)
def by_stage(path: str, ver: str, tmap: ThemeMap, fkey: str, churn: bool) -> pd.DataFrame:
    """Per journey stage: volume, share, net sentiment, and (with the churn lens) churn share and at-risk count."""
    extra = (
        f", {churn_share_sql()} AS churn_share, {satisfied_at_risk_sql()} AS satisfied_at_risk"
        if churn
        else ""
    )
    df = filtered_query(
        path, tmap, fkey,
        f"SELECT journey_stage AS stage, count(*) AS volume, {NET} AS net_sentiment{extra} "
        "FROM b WHERE journey_stage IS NOT NULL GROUP BY 1 ORDER BY volume DESC",
        ver=ver,
    )  # fmt: skip
    df["share"] = df["volume"] / df["volume"].sum() if len(df) else []
    return df


@st.cache_data(show_spinner=False, max_entries=64)
def stage_by_cause(path: str, ver: str, tmap: ThemeMap, fkey: str) -> pd.DataFrame:
    """Documents per (stage, cause); a document with several causes counts once per cause."""
    return filtered_query(
        path, tmap, fkey,
        "SELECT journey_stage AS stage, cause, count(*) AS documents FROM "
        "(SELECT journey_stage, unnest(causes) AS cause FROM b WHERE journey_stage IS NOT NULL) GROUP BY ALL",
        ver=ver,
    )  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=64)
def stage_by_theme(path: str, ver: str, tmap: ThemeMap, fkey: str, stage: str) -> pd.DataFrame:
    """The themes of one stage: volume, share of the stage and net sentiment, largest first."""
    df = filtered_query(
        path, tmap, fkey,
        f"SELECT theme_id, any_value(theme_label) AS theme, count(*) AS volume, {NET} AS net_sentiment "
        "FROM b WHERE journey_stage = ? GROUP BY theme_id ORDER BY volume DESC LIMIT 25",
        outer_params=[stage],
        ver=ver,
    )  # fmt: skip
    df["share_of_stage"] = df["volume"] / df["volume"].sum() if len(df) else []
    return df


@st.cache_data(show_spinner=False, max_entries=32)
def at_risk(path: str, ver: str, tmap: ThemeMap, fkey: str, satisfied_only: bool) -> pd.DataFrame:
    """Documents with churn intent, newest first: date, theme, stage, causes, asks_for, rating and text."""
    where = "churn_intent" + (f" AND {HIGH_RATING_SQL}" if satisfied_only else "")
    stage = "journey_stage" if "journey_stage" in _columns(path, ver) else "NULL::VARCHAR AS journey_stage"
    df = filtered_query(
        path, tmap, fkey,
        f"SELECT doc_id, date, theme_label AS theme, {stage}, causes, asks_for, rating, rating_scale, channel "
        f"FROM b WHERE {where} ORDER BY date DESC NULLS LAST, doc_id LIMIT {AT_RISK_ROWS}",
        ver=ver,
    )  # fmt: skip
    text = fetch_texts(path, df["doc_id"].tolist(), with_predictions=False)
    df = df.merge(text, on="doc_id", how="left")
    for col in ("causes", "asks_for"):
        df[col] = df[col].map(
            lambda v: ", ".join(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist") else ""
        )
    return df


def _columns(path: str, ver: str) -> set[str]:
    from voc.app.sql import fact_query

    return set(fact_query(path, ver, "SELECT * FROM fact LIMIT 0").columns)


@st.cache_data(show_spinner=False, max_entries=64)
def theme_churn(path: str, ver: str, tmap: ThemeMap, fkey: str) -> pd.DataFrame:
    """Per (display) theme: the share of documents with churn intent (voc.metrics.churn_share_sql)."""
    return filtered_query(
        path,
        tmap,
        fkey,
        f"SELECT theme_id, {churn_share_sql()} AS churn_share FROM b GROUP BY theme_id",
        ver=ver,
    )
