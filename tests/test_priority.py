"""Priority: severity formula, default efforts from causes, effort edits replayed, exports and the Overview matrix."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from voc.config import PipelineConfig, PriorityConfig
from voc.insights.priority import default_effort, prioritise, severity
from voc.insights.priority_store import efforts_from_edits, theme_efforts
from voc.paths import PROJECT_ROOT

FRAME = pd.DataFrame(
    {
        "theme_id": [1, 2, 3, 4],
        "share": [0.4, 0.2, 0.1, 0.05],
        "net_sentiment": [-80.0, -20.0, 50.0, -100.0],
        "impact": [-0.04, -0.01, 0.02, None],
        "churn_share": [0.1, 0.3, 0.0, None],
        "cause_people": [0.1, 0.6, 0.0, 0.0],
        "cause_process": [0.7, 0.1, 0.0, 0.0],
        "cause_technology": [0.2, 0.1, 0.9, 0.0],
    }
)


def test_severity_is_the_documented_weighted_mean():
    w = PriorityConfig().model_dump()
    got = severity(FRAME, w)
    # theme 1: volume 1, negativity 0.8, impact 1, churn 1/3
    expected = (
        w["volume_weight"] * 1 + w["negativity_weight"] * 0.8 + w["impact_weight"] * 1 + w["churn_weight"] / 3
    )
    assert got.iloc[0] == pytest.approx(expected / sum(w.values()))
    assert got.iloc[2] == pytest.approx(
        w["volume_weight"] * 0.25 / sum(w.values())
    )  # positive, raises the score
    only_churn = severity(FRAME, {"churn_weight": 1.0})
    assert only_churn.tolist() == pytest.approx([1 / 3, 1.0, 0.0, 0.0])


def test_default_effort_comes_from_the_dominant_cause():
    assert default_effort({"people": 0.6, "process": 0.1}) == "medium"
    assert default_effort({"process": 0.7, "technology": 0.2}) == "large"
    assert default_effort({"people": None, "process": 0.0}) == "medium"


def test_set_effort_wins_and_quadrants_follow():
    out = prioritise(FRAME, PriorityConfig().model_dump(), {2: "small"}).set_index("theme_id")
    assert out.loc[1, ["effort", "effort_source", "quadrant"]].tolist() == ["large", "default", "big bet"]
    assert out.loc[2, ["effort", "effort_source", "quadrant"]].tolist() == ["small", "set", "quick win"]
    assert out.loc[2, "priority"] == pytest.approx(out.loc[2, "severity"])
    assert out.loc[3, "effort"] == "medium"


def test_latest_effort_edit_wins():
    edits = pd.DataFrame({"edit_id": [1, 2, 3, 4], "op": ["effort", "rename", "effort", "effort"],
                          "payload": [{"theme_id": 5, "effort": "large"}, {"theme_id": 5, "label": "x"},
                                      {"theme_id": 5, "effort": "small"}, {"theme_id": 6, "effort": "huge"}]})  # fmt: skip
    assert efforts_from_edits(edits) == {5: "small"}


@pytest.mark.slow  # re-runs the demo pipeline over a copy of the demo store (minutes on 2 shared cores)
def test_effort_edit_survives_a_rerun_and_reaches_the_theme_export(demo_run, tmp_path):
    from voc.engine.local import run_pipeline
    from voc.export import export
    from voc.store import Store

    _, result = demo_run
    store = tmp_path / "copy.duckdb"
    shutil.copy(result.store_path, store)
    themes = Store(store, read_only=True).themes()
    tid = int(themes["theme_id"].iloc[0])
    Store(store).append_edit("effort", {"theme_id": tid, "effort": "small"}, actor="lead@example.com")
    run_pipeline(PipelineConfig.load(PROJECT_ROOT / "pipelines" / "demo.yaml", store={"path": str(store)}))
    assert theme_efforts(store)[tid] == "small"
    table = pd.read_csv(export(store, format="csv", out=tmp_path / "themes.csv", level="themes"))
    for col in ("stage_mix", "churn_share", "severity", "effort", "effort_source", "priority", "quadrant"):
        assert col in table.columns
    assert set(table["effort"]) <= {"small", "medium", "large"}
    assert table["severity"].between(0, 1).all()
    mine = table[table["theme_id"] == tid]
    if len(mine):  # the theme may be merged away by a later run; its edit is still replayed above
        assert mine[["effort", "effort_source"]].iloc[0].tolist() == ["small", "set"]
    assert table["stage_mix"].fillna("").str.contains("%").any()


def test_overview_shows_the_priority_matrix(demo_store, monkeypatch):
    monkeypatch.setenv("VOC_STORE", str(demo_store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Priority matrix" in [s.value for s in at.subheader]
    assert any(m.value in ("Quick wins", "**Quick wins**") or "Quick wins" in m.value for m in at.markdown)
