"""The shared trunk: the split encoder equals the whole one, and sentiment from the shared pass equals the
sentiment model run separately with the same weights (voc.encode.trunk, voc.lenses.sentiment_trunk)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from voc.config import EncoderConfig, PipelineConfig

pytest_plugins = ["test_encode_support"]  # one temporary voc cache (ONNX exports) per test process

TEXTS = [
    "The app keeps crashing every time I open the settings page. Please fix it!",
    "Support answered within minutes and fixed my billing problem.",
    "ok",
    "Refund still not processed after 3 weeks :( I called twice. Nobody knows anything.",
    # longer than one 128-token window: the sentiment model sees the first window; its tail sentence is
    # past the truncation, so it is scored on its own
    "The seat was fine. " * 40 + "But the crew lost my bag and never called back.",
]


def _spans(texts):
    from voc.clean.sentences import split_sentences

    return [split_sentences(t) or [(0, len(t))] for t in texts]


@pytest.fixture(scope="module")
def fp32_sentiment(cache_root, tmp_path_factory):
    """A sentiment model folder whose graph is the base MiniLM in fp32 (bottom layers frozen by construction).

    fp32 makes the comparison exact: int8 dynamic quantisation scales activations per batch, so the shipped
    model's probabilities move with its batch-mates (tested separately below).
    """
    from voc.encode.backends import ensure_onnx
    from voc.encode.source import resolve_model

    source = resolve_model(None)
    folder = tmp_path_factory.mktemp("fp32-sentiment")
    (folder / "model.onnx").symlink_to(ensure_onnx(source, "fp32"))
    shutil.copy(source.path / "tokenizer.json", folder / "tokenizer.json")
    rng = np.random.default_rng(0)
    np.savez(folder / "head.npz", weight=rng.normal(0, 0.3, (3, 384)).astype(np.float32), bias=np.zeros(3))
    meta = {
        "version": "test-fp32",
        "labels": ["negative", "neutral", "positive"],
        "onnx": "model.onnx",
        "head": "head.npz",
        "tokenizer": "tokenizer.json",
        "fit_config": {"freeze_embeddings": True, "freeze_layers": 2},
    }
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def _analyse(folder, k: int, trunk_precision: str = "int8"):
    from voc.engine.stages import analyse_batch, load_models

    cfg = PipelineConfig.load(
        None,
        encoder={"shared_trunk": k, "trunk_precision": trunk_precision, "cache": False},
        sentiment={"model": str(folder)},
        lenses=["sentiment"],
    )
    models = load_models(cfg)
    docs = pd.DataFrame({"doc_id": [str(i) for i in range(len(TEXTS))], "text": TEXTS, "language": "en"})
    return models, analyse_batch(docs, models)


def test_default_encoder_is_split_and_gives_the_whole_graphs_vectors(onnx_fp32):
    from voc.encode import get_encoder

    assert (EncoderConfig().shared_trunk, EncoderConfig().trunk_precision) == (2, "fp32")
    assert onnx_fp32.trunk is not None  # the default config's encoder runs a shared trunk
    whole = get_encoder(EncoderConfig(cache=False, shared_trunk=0))
    assert whole.trunk is None
    spans = _spans(TEXTS)
    (a, sa), (b, sb) = onnx_fp32.encode_spans(TEXTS, spans), whole.encode_spans(TEXTS, spans)
    # the same weights and precision; only float rounding differs (ORT fuses the split graphs' ops differently):
    # largest difference 2.1e-7 on 872 SST-2 and 600 airline texts (bench.trunk_sentiment --vectors)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    for x, y in zip(sa, sb):
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-6)
    assert onnx_fp32.version == whole.version  # the same vectors: the embedding cache is shared


def test_trunk_precision_follows_the_encoders(onnx_int8):
    from voc.encode import get_encoder

    assert EncoderConfig(precision="int8").trunk_precision == "int8"
    assert EncoderConfig(precision="int8", trunk_precision="fp32").trunk_precision == "fp32"
    assert onnx_int8.trunk is not None
    whole = get_encoder(EncoderConfig(precision="int8", cache=False, shared_trunk=0))
    np.testing.assert_allclose(onnx_int8.encode(TEXTS), whole.encode(TEXTS), rtol=0, atol=1e-6)
    assert onnx_int8.version == whole.version


def test_int8_trunk_moves_the_vectors_a_little_and_keys_its_own_cache(onnx_fp32):
    from voc.encode import get_encoder

    int8 = get_encoder(EncoderConfig(cache=False, shared_trunk=2, trunk_precision="int8"))
    whole = get_encoder(EncoderConfig(cache=False, shared_trunk=0))
    cos = (int8.encode(TEXTS) * whole.encode(TEXTS)).sum(1)
    assert 0.98 < cos.min() < 0.9999  # int8 bottom layers: close, not the same ("ok": 0.990 here)
    assert int8.version == f"{whole.version}+trunk2-int8"  # its vectors never mix with fp32 ones in the cache


def test_shared_pass_equals_separate_models_with_the_same_weights(fp32_sentiment):
    models, shared = _analyse(fp32_sentiment, 2, "fp32")
    runner = models.sentiment._runner
    assert runner.trunk_layers == 2
    calls_before = runner.top.calls
    _, separate = _analyse(fp32_sentiment, 0, "fp32")
    assert models.lens("sentiment").model._runner.top.calls == calls_before  # separate run used its own graph
    cols = ["p_negative", "p_neutral", "p_positive", "sentiment_score"]
    np.testing.assert_allclose(shared.predictions[cols], separate.predictions[cols], atol=1e-4)
    np.testing.assert_allclose(
        shared.sentences["sentiment_score"], separate.sentences["sentiment_score"], atol=1e-4
    )
    assert (shared.vectors * separate.vectors).sum(1).min() > 0.99999
    # the same runner, fed the texts directly (its own tokenizer, trunk and top), agrees too
    doc, flat = models.sentiment.predict_sentences_flat(TEXTS, _spans(TEXTS))
    np.testing.assert_allclose(doc[cols], shared.predictions[cols], atol=1e-4)
    np.testing.assert_allclose(flat["sentiment_score"], shared.sentences["sentiment_score"], atol=1e-4)


def test_shared_pass_runs_the_sentiment_top_once_per_batch(fp32_sentiment):
    models, _ = _analyse(fp32_sentiment, 2, "fp32")
    runner = models.sentiment._runner
    # one top call per encoder batch plus one for the long text's truncated tail sentence: no own pass
    assert runner.model.calls == 0
    assert 1 <= runner.top.calls <= 3


def _with_frozen(model, folder, layers: int):
    """A copy of a model folder whose meta says it was fine-tuned with its bottom `layers` layers frozen."""
    shutil.copytree(model, folder, symlinks=True)
    meta = json.loads((folder / "meta.json").read_text())
    meta["fit_config"]["freeze_layers"] = layers
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


def test_a_model_that_did_not_freeze_the_layers_runs_its_own_pass(fp32_sentiment, tmp_path):
    from voc.lenses.sentiment import OnnxSentimentRunner

    folder = _with_frozen(fp32_sentiment, tmp_path / "unfrozen", 1)
    fp32 = {"cache": False, "trunk_precision": "fp32"}
    assert OnnxSentimentRunner(folder, EncoderConfig(shared_trunk=2, **fp32)).trunk_layers == 0
    assert OnnxSentimentRunner(folder, EncoderConfig(shared_trunk=1, **fp32)).trunk_layers == 1


@pytest.mark.parametrize("k", [3, 4])
def test_a_model_that_froze_k_layers_runs_its_top_6_minus_k_on_a_k_layer_trunk(fp32_sentiment, tmp_path, k):
    """Nothing is special about k=2 (issue 19 retrains with k = 2, 3, 4): a model that froze k layers runs only
    its layers above k on the k-layer trunk and gives what its own pass gives; a shallower trunk is shared
    too (it froze those layers as well), a deeper one is not."""
    import onnx

    from voc.encode.trunk import split_paths
    from voc.lenses.sentiment import OnnxSentimentRunner

    folder = _with_frozen(fp32_sentiment, tmp_path / f"k{k}", k)
    models, shared = _analyse(folder, k, "fp32")
    runner = models.sentiment._runner
    assert runner.trunk_layers == k and runner.version.endswith(f"+trunk{k}-fp32")
    assert runner.model.calls == 0 and runner.top.calls >= 1
    top = onnx.load(str(split_paths(folder / "model.onnx", k, "top")), load_external_data=False).graph
    layers = {int(n.name.split("layer.")[1].split("/")[0]) for n in top.node if "/layer." in n.name}
    assert layers == set(range(k, 6))
    _, separate = _analyse(folder, 0, "fp32")
    cols = ["p_negative", "p_neutral", "p_positive", "sentiment_score"]
    np.testing.assert_allclose(shared.predictions[cols], separate.predictions[cols], atol=1e-4)
    np.testing.assert_allclose(
        shared.sentences["sentiment_score"], separate.sentences["sentiment_score"], atol=1e-4
    )
    # the encoder's side: the same vectors as its whole graph, so root cause and themes cannot move with k
    np.testing.assert_allclose(shared.vectors, separate.vectors, rtol=0, atol=1e-6)
    fp32 = {"cache": False, "trunk_precision": "fp32"}
    assert OnnxSentimentRunner(folder, EncoderConfig(shared_trunk=2, **fp32)).trunk_layers == 2
    assert OnnxSentimentRunner(folder, EncoderConfig(shared_trunk=k + 1, **fp32)).trunk_layers == 0


def test_a_trunk_must_leave_a_top_layer():
    """MiniLM-L6 has 6 layers: a 6-layer trunk would leave the top nothing to run (the graph has no cut there)."""
    from pydantic import ValidationError

    assert EncoderConfig(shared_trunk=5).shared_trunk == 5
    with pytest.raises(ValidationError, match="shared_trunk"):
        EncoderConfig(shared_trunk=6)


def test_a_model_whose_weights_differ_from_the_trunk_runs_its_own_pass(fp32_sentiment):
    """An fp32 model on an int8 trunk: the frozen-layer flags say yes, the weights say no."""
    from voc.lenses.sentiment import OnnxSentimentRunner

    runner = OnnxSentimentRunner(
        fp32_sentiment, EncoderConfig(cache=False, shared_trunk=2, trunk_precision="int8")
    )
    assert runner.trunk_layers == 0 and runner.top is None
    assert "+trunk" not in runner.version


def test_shipped_int8_model_on_the_int8_trunk_equals_its_separate_pass(cache_root):
    """The int8 trunk holds exactly the shipped model's own int8 bottom layers: the same outputs as its own
    pass, up to the per-batch activation scaling int8 dynamic quantisation already has."""
    from voc.lenses.sentiment import default_model_dir

    if not (default_model_dir() / "meta.json").is_file():
        pytest.skip("models/sentiment is not built")
    models, shared = _analyse(default_model_dir(), 2, "int8")
    runner = models.sentiment._runner
    assert runner.trunk_layers == 2 and runner.version.endswith("+trunk2-int8")
    assert runner.model.calls == 0  # no pass of its own
    _, separate = _analyse(default_model_dir(), 0)
    cols = ["p_negative", "p_neutral", "p_positive"]
    np.testing.assert_allclose(shared.predictions[cols], separate.predictions[cols], atol=0.02)
    assert shared.predictions["sentiment"].tolist() == separate.predictions["sentiment"].tolist()
    assert shared.sentences["sentiment"].tolist() == separate.sentences["sentiment"].tolist()


def _default_run(**encoder):
    from voc.engine.stages import analyse_batch, load_models

    models = load_models(PipelineConfig.load(None, encoder={**encoder, "cache": False}))
    docs = pd.DataFrame({"doc_id": [str(i) for i in range(len(TEXTS))], "text": TEXTS, "language": "en"})
    return models, analyse_batch(docs, models)


def _same(x, y) -> bool:
    """Equal labels, lists and dicts; numbers equal up to the split graph's float rounding (a 1e-7 change can
    cross a boundary of the 4-decimal rounding some lenses apply to their scores)."""
    if isinstance(x, dict):
        return isinstance(y, dict) and x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)
    if isinstance(x, (list, tuple, np.ndarray)):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y))
    if isinstance(x, (float, np.floating)) and isinstance(y, (float, np.floating)):
        return bool(np.isclose(x, y, rtol=0, atol=1.5e-4, equal_nan=True))
    if pd.api.types.is_scalar(x) and pd.isna(x):
        return pd.api.types.is_scalar(y) and bool(pd.isna(y))
    return bool(x == y)


SENTIMENT_COLUMNS = ["sentiment", "sentiment_score", "p_negative", "p_neutral", "p_positive"]


def test_default_pipeline_shares_the_fp32_trunk_and_keeps_every_vector_lens(cache_root):
    """The default config: the shipped model's int8 top runs on the fp32 trunk (no pass of its own) and gives
    what its split graphs give when run by hand; the vectors and every other lens are the two-pass run's."""
    import onnxruntime as ort

    from voc.encode.backends import ensure_onnx
    from voc.encode.source import resolve_model
    from voc.encode.trunk import BIAS, hidden_name, split_paths
    from voc.lenses.sentiment import default_model_dir

    if not (default_model_dir() / "meta.json").is_file():
        pytest.skip("models/sentiment is not built")
    models, shared = _default_run()
    runner = models.sentiment._runner
    assert runner.trunk_layers == 2 and runner.version.endswith("+trunk2-fp32")
    assert runner.model.calls == 0  # the sentiment model ran no pass of its own
    two_models, two = _default_run(shared_trunk=0)
    assert two_models.sentiment._runner.trunk_layers == 0 and "+trunk" not in two_models.sentiment.version
    np.testing.assert_allclose(shared.vectors, two.vectors, rtol=0, atol=1e-6)  # float rounding only
    others = [c for c in shared.predictions.columns if c not in SENTIMENT_COLUMNS]
    assert len(others) > 5
    for col in others:
        for x, y in zip(shared.predictions[col], two.predictions[col]):
            assert _same(x, y), (col, x, y)

    # the split graphs by hand: fp32 trunk of the base MiniLM, then the shipped model's int8 top
    trunk = ort.InferenceSession(str(split_paths(ensure_onnx(resolve_model(None), "fp32"), 2, "trunk")))
    top = ort.InferenceSession(str(split_paths(default_model_dir() / "model.int8.onnx", 2, "top")))
    ids, mask, _, _ = runner.model.tokenize(TEXTS, runner.max_length)
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    hidden, bias = trunk.run(None, {i.name: feed[i.name] for i in trunk.get_inputs()})
    states = top.run(None, {hidden_name(2): hidden, BIAS: bias})[0]
    m = mask[..., None].astype(np.float32)
    logits = ((states * m).sum(1) / m.sum(1)) @ runner.weight.T + runner.bias
    by_hand = np.exp(logits - logits.max(1, keepdims=True))
    by_hand /= by_hand.sum(1, keepdims=True)
    probs = ["p_negative", "p_neutral", "p_positive"]
    own = models.sentiment.predict(TEXTS)  # one batch of the same five texts: the same int8 scales
    np.testing.assert_allclose(own[probs].to_numpy(), by_hand, atol=1e-5)
    # in the pipeline the top reads the encoder's batches (int8 activation scales per batch: close, not equal)
    np.testing.assert_allclose(shared.predictions[probs].to_numpy(), by_hand, atol=0.02)
    assert shared.predictions["sentiment"].tolist() == own["sentiment"].tolist()
    assert shared.predictions["sentiment"].tolist() == two.predictions["sentiment"].tolist()
