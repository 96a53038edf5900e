"""On a store: a theme a re-run retires hands its effort and confirmed cause to the theme that took most of its
documents (marked inherited, the note names the retired theme), or they are listed as orphaned on the Manage
themes page; themes retired by a merge edit keep following the merge."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bench.sample_store import build_sample_store
from voc.engine.themes_stage import FittedThemes, store_themes
from voc.export import export
from voc.insights.cause_map import cause_payload, store_confirmed_causes
from voc.insights.priority_store import store_effort_settings
from voc.insights.theme_settings import orphaned
from voc.lenses.themes.succession import RERUN_ACTOR
from voc.paths import PROJECT_ROOT
from voc.store import Store


class _Run:
    def __init__(self, themes: pd.DataFrame):
        self.themes = themes


def _rerun(path) -> None:
    """A re-run's write of its themes through the engine: 5 "App crashes" and 6 "Pricing" retired by the identity
    matcher (80% of 5's documents now in 2 "Login problems", 6's split evenly between 1 and 3), 4 merged into 1."""
    store = Store(path)
    themes = store.themes(include_retired=True)
    themes.loc[themes["theme_id"].isin([4, 5, 6]), ["status", "size"]] = ["retired", 0]
    with store.reader() as r:
        docs = r.con.execute("SELECT doc_id, theme_id FROM predictions ORDER BY doc_id").df()
    new = docs["theme_id"].fillna(0).astype("int64")
    crashes = docs.index[docs["theme_id"] == 5]
    new[crashes] = 0
    new[crashes[: round(0.8 * len(crashes))]] = 2
    pricing = docs.index[docs["theme_id"] == 6]
    new[pricing] = np.array([1, 3] * (len(pricing) // 2) + [0] * (len(pricing) % 2), dtype="int64")
    new[docs["theme_id"] == 4] = 1
    new[docs["theme_id"] < 0] = 0
    sentences = pd.DataFrame({"doc_id": [], "idx": [], "theme_id": []})
    fitted = FittedThemes(_Run(themes), {}, run_id="rerun-2")
    store_themes(store, fitted, [docs.assign(theme_id=new)], [sentences])


@pytest.fixture
def rerun_store(tmp_path):
    path = build_sample_store(tmp_path / "sample.duckdb", n=160)
    store = Store(path)
    store.append_edit("effort", {"theme_id": 5, "effort": "small"}, actor="lead@example.com")
    store.append_edit(
        "cause", cause_payload(5, "technology", "app_errors", "crash on start"), actor="lead@example.com"
    )
    store.append_edit("effort", {"theme_id": 6, "effort": "large"}, actor="lead@example.com")
    store.append_edit("cause", cause_payload(6, "process"), actor="lead@example.com")
    store.append_edit("effort", {"theme_id": 4, "effort": "medium"}, actor="lead@example.com")
    store.append_edit("merge", {"theme_ids": [1, 4], "into": 1}, actor="lead@example.com")
    with store.reader() as r:
        crashes = r.con.execute("SELECT count(*) FROM predictions WHERE theme_id = 5").fetchone()[0]
    _rerun(path)
    return path, round(0.8 * crashes) / crashes


def _note(share: float) -> str:
    return f'inherited from retired theme #5 "App crashes" (took {share:.0%} of its documents)'


def test_the_rerun_records_where_each_retired_theme_went(rerun_store):
    path, share = rerun_store
    edits = Store(path).edits()
    retire = edits[edits["op"] == "retire"]
    assert retire["actor"].eq(RERUN_ACTOR).all()
    by_theme = {p["theme_id"]: p for p in retire["payload"]}
    assert set(by_theme) == {5, 6}  # 4 was retired by the merge edit, which already says where it went
    assert by_theme[5]["successor"] == 2 and by_theme[5]["share"] == pytest.approx(share, abs=1e-4)
    assert by_theme[6]["successor"] is None and {1, 3} <= {t for t, _ in by_theme[6]["went_to"]}
    _rerun(path)  # the next re-run finds them already retired: nothing new is recorded
    assert (Store(path).edits()["op"] == "retire").sum() == 2


def test_effort_and_cause_follow_the_successor_or_are_orphaned(rerun_store):
    path, share = rerun_store
    efforts = store_effort_settings(path)
    assert (efforts[2].value, efforts[2].source, efforts[2].origin) == ("small", "inherited", 5)
    assert (efforts[1].value, efforts[1].source) == ("medium", "merged")
    assert set(orphaned(efforts, {1, 2, 3})) == {6} and efforts[6].value == "large"
    causes = store_confirmed_causes(path)
    assert (causes[2]["cause"], causes[2]["subcause"], causes[2]["merge_note"]) == (
        "technology", "app_errors", _note(share)
    )  # fmt: skip
    assert causes[6]["source"] == "orphaned" and causes[6]["merge_note"].startswith(
        'orphaned: theme #6 "Pricing" was retired by a re-run and no theme took most of its'
    )
    table = pd.read_csv(export(path, format="csv", out=path.parent / "t.csv", level="themes")).set_index(
        "theme_id"
    )
    assert not {4, 5, 6} & set(table.index)
    assert table.loc[2, ["effort", "effort_source", "effort_note"]].tolist() == [
        "small",
        "inherited",
        _note(share),
    ]
    md = export(path, format="md", out=path.parent / "t.md").read_text(encoding="utf-8").replace("\\#", "#")
    section = md.split("## Login problems", 1)[1].split("\n## ", 1)[0]
    assert f"technology, app errors ({_note(share)})" in section.replace('\\"', '"')


def test_manage_page_shows_the_inherited_settings_and_lists_the_orphaned_ones(rerun_store, monkeypatch):
    path, share = rerun_store
    monkeypatch.setenv("VOC_STORE", str(path))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["page"] = "manage"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [df.value for df in at.dataframe]
    kept = next(f for f in frames if "cause_note" in f.columns).set_index("theme")
    assert kept.loc["Login problems"].tolist() == [
        "small",
        _note(share),
        "technology, app errors",
        _note(share),
    ]
    lost = next(f for f in frames if "retired theme" in f.columns)
    assert lost["retired theme"].tolist() == ["#6 Pricing"]
    assert lost[["effort", "cause"]].iloc[0].tolist() == ["large", "process"]
    assert lost["note"].iloc[0].startswith('orphaned: theme #6 "Pricing" was retired by a re-run')
    assert any("no theme took most of their documents" in c.value for c in at.caption)
