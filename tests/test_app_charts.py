"""The app's charts are plain Vega-Lite specs over long frames (voc.app.charts), not Altair objects."""

from __future__ import annotations

import pandas as pd

from voc.app.charts import bar_spec, heat_spec, line_spec, long_form


def test_long_form_of_a_wide_frame_keeps_every_point_and_drops_gaps():
    weeks = pd.to_datetime(["2026-01-05", "2026-01-12"])
    wide = pd.DataFrame({"Billing": [3, 4], "Login": [5.0, None]}, index=pd.Index(weeks, name="period"))
    long = long_form(wide)
    assert list(long.columns) == ["x", "series", "value"]
    assert len(long) == 3 and set(long["series"]) == {"Billing", "Login"}
    assert long.loc[long["series"] == "Login", "value"].tolist() == [5.0]
    assert long.loc[long["series"] == "Billing", "x"].tolist() == list(weeks)


def test_long_form_of_a_series_is_one_series_named_after_it():
    long = long_form(
        pd.Series([10.0, 20.0], index=pd.Index(["signup", "billing"], name="stage"), name="churn")
    )
    assert long["series"].unique().tolist() == ["churn"] and long["x"].tolist() == ["signup", "billing"]


def test_specs_encode_the_long_columns():
    weeks = pd.DataFrame({"a": [1], "b": [2]}, index=pd.to_datetime(["2026-01-05"]))
    line = line_spec(weeks, 300)
    assert line["encoding"]["x"]["type"] == "temporal" and line["encoding"]["color"]["field"] == "series"
    assert line["height"] == 300 and line["mark"]["type"] == "line"
    single = line_spec(weeks[["a"]], 200)
    assert "color" not in single["encoding"]  # one series: no legend
    bars = bar_spec(pd.DataFrame({"neg": [1], "pos": [2]}, index=["email"]), 220, horizontal=True)
    assert bars["encoding"]["x"]["field"] == "value" and bars["encoding"]["y"]["field"] == "x"
    assert bars["encoding"]["y"]["sort"] is None and bars["encoding"]["x"]["stack"] is True
    heat = heat_spec("cause", "stage", "documents")
    assert heat["encoding"]["color"]["field"] == "documents" and heat["mark"]["type"] == "rect"


def test_no_page_builds_altair_charts():

    from voc.paths import PROJECT_ROOT

    for path in (PROJECT_ROOT / "voc" / "app").rglob("*.py"):
        text = path.read_text()
        for call in ("st.line_chart(", "st.bar_chart(", "st.altair_chart(", "import altair"):
            assert call not in text, (
                f"{path.name} uses {call} (Altair validates every chart under a global lock)"
            )
