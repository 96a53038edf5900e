"""The priority matrix (Overview) and the effort form (Manage themes): severity against effort, by theme."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from voc.app import data
from voc.app import journey_data as jd
from voc.app import subcauses as sc
from voc.app.context import Ctx
from voc.app.store_access import open_store
from voc.insights.cause_map import confirmed_causes
from voc.insights.priority import CAUSE_EFFORT, EFFORTS, PRIORITY_COLUMNS, SUBCAUSE_EFFORT, prioritise
from voc.insights.priority_store import effort_settings, weights_from_runs


@st.cache_data(show_spinner=False, max_entries=8)
def priority_weights(path: str, file_ver: str) -> dict[str, float]:
    """The severity weights of the store's latest finished run (its `priority:` section), else the defaults."""
    return weights_from_runs(open_store(path).runs())


MATRIX_FIELDS = ("theme", "severity", "effort", "effort_source", "effort_note", "volume", "quadrant")
MATRIX_SPEC = {  # a plain Vega-Lite spec (see voc.app.charts): only the matrix's own columns are sent
    "mark": {"type": "circle", "opacity": 0.7},
    "encoding": {
        "x": {"field": "effort", "type": "nominal", "sort": list(EFFORTS), "title": "effort to fix"},
        "y": {"field": "severity", "type": "quantitative", "title": "severity"},
        "size": {"field": "volume", "type": "quantitative", "legend": None},
        "color": {"field": "quadrant", "type": "nominal"},
        "tooltip": [{"field": f} for f in MATRIX_FIELDS[:6]],
    },
}


def priority_frame(ctx: Ctx, stats: pd.DataFrame) -> pd.DataFrame:
    """The filtered themes with impact, churn share, severity, effort (set or default), priority and quadrant."""
    themes = stats[stats["theme_id"] >= 0].copy()
    if themes.empty:
        return themes
    impact = data.impact(*ctx.args)
    themes = themes.merge(impact[["theme_id", "impact"]], on="theme_id", how="left")
    if jd.has_columns(ctx.opts, "churn_intent"):
        themes = themes.merge(jd.theme_churn(*ctx.args), on="theme_id", how="left")
    if sc.has_subcauses(ctx.path, ctx.ver):
        themes = themes.merge(sc.theme_tech_subcause(*ctx.args), on="theme_id", how="left")
    edits = data.themes_and_edits(ctx.path, ctx.file_ver)[1]
    weights = st.session_state.get("priority_weights") or priority_weights(ctx.path, ctx.file_ver)
    return prioritise(themes, weights, effort_settings(edits), confirmed_causes(edits))


def priority_section(ctx: Ctx, stats: pd.DataFrame) -> None:
    """Severity vs effort bubbles by theme, with the quick wins and big bets listed."""
    st.subheader("Priority matrix")
    frame = priority_frame(ctx, stats)
    if frame.empty:
        st.info("No themed feedback matches the filters.")
        return
    weights = st.session_state.get("priority_weights") or priority_weights(ctx.path, ctx.file_ver)
    shown = ", ".join(f"{k.removesuffix('_weight')} {v:g}" for k, v in weights.items())
    st.caption(
        f"Severity (0-1) weighs volume share, negativity, driver impact and churn share ({shown}: `priority:` "
        "in the latest run's pipeline config). Effort is set per theme on Manage themes (kept through merges and "
        "splits); otherwise it defaults from the confirmed or dominant cause and, for technology, the sub-cause."
    )
    st.vega_lite_chart(frame[list(MATRIX_FIELDS)], MATRIX_SPEC, width="stretch")
    cols = st.columns(2)
    for column, quadrant, title in ((cols[0], "quick win", "Quick wins"), (cols[1], "big bet", "Big bets")):
        rows = frame[frame["quadrant"] == quadrant].sort_values("severity", ascending=False)
        with column:
            st.markdown(f"**{title}**")
            if rows.empty:
                st.caption("None under the current filters.")
            else:
                st.dataframe(
                    rows[["theme", "severity", "effort", "effort_source"]],
                    hide_index=True,
                    key=f"prio_{quadrant}",
                )
    with st.expander("All themes by priority"):
        cols = ["theme_id", "theme", *PRIORITY_COLUMNS]
        st.dataframe(frame.sort_values("priority", ascending=False)[cols], hide_index=True, key="prio_all")


def effort_form(ctx: Ctx, table: pd.DataFrame, fmt: Callable, submit: Callable) -> None:
    """An editor's form that sets a theme's effort (small / medium / large) as an `effort` edit."""
    ids = table["theme_id"].astype(int).tolist()
    names = dict(zip(ids, table["display_label"]))
    current = effort_settings(data.themes_and_edits(ctx.path, ctx.file_ver)[1])
    with st.form("effort_form", clear_on_submit=True):
        st.subheader("Effort to fix")
        tid = st.selectbox("Theme", ids, format_func=fmt, key="effort_theme")
        effort = st.radio("Effort", list(EFFORTS), horizontal=True, key="effort_value")
        by_cause = ", ".join(f"{c}: {e}" for c, e in CAUSE_EFFORT.items() if c != "technology")
        by_sub = ", ".join(f"{s.replace('_', ' ')} {e}" for s, e in SUBCAUSE_EFFORT.items())
        st.caption(
            f"Used by the priority matrix. Unset themes default from their confirmed or dominant cause ({by_cause}; "
            f"technology by sub-cause: {by_sub}). A merged theme keeps its own effort, else takes the merged "
            f"themes' (a disagreement is shown); split themes inherit it. Set now: {len(current)} theme(s)."
        )
        if st.form_submit_button("Set effort"):
            submit(ctx, "effort", {"theme_id": int(tid), "effort": effort}, f"{names[tid]} effort → {effort}")
