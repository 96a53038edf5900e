"""On a store: effort and a confirmed cause set on a theme that is then merged show on the survivor in the Overview
priority matrix and the theme, Markdown and Jira exports; the latest run's `priority:` weights order the export."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bench.sample_store import build_sample_store
from voc.config import PipelineConfig
from voc.export import export
from voc.insights.cause_map import cause_payload
from voc.paths import PROJECT_ROOT
from voc.store import Store

NOTE = "taken from merged theme #5; merged themes disagree: #4 large"


@pytest.fixture
def merged_store(tmp_path):
    """The sample store with effort large on theme 4, effort small and a confirmed cause on 5, then 4 and 5
    merged into 2 ("Login problems", which had no settings of its own)."""
    path = build_sample_store(tmp_path / "sample.duckdb", n=120)
    store = Store(path)
    store.append_edit("effort", {"theme_id": 4, "effort": "large"}, actor="lead@example.com")
    store.append_edit("effort", {"theme_id": 5, "effort": "small"}, actor="lead@example.com")
    store.append_edit(
        "cause", cause_payload(5, "technology", "app_errors", "crash on start"), actor="lead@example.com"
    )
    store.append_edit("merge", {"theme_ids": [2, 4, 5], "into": 2}, actor="lead@example.com")
    return path


def test_overview_matrix_shows_the_merged_effort_and_the_conflict(merged_store, monkeypatch):
    monkeypatch.setenv("VOC_STORE", str(merged_store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(df.value for df in at.dataframe if "effort_note" in df.value.columns).set_index("theme_id")
    assert 4 not in table.index and 5 not in table.index  # merged away at read time
    assert table.loc[2, ["effort", "effort_source", "effort_note"]].tolist() == ["small", "merged", NOTE]
    assert (table.drop(index=2)["effort_source"] == "default").all()


def test_theme_markdown_and_jira_exports_show_the_merged_settings(merged_store, tmp_path):
    table = pd.read_csv(export(merged_store, format="csv", out=tmp_path / "t.csv", level="themes")).set_index(
        "theme_id"
    )
    assert table.loc[2, ["effort", "effort_source", "effort_note"]].tolist() == ["small", "merged", NOTE]
    md = export(merged_store, format="md", out=tmp_path / "t.md").read_text(encoding="utf-8")
    section = (
        md.split("## Login problems", 1)[1].split("\n## ", 1)[0].replace("\\#", "#")
    )  # Markdown escapes #
    assert "Confirmed root cause: technology, app errors (taken from merged theme #5)." in section
    assert f"effort small (merged; {NOTE})" in section
    jira = pd.read_csv(export(merged_store, format="jira", out=tmp_path / "j.csv"))
    login = jira[jira["Summary"].str.startswith("Login problems")]["Description"].item()
    assert "Confirmed root cause: technology, app errors (taken from merged theme #5)." in login
    assert "effort small (merged" in login


def test_voc_export_applies_the_logs_merges_and_renames_as_the_app_does(merged_store, tmp_path):
    Store(merged_store).append_edit("rename", {"theme_id": 2, "label": "Sign-in failures"}, actor="lead")
    table = pd.read_csv(export(merged_store, format="csv", out=tmp_path / "t.csv", level="themes"))
    assert not {4, 5} & set(table["theme_id"])  # merged away in the log only: one row, not three
    merged = table.set_index("theme_id").loc[2]
    assert merged["theme"] == "Sign-in failures"
    with duckdb.connect(str(merged_store), read_only=True) as con:
        docs = con.execute("SELECT count(*) FROM predictions WHERE theme_id IN (2, 4, 5)").fetchone()[0]
    assert merged["volume"] == docs


def test_the_latest_runs_priority_weights_order_the_export(tmp_path):
    path = build_sample_store(tmp_path / "sample.duckdb", n=120)  # its run recorded no config: the defaults

    def order(name: str) -> list[int]:
        table = pd.read_csv(export(path, format="csv", out=tmp_path / name, level="themes"))
        return table.sort_values(["severity", "theme_id"], ascending=[False, True])[
            "theme_id"
        ].tolist(), table

    before, _ = order("before.csv")
    yaml_path = tmp_path / "negativity.yaml"
    yaml_path.write_text(
        "priority:\n  volume_weight: 0\n  negativity_weight: 1\n  impact_weight: 0\n  churn_weight: 0\n",
        encoding="utf-8",
    )
    cfg = PipelineConfig.load(yaml_path)
    store = Store(path)
    run_id = store.begin_run(cfg.config_hash(), cfg.model_dump(mode="json"), [], run_id="weights-run")
    store.finish_run(run_id, "done")
    after, table = order("after.csv")
    assert after != before
    negative = (
        table[table["net_sentiment"] < 0].sort_values(["net_sentiment", "theme_id"])["theme_id"].tolist()
    )
    assert len(negative) >= 3 and after[: len(negative)] == negative  # severity is now negativity alone
    neg = table.set_index("theme_id").loc[negative]
    assert neg["severity"].tolist() == pytest.approx((-neg["net_sentiment"] / 100).tolist(), abs=1e-3)


def test_the_app_export_page_theme_csv_carries_priority_and_the_merged_effort(merged_store):
    import io

    from voc.app.exports import theme_bytes

    labels = {1: "Billing errors", 2: "Login problems", 3: "Friendly support staff", 6: "Pricing"}
    csv = theme_bytes(merged_store, "csv", labels=labels, canonical={4: 2, 5: 2})  # as the Export page passes
    table = pd.read_csv(io.BytesIO(csv)).set_index("theme_id")
    assert 4 not in table.index and 5 not in table.index
    assert table.loc[2, ["effort", "effort_source", "effort_note"]].tolist() == ["small", "merged", NOTE]
    assert table["severity"].between(0, 1).all() and table["quadrant"].notna().all()


def test_manage_page_lists_carried_settings_and_conflicts(merged_store, monkeypatch):
    monkeypatch.setenv("VOC_STORE", str(merged_store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["page"] = "manage"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(df.value for df in at.dataframe if "cause_note" in df.value.columns).set_index("theme")
    assert table.loc["Login problems"].tolist() == [
        "small",
        NOTE,
        "technology, app errors",
        "taken from merged theme #5",
    ]
    assert len(table) == 1  # themes 4 and 5 are merged away; no other theme has a setting
