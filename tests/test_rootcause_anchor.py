"""Root-cause adaptation anchored to the shipped head: the objective, the pull, and the kept calibration."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from voc.lenses.rootcause_model import RootCauseHead
from voc.lenses.rootcause_taxonomy import DEFAULT_DIR
from voc.train.rootcause_anchor import Anchor, Fitter, anchored_logreg, load_base


def _data(seed: int = 0, n: int = 300, d: int = 8):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.7, size=n) > 0).astype(float)
    return X, y, rng.uniform(0.5, 2.0, size=n)


def test_without_anchor_it_is_sklearns_logistic_regression():
    X, y, w = _data()
    ref = LogisticRegression(C=8.0, max_iter=5000, tol=1e-10).fit(X, y, sample_weight=w)
    coef, icpt = anchored_logreg(X, y, w, 8.0, np.zeros(X.shape[1]), 0.0, anchor=0.0)
    assert np.allclose(coef, ref.coef_[0], atol=2e-3) and abs(icpt - ref.intercept_[0]) < 2e-3


def test_the_anchor_pulls_towards_the_base_weights():
    X, y, w = _data()
    base = np.array([-1.0, 2.0, 0.5, 0, 0, 0, 0, 0])
    free, _ = anchored_logreg(X, y, w, 8.0, base, 0.0, anchor=0.0)
    gaps = [
        np.linalg.norm(anchored_logreg(X, y, w, 8.0, base, 0.0, anchor=a)[0] - base)
        for a in (0.1, 1.0, 100.0)
    ]
    assert np.linalg.norm(free - base) > gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 0.05 * np.linalg.norm(free - base)


def test_base_head_arrays_follow_the_training_labels():
    head = RootCauseHead.load(DEFAULT_DIR)
    labels = ["technology", "my_custom_label", "people"]
    base = load_base(DEFAULT_DIR, labels, head.W.shape[0])
    assert base.known.tolist() == [True, False, True]
    j = head.labels.index("technology")
    assert np.array_equal(base.W[:, 0], head.W[:, j]) and base.thresholds[0] == pytest.approx(
        head.thresholds[j]
    )
    assert not base.W[:, 1].any()  # a label the shipped head lacks is fitted as before


def test_fitter_keeps_the_shipped_calibration_for_the_labels_it_knows():
    head = RootCauseHead.load(DEFAULT_DIR)
    labels = [*head.labels, "my_custom_label"]
    fit = Fitter(Anchor(DEFAULT_DIR, 1.0, keep_calibration=True), labels, head.W.shape[0], 8.0)
    thresholds, kept = fit.keep(np.full(len(labels), 0.5, np.float32), thresholds=True)
    assert kept == head.labels
    assert np.allclose(thresholds[: len(head.labels)], head.thresholds) and thresholds[-1] == 0.5
    plain = Fitter(None, labels, head.W.shape[0], 8.0)
    assert plain.keep(thresholds)[1] == [] and plain.card() is None


def test_adapting_keeps_the_shipped_calibration_and_moves_the_head_less(tmp_path):
    import pandas as pd

    from voc.teach.train_store import rootcause_anchor
    from voc.train.rootcause import train_rootcause

    texts = [
        f"The agent on the phone was rude to me about order {i}, and the refund took weeks."
        for i in range(30)
    ]
    docs = pd.DataFrame(
        {"text": texts, "causes": [["process"]] * 30}
    )  # a team that files rude agents as process
    shipped = RootCauseHead.load(DEFAULT_DIR)
    train_rootcause(
        out_dir=tmp_path / "anchored", extra_docs=docs, extra_weight=1.0, anchor=rootcause_anchor()
    )
    train_rootcause(out_dir=tmp_path / "plain", extra_docs=docs, extra_weight=1.0)
    anchored, plain = RootCauseHead.load(tmp_path / "anchored"), RootCauseHead.load(tmp_path / "plain")
    assert np.array_equal(anchored.thresholds, shipped.thresholds) and np.array_equal(
        anchored.comb, shipped.comb
    )
    moved = np.linalg.norm(anchored.W - shipped.W)
    assert 0 < moved < np.linalg.norm(plain.W - shipped.W)
    assert anchored.meta["anchor"]["keep_calibration"] and anchored.meta["calibrated_labels"] == []
