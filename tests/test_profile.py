"""The `fast` profile: selectable from the CLI, the pipeline YAML, VOC_PROFILE and voc.analyze, and recorded."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from voc.cli import app
from voc.config import EncoderConfig, PipelineConfig
from voc.paths import MODELS_DIR

TEXTS = [
    "The staff were lovely and the flight was on time. Thank you!",
    "Worst customer service ever, I waited three hours and nobody called back.",
    "My order arrived broken and the refund never came.",
    "Absolutely love this dress, fits perfectly.",
]


def _is_fast(cfg: PipelineConfig) -> bool:
    return cfg.profile == "fast" and cfg.encoder.precision == "int8" and cfg.sentiment.model == "fast"


def test_default_profile_is_quality(monkeypatch):
    monkeypatch.delenv("VOC_PROFILE", raising=False)
    cfg = PipelineConfig.load(None)
    assert cfg.profile == "default" and cfg.encoder.precision == "fp32" and cfg.sentiment.model == "default"
    # the shared fp32 trunk: the encoder's vectors unchanged, sentiment within 0.5 point (README)
    assert (cfg.encoder.shared_trunk, cfg.encoder.trunk_precision) == (2, "fp32")


def test_yaml_selects_fast(tmp_path, monkeypatch):
    monkeypatch.delenv("VOC_PROFILE", raising=False)
    path = tmp_path / "p.yaml"
    path.write_text("profile: fast\nlenses: [sentiment]\n")
    assert _is_fast(PipelineConfig.load(path))


def test_environment_selects_fast_and_cli_flag_beats_it(monkeypatch):
    monkeypatch.setenv("VOC_PROFILE", "fast")
    cfg = PipelineConfig.load(None)
    assert _is_fast(cfg)
    assert cfg.with_profile("fast").model_dump() == cfg.model_dump()
    back = cfg.with_profile("default")
    assert back.profile == "default" and back.encoder == EncoderConfig() and back.sentiment.model == "default"
    monkeypatch.setenv("VOC_PROFILE", "default")
    assert _is_fast(PipelineConfig.load(None).with_profile("fast"))


def test_profile_keeps_a_pinned_sentiment_model(tmp_path, monkeypatch):
    monkeypatch.delenv("VOC_PROFILE", raising=False)
    cfg = PipelineConfig.load(None, profile="fast", sentiment={"model": str(tmp_path)})
    assert cfg.encoder.precision == "int8" and cfg.sentiment.model == str(tmp_path)


def test_unknown_profile_is_a_clear_error(monkeypatch):
    from voc.errors import ConfigError

    monkeypatch.delenv("VOC_PROFILE", raising=False)
    with pytest.raises(ConfigError, match="profile"):
        PipelineConfig.load(None, profile="turbo")
    with pytest.raises(ConfigError, match="turbo"):
        PipelineConfig.load(None).with_profile("turbo")


def test_analyze_fast_uses_the_vector_head_on_the_int8_pass(monkeypatch):
    import voc
    from voc.encode import get_encoder
    from voc.lenses.sentiment_vectors import VectorSentimentRunner

    monkeypatch.delenv("VOC_PROFILE", raising=False)
    cfg = {"lenses": ["sentiment"], "encoder": {"cache": False}}
    fast = voc.analyze(TEXTS, config=cfg, profile="fast")
    assert fast["sentiment"].tolist() == ["positive", "negative", "negative", "positive"]
    enc_cfg = EncoderConfig(precision="int8", shared_trunk=0, cache=False)
    head = VectorSentimentRunner(MODELS_DIR / "sentiment-fast", enc_cfg)
    expected = head.head(get_encoder(enc_cfg).encode(fast["text"].tolist()))
    np.testing.assert_allclose(fast[["p_negative", "p_neutral", "p_positive"]], expected, atol=1e-5)


def test_cli_profile_fast_is_recorded_in_the_run(tmp_path, monkeypatch):
    monkeypatch.delenv("VOC_PROFILE", raising=False)
    path = tmp_path / "reviews.csv"
    pd.DataFrame({"review_id": range(len(TEXTS)), "review_text": TEXTS}).to_csv(path, index=False)
    store = tmp_path / "s.duckdb"
    args = ["run", "--input", str(path), "--preset", "reviews", "--store", str(store), "--no-themes", "-q"]
    result = CliRunner().invoke(app, [*args, "--profile", "fast"])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(store), read_only=True) as con:
        versions, config = con.execute("SELECT model_versions, config FROM runs").fetchone()
        labels = con.execute("SELECT sentiment FROM predictions ORDER BY doc_id").fetchall()
    versions, config = json.loads(versions), json.loads(config)
    assert versions["profile"] == "fast" and config["profile"] == "fast"
    assert versions["encoder"].endswith("onnx-int8")
    assert versions["sentiment"].startswith("voc-sentiment-fast-vectors@")
    assert len(labels) == len(TEXTS)
