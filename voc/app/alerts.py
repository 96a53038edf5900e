"""Spikes and period comparison for the app, from SQL-side per-period aggregates (real themes only)."""

from __future__ import annotations

import pandas as pd

from voc.insights.spikes import spikes_from_series
from voc.insights.trends import compare_series


def _real_themes(series: pd.DataFrame) -> pd.DataFrame:
    return series[series["theme_id"] >= 0] if len(series) else series


def theme_spikes(series: pd.DataFrame, alpha: float = 0.01, min_ratio: float = 1.5, min_history: int = 4) -> pd.DataFrame:
    """The insights spike tests over the app's aggregates."""
    return spikes_from_series(_real_themes(series), alpha, min_ratio, min_history)


def compare_periods(series: pd.DataFrame) -> pd.DataFrame:
    """The last period against the one before, per theme."""
    return compare_series(_real_themes(series))
