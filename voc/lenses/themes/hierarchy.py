"""Two-level hierarchy: parent themes by agglomerative clustering of child centroids."""

from __future__ import annotations

import numpy as np


def auto_parent_count(n_children: int) -> int:
    """About sqrt(children), at least 2, at most 20."""
    return int(min(20, max(2, round(np.sqrt(n_children)))))


def parent_groups(centroids: np.ndarray, sizes: np.ndarray, n_parents: int | None) -> np.ndarray:
    """Parent index per child (0..P-1), ordered by parent size; all children in one group if < 4."""
    k = len(centroids)
    if k < 4:
        return np.zeros(k, dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    p = min(k - 1, n_parents or auto_parent_count(k))
    groups = AgglomerativeClustering(n_clusters=p, metric="cosine", linkage="average").fit_predict(centroids)
    # Average linkage can leave singletons; that is fine (a parent with one child), but order by size.
    totals = {g: sizes[groups == g].sum() for g in np.unique(groups)}
    order = sorted(totals, key=lambda g: (-totals[g], g))
    remap = {g: i for i, g in enumerate(order)}
    return np.array([remap[g] for g in groups], dtype=np.int64)


def parent_centroids(centroids: np.ndarray, sizes: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Size-weighted, normalised mean of the child centroids per parent."""
    out = []
    for g in range(int(groups.max()) + 1 if len(groups) else 0):
        m = groups == g
        v = (centroids[m] * sizes[m, None]).sum(axis=0)
        out.append(v / max(np.linalg.norm(v), 1e-12))
    return np.stack(out) if out else np.zeros((0, centroids.shape[1]), np.float32)
