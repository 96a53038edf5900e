"""Helpers shared by the pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from voc.app import data
from voc.app.context import Ctx


def stats_or_stop(ctx: Ctx) -> pd.DataFrame:
    """theme_stats under the filter; show a hint and stop the page when nothing matches."""
    stats = data.theme_stats(*ctx.args)
    if stats.empty:
        st.info("No feedback matches the filters. Widen the date range or clear some filters in the sidebar.")
        st.stop()
    return stats


def theme_picker(ctx: Ctx, stats: pd.DataFrame, label: str = "Theme", key: str = "theme_sel") -> int | None:
    """A selectbox over the filtered themes (largest first), seeded from and written to ?theme=; None until one is picked."""
    real = stats[stats["theme_id"] >= 0]
    if real.empty:
        st.info("No themed feedback matches the filters.")
        return None
    ids = real["theme_id"].astype(int).tolist()
    names = dict(zip(ids, real["theme"]))
    if key not in st.session_state:
        try:
            wanted = int(st.query_params.get("theme", ""))
        except ValueError:
            wanted = None
        st.session_state[key] = wanted if wanted in ids else None
    elif st.session_state[key] is not None and st.session_state[key] not in ids:
        st.session_state[key] = None
    chosen = st.selectbox(
        label,
        ids,
        format_func=lambda i: f"{names.get(i, i)} ({int(real.loc[real.theme_id == i, 'volume'].iloc[0]):,})",
        key=key,
        placeholder="Choose a theme (largest first)",
    )
    if chosen is None:
        st.session_state.pop("theme_param", None)
    else:
        st.session_state["theme_param"] = str(chosen)
    return chosen
