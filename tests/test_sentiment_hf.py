"""The Hugging Face path of the sentiment lens, with tiny random-weight BERT classifiers built locally."""

from __future__ import annotations

import numpy as np
import pytest

from voc.config import EncoderConfig, SentimentConfig
from voc.errors import ModelError
from voc.lenses.sentiment import COLUMNS, SentimentLens
from voc.lenses.sentiment_hf import label_matrix

from tiny_bert import save_tokenizer, tiny_config

def _tiny_model(folder, id2label: dict[int, str]):
    """Save a random-init tiny BERT sequence classifier and a WordPiece tokenizer into folder."""
    import torch
    from transformers import BertForSequenceClassification

    tok = save_tokenizer(folder)
    torch.manual_seed(0)
    cfg = tiny_config(
        len(tok), num_labels=len(id2label), id2label=id2label, label2id={v: k for k, v in id2label.items()}
    )
    BertForSequenceClassification(cfg).eval().save_pretrained(str(folder))
    return folder


def _reference_probs(folder, texts):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForSequenceClassification.from_pretrained(str(folder)).eval()
    with torch.inference_mode():
        return torch.softmax(model(**tok(texts, padding=True, return_tensors="pt")).logits, -1).numpy()


TEXTS = ["The staff were lovely.", "The app keeps crashing!", "lost my bag", "great flight, good service"]


def test_three_class_model_maps_labels_by_name(tmp_path):
    # id2label deliberately not in neg/neu/pos order, so the mapping must go by name
    folder = _tiny_model(tmp_path / "m3", {0: "positive", 1: "negative", 2: "neutral"})
    lens = SentimentLens.load(SentimentConfig(model=str(folder)), EncoderConfig(threads=1))
    out = lens.predict(TEXTS)
    assert list(out.columns) == list(COLUMNS) and len(out) == len(TEXTS)
    ref = _reference_probs(folder, TEXTS)
    np.testing.assert_allclose(out["p_positive"], ref[:, 0], atol=1e-5)
    np.testing.assert_allclose(out["p_negative"], ref[:, 1], atol=1e-5)
    np.testing.assert_allclose(out["p_neutral"], ref[:, 2], atol=1e-5)
    np.testing.assert_allclose(out["sentiment_score"], ref[:, 0] - ref[:, 1], atol=1e-5)
    assert lens.version.startswith("hf:")


def test_two_class_generic_labels_give_zero_neutral(tmp_path):
    folder = _tiny_model(tmp_path / "m2", {0: "LABEL_0", 1: "LABEL_1"})
    lens = SentimentLens.load(SentimentConfig(model=str(folder)), EncoderConfig(threads=1))
    out = lens.predict(TEXTS)
    ref = _reference_probs(folder, TEXTS)
    assert (out["p_neutral"] == 0).all()
    np.testing.assert_allclose(out["p_negative"], ref[:, 0], atol=1e-5)
    np.testing.assert_allclose(out["p_positive"], ref[:, 1], atol=1e-5)
    assert set(out["sentiment"]) <= {"negative", "positive"}


def test_hf_sentence_level_runs_each_sentence(tmp_path):
    folder = _tiny_model(tmp_path / "m3b", {0: "NEG", 1: "NEU", 2: "POS"})
    lens = SentimentLens.load(SentimentConfig(model=str(folder)), EncoderConfig(threads=1))
    text = "The staff were lovely. The app keeps crashing."
    doc, sents = lens.predict_with_sentences([text, "lost my bag"], [[(0, 22), (23, 46)], []])
    assert len(doc) == 2 and [len(s) for s in sents] == [2, 0]
    ref = _reference_probs(folder, ["The staff were lovely.", "The app keeps crashing."])
    np.testing.assert_allclose(sents[0][["p_negative", "p_neutral", "p_positive"]].to_numpy(), ref, atol=1e-5)
    assert list(sents[0]["start"]) == [0, 23]


def test_label_matrix_conventions():
    stars = label_matrix({i: f"{i + 1} star{'s' if i else ''}" for i in range(5)})
    assert stars.argmax(1).tolist() == [0, 0, 1, 2, 2]
    assert label_matrix({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}).argmax(1).tolist() == [0, 1, 2]
    with pytest.raises(ModelError, match="sarcasm"):
        label_matrix({0: "sarcasm", 1: "irony"})


def test_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError):
        SentimentLens.load(SentimentConfig(model=str(tmp_path / "nowhere")))
