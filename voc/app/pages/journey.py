"""Journey: where along the customer journey feedback sits, how it feels there, why it breaks and who may leave."""

from __future__ import annotations

import streamlit as st

from voc.app import charts
from voc.app import journey_data as jd
from voc.app.context import Ctx
from voc.app.render import fmt_num


def render(ctx: Ctx) -> None:
    """Render the Journey page."""
    st.title("Journey")
    if not jd.has_columns(ctx.opts, "journey_stage"):
        st.info("This store has no journey stages: run the pipeline with the `journey` lens enabled.")
        return
    churn = jd.has_columns(ctx.opts, "churn_intent")
    stages = jd.by_stage(*ctx.args, churn)
    if stages.empty:
        st.info("No feedback with a journey stage matches the filters.")
        return
    cols = st.columns(3)
    cols[0].metric("Stages with feedback", len(stages))
    top = stages.iloc[0]
    cols[1].metric(
        "Largest stage", str(top["stage"]), help=f"{fmt_num(100 * top['share'], '{:.0f}%')} of the feedback"
    )
    if churn:
        cols[2].metric(
            "Satisfied but at risk",
            fmt_num(stages["satisfied_at_risk"].sum()),
            help="Rated high (stars or CSAT 4-5, NPS 7-10) yet saying they will leave",
        )
    st.subheader("Volume and net sentiment by stage")
    st.dataframe(
        stages.assign(
            share=100 * stages["share"], **({"churn_share": 100 * stages["churn_share"]} if churn else {})
        ),
        hide_index=True,
        column_config={
            "share": st.column_config.NumberColumn("share %", format="%.1f"),
            "net_sentiment": st.column_config.NumberColumn("net sentiment", format="%.0f"),
            "churn_share": st.column_config.NumberColumn("churn intent %", format="%.1f"),
        },
        key="journey_stage_table",
    )
    st.subheader("Where it breaks and why: stage × cause")
    grid = jd.stage_by_cause(*ctx.args)
    if grid.empty:
        st.info("No filtered feedback has a root cause.")
    else:
        charts.heat_map(grid[["stage", "cause", "documents"]], "cause", "stage", "documents")
    if churn:
        st.subheader("Churn intent by stage")
        charts.bar_chart(stages.set_index("stage")["churn_share"] * 100, 260)
        st.caption("Share (%) of each stage's feedback in which the customer says they will leave.")
    st.subheader("Stage × theme")
    stage = st.selectbox("Stage", stages["stage"].tolist(), key="journey_stage_pick")
    themes = jd.stage_by_theme(*ctx.args, stage)
    st.dataframe(
        themes.assign(share_of_stage=100 * themes["share_of_stage"]).drop(columns=["theme_id"]),
        hide_index=True,
        column_config={"share_of_stage": st.column_config.NumberColumn("share of stage %", format="%.1f")},
        key="journey_theme_table",
    )
