"""Root causes, one level deeper: the drill-down cause -> sub-cause with evidence, and the misattributed-blame view."""

from __future__ import annotations

import streamlit as st

from voc.app import charts, subcauses
from voc.app.context import Ctx
from voc.app.render import fmt_num, quote_cards


def render_drilldown(ctx: Ctx) -> None:
    """Failure points under a chosen cause, and the evidence quotes of a chosen failure point."""
    st.subheader("Failure points (sub-causes)")
    counts = subcauses.subcause_counts(*ctx.args)
    if counts.empty:
        st.info("No filtered feedback has a sub-cause prediction.")
        return
    causes = [c for c in ("people", "process", "technology", "other") if c in set(counts["cause"])]
    cause = st.radio("Cause", causes, horizontal=True, key="subcause_cause", format_func=str.title)
    rows = counts[counts["cause"] == cause]
    chart = rows.set_index("subcause")["share"] * 100
    charts.bar_chart(chart, 220, horizontal=True)
    st.caption(
        "Share (%) of the filtered feedback with a sub-cause prediction that names each failure point."
    )
    sub = st.selectbox("Failure point", rows["subcause"].tolist(), key="subcause_pick",
                       format_func=lambda s: s.replace("_", " "))  # fmt: skip
    quotes = subcauses.evidence(*ctx.args, sub)
    if quotes.empty:
        st.info(f"No filtered feedback is attributed to {sub}.")
    else:
        st.caption(
            f"Evidence for {cause} → {sub.replace('_', ' ')}: the most confident of the newest documents."
        )
        quote_cards(quotes, only_cause=sub, css="voc-subcause-evidence")


def render_misattributed(ctx: Ctx) -> None:
    """Themes where customers blame one capability and the evidence points to another, ranked by volume."""
    st.subheader("Misattributed blame")
    table = subcauses.misattributed(*ctx.args)
    if table.empty:
        st.info("No theme has feedback where the blamed capability and the likely cause differ.")
        return
    st.caption(
        "Themes where customers blame one capability but the evidence points to another "
        "(documents whose likely cause is not among the blamed ones), most documents first."
    )
    view = table.assign(
        share=table["share_misattributed"].map(lambda v: fmt_num(100 * v, "{:.0f}%")),
        points_to=table["likely_cause"] + ": " + table["likely_subcause"].fillna("").str.replace("_", " "),
    )[["theme", "misattributed", "documents", "share", "customers_blame", "points_to"]]
    st.dataframe(view, hide_index=True, width="stretch", key="misattributed_table")
