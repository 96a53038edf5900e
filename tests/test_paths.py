"""Where voc finds its shipped files, in a checkout and as an installed package, and `voc --version`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import voc
from voc import paths
from voc.errors import ConfigError


def test_checkout_resolves_the_top_level_folders():
    assert paths.IN_CHECKOUT and paths.SHIPPED == paths.PROJECT_ROOT
    assert (paths.MODELS_DIR / "sentiment" / "model.int8.onnx").is_file()
    assert paths.APP_ENTRY.is_file() and paths.DEMO_PIPELINE.is_file()
    assert (paths.DEMO_DATA / "reviews.csv").is_file()


def test_installed_voc_never_trains_into_its_own_package(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "IN_CHECKOUT", False)
    monkeypatch.delenv("VOC_MODELS_DIR", raising=False)
    with pytest.raises(ConfigError, match="--out"):
        paths.trained_model_dir("rootcause")
    monkeypatch.setenv("VOC_MODELS_DIR", str(tmp_path))
    assert paths.trained_model_dir("rootcause") == paths.MODELS_DIR / "rootcause"
    monkeypatch.chdir(tmp_path)
    assert paths.results_dir() == tmp_path / "voc-results"


def test_version_option():
    from voc.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"voc {voc.__version__}"
