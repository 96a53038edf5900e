"""Theme-level settings (effort, confirmed cause) follow their theme through merges and splits; priority weights
come from the latest run's `priority:` section; technology's default effort comes from the sub-cause."""

from __future__ import annotations

import pandas as pd
import pytest

from voc.config import PipelineConfig, PriorityConfig
from voc.errors import ConfigError
from voc.insights.cause_map import add_causes_to_yaml, cause_edits_from_yaml, cause_payload, confirmed_causes
from voc.insights.priority import SUBCAUSE_EFFORT, default_effort, prioritise, with_priority
from voc.insights.priority_store import effort_settings, efforts_from_edits, weights_from_runs
from voc.lenses.subcause_taxonomy import load_subcause_taxonomy


def _log(*edits: tuple[str, dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "edit_id": range(1, len(edits) + 1),
            "at": pd.Timestamp("2026-12-02"),
            "op": [op for op, _ in edits],
            "payload": [p for _, p in edits],
            "actor": "lead@example.com",
        }
    )


def _merge(into: int, *others: int) -> tuple[str, dict]:
    return "merge", {"theme_ids": [into, *others], "into": into}


def test_merged_theme_effort_moves_to_the_survivor_marked_merged():
    got = effort_settings(_log(("effort", {"theme_id": 3, "effort": "small"}), _merge(7, 3)))
    assert set(got) == {7}
    assert (got[7].value, got[7].source, got[7].origin, got[7].conflicts) == ("small", "merged", 3, ())
    assert efforts_from_edits(_log(("effort", {"theme_id": 3, "effort": "small"}), _merge(7, 3))) == {
        7: "small"
    }


def test_survivor_keeps_its_own_effort_and_the_other_is_shown_as_a_conflict():
    log = _log(
        ("effort", {"theme_id": 7, "effort": "medium"}),
        ("effort", {"theme_id": 3, "effort": "small"}),
        _merge(7, 3),
    )
    got = effort_settings(log)[7]
    assert (got.value, got.source, got.conflicts) == ("medium", "set", ((3, "small"),))
    frame = pd.DataFrame({"theme_id": [7], "share": [0.5], "net_sentiment": [-50.0], "cause_people": [1.0]})
    row = prioritise(frame, PriorityConfig().model_dump(), effort_settings(log)).iloc[0]
    assert row["effort"] == "medium" and row["effort_source"] == "set"
    assert row["effort_note"] == "merged themes disagree: #3 small"


def test_two_merged_themes_that_disagree_give_the_latest_and_show_the_other():
    log = _log(
        ("effort", {"theme_id": 3, "effort": "small"}),
        ("effort", {"theme_id": 4, "effort": "large"}),
        _merge(7, 3, 4),
    )
    got = effort_settings(log)[7]
    assert (got.value, got.source, got.origin, got.conflicts) == ("large", "merged", 4, ((3, "small"),))
    # a later edit on the survivor settles it: its own value, no conflict left
    settled = effort_settings(
        _log(*[(r.op, r.payload) for r in log.itertuples()], ("effort", {"theme_id": 7, "effort": "small"}))
    )
    assert (settled[7].value, settled[7].source, settled[7].conflicts) == ("small", "set", ())


def test_an_edit_on_a_theme_already_merged_applies_to_its_survivor_and_chains_follow():
    log = _log(_merge(7, 3), ("effort", {"theme_id": 3, "effort": "large"}), _merge(9, 7))
    got = effort_settings(log)
    assert set(got) == {9} and (got[9].value, got[9].source) == ("large", "merged")


