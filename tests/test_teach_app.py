"""The Review page under AppTest: an editor labels 20 documents; labels land in the store with the reviewer."""

from __future__ import annotations

import getpass
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from bench.sample_store import build_sample_store
from voc.paths import PROJECT_ROOT
from voc.store import Store

APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture(scope="module")
def review_store(tmp_path_factory):
    """A 200-document synthetic store."""
    return build_sample_store(tmp_path_factory.mktemp("review") / "sample.duckdb", n=200)


def _open(store, monkeypatch) -> AppTest:
    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "review"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _progress(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "voc-review-progress" in m.value)


@pytest.mark.slow
def test_review_labels_twenty_documents(review_store, tmp_path, monkeypatch):
    store = tmp_path / "review.duckdb"
    shutil.copy(review_store, store)
    at = _open(store, monkeypatch)
    assert "0 labelled, 0 changed" in _progress(at)
    seen = []
    for i in range(20):
        model = at.radio(key="review_sentiment").value
        seen.append(at.session_state["review_queue"][0])
        flip = "negative" if model != "negative" else "positive"
        at.radio(key="review_sentiment").set_value(flip if i % 2 == 0 else model)
        at.multiselect(key="review_causes").set_value(["people"] if i % 3 == 0 else [])
        next(b for b in at.button if b.label == "Save and next").click()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    labels = Store(store, read_only=True).labels(latest=True)
    assert len(labels) == 20
    assert set(labels["doc_id"]) == set(seen)
    assert set(labels["reviewer"]) == {f"local:{getpass.getuser()}"}
    assert "20 labelled, " in _progress(at)
    changed = int(_progress(at).split("20 labelled, ")[1].split(" ")[0])
    assert changed >= 10  # every other answer flipped the model's sentiment
    assert seen[0] not in at.session_state["review_queue"]


def test_skip_moves_on_without_writing(review_store, tmp_path, monkeypatch):
    store = tmp_path / "skip.duckdb"
    shutil.copy(review_store, store)
    at = _open(store, monkeypatch)
    first = at.session_state["review_queue"][0]
    at.button(key="review_skip").click()
    at.run()
    assert at.session_state["review_queue"][0] != first
    assert Store(store, read_only=True).labels().empty


def test_queue_spreads_over_themes(review_store, tmp_path, monkeypatch):
    at = _open(review_store, monkeypatch)
    queue = at.session_state["review_queue"][:6]
    themes = Store(review_store, read_only=True).documents_with_predictions(columns=["doc_id", "theme_id"])
    first = themes.set_index("doc_id").loc[queue, "theme_id"]
    assert first.nunique() >= 4  # 6 themes in the store: the head of the queue is not one theme


def test_moving_a_document_to_another_theme_counts_and_shows(review_store, tmp_path, monkeypatch):
    store = tmp_path / "move.duckdb"
    shutil.copy(review_store, store)
    at = _open(store, monkeypatch)
    doc_id = at.session_state["review_queue"][0]
    box = at.selectbox(key="review_theme")
    model_theme = box.value
    themes = Store(store, read_only=True).themes()["theme_id"].astype(int).tolist()
    new_theme = next(t for t in themes if t != model_theme and box.format_func(t) in box.options)
    target = box.format_func(new_theme)
    box.select(new_theme)  # sentiment and causes stay the model's: only the theme changes
    next(b for b in at.button if b.label == "Save and next").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "1 labelled, 1 changed the model's answer (1 moved to another theme)" in _progress(at)
    flash = at.success[0].value
    assert f"theme: {box.format_func(model_theme)} → {target}" in flash
    label = Store(store, read_only=True).labels(latest=True).set_index("doc_id").loc[doc_id]
    assert bool(label["theme_changed"]) and label["sentiment"] is not None
