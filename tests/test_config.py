"""Pipeline config: YAML loading, VOC_* environment overrides, and the encoder settings voc eval/train use."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from voc.config import PipelineConfig, encoder_settings
from voc.errors import ConfigError


def test_environment_overrides_the_yaml(tmp_path, monkeypatch):
    path = tmp_path / "p.yaml"
    path.write_text("encoder:\n  precision: fp32\n  batch_size: 16\ninputs:\n  - path: data/x.csv\n")
    monkeypatch.setenv("VOC_ENCODER__PRECISION", "int8")
    cfg = PipelineConfig.load(path)
    assert cfg.encoder.precision == "int8"
    assert cfg.encoder.batch_size == 16
    assert cfg.inputs[0].path == tmp_path / "data" / "x.csv"


def test_voc_store_path_is_not_read_as_the_store_section(monkeypatch):
    monkeypatch.setenv("VOC_STORE", "/tmp/team.duckdb")  # the CLI's and the app's store path
    assert PipelineConfig.load().store.lock_timeout == 30.0
    monkeypatch.setenv("VOC_STORE__LOCK_TIMEOUT", "5")
    assert PipelineConfig.load().store.lock_timeout == 5.0
    monkeypatch.delenv("VOC_STORE__LOCK_TIMEOUT")
    monkeypatch.setenv("VOC_STORE", '{"lock_timeout": 7}')
    assert PipelineConfig.load().store.lock_timeout == 7.0


def test_encoder_settings_follow_the_environment(monkeypatch):
    monkeypatch.delenv("VOC_ENCODER__PRECISION", raising=False)
    assert encoder_settings().precision == "fp32"
    monkeypatch.setenv("VOC_ENCODER__PRECISION", "int8")
    assert encoder_settings().precision == "int8"


def test_bad_environment_value_names_the_field(monkeypatch):
    monkeypatch.setenv("VOC_ENCODER__PRECISION", "fp8")
    with pytest.raises(ConfigError, match="encoder.precision"):
        encoder_settings()


def test_training_corpora_encode_with_the_environment_settings(monkeypatch):
    """voc train/eval encode with what VOC_ENCODER__* says, so an int8 run can be evaluated as it runs."""
    from voc.train import rootcause_corpus

    seen = []

    class Recorder:
        def encode(self, texts):
            return np.zeros((len(texts), 384), np.float32)

    def fake_get_encoder(cfg):
        seen.append(cfg.precision)
        return Recorder()

    monkeypatch.setattr("voc.encode.get_encoder", fake_get_encoder)
    monkeypatch.setenv("VOC_ENCODER__PRECISION", "int8")
    assert rootcause_corpus.encode_short(["refund never arrived"]).shape == (1, 384)
    assert seen == ["int8"]


def test_themes_eval_cache_keeps_precisions_apart(tmp_path, monkeypatch):
    """An int8 evaluation never reads the fp32 vectors cached for the same texts."""
    from voc.evaluate import themes as themes_eval

    calls = []

    def fake_encode(texts):
        calls.append(encoder_settings().precision)
        return np.full((len(texts), 384), len(calls), np.float32)

    monkeypatch.setenv("VOC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(themes_eval, "_encode_uncached", fake_encode)
    monkeypatch.setenv("VOC_ENCODER__PRECISION", "fp32")
    first = themes_eval.encode_cached(["late refund"])
    assert themes_eval.encode_cached(["late refund"])[0, 0] == first[0, 0]
    monkeypatch.setenv("VOC_ENCODER__PRECISION", "int8")
    themes_eval.encode_cached(["late refund"])
    assert calls == ["fp32", "int8"]


def test_dead_settings_warn_and_leave_the_hash(tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text("seed: 7\nsentiment:\n  sentence_level: false\n  model: default\nthemes:\n  seed: 3\n")
    new = tmp_path / "new.yaml"
    new.write_text("sentiment:\n  model: default\nthemes:\n  seed: 3\n")
    with pytest.warns(FutureWarning, match="sentence_level"):
        cfg = PipelineConfig.load(old)
    assert cfg.config_hash() == PipelineConfig.load(new).config_hash()
    assert cfg.themes.seed == 3  # the seed that is read stays
    stored = {"seed": 42, "sentiment": {"model": "default", "sentence_level": True}}  # a run config in an old store
    with pytest.warns(FutureWarning, match="seed"):
        assert PipelineConfig.model_validate(stored).config_hash() == PipelineConfig().config_hash()
    with pytest.raises(ValidationError, match="sentence_levl"):
        PipelineConfig.model_validate({"sentiment": {"sentence_levl": True}})  # a typo is still an error