def test_split_children_inherit_unless_they_have_their_own():
    log = _log(
        ("cause", cause_payload(5, "technology", "records_crm", "opt-outs not synced")),
        ("split", {"theme_id": 5, "k": 2, "new_ids": [20, 21]}),
        ("cause", cause_payload(21, "process", "policy_fees")),
        ("split", {"theme_id": 6, "k": 2}),  # no reserved ids: no children known, nothing inherited
    )
    got = confirmed_causes(log)
    assert got[20]["cause"] == "technology" and got[20]["subcause"] == "records_crm"
    assert got[20]["source"] == "inherited" and got[20]["merge_note"] == "inherited from split theme #5"
    assert got[21]["cause"] == "process" and got[21]["source"] == "set"
    assert set(got) == {5, 20, 21}


def test_cause_conflicts_compare_cause_and_subcause_not_the_note():
    log = _log(
        ("cause", cause_payload(3, "technology", "records_crm", "web form")),
        ("cause", cause_payload(4, "technology", "records_crm", "")),
        ("cause", cause_payload(5, "process", "conflicting_info")),
        _merge(7, 3, 4, 5),
    )
    got = confirmed_causes(log)[7]
    assert (got["cause"], got["subcause"], got["source"], got["origin"]) == (
        "process",
        "conflicting_info",
        "merged",
        5,
    )
    assert got["conflicts"] == [(3, "technology, records crm"), (4, "technology, records crm")]
    assert got["merge_note"].startswith("taken from merged theme #5; merged themes disagree: #3 technology")


def test_merged_cause_reaches_the_taxonomy_yaml_and_reimports_as_no_change():
    confirmed = confirmed_causes(
        _log(("cause", cause_payload(3, "technology", "records_crm", "web form")), _merge(7, 3))
    )
    text = (
        "version: 1\nthemes:\n- id: 7\n  label: calls after opt-out\n- id: 3\n  label: unsubscribe ignored\n"
    )
    out = add_causes_to_yaml(text, confirmed)
    import yaml

    entries = {e["id"]: e for e in yaml.safe_load(out)["themes"]}
    assert entries[7]["root_cause"]["cause"] == "technology"
    assert entries[7]["root_cause"]["merge_note"] == "taken from merged theme #3"
    assert "root_cause" not in entries[3]
    assert cause_edits_from_yaml(out, confirmed) == []


def test_every_technology_subcause_has_a_default_effort():
    tax = load_subcause_taxonomy()
    assert set(SUBCAUSE_EFFORT) == {n for n in tax.names if tax.parents[n] == "technology"}
    assert default_effort({"technology": 0.8}, "app_errors") == "small"
    assert default_effort({"technology": 0.8}, "outage") == "large"
    assert default_effort({"technology": 0.8}) == "medium"  # no sub-cause: the cause's default
    assert default_effort({"process": 0.8}, "app_errors") == "large"  # the sub-cause refines technology only


def test_default_effort_is_marked_and_says_why():
    frame = pd.DataFrame(
        {
            "theme_id": [1, 2, 3],
            "share": [0.3, 0.3, 0.3],
            "net_sentiment": [-50.0] * 3,
            "cause_technology": [0.9, 0.9, 0.9],
            "cause_process": [0.1, 0.1, 0.1],
            "tech_subcause": ["app_errors", "outage", None],
        }
    )
    confirmed = {3: {"cause": "technology", "subcause": "self_service"}}
    out = prioritise(frame, PriorityConfig().model_dump(), {}, confirmed).set_index("theme_id")
    assert out["effort"].tolist() == ["small", "large", "small"]
    assert set(out["effort_source"]) == {"default"}
    assert out.loc[1, "effort_note"] == "from cause technology, sub-cause app errors"
    assert out.loc[3, "effort_note"] == "from confirmed cause technology, sub-cause self service"


def test_with_priority_reads_the_technology_subcause_from_the_documents():
    docs = pd.DataFrame(
        {
            "theme_id": [1, 1, 1, 2, 2],
            "likely_subcause": ["app_errors", "app_errors", "rude", "outage", None],
        }
    )
    summaries = [
        {
            "theme_id": t,
            "share": 0.5,
            "net_sentiment": -40.0,
            "impact": None,
            "cause_mix": {"technology": 0.9},
        }
        for t in (1, 2)
    ]
    out = {s["theme_id"]: s for s in with_priority(summaries, docs, PriorityConfig().model_dump())}
    assert (out[1]["effort"], out[1]["effort_source"]) == ("small", "default")
    assert out[2]["effort"] == "large" and "outage" in out[2]["effort_note"]


