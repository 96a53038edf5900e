"""Sentiment training recipe: no eval rows in the mix, the binary loss, and packaging to int8 ONNX + lens."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tiny_bert import save_tokenizer, tiny_config

from voc import datasets
from voc.config import EncoderConfig, SentimentConfig
from voc.lenses.sentiment import SentimentLens
from voc.train.sentiment_fit import FitConfig, batch_loss


@pytest.mark.skipif(
    not all(
        datasets.available(d)
        for d in ("sst2", "airline_tweets", "womens_clothing_reviews", "tweeteval_sentiment")
    ),
    reason="shared datasets absent",
)
def test_training_mix_never_contains_eval_rows():
    from voc.train.sentiment_data import dev_sets, training_mix

    mix = training_mix(seed=1, sst2_rows=2000, clothing_positive_rows=200)
    assert set(mix["source"]) == {"sst2", "airline", "womens_clothing"}
    assert set(mix["label"]) == {0, 1, 2} and mix.loc[mix["binary"], "label"].isin([0, 2]).all()
    texts = set(mix["text"])
    for name, train_texts, eval_texts in [
        ("sst2", set(datasets.sst2("train")["text"]), set(datasets.sst2("eval")["text"])),
        ("airline", set(datasets.airline("train")["text"]), set(datasets.airline("eval")["text"])),
        (
            "clothing",
            set(datasets.womens_clothing("train")["text"]),
            set(datasets.womens_clothing("eval")["text"]),
        ),
    ]:
        assert not texts & (eval_texts - train_texts), f"{name} eval rows leaked into the training mix"
    devs = dev_sets(max_rows=100)
    assert not texts & set(devs["airline_dev"]["text"]) - set(datasets.airline("eval")["text"]) - {""}
    assert set(devs) == {"sst2_dev", "airline_dev", "tweeteval_dev"}


def test_binary_rows_are_scored_on_negative_vs_positive_only():
    import torch

    logits = torch.tensor([[2.0, 9.0, 2.0], [0.0, 0.0, 3.0]])
    labels = torch.tensor([2, 2])
    # a huge neutral logit does not matter for a binary (SST-2) row with tied neg/pos logits: loss = log 2
    loss = batch_loss(logits[:1], labels[:1], torch.tensor([True]))
    assert abs(loss.item() - np.log(2)) < 1e-5
    # but it does for a 3-class row
    assert batch_loss(logits[:1], labels[:1], torch.tensor([False])).item() > 6
    both = batch_loss(logits, labels, torch.tensor([True, False]))
    assert both.item() > 0


def test_package_checkpoint_int8_onnx_matches_torch(tmp_path):
    """A tiny BERT checkpoint goes through the real export path and the lens reproduces torch's predictions."""
    import torch
    from transformers import BertModel

    from voc.train.sentiment import package_checkpoint
    from voc.train.sentiment_fit import predict_probs

    ckpt = tmp_path / "best"
    tok = save_tokenizer(ckpt)
    torch.manual_seed(0)
    BertModel(tiny_config(len(tok))).save_pretrained(str(ckpt))
    head = torch.nn.Linear(32, 3)
    torch.save(head.state_dict(), ckpt / "head.pt")

    out = package_checkpoint(ckpt, tmp_path / "model", FitConfig())
    meta = json.loads((out / "meta.json").read_text())
    assert meta["version"].startswith("voc-sentiment-minilm-l6@") and (out / meta["onnx"]).is_file()
    lens = SentimentLens.load(SentimentConfig(model=str(out)), EncoderConfig(threads=1))
    texts = ["the staff were lovely .", "app keeps crashing !", "lost my bag", "great"]
    got = lens.predict(texts)[["p_negative", "p_neutral", "p_positive"]].to_numpy()

    from voc.train.sentiment_fit import SentimentNet

    net = SentimentNet.build(ckpt)
    net.head.load_state_dict(head.state_dict())
    ref = predict_probs(net, tok, texts, max_length=64)
    np.testing.assert_allclose(got, ref, atol=0.05)  # int8 weights: close, not identical
    assert (got.argmax(1) == ref.argmax(1)).mean() >= 0.75


def test_train_sentiment_cli_passes_the_frozen_layers_to_the_recipe(tmp_path, monkeypatch):
    """`voc train sentiment --freeze-layers 4` retrains with 4 frozen layers (issue 19's k = 3, 4 models)."""
    from typer.testing import CliRunner

    import voc.train.sentiment as train_module
    from voc.cli import app

    seen = {}
    monkeypatch.setattr(train_module, "train_sentiment", lambda out, work, reuse, **kw: seen.update(kw) or {})
    args = ["train", "sentiment", "--out", str(tmp_path / "k4"), "--threads", "1", "--freeze-layers", "4"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert seen == {"threads": 1, "freeze_layers": 4}
    assert FitConfig(**seen).freeze_layers == 4
