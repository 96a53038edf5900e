"""Time series per theme and period-over-period comparison."""

from __future__ import annotations

import pandas as pd

FREQ = {"week": "W-MON", "month": "MS"}


def _period(dates: pd.Series, freq: str) -> pd.Series:
    if freq not in FREQ:
        raise ValueError(f"freq must be one of {list(FREQ)}, got {freq!r}")
    naive = pd.to_datetime(dates, utc=True).dt.tz_convert(None)
    return naive.dt.to_period("W" if freq == "week" else "M").dt.start_time


def theme_series(frame: pd.DataFrame, freq: str = "week") -> pd.DataFrame:
    """Volume, negative share and mean sentiment score per theme per period (long format, dated rows only)."""
    dated = frame[frame["date"].notna()]
    work = pd.DataFrame(
        {
            "period": _period(dated["date"], freq),
            "theme_id": dated["theme_id"],
            "negative": dated["sentiment"].eq("negative"),
            "score": dated.get("sentiment_score"),
        }
    )
    out = work.groupby(["theme_id", "period"]).agg(
        volume=("negative", "size"), negatives=("negative", "sum"), mean_score=("score", "mean")
    ).reset_index()
    totals = work.groupby("period").size().rename("period_total")
    out = out.join(totals, on="period")
    out["share"] = out["volume"] / out["period_total"]
    out["negative_share"] = out["negatives"] / out["volume"]
    return out


def period_comparison(frame: pd.DataFrame, freq: str = "month") -> pd.DataFrame:
    """This period against the previous one per theme: volumes, change and negative shares."""
    return compare_series(theme_series(frame, freq))


def compare_series(series: pd.DataFrame) -> pd.DataFrame:
    """The last period against the one before, from per-period aggregates (theme_id, period, volume, ...)."""
    if series.empty:
        return pd.DataFrame(columns=["theme_id", "current", "previous", "change", "change_pct"])
    periods = sorted(series["period"].unique())
    cur = series[series["period"] == periods[-1]].set_index("theme_id")
    prev = series[series["period"] == periods[-2]].set_index("theme_id") if len(periods) > 1 else cur.iloc[0:0]
    ids = cur.index.union(prev.index)
    out = pd.DataFrame(index=ids)
    if "theme" in series:
        out["theme"] = cur["theme"].reindex(ids).fillna(prev["theme"].reindex(ids))
    out["current"] = cur["volume"].reindex(ids).fillna(0).astype(int)
    out["previous"] = prev["volume"].reindex(ids).fillna(0).astype(int)
    out["change"] = out["current"] - out["previous"]
    out["change_pct"] = 100 * out["change"] / out["previous"].where(out["previous"] > 0)
    out["negative_share_current"] = cur["negative_share"].reindex(ids)
    out["negative_share_previous"] = prev["negative_share"].reindex(ids)
    out.attrs.update(current=periods[-1], previous=periods[-2] if len(periods) > 1 else None)
    return out.reset_index(names="theme_id").sort_values("change", ascending=False, ignore_index=True)
