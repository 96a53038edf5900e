"""`voc rescore` is crash-safe: a rescore that dies mid-way resumes at its checkpoint and ends where an
uninterrupted rescore ends."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from bench.sample_store import build_sample_store
from voc.config import PipelineConfig
from voc.store import Store
from voc.teach import rescore as rescore_mod

COLUMNS = ["doc_id", "sentiment", "p_negative", "p_neutral", "p_positive", "causes", "cause_scores"]


def _preds(path) -> pd.DataFrame:
    frame = Store(path, read_only=True).documents_with_predictions(columns=COLUMNS, order_by="doc_id")
    frame["causes"] = frame["causes"].map(lambda c: sorted(c) if c is not None else None)
    frame["cause_scores"] = frame["cause_scores"].map(str)
    return frame.reset_index(drop=True)


@pytest.mark.slow
def test_rescore_resumes_after_a_crash(tmp_path, monkeypatch):
    crashed = build_sample_store(tmp_path / "crashed.duckdb", n=90)
    whole = tmp_path / "whole.duckdb"
    shutil.copyfile(crashed, whole)
    before = _preds(crashed)
    cfg = PipelineConfig.load(None)

    real, calls = rescore_mod.analyse_batch, []

    def dies_on_second_page(page, models):
        calls.append(len(page))
        if len(calls) == 2:
            raise RuntimeError("killed mid-way")
        return real(page, models)

    monkeypatch.setattr(rescore_mod, "analyse_batch", dies_on_second_page)
    with pytest.raises(RuntimeError, match="killed mid-way"):
        rescore_mod.rescore(Store(crashed), cfg, page_size=30, progress=False)
    runs = Store(crashed, read_only=True).runs()
    failed = runs[runs["run_id"].str.startswith("rescore-")]
    assert failed["status"].tolist() == ["failed"]
    half = _preds(crashed)
    assert (
        half["p_negative"].iloc[:30] != before["p_negative"].iloc[:30]
    ).all()  # the first page was committed
    assert (half["p_negative"].iloc[30:] == before["p_negative"].iloc[30:]).all()  # the rest was not

    monkeypatch.setattr(rescore_mod, "analyse_batch", real)
    resumed = rescore_mod.rescore(Store(crashed), cfg, page_size=30, progress=False)
    fresh = rescore_mod.rescore(Store(whole), cfg, page_size=30, progress=False)
    assert resumed["run_id"] == failed["run_id"].iloc[0]  # the same run, picked up at its checkpoint
    assert resumed["documents"] == fresh["documents"] == 90
    runs = Store(crashed, read_only=True).runs()
    assert runs.loc[runs["run_id"].str.startswith("rescore-"), "status"].tolist() == ["done"]
    pd.testing.assert_frame_equal(_preds(crashed), _preds(whole))


def test_pooled_cache_gives_the_runner_s_probabilities(tmp_path, monkeypatch):
    from voc.config import EncoderConfig
    from voc.lenses.sentiment import OnnxSentimentRunner, default_model_dir
    from voc.lenses.sentiment_pooled import PooledCache
    from voc.train.rootcause_corpus import split_spans

    monkeypatch.setenv("VOC_CACHE_DIR", str(tmp_path))
    texts = [
        "Great fit. The colour faded after one wash though.",
        "Terrible support.",
        "",
        "The strap broke on day two. " * 30 + "Refund took a month.",  # its last spans are past the window
    ]
    spans = split_spans(texts)
    runner = OnnxSentimentRunner(default_model_dir(), EncoderConfig(threads=1))
    doc, sent = runner.doc_and_span_probs(texts, spans)
    runner.pooled_cache = cache = PooledCache(runner)
    for _ in (1, 2):  # the first call encodes and caches, the second reads the cache only
        cdoc, csent = runner.doc_and_span_probs(texts, spans)
        assert np.allclose(cdoc, doc, atol=1e-5)
        assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(csent, sent))
    assert (cache.misses, cache.hits) == (len(texts), len(texts))


@pytest.mark.slow
def test_run_fills_the_pooled_cache_so_the_first_rescore_is_warm(tmp_path):
    import uuid

    from typer.testing import CliRunner

    from voc.cli import app

    token = uuid.uuid4().hex[:8]  # texts no earlier run cached
    reasons = [
        "the courier was late",
        "the app crashed at checkout",
        "the agent was lovely",
        "the refund took weeks",
    ]
    texts = [f"Order {token}-{i}: {reasons[i % 4]}. I will tell my friends." for i in range(12)]
    pd.DataFrame({"text": texts}).to_csv(tmp_path / "in.csv", index=False)
    store = tmp_path / "s.duckdb"
    res = CliRunner().invoke(
        app, ["run", "--input", str(tmp_path / "in.csv"), "--store", str(store), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    out = rescore_mod.rescore(Store(store), PipelineConfig.load(None), progress=False)
    assert out["pooled_cache"] == {"hits": 12, "misses": 0}
