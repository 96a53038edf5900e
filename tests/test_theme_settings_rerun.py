"""Effort and a confirmed cause set on a demo theme, which is then merged into another, survive a real re-run:
they show on the surviving theme in the Overview priority matrix, the theme export, the Markdown and Jira exports
and the taxonomy YAML."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from voc.config import PipelineConfig
from voc.insights.cause_map import add_causes_to_yaml, cause_payload, store_confirmed_causes
from voc.paths import PROJECT_ROOT
from voc.store import Store


@pytest.mark.slow  # re-runs the demo pipeline over a copy of the demo store (minutes on 2 shared cores)
def test_effort_and_cause_follow_a_merge_through_a_rerun(demo_run, tmp_path, monkeypatch):
    from voc.engine.local import run_pipeline
    from voc.export import export
    from voc.lenses.themes import export_taxonomy

    store = tmp_path / "copy.duckdb"
    shutil.copy(demo_run[1].store_path, store)
    themes = Store(store, read_only=True).themes()
    kids = themes[(themes["level"] == 1) & (themes["theme_id"] > 0)].sort_values(
        ["size", "theme_id"], ascending=False
    )
    keep, gone = (int(t) for t in kids["theme_id"].iloc[:2])
    edits = Store(store)
    edits.append_edit("effort", {"theme_id": gone, "effort": "small"}, actor="lead@example.com")
    edits.append_edit(
        "cause", cause_payload(gone, "technology", "login", "SSO tokens expire"), actor="lead@example.com"
    )
    edits.append_edit("merge", {"theme_ids": [keep, gone], "into": keep}, actor="lead@example.com")
    run_pipeline(PipelineConfig.load(PROJECT_ROOT / "pipelines" / "demo.yaml", store={"path": str(store)}))

    after = Store(store, read_only=True).themes(include_retired=True).set_index("theme_id")
    assert after.loc[keep, "status"] == "active" and after.loc[gone, "status"] == "retired"
    note = f"taken from merged theme #{gone}"
    table = pd.read_csv(export(store, format="csv", out=tmp_path / "t.csv", level="themes")).set_index(
        "theme_id"
    )
    assert gone not in table.index
    assert table.loc[keep, ["effort", "effort_source", "effort_note"]].tolist() == ["small", "merged", note]
    cause_line = f"confirmed root cause: technology, login ({note})."  # after "Customers blame ..."
    label = str(table.loc[keep, "theme"])
    md = export(store, format="md", out=tmp_path / "t.md").read_text(encoding="utf-8").replace("\\#", "#")
    section = md.split(f"\n## {label}\n", 1)[1].split("\n## ", 1)[0]
    assert cause_line in section and f"effort small (merged; {note})" in section
    jira = pd.read_csv(export(store, format="jira", out=tmp_path / "j.csv"))
    row = jira[jira["Summary"].str.startswith(f"{label}:")]
    assert len(row) == 1 and cause_line in row["Description"].item()

    taxonomy = add_causes_to_yaml(export_taxonomy(after.reset_index()), store_confirmed_causes(store))
    entries = {e["id"]: e for e in _walk(yaml.safe_load(taxonomy)["themes"])}
    assert entries[keep]["root_cause"] == {
        "cause": "technology", "subcause": "login", "note": "SSO tokens expire", "merge_note": note
    }  # fmt: skip

    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    matrix = next(df.value for df in at.dataframe if "effort_note" in df.value.columns).set_index("theme_id")
    assert matrix.loc[keep, ["effort", "effort_source", "effort_note"]].tolist() == ["small", "merged", note]


def _walk(entries: list[dict]):
    for entry in entries or []:
        yield entry
        yield from _walk(entry.get("children"))


@pytest.mark.slow  # re-runs the demo pipeline over a copy of the demo store (minutes on 2 shared cores)
def test_effort_and_cause_follow_a_theme_the_rerun_retires(demo_run, tmp_path):
    """A stored theme the identity matcher no longer recognises (its stored centroid turned around, as if the
    theme had drifted away) is retired by the re-run; its effort and cause move to the theme that took its
    documents, which says so, and the re-run's edit log records where it went."""
    from voc.engine.local import run_pipeline
    from voc.export import export
    from voc.insights.priority_store import store_effort_settings

    store = tmp_path / "copy.duckdb"
    shutil.copy(demo_run[1].store_path, store)
    themes = Store(store, read_only=True).themes()
    kids = themes[(themes["level"] == 1) & (themes["theme_id"] > 0)].sort_values(
        ["size", "theme_id"], ascending=False
    )
    gone = int(kids["theme_id"].iloc[0])
    edits = Store(store)
    edits.append_edit("effort", {"theme_id": gone, "effort": "small"}, actor="lead@example.com")
    edits.append_edit("cause", cause_payload(gone, "process", None, "rota gaps"), actor="lead@example.com")
    drifted = themes[themes["theme_id"] == gone][["theme_id", "centroid"]].copy()
    drifted["centroid"] = [-(c.astype("float32")) for c in drifted["centroid"]]
    edits.write_themes(drifted)
    run_pipeline(PipelineConfig.load(PROJECT_ROOT / "pipelines" / "demo.yaml", store={"path": str(store)}))

    after = Store(store, read_only=True)
    assert after.themes(include_retired=True).set_index("theme_id").loc[gone, "status"] == "retired"
    log = after.edits()
    record = next(p for op, p in zip(log["op"], log["payload"]) if op == "retire" and p["theme_id"] == gone)
    heir = record["successor"]
    assert heir is not None and heir != gone and record["share"] > 0.5
    effort = store_effort_settings(store)[heir]
    assert (effort.value, effort.source, effort.origin) == ("small", "inherited", gone)
    note = f"inherited from retired theme #{gone}"
    table = pd.read_csv(export(store, format="csv", out=tmp_path / "t2.csv", level="themes"))
    table = table.set_index("theme_id")
    assert table.loc[heir, ["effort", "effort_source"]].tolist() == ["small", "inherited"]
    assert str(table.loc[heir, "effort_note"]).startswith(note)
    assert store_confirmed_causes(store)[heir]["merge_note"].startswith(note)
