"""The churn decision rule: best out-of-fold F1 among the decisions that respect the hard-negative and demo ceilings."""

from __future__ import annotations

import numpy as np
import pytest

from voc.train.churn_decision import Scores, choose, decision_table


def _train() -> tuple[Scores, np.ndarray, np.ndarray]:
    churn = np.array([0.9, 0.8, 0.5, 0.29, 0.2, 0.35, 0.1, 0.05])
    staying = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.4, 0.0, 0.0])
    gold = np.array([1, 1, 1, 1, 0, 0, 0, 0], bool)
    hard = np.array([0, 0, 0, 0, 0, 1, 0, 0], bool)
    return Scores(churn, staying), gold, hard


def test_without_demo_scores_the_best_out_of_fold_f1_wins():
    train, gold, hard = _train()
    best = choose(decision_table(train, gold, hard))
    assert best["f1"] == pytest.approx(1.0) and best["hard_flagged"] == 0.0
    assert 0.2 < best["threshold"] <= 0.29


def test_the_demo_ceiling_rules_out_decisions_that_flag_ordinary_complaints():
    train, gold, hard = _train()
    demo = Scores(np.array([0.95, 0.9, 0.28, 0.27, 0.26, 0.1]), np.zeros(6))
    wave = np.array([1, 1, 0, 0, 0, 0], bool)
    rows = decision_table(train, gold, hard, demo, wave)
    free = choose(rows, demo_ceiling=1.0, wave_floor=0.0)
    assert free["demo_other_flagged"] > 0.5  # the train-only best flags 3 of 4 ordinary demo items
    capped = choose(rows, demo_ceiling=0.12, wave_floor=0.85)
    assert capped["demo_other_flagged"] <= 0.12 and capped["demo_wave_found"] >= 0.85
    assert capped["threshold"] > 0.28 and capped["f1"] < free["f1"]
    with pytest.raises(ValueError, match="No churn decision"):
        choose(rows, demo_ceiling=0.0, wave_floor=1.1)
