"""Persist UMAP's numba kernels across processes.

umap-learn compiles its kernels (fuzzy simplicial set, layout optimisation) with numba, and most of them are
declared without `cache=True`, so every fresh process spent about 20 s compiling them again here. Turning on
numba's own on-disk cache for those dispatchers (under NUMBA_CACHE_DIR, which voc points at its cache
directory) makes the second and later processes load the compiled code instead. Kernels numba cannot cache
(dynamic globals) stay as they are.
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

UMAP_MODULES = ("umap.umap_", "umap.layouts", "umap.utils", "umap.distances", "umap.sparse", "umap.spectral")
_done = False


def cache_umap_kernels() -> int:
    """Enable numba's disk cache on umap's compiled functions (once per process); returns how many."""
    global _done
    if _done:
        return 0
    _done = True
    from numba.core.registry import CPUDispatcher

    count = 0
    for name in UMAP_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for obj in vars(module).values():
            if isinstance(obj, CPUDispatcher) and type(obj._cache).__name__ == "NullCache":
                try:
                    obj.enable_caching()
                    count += 1
                except Exception as exc:  # noqa: BLE001 - an uncacheable kernel just compiles as before
                    log.debug("numba cannot cache %s: %s", getattr(obj, "__name__", obj), exc)
    log.debug("numba disk cache enabled for %d umap kernels", count)
    return count
