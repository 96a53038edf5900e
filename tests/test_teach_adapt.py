"""Sentiment adaptation details: rating labels train negative vs positive only, and `--full` wires the
store's labels into the fine-tune recipe."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bench.sample_store import build_sample_store
from voc.store import Store
from voc.teach import sentiment_adapt as sa
from voc.teach.labels_io import import_labels


def test_binary_rows_leave_the_neutral_logit_alone():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 8))
    y = np.where(X[:, 0] > 0, 2, 0)  # weak labels: negative or positive, never neutral
    W0, b0 = rng.normal(size=(3, 8)) * 0.1, np.zeros(3)
    Wb, bb = sa.fit_head(X, y, np.ones(300), np.ones(300, bool), W0, b0, anchor=1.0)
    W3, b3 = sa.fit_head(X, y, np.ones(300), np.zeros(300, bool), W0, b0, anchor=1.0)
    assert np.allclose(Wb[1], W0[1], atol=1e-4) and abs(bb[1] - b0[1]) < 1e-4  # no pull on neutral
    assert not np.allclose(W3[1], W0[1], atol=1e-2) and b3[1] < b0[1] - 0.1  # 3-class rows push neutral down
    assert np.corrcoef(Wb[2] - Wb[0], [1, 0, 0, 0, 0, 0, 0, 0])[0, 1] > 0.9  # the pos-neg direction is learnt


@pytest.mark.slow
def test_full_fine_tune_adds_the_store_labels(tmp_path):
    from voc.teach.train_store import train_sentiment_full_from_store

    store = build_sample_store(tmp_path / "s.duckdb", n=40)
    docs = Store(store, read_only=True).documents_with_predictions(columns=["doc_id"])
    src = tmp_path / "labels.csv"
    pd.DataFrame(
        {"doc_id": docs["doc_id"][:12], "sentiment": ["negative", "neutral", "positive"] * 4}
    ).to_csv(src, index=False)
    assert import_labels(src, Store(store)).imported == 12
    out = tmp_path / "full"
    card = train_sentiment_full_from_store(
        Store(store), out, work_dir=tmp_path / "work", epochs=0.002, dev_rows=16, eval_every=10_000, threads=1
    )
    meta = json.loads((out / "meta.json").read_text())
    assert meta["adapted"]["full"] and meta["adapted"]["labels"] == 12 == card["labels"]
    fit = json.loads((tmp_path / "work" / "fit_result.json").read_text())
    assert fit["train_sources"]["team"] == 12 * card["repeat"]  # the labels, repeated, joined the mix
    assert (out / "model.int8.onnx").is_file() and (out / "MODEL_CARD.md").is_file()


def _toy(rule, n_lab=60, noise=0.0, seed=0):
    """A shipped head that reads feature 0, a mix labelled by feature 0, and labels that follow `rule`."""
    from types import SimpleNamespace

    rng = np.random.default_rng(seed)
    W0 = np.zeros((3, 6), np.float32)
    W0[0, 0], W0[2, 0] = -3.0, 3.0
    pooler = SimpleNamespace(runner=SimpleNamespace(weight=W0, bias=np.zeros(3, np.float32)))
    Xm = rng.normal(size=(300, 6))
    mix = (Xm, np.where(Xm[:, 0] > 0, 2, 0), np.zeros(300, bool))
    X = rng.normal(size=(n_lab, 6))
    y = np.where(rule(X) > 0, 2, 0)
    flip = rng.random(n_lab) < noise
    return pooler, X, np.where(flip, 2 - y, y), mix


def test_the_team_labels_choose_their_weight():
    pooler, X, y, mix = _toy(lambda X: X[:, 1])  # a language the shipped head does not know
    share, cv = sa.choose_share(pooler, X, y, mix=mix)
    assert share == max(sa.SHARE_GRID) and cv["adapted_macro_f1"] > cv["shipped_macro_f1"] + 0.05
    pooler, X, y, mix = _toy(lambda X: X[:, 0])  # one it already knows: no share does better, the lightest wins
    share, _ = sa.choose_share(pooler, X, y, mix=mix)
    assert share == min(sa.SHARE_GRID)
