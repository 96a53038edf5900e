"""Swappable BERTopic-style blocks built from config dicts: reduction and clustering."""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

import numpy as np

from voc.errors import ConfigError
from voc.paths import cache_dir

log = logging.getLogger(__name__)


def enable_numba_cache() -> str:
    """Point numba's on-disk cache at the voc cache; effective only before numba is first imported."""
    import sys

    folder = cache_dir() / "numba"
    folder.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("NUMBA_CACHE_DIR"):
        os.environ["NUMBA_CACHE_DIR"] = str(folder)
    if "numba" in sys.modules and os.environ["NUMBA_CACHE_DIR"] != str(folder):
        log.debug("numba already imported with NUMBA_CACHE_DIR=%s", os.environ["NUMBA_CACHE_DIR"])
    return os.environ["NUMBA_CACHE_DIR"]


DEFAULT_REDUCTION: dict[str, Any] = {
    "name": "umap",
    "n_neighbors": 15,
    "n_components": 5,
    "min_dist": 0.0,
    "metric": "cosine",
}
DEFAULT_CLUSTERING: dict[str, Any] = {
    "name": "hdbscan",
    "min_cluster_size": "auto",
    "min_samples": None,
    "cluster_selection_method": "eom",
}


def _params(spec: dict[str, Any], defaults: dict[str, Any], block: str) -> tuple[str, dict[str, Any]]:
    merged = dict(defaults) if not spec or spec.get("name", defaults["name"]) == defaults["name"] else {}
    merged.update(spec or {})
    name = str(merged.pop("name", defaults["name"])).lower()
    if not name:
        raise ConfigError(f"themes.{block}.name is empty; use one of the documented block names.")
    return name, merged


def reduce(embeddings: np.ndarray, spec: dict[str, Any], seed: int) -> np.ndarray:
    """Reduce embeddings with the configured block (umap | pca | none)."""
    name, params = _params(spec, DEFAULT_REDUCTION, "reduction")
    n = len(embeddings)
    if name == "none" or n < 3:
        return embeddings
    if name == "pca":
        from sklearn.decomposition import PCA

        k = min(int(params.get("n_components", 5)), n - 1, embeddings.shape[1])
        return PCA(n_components=k, random_state=seed).fit_transform(embeddings)
    if name == "umap":
        enable_numba_cache()
        from umap import UMAP

        from voc.lenses.themes.kernels import cache_umap_kernels

        cache_umap_kernels()

        params["n_neighbors"] = max(2, min(int(params.get("n_neighbors", 15)), n - 1))
        params["n_components"] = min(int(params.get("n_components", 5)), max(2, n - 2))
        params.setdefault("low_memory", True)
        params.setdefault("n_jobs", 1)  # a seeded UMAP runs on one thread anyway; saying so avoids its warning
        knn = params.pop("knn", "exact")
        if knn == "exact" and params.get("metric", "cosine") == "cosine":
            # Exact cosine neighbours by blocked matrix products: deterministic, no pynndescent compilation
            # (about 25 s per fresh process) and, under 4,096 documents, not UMAP's own all-pairs distances
            # through a Python-called metric (about 3 s per 1,000 documents; the catch-all split runs many).
            params["precomputed_knn"] = (*exact_cosine_knn(embeddings, params["n_neighbors"]), None)
        model = UMAP(random_state=seed, **params)
        with warnings.catch_warnings():  # voc never calls transform, which needs UMAP's own search index
            warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]", category=UserWarning)
            return model.fit_transform(embeddings)
    raise ConfigError(f"themes.reduction.name {name!r} is unknown; use umap, pca or none.")


def exact_cosine_knn(emb: np.ndarray, k: int, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """k nearest neighbours (self first) and cosine distances, in row blocks (memory ~ block x n)."""
    x = np.asarray(emb, dtype=np.float32)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    n = len(x)
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        sims = x[start : start + block] @ x.T
        rows = np.arange(len(sims))
        sims[rows, start + rows] = 2.0  # self first, as UMAP expects
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(part, order, axis=1)
        idx[start : start + block] = top
        d = 1.0 - np.take_along_axis(sims, top, axis=1)
        d[:, 0] = 0.0
        dist[start : start + block] = np.maximum(d, 0.0)
    return idx, dist


AUTO_MIN_CLUSTER_FLOOR = 13  # below ~3,900 docs; 10 over-split the 2,605-doc demo (49 themes for 23 true ones)


def auto_min_cluster_size(n: int) -> int:
    """A min cluster size that keeps theme counts readable as corpora grow."""
    return int(max(AUTO_MIN_CLUSTER_FLOOR, min(250, round(n / 300))))


def cluster(points: np.ndarray, spec: dict[str, Any], seed: int) -> np.ndarray:
    """Cluster reduced points with the configured block (hdbscan | kmeans | agglomerative); -1 = outlier."""
    name, params = _params(spec, DEFAULT_CLUSTERING, "clustering")
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if name == "hdbscan":
        from hdbscan import HDBSCAN

        mcs = params.get("min_cluster_size", "auto")
        params["min_cluster_size"] = auto_min_cluster_size(n) if mcs in (None, "auto") else int(mcs)
        if n <= params["min_cluster_size"]:
            return np.zeros(n, dtype=np.int64)
        params.setdefault("metric", "euclidean")
        return HDBSCAN(**params).fit_predict(points).astype(np.int64)
    if name in ("kmeans", "minibatchkmeans"):
        from sklearn.cluster import KMeans, MiniBatchKMeans

        k = max(1, min(int(params.pop("n_clusters", 50)), n))
        cls = MiniBatchKMeans if name == "minibatchkmeans" or n > 100_000 else KMeans
        params.setdefault("n_init", 3)
        return cls(n_clusters=k, random_state=seed, **params).fit_predict(points).astype(np.int64)
    if name == "agglomerative":
        from sklearn.cluster import AgglomerativeClustering

        params.setdefault("n_clusters", 50)
        params["n_clusters"] = min(int(params["n_clusters"]), n) if params["n_clusters"] else None
        return AgglomerativeClustering(**params).fit_predict(points).astype(np.int64)
    raise ConfigError(f"themes.clustering.name {name!r} is unknown; use hdbscan, kmeans or agglomerative.")
