"""Well-known locations: the shipped files (models, app entry, pipelines, demo corpus), the cache and the datasets."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from voc.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_INSTALLED = Path(str(files("voc") / "_shipped"))
# An installed wheel carries models/, app.py, pipelines/ and data/demo/ in voc/_shipped (see setup.py);
# a source checkout (editable install) has them at its top level.
SHIPPED = _INSTALLED if _INSTALLED.is_dir() else PROJECT_ROOT
IN_CHECKOUT = SHIPPED == PROJECT_ROOT
MODELS_DIR = Path(os.environ.get("VOC_MODELS_DIR", SHIPPED / "models"))
APP_ENTRY = SHIPPED / "app.py"
DEMO_PIPELINE = SHIPPED / "pipelines" / "demo.yaml"
DEMO_DATA = SHIPPED / "data" / "demo"


def cache_dir() -> Path:
    """The voc cache (ONNX exports, embedding cache, numba cache): $VOC_CACHE_DIR or ~/.cache/voc."""
    path = Path(os.environ.get("VOC_CACHE_DIR") or Path.home() / ".cache" / "voc")
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_dir() -> Path:
    """Where `voc eval` writes its JSON by default: bench/results in a checkout, ./voc-results otherwise."""
    return PROJECT_ROOT / "bench" / "results" if IN_CHECKOUT else Path.cwd() / "voc-results"


def trained_model_dir(name: str) -> Path:
    """Default output folder of `voc train NAME`: the shipped models/NAME in a checkout or under VOC_MODELS_DIR."""
    if IN_CHECKOUT or "VOC_MODELS_DIR" in os.environ:
        return MODELS_DIR / name
    raise ConfigError(
        f"voc is installed as a package, so `voc train {name}` will not overwrite its shipped model in {MODELS_DIR}: "
        "pass --out FOLDER (then point the pipeline's model setting at it), or set VOC_MODELS_DIR."
    )


def shared_data_dir() -> Path:
    """The public labelled datasets: $VOC_SHARED_DATA or ../shared/data beside the checkout."""
    return Path(os.environ.get("VOC_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data")


def shown_path(path: Path) -> str:
    """A path as recorded in shipped metadata: relative to the project when inside it, so no machine path ships."""
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)
