"""At risk: customers who say they will leave, newest first, with what they ask for; a CSV for a win-back team."""

from __future__ import annotations

import streamlit as st

from voc.app import journey_data as jd
from voc.app.context import Ctx


def render(ctx: Ctx) -> None:
    """Render the At-risk page."""
    st.title("At risk")
    if not jd.has_columns(ctx.opts, "churn_intent"):
        st.info("This store has no churn signals: run the pipeline with the `churn` lens enabled.")
        return
    satisfied = st.toggle(
        "Satisfied but at risk only",
        key="atrisk_satisfied",
        help="Rated high (stars or CSAT 4-5, NPS 7-10) yet saying they will leave",
    )
    rows = jd.at_risk(*ctx.args, satisfied)
    a, b = st.columns(2)
    a.metric("At-risk documents", f"{len(rows):,}" + ("+" if len(rows) >= jd.AT_RISK_ROWS else ""))
    if not satisfied:
        b.metric("Satisfied but at risk", f"{int(jd.at_risk(*ctx.args, True).shape[0]):,}")
    if rows.empty:
        st.info("No filtered feedback shows churn intent.")
        return
    st.download_button(
        "Download CSV", rows.to_csv(index=False).encode("utf-8"), "at_risk.csv", "text/csv", key="atrisk_csv"
    )
    shown = [
        "date",
        "theme",
        "journey_stage",
        "causes",
        "asks_for",
        "rating",
        "rating_scale",
        "channel",
        "text",
    ]
    st.dataframe(rows[shown], hide_index=True, key="atrisk_table")
