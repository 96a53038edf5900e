"""The Streamlit app under AppTest: every page renders, filters change numbers, edits persist, empty stores."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bench.sample_store import build_sample_store
from voc.paths import PROJECT_ROOT
from voc.store import Store

APP = str(PROJECT_ROOT / "app.py")
PAGES = ["overview", "themes", "trends", "causes", "search", "manage", "export"]
TITLES = ["Overview", "Themes", "Trends & alerts", "Root causes", "Search", "Manage themes", "Export"]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    """A 200-document synthetic store (6 themes, 4 channels, 2 segment keys, causes, 119 days)."""
    return build_sample_store(tmp_path_factory.mktemp("app") / "sample.duckdb", n=200)


@pytest.fixture
def fresh_store(sample_store, tmp_path):
    """A private copy of the sample store for tests that write edits."""
    path = tmp_path / "edit.duckdb"
    shutil.copy(sample_store, path)
    return path


def run_app(store, monkeypatch, page: str = "overview", **params) -> AppTest:
    """Run the app once on `store` with query parameters (page, filters)."""
    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    if page != "overview":
        at.query_params["page"] = page
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    """The displayed value of a KPI tile."""
    return next(m.value for m in at.metric if m.label == label)


def all_frames_text(at: AppTest) -> str:
    """Every dataframe cell on the page as one string."""
    return " ".join(df.value.astype(str).to_string() for df in at.dataframe)


@pytest.mark.parametrize("page,title", list(zip(PAGES, TITLES)))
def test_every_page_renders(sample_store, monkeypatch, page, title):
    at = run_app(sample_store, monkeypatch, page)
    assert [t.value for t in at.title] == [title]
    assert not at.error
    assert at.sidebar.multiselect(key="f_channel").options  # global filters are there


def test_overview_widgets_and_filter_changes_numbers(sample_store, monkeypatch):
    at = run_app(sample_store, monkeypatch)
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Volume", "Net sentiment"] and "NPS" in labels and "Theme coverage %" in labels
    before = metric(at, "Volume")
    largest = at.dataframe[1].value
    at.sidebar.multiselect(key="f_channel").set_value(["tickets"]).run()
    assert not at.exception
    after = metric(at, "Volume")
    assert int(after.replace(",", "")) < int(before.replace(",", ""))
    assert at.dataframe[1].value["volume"].sum() < largest["volume"].sum()
    assert at.query_params["channel"] in ("tickets", ["tickets"])  # the view is shareable as a link


def test_url_filter_matches_store_count(sample_store, monkeypatch):
    at = run_app(sample_store, monkeypatch, "themes", channel="survey", sentiment="negative")
    assert at.sidebar.multiselect(key="f_channel").value == ["survey"]
    table = at.dataframe[0].value
    with Store(sample_store, read_only=True).reader() as s:
        expected = s.con.execute(
            "SELECT count(*) FROM documents d JOIN predictions p USING (doc_id) "
            "WHERE channel = 'survey' AND sentiment = 'negative'"
        ).fetchone()[0]
    assert table["volume"].sum() == expected


def test_theme_drilldown_shows_escaped_quotes(sample_store, monkeypatch):
    doc3_theme = (
        Store(sample_store, read_only=True)
        .documents_with_predictions("doc_id = 'doc000003'", columns=["theme_id"])["theme_id"]
        .iloc[0]
    )
    at = run_app(sample_store, monkeypatch, "themes", theme=str(doc3_theme))
    assert at.selectbox(key="theme_sel").value == doc3_theme
    quotes = [m.value for m in at.markdown if "voc-quote" in m.value]
    assert len(quotes) >= 5
    first = quotes[0]  # the injection text is the theme's newest document
    assert "&#60;script&#62;" in first and "<script" not in first
    assert "**bold**" not in first and "[link](" not in first and "&#42;&#42;bold" in first
    assert any("Keywords" in m.value for m in at.markdown)


def test_url_date_range_filters(sample_store, monkeypatch):
    at = run_app(sample_store, monkeypatch, "themes", **{"from": "2024-04-01", "to": "2024-04-14"})
    assert at.sidebar.date_input(key="f_dates").value == (date(2024, 4, 1), date(2024, 4, 14))
    with Store(sample_store, read_only=True).reader() as s:
        expected = s.con.execute(
            "SELECT count(*) FROM documents WHERE date >= '2024-04-01' AND date < '2024-04-15'"
        ).fetchone()[0]
    assert at.dataframe[0].value["volume"].sum() == expected < 200


def test_filter_with_no_match_is_a_message(sample_store, monkeypatch):
    params = {"from": "2024-01-01", "to": "2024-01-02", "channel": "social", "sentiment": "positive"}
    with Store(sample_store, read_only=True).reader() as s:
        assert (
            s.con.execute(
                "SELECT count(*) FROM documents JOIN predictions USING (doc_id) WHERE channel = 'social' "
                "AND sentiment = 'positive' AND date < '2024-01-03'"
            ).fetchone()[0]
            == 0
        )
    for page in ("overview", "themes", "trends", "causes"):
        at = run_app(sample_store, monkeypatch, page, **params)
        assert any("No feedback matches the filters" in i.value for i in at.info), page


def test_rename_persists_and_shows(fresh_store, monkeypatch):
    at = run_app(fresh_store, monkeypatch, "manage")
    at.selectbox(key="rename_theme").set_value(1)
    at.text_input(key="rename_label").input("Double charges")
    next(b for b in at.button if b.label == "Rename").click().run()
    assert not at.exception
    edits = Store(fresh_store, read_only=True).edits()
    assert edits["op"].tolist() == ["rename"] and edits["payload"].iloc[0] == {
        "theme_id": 1,
        "label": "Double charges",
    }
    assert any("Saved edit" in s.value and "Double charges" in s.value for s in at.success)
    assert "Double charges" in all_frames_text(at)
    overview = run_app(fresh_store, monkeypatch, "overview")
    assert "Double charges" in all_frames_text(overview)
    assert "Billing errors" not in all_frames_text(overview)


def test_pin_and_split_go_to_the_edit_log(fresh_store, monkeypatch):
    at = run_app(fresh_store, monkeypatch, "manage")
    at.selectbox(key="rename_theme").set_value(3)
    at.text_input(key="rename_label").input("Great agents")
    at.checkbox(key="rename_pin").check()
    next(b for b in at.button if b.label == "Rename").click().run()
    at.selectbox(key="split_theme").set_value(4)
    at.number_input(key="split_k").set_value(3)
    next(b for b in at.button if b.label == "Split").click().run()
    assert not at.exception
    edits = Store(fresh_store, read_only=True).edits()
    assert edits["op"].tolist() == ["pin", "split"]
    assert edits["payload"].tolist() == [
        {"theme_id": 3, "label": "Great agents"},
        {"theme_id": 4, "k": 3, "new_ids": [14, 15, 16]},  # ids reserved past every theme, so a split's
    ]  # children keep them on later runs, and its effort and confirmed cause can follow them
    shown = at.dataframe[0].value.set_index("theme_id")
    assert shown.loc[3, "display_label"] == "Great agents" and shown.loc[3, "pinned"]


def test_merge_shows_at_read_time(fresh_store, monkeypatch):
    at = run_app(fresh_store, monkeypatch, "manage")
    at.multiselect(key="merge_ids").set_value([5])
    at.selectbox(key="merge_into").set_value(2)
    at.text_input(key="merge_label").input("Access and stability")
    next(b for b in at.button if b.label == "Merge").click().run()
    assert not at.exception
    themes = run_app(fresh_store, monkeypatch, "themes").dataframe[0].value
    merged = themes[themes["theme"] == "Access and stability"]
    assert len(merged) == 1 and "App crashes" not in themes["theme"].tolist()
    with Store(fresh_store, read_only=True).reader() as s:
        expected = s.con.execute("SELECT count(*) FROM predictions WHERE theme_id IN (2, 5)").fetchone()[0]
    assert merged["volume"].iloc[0] == expected
    drill = run_app(
        fresh_store, monkeypatch, "themes", theme="2"
    )  # the merged theme's quotes include theme 5's
    quotes = " ".join(m.value for m in drill.markdown if "voc-quote" in m.value)
    assert "crashing" in quotes and "Access and stability" in quotes


def test_empty_store_is_a_message(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    Store(path).ensure()
    for page in ("overview", "themes", "search"):
        at = run_app(path, monkeypatch, page)
        assert any("no feedback yet" in i.value for i in at.info)


def test_missing_store_is_a_message(tmp_path, monkeypatch):
    at = run_app(tmp_path / "nope.duckdb", monkeypatch)
    assert any("Cannot open the store" in e.value for e in at.error)
    assert any("voc demo" in i.value for i in at.info)


def test_keyword_search(sample_store, monkeypatch):
    at = run_app(sample_store, monkeypatch, "search")
    at.radio(key="search_mode").set_value("Keyword")
    at.text_input(key="search_q").input("courier").run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert len(rows) > 5 and rows["text"].str.contains("courier").all()
    assert {"theme_label", "sentiment", "causes"} <= set(rows.columns)
    at.sidebar.multiselect(key="f_channel").set_value(["reviews"]).run()
    assert (at.dataframe[0].value["channel"] == "reviews").all()


def test_semantic_search_uses_the_encoder(sample_store, monkeypatch):
    at = run_app(sample_store, monkeypatch, "search")
    at.text_input(key="search_q").input("I could not sign in to my account")
    at.run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    rows = at.dataframe[0].value
    assert rows["similarity"].is_monotonic_decreasing
    assert rows["theme_label"].iloc[:5].eq("Login problems").sum() >= 3


def test_theme_summary_uses_the_encoder(sample_store, monkeypatch):
    at = run_app(sample_store, monkeypatch, "themes", theme="4")
    at.toggle(key="summ_4").set_value(True)
    at.run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    sentences = [m.value for m in at.markdown if "voc-summary" in m.value]
    assert sentences and "parcel" in sentences[0]
    assert sum("voc-representative" in m.value for m in at.markdown) == 3


def test_trends_and_causes_show_statistics(sample_store, monkeypatch):
    at = run_app(sample_store, monkeypatch, "trends")
    episodes = at.dataframe[0].value
    assert {"kind", "start", "last", "ongoing", "peak_ratio", "q_value"} <= set(episodes.columns)
    crash = episodes[(episodes["theme"] == "App crashes") & (episodes["kind"] == "volume")]
    assert len(crash) == 1 and crash["ongoing"].iloc[0]  # the sample's late crash spike is found
    assert any("App crashes: volume" in w.value and "ongoing" in w.value for w in at.warning)
    overview = run_app(sample_store, monkeypatch, "overview")
    assert any("App crashes: volume" in w.value for w in overview.warning)  # ongoing alerts on top
    causes = run_app(sample_store, monkeypatch, "causes")
    assert [m.label for m in causes.metric] == ["People", "Process", "Technology"]
    assert any("voc-evidence" in m.value and "<mark" in m.value for m in causes.markdown)


def test_export_page_has_every_format(sample_store, monkeypatch):
    at = run_app(sample_store, monkeypatch, "export")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [f"Documents .{f}" for f in ("csv", "parquet", "xlsx")] + [
        f"Themes .{f}" for f in ("csv", "xlsx", "md", "json", "jira")
    ]


def test_documents_without_predictions_or_dates_render(tmp_path, monkeypatch):
    from bench.sample_store import sample_frames

    docs, _, _ = sample_frames(40)
    docs = docs.assign(date=pd.NaT, segments=None, rating=None, rating_scale=None, rating_norm=None)
    path = tmp_path / "bare.duckdb"
    Store(path).write_documents(docs, run_id="r1")
    for page in PAGES:
        at = run_app(path, monkeypatch, page)
        assert not at.error, (page, [e.value for e in at.error])


def test_themes_page_drills_down_only_after_a_theme_is_chosen(sample_store, monkeypatch):
    at = run_app(sample_store, monkeypatch, "themes")
    assert at.selectbox(key="theme_sel").value is None
    assert not [m for m in at.markdown if "voc-quote" in m.value]
    assert any("Choose a theme" in i.value for i in at.info)
    at.selectbox(key="theme_sel").select_index(0).run()
    assert at.selectbox(key="theme_sel").value is not None
    assert len([m for m in at.markdown if "voc-quote" in m.value]) >= 5
