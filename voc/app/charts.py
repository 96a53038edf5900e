"""Line, bar and heat-map charts as plain Vega-Lite specs, drawn with st.vega_lite_chart.

st.line_chart, st.bar_chart and st.altair_chart build an Altair chart per call and validate it against the
Vega-Lite JSON schema, under a lock Streamlit holds for every session at once (`_altair_globals_lock`): with
10 sessions opening the Trends page together, each waited for the others' schema walks. A spec written as a
dict skips all of that; the data goes out as the same Arrow frame, in long form (one row per point).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

X, SERIES, VALUE = "x", "series", "value"


def long_form(wide: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """Columns x, series, value from a frame (index = x, one column per series) or a series (one series)."""
    frame = wide.to_frame() if isinstance(wide, pd.Series) else wide
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    out = frame.rename_axis(X).reset_index().melt(id_vars=X, var_name=SERIES, value_name=VALUE)
    return out.dropna(subset=[VALUE])


def _x_type(index: pd.Index) -> str:
    if pd.api.types.is_datetime64_any_dtype(index):
        return "temporal"
    return "quantitative" if pd.api.types.is_numeric_dtype(index) else "nominal"


def _color(wide: pd.DataFrame | pd.Series) -> dict:
    several = isinstance(wide, pd.DataFrame) and wide.shape[1] > 1
    return {"color": {"field": SERIES, "type": "nominal", "title": None}} if several else {}


def line_spec(wide: pd.DataFrame | pd.Series, height: int) -> dict:
    """A line per column over the index (dates become a time axis)."""
    return {
        "height": height,
        "mark": {"type": "line", "tooltip": True},
        "encoding": {
            "x": {"field": X, "type": _x_type(wide.index), "title": None},
            "y": {"field": VALUE, "type": "quantitative", "title": None},
            **_color(wide),
        },
    }


def bar_spec(wide: pd.DataFrame | pd.Series, height: int, horizontal: bool = False) -> dict:
    """A bar per index value, the columns stacked in it; the index keeps its order."""
    category = {"field": X, "type": "nominal", "title": None, "sort": None}
    value = {"field": VALUE, "type": "quantitative", "title": None, "stack": True}
    return {
        "height": height,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": value if horizontal else category,
            "y": category if horizontal else value,
            **_color(wide),
        },
    }


def heat_spec(x: str, y: str, value: str, scheme: str = "reds") -> dict:
    """A heat map of `value` over the x and y columns of a long frame."""
    return {
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {"field": x, "type": "nominal", "title": x},
            "y": {"field": y, "type": "nominal", "title": y},
            "color": {"field": value, "type": "quantitative", "scale": {"scheme": scheme}},
        },
    }


def line_chart(wide: pd.DataFrame | pd.Series, height: int = 300) -> None:
    """Draw line_spec (the st.line_chart of a wide frame)."""
    st.vega_lite_chart(long_form(wide), line_spec(wide, height), width="stretch")


def bar_chart(wide: pd.DataFrame | pd.Series, height: int = 300, horizontal: bool = False) -> None:
    """Draw bar_spec, stacked (the st.bar_chart of a wide frame)."""
    st.vega_lite_chart(long_form(wide), bar_spec(wide, height, horizontal), width="stretch")


def heat_map(frame: pd.DataFrame, x: str, y: str, value: str) -> None:
    """Draw heat_spec over a long frame."""
    st.vega_lite_chart(frame, heat_spec(x, y, value), width="stretch")
