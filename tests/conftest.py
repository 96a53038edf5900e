"""Shared fixtures: a demo store built once per session by the real pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.paths import PROJECT_ROOT, shared_data_dir

DEMO_PIPELINE = PROJECT_ROOT / "pipelines" / "demo.yaml"


def shared_data(name: str = "") -> Path:
    """Path of a shared dataset, or skip the test when the shared data folder is absent."""
    path = shared_data_dir() / name
    if not path.exists():
        pytest.skip(f"shared dataset {path} is absent (set VOC_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo corpus analysed by the local engine into a fresh store: (config, RunResult)."""
    from voc.config import PipelineConfig
    from voc.engine.local import run_pipeline

    store = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    cfg = PipelineConfig.load(DEMO_PIPELINE, store={"path": str(store)})
    return cfg, run_pipeline(cfg)


@pytest.fixture(scope="session")
def demo_store(demo_run) -> Path:
    """Path of the analysed demo store."""
    return demo_run[1].store_path


@pytest.fixture(scope="session")
def custom_cause(tmp_path_factory):
    """(store, model folder) holding the custom root-cause label `policy: pricing` (tests/custom_cause.py)."""
    from custom_cause import build_custom_store

    return build_custom_store(tmp_path_factory.mktemp("custom"))
