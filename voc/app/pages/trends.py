"""Trends and alerts: what is rising, and is it a real spike?"""

from __future__ import annotations

import streamlit as st

from voc.app import data
from voc.app.alerts import compare_periods, theme_spikes
from voc.app.context import Ctx
from voc.app.pages.common import stats_or_stop


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
        st.line_chart(
            mine.pivot_table(index="period", columns="theme", values="volume", fill_value=0), height=300
        )
    with b:
        st.subheader("Net sentiment")
        st.line_chart(mine.pivot_table(index="period", columns="theme", values="net_sentiment"), height=300)

    st.subheader("Emerging and spiking themes")
    spikes = theme_spikes(data.theme_series(*ctx.args, "week"))
    if spikes.empty:
        st.info("Spike detection needs at least 5 weeks of dated feedback under the current filters.")
    else:
        period = spikes.attrs.get("period")
        flagged = spikes[spikes["flagged"]]
        st.caption(
            f"Latest week starting {period:%Y-%m-%d} against each theme's own history: quasi-binomial test, "
            "Benjamini-Hochberg q-values over all themes and both tests; flagged when q < 0.01 and rate ratio >= 1.5."
        )
        if flagged.empty:
            st.success("No theme is spiking this week.")
        else:
            for r in flagged.itertuples():
                what = "volume share" if r.test == "volume" else "negative share"
                st.warning(
                    f"{r.theme}: {what} x{r.rate_ratio:.1f} its usual rate (q = {r.q_value:.2g})", icon="📈"
                )
        spikes = spikes.copy()
        spikes.attrs = {}
        st.dataframe(
            spikes,
            hide_index=True,
            width="stretch",
            column_config={
                "rate_ratio": st.column_config.NumberColumn("Rate ratio", format="%.2f"),
                "p_value": st.column_config.NumberColumn("p", format="%.2e"),
                "q_value": st.column_config.NumberColumn("q (BH)", format="%.2e"),
                "history_mean": st.column_config.NumberColumn("History mean", format="%.1f"),
                "latest": st.column_config.NumberColumn("Latest", format="%d"),
            },
        )

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
