"""Themes lens: the number of themes follows the true structure (catch-all splits; synthetic, no encoder)."""

from __future__ import annotations

import numpy as np

from voc.lenses.themes.fit import fit_children

NO_SEEDS = np.zeros((0, 32), np.float32)
REDUCTION = {"name": "pca", "n_components": 12}


def _nested(groups: int, subtopics: int, per: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`groups` far-apart groups of `subtopics` nearer topics each: unit vectors and the topic per doc."""
    rng = np.random.default_rng(seed)
    dim = NO_SEEDS.shape[1]
    rows, gold = [], []
    for g in range(groups):
        base = np.zeros(dim, np.float32)
        base[g] = 3.0
        for s in range(subtopics):
            centre = base.copy()
            centre[groups + g * subtopics + s] = 0.7  # nearer each other than the groups
            rows.append(centre + rng.normal(0, 0.12, (per, dim)).astype(np.float32))
            gold += [g * subtopics + s] * per
    emb = np.concatenate(rows)
    return emb / np.linalg.norm(emb, axis=1, keepdims=True), np.asarray(gold)


def _fit(emb: np.ndarray) -> np.ndarray:
    clustering = {"name": "hdbscan", "min_cluster_size": 15}
    return fit_children(emb, REDUCTION, clustering, 42, NO_SEEDS, 0.55, 5, merge_threshold=1.0)[0]


def test_every_large_blob_with_inner_structure_is_split_not_only_the_less_coherent_half():
    from sklearn.metrics import normalized_mutual_info_score

    emb, gold = _nested(groups=2, subtopics=5)
    labels = _fit(emb)
    # The first pass finds the two groups; both hold half the sample and both have five topics inside.
    assert len(np.unique(labels)) >= 9
    assert normalized_mutual_info_score(gold, labels) > 0.9


def test_theme_count_grows_with_the_true_structure():
    counts = [len(np.unique(_fit(_nested(groups=2, subtopics=s)[0]))) for s in (2, 4, 6)]
    assert counts[0] < counts[1] < counts[2]
    assert counts[2] >= 10


def test_a_large_uniform_theme_is_not_split():
    rng = np.random.default_rng(1)
    dim = NO_SEEDS.shape[1]
    centres = np.eye(3, dim, dtype=np.float32) * 3
    sizes = (300, 40, 40)
    emb = np.concatenate([c + rng.normal(0, 0.12, (n, dim)).astype(np.float32) for c, n in zip(centres, sizes)])
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    labels = _fit(emb)
    assert len(np.unique(labels)) == 3
    assert len(np.unique(labels[:300])) == 1
