"""Trends and alerts: what is rising, and is it a real spike?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from voc.app import charts, data
from voc.app.alerts import compare_periods
from voc.app.alerts import episodes as cached_episodes
from voc.app.context import Ctx
from voc.app.pages.common import stats_or_stop
from voc.app.render import escape
from voc.insights.episode_text import describe

ICONS = {"volume": "📈", "new": "🆕", "negative_share": "😠", "drop": "📉", "improvement": "✅"}


def episode_lines(episodes, limit: int | None = None, ongoing_only: bool = False) -> None:
    """One alert line per episode (ongoing first), e.g. 'Log-in failures: volume 29x since the week of ...'."""
    shown = episodes[episodes["ongoing"]] if ongoing_only else episodes
    for ep in shown.head(limit).itertuples(index=False) if limit else shown.itertuples(index=False):
        text = f"{describe(ep._replace(theme=escape(ep.theme)))} (q = {ep.q_value:.2g})"  # labels are customer words
        icon = ICONS.get(ep.kind, "📈")
        (st.success if ep.kind == "improvement" else st.warning if ep.ongoing else st.info)(text, icon=icon)


def alert_timeline(ctx: Ctx) -> None:
    """Episodes of every theme over the whole range: one bar per episode, and one line of text each."""
    st.subheader("Alert episodes")
    episodes = cached_episodes(*ctx.args, "week")
    st.caption(
        "Every week is tested against earlier weeks only (a control chart): each theme's share of feedback and its "
        "share of negative feedback, against a baseline of up to 26 earlier weeks that leaves out weeks already "
        "flagged, week alone and pooled over 4 and 13 weeks; Benjamini-Hochberg q-values over all themes and tests "
        "of a week; flagged when q < 0.01 and the rate ratio is at least 1.5 (or at most 1/1.5)."
    )
    if episodes.empty:
        st.success("No alert episodes under the current filters.")
        return
    episode_lines(episodes)
    chart = episodes.assign(end=episodes["last"] + pd.Timedelta(days=7), what=episodes["kind"])
    chart = chart[["theme", "what", "start", "end", "ongoing", "peak_ratio", "q_value"]]
    chart.attrs = {}
    st.vega_lite_chart(
        chart,
        {
            "mark": {"type": "bar", "cornerRadius": 3},
            "encoding": {
                "y": {"field": "theme", "type": "nominal", "title": None},
                "x": {"field": "start", "type": "temporal", "title": None},
                "x2": {"field": "end"},
                "color": {"field": "what", "type": "nominal", "title": "kind"},
                "tooltip": [
                    {"field": "theme"},
                    {"field": "what", "title": "kind"},
                    {"field": "start", "type": "temporal"},
                    {"field": "ongoing"},
                    {"field": "peak_ratio", "format": ".2f"},
                    {"field": "q_value", "format": ".2g"},
                ],
            },
        },
        width="stretch",
        key="alert_timeline",
    )
    table = episodes.copy()
    table.attrs = {}
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "peak_ratio": st.column_config.NumberColumn("Peak ratio", format="%.2f"),
            "last_ratio": st.column_config.NumberColumn("Latest ratio", format="%.2f"),
            "q_value": st.column_config.NumberColumn("q (BH)", format="%.2e"),
        },
    )


def render(ctx: Ctx) -> None:
    """Render the Trends & alerts page."""
    st.title("Trends & alerts")
    stats = stats_or_stop(ctx)
    freq = st.radio("Granularity", ["week", "month"], horizontal=True, key="trend_freq")
    series = data.theme_series(*ctx.args, freq)
    if series.empty:
        st.info("No dated feedback matches the filters.")
        return
    real = stats[stats["theme_id"] >= 0]
    names = dict(zip(real["theme_id"].astype(int), real["theme"]))
    default = list(names)[:5]
    chosen = st.multiselect(
        "Themes", list(names), default=default, format_func=lambda i: names[i], key="trend_themes"
    )
    mine = series[series["theme_id"].isin(chosen)]
    a, b = st.columns(2)
    with a:
        st.subheader("Volume")
        charts.line_chart(
            mine.pivot_table(index="period", columns="theme", values="volume", fill_value=0), 300
        )
    with b:
        st.subheader("Net sentiment")
        charts.line_chart(mine.pivot_table(index="period", columns="theme", values="net_sentiment"), 300)

    alert_timeline(ctx)

    st.subheader("Period comparison")
    cmp_freq = st.radio("Compare", ["month", "week"], horizontal=True, key="cmp_freq")
    cmp = compare_periods(data.theme_series(*ctx.args, cmp_freq))
    if cmp.empty:
        st.info("Not enough dated feedback to compare periods.")
        return
    cur, prev = cmp.attrs.get("current"), cmp.attrs.get("previous")
    st.caption(
        f"{cmp_freq.title()} starting {cur:%Y-%m-%d} against the one starting {prev:%Y-%m-%d}."
        if prev is not None
        else "Only one period."
    )
    cmp = cmp.copy()
    cmp.attrs = {}
    st.dataframe(
        cmp,
        hide_index=True,
        width="stretch",
        column_config={
            "change_pct": st.column_config.NumberColumn("Change %", format="%+.0f%%"),
            "negative_share_current": st.column_config.NumberColumn("Negative share now", format="percent"),
            "negative_share_previous": st.column_config.NumberColumn(
                "Negative share before", format="percent"
            ),
        },
    )
