"""Themes lens: merging near-duplicate clusters and coherent keyword lists (synthetic, no encoder)."""

from __future__ import annotations

import numpy as np

from tests.test_themes import corpus, fake_encode
from voc.config import ThemesConfig
from voc.lenses.themes import OTHER_ID, ThemeModel
from voc.lenses.themes.fit import merge_similar
from voc.lenses.themes.labels import coherent_terms


def _blobs() -> tuple[np.ndarray, np.ndarray]:
    """Three directions; the first is split into two cluster ids (a fragmented theme)."""
    rng = np.random.default_rng(0)
    axes = np.eye(3, 8, dtype=np.float32)
    emb = np.concatenate([axes[i] + rng.normal(0, 0.05, (20, 8)).astype(np.float32) for i in (0, 0, 1, 2)])
    labels = np.repeat(np.arange(4), 20)
    return emb / np.linalg.norm(emb, axis=1, keepdims=True), labels


def test_merge_joins_near_duplicates_and_keeps_distinct_themes():
    emb, labels = _blobs()
    merged = merge_similar(emb, labels, 0.9)
    assert set(merged) == {0, 2, 3}  # the two halves of theme 0 became one; ids stay the lowest member's
    assert (merged[:40] == 0).all() and (merged[40:60] == 2).all() and (merged[60:] == 3).all()
    assert np.array_equal(merge_similar(emb, labels, 1.0), labels)  # 1.0 switches merging off


def test_merge_leaves_guided_seed_clusters_and_outliers_alone():
    emb, labels = _blobs()
    labels = labels.copy()
    labels[5] = -1
    merged = merge_similar(emb, labels, 0.9, first=1)  # id 0 is a seed theme: never merged into
    assert merged[5] == -1
    assert set(merged[:20][merged[:20] >= 0]) == {0} and (merged[20:40] == 1).all()


def test_overclustered_fit_is_merged_back_to_readable_themes():
    texts, emb, gold = corpus()
    over = {
        "reduction": {"name": "pca", "n_components": 5},
        "clustering": {"name": "kmeans", "n_clusters": 14},
    }
    split = ThemeModel.fit(texts, emb, ThemesConfig(**over, merge_threshold=1.0), fake_encode)
    merged = ThemeModel.fit(texts, emb, ThemesConfig(**over, merge_threshold=0.6), fake_encode)

    def n_kids(m: ThemeModel) -> int:
        return int(((m.themes.level == 1) & (m.themes.theme_id != OTHER_ID)).sum())

    assert n_kids(split) == 14
    assert 6 <= n_kids(merged) < 14
    from sklearn.metrics import homogeneity_score

    assert homogeneity_score(gold, merged.labels_) > 0.95  # merging never mixes topics here


def test_keywords_that_never_co_occur_are_skipped():
    terms = ["refund", "delay", "zebra", "weeks", "refund delay"]
    co = np.array(
        [[9, 5, 0, 4, 5], [5, 8, 0, 3, 5], [0, 0, 3, 0, 0], [4, 3, 0, 6, 2], [5, 5, 0, 2, 5]], dtype=float
    )
    assert coherent_terms(terms, co, top_n=10) == ["refund", "delay", "weeks"]
    # Too few coherent terms: topped up in weight order, so a theme always keeps a few keywords.
    lone = np.eye(3)
    assert coherent_terms(["a1", "b2", "c3"], lone, top_n=10) == ["a1", "b2", "c3"]
