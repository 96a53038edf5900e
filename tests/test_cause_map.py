"""Cause map per theme: an editor's confirmed root cause in the edit log, replayed, and the report lines that
say whom customers blame and the confirmed (or suggested likely) cause, routed to that cause's owner."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bench.sample_store import build_sample_store
from voc.errors import InputError
from voc.export.themes import _jira_description, markdown_report
from voc.insights.blame import theme_blame
from voc.insights.cause_map import cause_payload, confirmed_causes, store_confirmed_causes
from voc.lenses.themes.edits import apply_edits
from voc.paths import PROJECT_ROOT
from voc.store import Store


def _members() -> pd.DataFrame:
    blamed = [["people"]] * 7 + [["technology"]] * 3
    likely = ["technology"] * 8 + ["people"] * 2
    subs = ["records_crm"] * 8 + ["rude"] * 2
    return pd.DataFrame({"blamed": blamed, "likely_cause": likely, "likely_subcause": subs})


def test_unconfirmed_theme_shows_the_likely_mix_as_a_suggestion():
    b = theme_blame(_members())
    assert b["line"].startswith(
        "customers blame people in 70% of mentions; likely cause (suggestion, not confirmed)"
    )
    assert "technology 80%" in b["line"] and "records crm" in b["line"]
    assert b["owner"] == "Product / engineering"  # the likely cause's owner, not the blamed one's


def test_confirmed_cause_wins_and_routes():
    b = theme_blame(
        _members(), {"cause": "process", "subcause": "conflicting_info", "note": "kb out of date"}
    )
    assert (
        b["line"]
        == "customers blame people in 70% of mentions; confirmed root cause: process, conflicting info"
    )
    assert b["owner"] == "Operations"


def _summary(blame: dict) -> dict:
    return {"label": "Calls after opt-out", "volume": 10, "share": 0.1, "trend": None, "net_sentiment": -80.0,
            "suggested_owner": blame["owner"], "summary": ["Calls after opting out."], "cause_mix": {},
            "impact": None, "keywords": [], "quotes": [], "alerts": [], "blame": blame}  # fmt: skip


def test_markdown_and_jira_say_blame_and_confirmed_cause():
    s = _summary(theme_blame(_members(), {"cause": "technology", "subcause": "records_crm"}))
    md = markdown_report([s])
    assert "Customers blame people in 70% of mentions; confirmed root cause: technology, records crm." in md
    assert "suggested owner: **Product / engineering**" in md
    assert "confirmed root cause: technology, records crm" in _jira_description(s)


def test_cause_edit_is_logged_and_replayed(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.append_edit("rename", {"theme_id": 1, "label": "Opt-out calls"}, actor="lead@example.com")
    store.append_edit(
        "cause",
        cause_payload(1, "technology", "records_crm", "opt-outs not synced"),
        actor="lead@example.com",
    )
    store.append_edit("cause", cause_payload(2, "process"), actor="lead@example.com")
    got = store_confirmed_causes(tmp_path / "s.duckdb")
    assert got[1]["cause"] == "technology" and got[1]["subcause"] == "records_crm"
    assert got[1]["note"] == "opt-outs not synced" and got[1]["actor"] == "lead@example.com"
    assert got[2] == {**got[2], "cause": "process", "subcause": None}
    themes = pd.DataFrame({"theme_id": [1, 2], "label": ["a", "b"], "status": ["active"] * 2, "user_label": [None] * 2,
                           "pinned": [False] * 2})  # fmt: skip
    edited, _ = apply_edits(
        themes, pd.DataFrame({"doc_id": [], "theme_id": []}), Store(tmp_path / "s.duckdb").edits()
    )
    assert edited.loc[edited["theme_id"] == 1, "user_label"].item() == "Opt-out calls"
    with pytest.raises(InputError, match="not one of"):
        cause_payload(1, "weather")
    later = confirmed_causes(Store(tmp_path / "s.duckdb").edits())
    assert later == got  # read again (as a later run does): the same map


def test_manage_page_confirms_a_theme_cause(tmp_path, monkeypatch):
    path = build_sample_store(tmp_path / "sample.duckdb", n=120)
    monkeypatch.setenv("VOC_STORE", str(path))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    at.query_params["page"] = "manage"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tid = at.selectbox(key="cause_theme").value
    at.selectbox(key="cause_cause").set_value("technology").run()
    at.selectbox(key="cause_sub").set_value("records_crm")
    at.text_input(key="cause_note").input("Opt-outs not synced from the web form")
    at.button(key="cause_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    got = store_confirmed_causes(path)
    assert list(got) == [int(tid)]
    entry = next(iter(got.values()))
    assert (
        entry["cause"] == "technology"
        and entry["subcause"] == "records_crm"
        and entry["note"].startswith("Opt-outs")
    )


def test_cause_map_round_trips_through_taxonomy_yaml(tmp_path):
    from voc.insights.cause_map import add_causes_to_yaml, cause_edits_from_yaml

    text = "version: 1\nthemes:\n- id: 1\n  label: calls\n  children:\n  - id: 4\n    label: opt-out calls\n- id: 2\n  label: bills\n"
    confirmed = {4: {"cause": "technology", "subcause": "records_crm", "note": "web form not synced"}}
    out = add_causes_to_yaml(text, confirmed)
    assert "root_cause:" in out and "records_crm" in out and "web form not synced" in out
    assert cause_edits_from_yaml(out, confirmed) == []  # unchanged: nothing to record
    edited = out.replace("records_crm", "app_errors")
    assert cause_edits_from_yaml(edited, confirmed) == [
        {"theme_id": 4, "cause": "technology", "subcause": "app_errors", "note": "web form not synced"}
    ]
    with pytest.raises(InputError, match="not one of"):
        cause_edits_from_yaml(out.replace("cause: technology", "cause: luck"), {})
