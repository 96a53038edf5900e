"""The Review queue's theme signals: stored similarity to the theme's centroid, and labels that move a theme."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.sample_store import build_sample_store
from voc.app.review_queue import THEME_FLOOR, diversify, theme_floor, uncertainty
from voc.config import PipelineConfig
from voc.lenses.themes.model import OTHER_ID, ThemeModel
from voc.store import Store


def _model() -> ThemeModel:
    cents = [np.eye(4, dtype=np.float32)[0], np.eye(4, dtype=np.float32)[1]]
    themes = pd.DataFrame(
        {"theme_id": [1, 2], "level": [1, 1], "status": ["active", "active"], "centroid": cents}
    )
    return ThemeModel(themes, other_threshold=0.3)


def test_similarity_is_the_cosine_to_the_documents_own_theme():
    emb = np.array([[3, 0, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0.2], [0, 0, 1, 0]], dtype=np.float32)
    sim = _model().similarity(emb, np.array([1, 1, 2, OTHER_ID, 99]))
    assert np.allclose(sim[:3], [1.0, np.sqrt(0.5), np.sqrt(0.5)], atol=1e-6)
    assert sim[3] == 0.0  # Other: the nearest centroid's cosine (below the floor)
    assert np.isnan(sim[4])  # a theme without a centroid (a language group)


def test_queue_asks_first_about_documents_far_from_their_theme():
    frame = pd.DataFrame(
        {
            "doc_id": ["central", "edge", "no_signal"],
            "theme_id": [1, 1, 2],
            "p_negative": [0.98, 0.98, 0.98],
            "p_neutral": [0.01, 0.01, 0.01],
            "p_positive": [0.01, 0.01, 0.01],
            "cause_scores": ['{"people": 0.01}'] * 3,
            "theme_similarity": [0.8, THEME_FLOOR + 0.02, None],
        }
    )
    u = uncertainty(frame, {"people": 0.5})
    assert u[1] > 0.9 > u[0]  # sure sentiment and causes: only the theme similarity tells them apart
    assert u[2] == u[0]  # no stored similarity: no theme signal
    assert diversify(frame, u)[0] == "edge"
    without = uncertainty(frame.drop(columns="theme_similarity"), {"people": 0.5})
    assert without[1] == without[0]  # stores written before the column: the old order


def test_set_document_themes_stores_the_similarity(tmp_path):
    path = build_sample_store(tmp_path / "s.duckdb", n=20)
    store = Store(path)
    store.declare_outputs([{"name": "theme_similarity", "dtype": "DOUBLE", "level": "document"}])
    ids = store.documents_with_predictions(columns=["doc_id"])["doc_id"].tolist()[:2]
    store.set_document_themes(
        pd.DataFrame({"doc_id": ids, "theme_id": [1, 2], "theme_similarity": [0.61, 0.35]})
    )
    got = store.documents_with_predictions(columns=["doc_id", "theme_id", "theme_similarity"]).set_index(
        "doc_id"
    )
    assert got.loc[ids, "theme_similarity"].round(2).tolist() == [0.61, 0.35]
    assert got.loc[ids, "theme_id"].tolist() == [1, 2]


def test_a_label_moving_a_document_counts_as_a_change(tmp_path):
    path = build_sample_store(tmp_path / "s.duckdb", n=20)
    store = Store(path)
    ids = store.documents_with_predictions(columns=["doc_id"])["doc_id"].tolist()[:4]
    base = {"sentiment": "negative", "model_sentiment": "negative", "causes": [], "model_causes": []}
    store.append_labels([
        {**base, "doc_id": ids[0], "theme_id": 3, "model_theme_id": 1},  # moved to another theme
        {**base, "doc_id": ids[1], "theme_id": 2, "model_theme_id": None},  # given a theme it had none of
        {**base, "doc_id": ids[2], "theme_id": 1, "model_theme_id": 1},  # kept
        {**base, "doc_id": ids[3], "theme_id": None, "model_theme_id": 1},  # theme not labelled
    ])  # fmt: skip
    latest = store.labels(latest=True).set_index("doc_id").loc[ids]
    assert latest["changed"].tolist() == [True, True, False, False]
    assert latest["theme_changed"].tolist() == [True, True, False, False]


def test_queue_floor_is_the_stores_own_other_threshold(tmp_path):
    path = build_sample_store(tmp_path / "s.duckdb", n=20)
    assert theme_floor(str(path)) == THEME_FLOOR  # no finished run recorded a config: the default
    cfg = PipelineConfig.model_validate({"themes": {"other_threshold": 0.45}})
    store = Store(path)
    run_id = store.begin_run(cfg.config_hash(), cfg.model_dump(mode="json"), [])
    store.finish_run(run_id, "done")
    assert theme_floor(str(path)) == 0.45
    frame = pd.DataFrame(
        {
            "doc_id": ["a"],
            "theme_id": [1],
            "p_negative": [0.98],
            "p_neutral": [0.01],
            "p_positive": [0.01],
            "cause_scores": ['{"people": 0.01}'],
            "theme_similarity": [0.5],
        }
    )
    # 0.5 is far above the default floor but only just above this store's: its theme is doubtful there
    assert uncertainty(frame, {}, theme_floor(str(path)))[0] > 0.75 > uncertainty(frame, {})[0]
