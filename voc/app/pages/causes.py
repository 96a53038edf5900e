"""Root causes: which cause (people, process, technology or the store's own labels), where, and since when?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from voc.app import charts, data, subcauses, texts
from voc.app.context import Ctx
from voc.app.pages import causes_drill
from voc.app.pages.common import stats_or_stop
from voc.app.render import fmt_num, quote_cards
from voc.metrics import cause_column


def render(ctx: Ctx) -> None:
    """Render the Root causes page."""
    st.title("Root causes")
    stats = stats_or_stop(ctx)
    labels = data.cause_labels(ctx.path, ctx.ver)
    cols = [cause_column(c) for c in labels]
    overall = data.totals(*ctx.args)
    for column, cause in zip(st.columns(len(labels)), labels):
        column.metric(
            cause.title(),
            fmt_num(100 * overall[cause_column(cause)], "{:.0f}%"),
            help="Share of the filtered feedback with a root-cause prediction that names this cause",
        )
    freq = st.radio("Granularity", ["week", "month"], horizontal=True, key="cause_freq")
    series = data.cause_series(*ctx.args, freq)
    a, b = st.columns(2)
    with a:
        st.subheader("Over time")
        if series.empty:
            st.info("No dated feedback matches the filters.")
        else:
            charts.line_chart(series.set_index("period")[cols].rename(columns=lambda c: c[6:]) * 100, 300)
            st.caption("Share of feedback (%) mentioning each cause.")
    with b:
        st.subheader("By theme")
        top = stats[stats["theme_id"] >= 0].head(15).copy()
        counts = pd.DataFrame({c: (top[cause_column(c)] * top["volume"]).round() for c in labels})
        counts.index = top["theme"]
        charts.bar_chart(counts, 300, horizontal=True)
        st.caption("Documents per cause in the 15 largest themes.")
    st.subheader("Top evidence per cause")
    recent = texts.recent_with_causes(*ctx.args, None, labels=tuple(labels))
    st.caption(f"The most confident evidence among the {len(recent)} newest filtered documents.")
    for tab, cause in zip(st.tabs([c.title() for c in labels]), labels):
        with tab:
            rows = texts.top_evidence(recent, cause, 5)
            if rows.empty:
                st.info(f"No filtered feedback is attributed to {cause}.")
            else:
                quote_cards(rows, only_cause=cause, css="voc-evidence")
    if subcauses.has_subcauses(ctx.path, ctx.ver):
        causes_drill.render_drilldown(ctx)
        causes_drill.render_misattributed(ctx)