def _runs(*configs) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": [f"r{i}" for i in range(len(configs))],
            "started_at": pd.date_range("2026-12-01", periods=len(configs), freq="h"),
            "status": "done",
            "config": list(configs),
        }
    )


def test_weights_come_from_the_latest_finished_run(tmp_path):
    yaml_path = tmp_path / "p.yaml"
    yaml_path.write_text("priority:\n  volume_weight: 0\n  churn_weight: 1.5\n", encoding="utf-8")
    custom = PipelineConfig.load(yaml_path).model_dump(mode="json")
    defaults = PriorityConfig().model_dump()
    assert weights_from_runs(None) == defaults
    assert weights_from_runs(_runs(PipelineConfig().model_dump(mode="json"), custom)) == {
        **defaults,
        "volume_weight": 0.0,
        "churn_weight": 1.5,
    }
    failed = _runs(custom, PipelineConfig().model_dump(mode="json")).assign(status=["done", "failed"])
    assert weights_from_runs(failed)["churn_weight"] == 1.5  # a failed run's config is not used
    assert weights_from_runs(_runs(custom, None))["churn_weight"] == 1.5  # the latest run recorded no config
    assert weights_from_runs(_runs(None)) == defaults
    assert (
        weights_from_runs(_runs(PipelineConfig().model_dump(mode="json"))) == defaults
    )  # YAML without `priority:`
    with pytest.raises(ConfigError, match="r0.*priority"):
        weights_from_runs(_runs({"priority": {"volume_weight": -1}}))


def test_settings_land_on_the_themes_the_engine_keeps_after_a_merge_and_a_split():
    import numpy as np

    from voc.lenses.themes.edits import apply_edits, make_split_edit

    rng = np.random.default_rng(0)
    axes = np.eye(3, 8, dtype=np.float32)
    emb = np.concatenate([axes[i] + rng.normal(0, 0.05, (10, 8)).astype(np.float32) for i in (0, 1, 2)])
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(30)], "theme_id": [3] * 10 + [5] * 20})
    themes = pd.DataFrame(
        {
            "theme_id": [3, 5, 7],
            "label": ["a", "b", "c"],
            "user_label": [None] * 3,
            "pinned": [False] * 3,
            "status": ["active"] * 3,
            "size": [10, 20, 0],
            "centroid": [axes[0], (axes[1] + axes[2]) / 2, axes[2]],
            "keywords": [["a"], ["b"], ["c"]],
            "parent_id": pd.array([None] * 3, dtype="Int64"),
            "level": [1, 1, 1],
        }
    )
    log = _log(
        ("effort", {"theme_id": 5, "effort": "small"}),
        ("cause", cause_payload(5, "technology", "login")),
        ("split", make_split_edit(themes, 5, 2)),
        ("effort", {"theme_id": 7, "effort": "large"}),
        _merge(3, 7),
    )
    pos = {d: i for i, d in enumerate(docs["doc_id"])}
    edited, _ = apply_edits(themes, docs, log, embeddings_for=lambda ids: emb[[pos[d] for d in ids]])
    active = set(edited.loc[edited["status"] == "active", "theme_id"].astype(int))
    assert active == {3, 8, 9}  # 5 split into the reserved 8 and 9; 7 merged into 3
    efforts, causes = effort_settings(log), confirmed_causes(log)
    assert {t: efforts[t].value for t in active} == {3: "large", 8: "small", 9: "small"}
    assert [efforts[t].source for t in (3, 8, 9)] == ["merged", "inherited", "inherited"]
    assert {causes[t]["subcause"] for t in (8, 9)} == {"login"} and 3 not in causes
