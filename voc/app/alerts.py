"""Alert episodes and period comparison for the app, from SQL-side per-period aggregates (real themes only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from voc.app import data
from voc.app.sql import ThemeMap
from voc.insights.episodes import detect_episodes
from voc.insights.trends import compare_series


def _real_themes(series: pd.DataFrame) -> pd.DataFrame:
    return series[series["theme_id"] >= 0] if len(series) else series


def theme_episodes(series: pd.DataFrame, freq: str = "week") -> pd.DataFrame:
    """The insights alert episodes over the app's aggregates (period_total keeps unthemed feedback in the share)."""
    if series.empty:
        return detect_episodes(series.assign(period=pd.Series(dtype="datetime64[ns]")), freq)
    return detect_episodes(series, freq)


def compare_periods(series: pd.DataFrame) -> pd.DataFrame:
    """The last period against the one before, per theme."""
    return compare_series(_real_themes(series))


@st.cache_data(show_spinner=False, max_entries=32)
def episodes(path: str, ver: str, tmap: ThemeMap, fkey: str, freq: str = "week") -> pd.DataFrame:
    """Cached alert episodes under the filter (the sequential tests run once per store version and filter)."""
    return theme_episodes(data.theme_series(path, ver, tmap, fkey, freq), freq)
