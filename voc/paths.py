"""Well-known locations: the voc cache, the shipped models folder and the shared datasets."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = Path(os.environ.get("VOC_MODELS_DIR", PROJECT_ROOT / "models"))


def cache_dir() -> Path:
    """The voc cache (ONNX exports, embedding cache, numba cache): $VOC_CACHE_DIR or ~/.cache/voc."""
    path = Path(os.environ.get("VOC_CACHE_DIR") or Path.home() / ".cache" / "voc")
    path.mkdir(parents=True, exist_ok=True)
    return path


def shared_data_dir() -> Path:
    """The public labelled datasets: $VOC_SHARED_DATA or ../shared/data beside the checkout."""
    return Path(os.environ.get("VOC_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data")
