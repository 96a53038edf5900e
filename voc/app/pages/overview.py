"""Overview: what are customers talking about right now?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from voc.app import data
from voc.app.context import Ctx
from voc.app.pages.common import stats_or_stop
from voc.app.pages.priority import priority_section
from voc.app.render import escape, fmt_num, plain


def _delta(cur, prev, fmt="{:+,.0f}", suffix=""):
    if cur is None or prev is None or pd.isna(cur) or pd.isna(prev):
        return None
    return fmt.format(cur - prev) + suffix


def kpi_tiles(ctx: Ctx) -> None:
    """Volume, net sentiment, NPS/CSAT (where present) and coverage, each with its change."""
    prev_start, cur_start, cur_end = ctx.window()
    k = data.kpis(*ctx.args, prev_start, cur_start, cur_end).set_index("period")
    cur = k.loc["current"] if "current" in k.index else pd.Series(dtype=float)
    prev = k.loc["previous"] if "previous" in k.index else pd.Series(dtype=float)
    st.caption(
        f"Last {ctx.period_days} days of the filtered range ({cur_start:%Y-%m-%d} to {cur_end:%Y-%m-%d}, exclusive) "
        f"against the {ctx.period_days} days before."
    )
    tiles = [
        ("Volume", "volume", "{:,.0f}", "{:+,.0f}"),
        ("Net sentiment", "net_sentiment", "{:+.0f}", "{:+.0f}"),
    ]
    for name, col in (("NPS", "nps"), ("CSAT %", "csat")):
        if pd.notna(cur.get(col)) or pd.notna(prev.get(col)):
            tiles.append((name, col, "{:+.0f}" if col == "nps" else "{:.0f}", "{:+.0f}"))
    tiles.append(("Theme coverage %", "coverage", "{:.0f}", "{:+.1f}"))
    for column, (name, col, fmt, dfmt) in zip(st.columns(len(tiles)), tiles):
        column.metric(
            name,
            fmt_num(cur.get(col), fmt),
            _delta(cur.get(col), prev.get(col), dfmt),
            help=f"previous period: {fmt_num(prev.get(col), fmt)}",
        )


def theme_map_spec(real: pd.DataFrame, labelled: int = 12) -> dict:
    """Vega-Lite bubble chart: one row per parent theme, a bubble per theme at its net sentiment, area = volume."""
    order = real.groupby("parent_safe")["volume"].sum().sort_values(ascending=False).index.tolist()
    y = {"field": "parent_safe", "type": "nominal", "sort": order, "title": None}
    x = {"field": "net_sentiment", "type": "quantitative", "scale": {"domain": [-100, 100]}, "title": "Net sentiment"}
    return {
        "height": max(240, 64 * len(order)),
        "layer": [
            {
                "mark": {"type": "circle", "opacity": 0.8, "stroke": "#555", "strokeWidth": 0.5},
                "encoding": {
                    "x": x,
                    "y": y,
                    "size": {"field": "volume", "type": "quantitative", "scale": {"range": [20, 1400]}, "legend": None},
                    "color": {
                        "field": "net_sentiment",
                        "type": "quantitative",
                        "scale": {"scheme": "redyellowgreen", "domain": [-100, 100]},
                        "title": "net",
                    },
                    "tooltip": [
                        {"field": "theme_safe", "title": "Theme"},
                        {"field": "parent_safe", "title": "Parent"},
                        {"field": "volume", "title": "Volume", "format": ","},
                        {"field": "net_sentiment", "title": "Net sentiment", "format": "+.0f"},
                    ],
                },
            },
            {
                "transform": [{"filter": f"datum.rank <= {int(labelled)}"}],
                "mark": {"type": "text", "dy": -14, "fontSize": 11},
                "encoding": {"x": x, "y": y, "text": {"field": "theme_safe"}},
            },
        ],
    }


def theme_map(stats: pd.DataFrame) -> None:
    """Bubble chart of theme volume x net sentiment, coloured by sentiment, grouped by parent theme."""
    real = stats[stats["theme_id"] >= 0].head(60).copy()
    if real.empty:
        st.info("No themed feedback under these filters.")
        return
    real["theme_safe"] = real["theme"].map(plain)
    real["parent_safe"] = real["parent"].fillna("Other").map(plain)
    real["rank"] = range(1, len(real) + 1)
    data_ = real[["theme_safe", "parent_safe", "volume", "net_sentiment", "rank"]]
    st.vega_lite_chart(data_, theme_map_spec(real), width="stretch", key="theme_map")


def ongoing_alerts(ctx: Ctx, limit: int = 5) -> None:
    """The alert episodes still going on at the latest week, at the top of the page."""
    from voc.app.alerts import episodes as cached_episodes
    from voc.app.pages.trends import episode_lines

    episodes = cached_episodes(*ctx.args, "week")
    ongoing = episodes[episodes["ongoing"]] if len(episodes) else episodes
    if len(ongoing):
        episode_lines(ongoing, limit)
        if len(ongoing) > limit:
            st.caption(f"{len(ongoing) - limit} more ongoing alerts on the Trends & alerts page.")


def render(ctx: Ctx) -> None:
    """Render the Overview page."""
    st.title("Overview")
    stats = stats_or_stop(ctx)
    ongoing_alerts(ctx)
    for line in data.not_analysed(ctx.path, ctx.ver):
        st.info(f"{line}: they are kept and counted, and shown as their own language group.", icon="🌐")
    top = stats[stats["theme_id"] >= 0].head(3)
    if len(top):
        names = ", ".join(f"<b>{escape(r.theme)}</b> ({100 * r.share:.0f}%)" for r in top.itertuples())
        st.markdown(f'<p class="voc-headline">Most discussed: {names}</p>', unsafe_allow_html=True)
    kpi_tiles(ctx)
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Theme map")
        st.caption(
            "One row per parent theme; each bubble is a theme: area = volume in the filtered range, position and "
            "colour = net sentiment (% positive - % negative). Hover for details."
        )
        theme_map(stats)
    with right:
        st.subheader("Top movers")
        prev_start, cur_start, cur_end = ctx.window()
        mv = data.movers(*ctx.args, prev_start, cur_start, cur_end)
        if mv.empty:
            st.info("No themed feedback in the last two periods.")
        else:
            show = pd.concat([mv.head(5), mv[mv["change"] < 0].tail(5).iloc[::-1]]).drop_duplicates(
                "theme_id"
            )
            st.dataframe(
                show[["theme", "current", "previous", "change", "change_pct", "net_current"]],
                hide_index=True,
                width="stretch",
                column_config={
                    "theme": "Theme",
                    "current": "This period",
                    "previous": "Previous",
                    "change": st.column_config.NumberColumn("Change", format="%+d"),
                    "change_pct": st.column_config.NumberColumn("Change %", format="%+.0f%%"),
                    "net_current": st.column_config.NumberColumn("Net sentiment", format="%+.0f"),
                },
            )
        st.subheader("Largest themes")
        top = stats[stats["theme_id"] >= 0].head(8)
        st.dataframe(
            top[["theme", "volume", "share", "net_sentiment"]],
            hide_index=True,
            width="stretch",
            column_config={
                "theme": "Theme",
                "volume": st.column_config.NumberColumn("Volume", format="%d"),
                "share": st.column_config.NumberColumn("Share", format="percent"),
                "net_sentiment": st.column_config.NumberColumn("Net sentiment", format="%+.0f"),
            },
        )
    priority_section(ctx, stats)
