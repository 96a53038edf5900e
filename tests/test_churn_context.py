"""Churn context windows: runs of adjacent sentences scored beside the sentences, for heads trained with them."""

from __future__ import annotations

import numpy as np
import pytest

from voc.lenses.churn import REQUIRED, churn_probs
from voc.lenses.churn_context import head_windows, with_windows
from voc.lenses.rootcause_model import RootCauseHead

DIM = 8


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_windows_append_normalised_runs_with_their_spans():
    rng = np.random.default_rng(0)
    sv = np.stack([_unit(rng.normal(size=DIM)) for _ in range(3)])
    spans, vecs = with_windows([[(0, 5), (6, 12), (13, 20)], [(0, 9)]], [sv, sv[:1]], (2, 3))
    assert spans[0] == [(0, 5), (6, 12), (13, 20), (0, 12), (6, 20), (0, 20)]
    assert vecs[0].shape == (6, DIM)
    np.testing.assert_allclose(vecs[0][3], _unit(sv[0] + sv[1]), rtol=1e-5)
    np.testing.assert_allclose(vecs[0][5], _unit(sv.sum(axis=0)), rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(vecs[0], axis=1), 1.0, rtol=1e-5)
    assert spans[1] == [(0, 9)] and vecs[1].shape == (1, DIM)  # one sentence: nothing to add
    same_spans, same_vecs = with_windows([[(0, 5), (6, 12)]], [sv[:2]], ())
    assert same_spans == [[(0, 5), (6, 12)]] and same_vecs[0].shape == (2, DIM)


def _head(meta: dict) -> RootCauseHead:
    """A churn head whose churn logit is 10 * cos(sentence, d) - 7: only similarity to d counts."""
    labels = list(REQUIRED)
    W = np.zeros((DIM, len(labels)), np.float32)
    W[0, 0] = 10.0
    comb = np.tile([1.0, 0.0, 0.0, 0.0, 0.0], (len(labels), 1)).astype(np.float32)
    return RootCauseHead(labels=labels, W=W, b=np.array([-7.0, -5.0, -5.0], np.float32),
                         E=np.eye(DIM, dtype=np.float32)[:3], E_label=np.arange(3), comb=comb,
                         thresholds=np.full(3, 0.5, np.float32), meta=meta)  # fmt: skip


def test_a_goodbye_split_over_two_sentences_scores_higher_with_windows():
    # each sentence holds half of the goodbye (cos 0.707 to it); together they hold more (cos 0.816)
    d, u1, u2 = np.eye(DIM, dtype=np.float32)[:3]
    text = "Signed with another supplier today. You'll get the transfer notice next week."
    spans = [[(0, 35), (36, len(text))]]
    sents = [np.stack([_unit(d + u1), _unit(d + u2)])]
    doc = _unit(d + u1 + u2)[None]
    plain = churn_probs(_head({}), [text], spans, doc, sents)[0, 0]
    windowed = churn_probs(_head({"context_windows": [2]}), [text], spans, doc, sents)[0, 0]
    assert plain == pytest.approx(1 / (1 + np.exp(-(10 * 0.7071 - 7))), abs=1e-3)
    assert windowed == pytest.approx(1 / (1 + np.exp(-(10 * 0.8165 - 7))), abs=1e-3)
    assert head_windows({"context_windows": [2, 3]}) == (2, 3) and head_windows({}) == ()
