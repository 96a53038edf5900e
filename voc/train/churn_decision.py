"""The churn decision (threshold, staying weight) chosen on out-of-fold train scores under two ceilings.

churn_score = clip(p(churn) - staying_weight * p(staying), 0, 1); churn_intent = churn_score >= threshold.
Every pair on a grid is scored by its out-of-fold F1 on the churn dev set's train part. A pair is allowed
only if it flags at most `max_hard` of the train hard negatives and, when demo scores are given, at most
`demo_ceiling` of the demo corpus's English items outside its planted churn wave while still finding at
least `wave_floor` of the wave (the demo's ordinary long complaints must not read as goodbyes). Among the
allowed pairs with the best F1, the middle one of the plateau (in threshold order) is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLDS = np.round(np.arange(0.15, 0.601, 0.025), 3)
STAYING_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)


@dataclass(frozen=True)
class Scores:
    """p(churn) and p(staying) per document."""

    churn: np.ndarray
    staying: np.ndarray

    def flags(self, threshold: float, staying_weight: float) -> np.ndarray:
        """churn_intent under a decision."""
        score = np.clip(self.churn - staying_weight * self.staying, 0.0, 1.0)
        return score >= threshold


def f1(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean predictions."""
    tp = float((pred & gold).sum())
    p, r = tp / max(int(pred.sum()), 1), tp / max(int(gold.sum()), 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def decision_table(
    train: Scores,
    gold: np.ndarray,
    hard: np.ndarray,
    demo: Scores | None = None,
    wave: np.ndarray | None = None,
) -> list[dict]:
    """One row per (threshold, staying_weight): out-of-fold P/R/F1, hard negatives flagged, demo shares."""
    rows = []
    for s in STAYING_WEIGHTS:
        for t in THRESHOLDS:
            pred = train.flags(t, s)
            p, r, f = f1(pred, gold)
            row = {"threshold": float(t), "staying_weight": s, "precision": p, "recall": r, "f1": f,
                   "hard_flagged": float(pred[hard].mean()) if hard.any() else 0.0}  # fmt: skip
            if demo is not None and wave is not None:
                flagged = demo.flags(t, s)
                row["demo_other_flagged"] = float(flagged[~wave].mean())
                row["demo_wave_found"] = float(flagged[wave].mean()) if wave.any() else 1.0
            rows.append(row)
    return rows


def allowed(row: dict, max_hard: float, demo_ceiling: float, wave_floor: float) -> bool:
    """Whether a decision respects the hard-negative ceiling and, if measured, the demo ceilings."""
    if row["hard_flagged"] > max_hard:
        return False
    if "demo_other_flagged" in row:
        return row["demo_other_flagged"] <= demo_ceiling and row["demo_wave_found"] >= wave_floor
    return True


def choose(
    rows: list[dict], max_hard: float = 0.05, demo_ceiling: float = 0.12, wave_floor: float = 0.85
) -> dict:
    """The allowed decision with the best out-of-fold F1 (the middle of the best plateau)."""
    ok = [r for r in rows if allowed(r, max_hard, demo_ceiling, wave_floor)]
    if not ok:
        raise ValueError("No churn decision meets the ceilings; relax them or improve the head.")
    best = max(r["f1"] for r in ok)
    plateau = sorted(
        (r for r in ok if r["f1"] >= best - 1e-9), key=lambda r: (r["staying_weight"], r["threshold"])
    )
    return plateau[len(plateau) // 2]
