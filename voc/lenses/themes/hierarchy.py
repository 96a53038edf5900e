"""Two-level hierarchy: parent themes by agglomerative clustering of child centroids.

Centroids are compared after removing what all children share (the size-weighted mean centroid): in a
one-domain corpus (airline tweets, clothing reviews) every centroid is close to every other in raw cosine,
so a raw cut lumped the whole corpus under one parent. Centred, only children that are alike group.
"""

from __future__ import annotations

import numpy as np

PARENT_LINK = 0.2  # children join one parent while their average centred-centroid cosine is >= this


def auto_parent_count(n_children: int) -> int:
    """About sqrt(children), at least 2, at most 20."""
    return int(min(20, max(2, round(np.sqrt(n_children)))))


def parent_groups(centroids: np.ndarray, sizes: np.ndarray, n_parents: int | None) -> np.ndarray:
    """Parent index per child (0..P-1), ordered by parent size; all children in one group if < 4.

    n_parents None: average linkage cut at centroid cosine PARENT_LINK; else exactly n_parents groups.
    """
    k = len(centroids)
    if k < 4:
        return np.zeros(k, dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    if n_parents:
        model = AgglomerativeClustering(n_clusters=min(k - 1, n_parents), metric="cosine", linkage="average")
    else:
        # A cut by similarity, not by count: a fixed count (about sqrt(children)) made one catch-all parent
        # holding most children next to singletons (demo: 78% of documents under one parent).
        model = AgglomerativeClustering(
            n_clusters=None, distance_threshold=1.0 - PARENT_LINK, metric="cosine", linkage="average"
        )
    groups = model.fit_predict(centroids)
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


PARENT_FLOOR = 0.3  # a child whose centred centroid has cosine < this to its parent's gets its own parent


def centred(centroids: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Child centroids minus their size-weighted mean, re-normalised: what sets each child apart."""
    w = np.asarray(sizes, np.float64)
    mean = (centroids * w[:, None]).sum(axis=0) / max(w.sum(), 1e-12)
    out = centroids - mean
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def build_parents(centroids: np.ndarray, sizes: np.ndarray, n_parents: int | None) -> np.ndarray:
    """Parent index per child: average linkage on centred centroids, then the coherence floor."""
    if len(centroids) < 4:
        return np.zeros(len(centroids), dtype=np.int64)
    space = centred(centroids, sizes)
    return apply_floor(space, sizes, parent_groups(space, sizes, n_parents), PARENT_FLOOR)


def apply_floor(centroids: np.ndarray, sizes: np.ndarray, groups: np.ndarray, floor: float) -> np.ndarray:
    """Split off children below the coherence floor into parents of their own; renumber by size."""
    groups = groups.copy()
    nxt = int(groups.max(initial=-1)) + 1
    for _ in range(3):  # a parent's centroid moves when a member leaves; a few rounds settle it
        cents = parent_centroids(centroids, sizes, groups)
        moved = False
        for c in range(len(groups)):
            g = groups[c]
            if (groups == g).sum() > 1 and float(centroids[c] @ cents[g]) < floor:
                groups[c], nxt, moved = nxt, nxt + 1, True
        if not moved:
            break
    _, groups = np.unique(groups, return_inverse=True)
    totals = {g: sizes[groups == g].sum() for g in np.unique(groups)}
    order = sorted(totals, key=lambda g: (-totals[g], g))
    remap = {g: i for i, g in enumerate(order)}
    return np.array([remap[g] for g in groups], dtype=np.int64)


def parent_coherence(centroids: np.ndarray, sizes: np.ndarray, groups: np.ndarray) -> float:
    """Size-weighted mean cosine of a child's centroid to its parent's, over parents with 2+ children."""
    if not len(groups):
        return float("nan")
    cents = parent_centroids(centroids, sizes, groups)
    multi = np.array([(groups == g).sum() > 1 for g in groups])
    if not multi.any():
        return float("nan")
    sims = np.einsum("ij,ij->i", centroids, cents[groups])
    return float((sims[multi] * sizes[multi]).sum() / max(sizes[multi].sum(), 1))
