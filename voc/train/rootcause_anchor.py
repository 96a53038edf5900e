"""Root-cause adaptation that does not forget: the head refitted on a team's labels is pulled towards the base
(shipped) head, and the base head's combiner and thresholds are kept for the labels it knows.

Each label's logistic regression minimises the usual objective (C x weighted log-loss + 1/2 ||w||^2, as
sklearn's) plus 1/2 a ||w - w_base||^2 with a = anchor x C x (its rows' total weight) x (their mean squared
norm / dim): the pull is measured against the data's average second moment per direction, so `anchor` 1 is
about as stiff as the data itself and 0 is the plain refit. Labels the base head does not know are fitted
as before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from voc.lenses.rootcause_model import RootCauseHead

ANCHOR = 1.0  # pull towards the base head, per unit of a label's total row weight (see the module docstring)
EXTRA_GROUP = 10_000_000  # training rows of a team's labels have group ids above this (voc.train.rootcause)


@dataclass
class Anchor:
    """Adapt from a base head: anchor strength, and whether to keep its combiner and thresholds."""

    base_dir: Path
    strength: float = ANCHOR
    keep_calibration: bool = True
    # class-balance weights from the base rows only (the team's rows do not shift them)
    fixed_balance: bool = False
    negatives: float = 1.0  # weight of a team label's unticked causes, relative to its ticked ones


@dataclass
class Base:
    """The base head's arrays, aligned to the labels being trained; `known[j]` False for labels it lacks."""

    W: np.ndarray  # (dim, L)
    b: np.ndarray  # (L,)
    comb: np.ndarray  # (L, 5)
    thresholds: np.ndarray  # (L,)
    known: np.ndarray  # (L,) bool
    version: str


def load_base(model_dir: Path, labels: list[str], dim: int) -> Base:
    """The head in model_dir, its arrays put in the order of `labels` (zeros where it lacks a label)."""
    from voc.lenses.rootcause_model import head_version

    head = RootCauseHead.load(model_dir)
    L = len(labels)
    W, b = np.zeros((dim, L), np.float32), np.zeros(L, np.float32)
    comb, thr = np.zeros((L, 5), np.float32), np.full(L, 0.5, np.float32)
    known = np.array([lab in head.labels for lab in labels])
    for j, lab in enumerate(labels):
        if known[j]:
            k = head.labels.index(lab)
            W[:, j], b[j], comb[j], thr[j] = head.W[:, k], head.b[k], head.comb[k], head.thresholds[k]
    return Base(W, b, comb, thr, known, head_version("rootcause", head))


def anchored_logreg(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, C: float, w0: np.ndarray, b0: float, anchor: float
) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression with an extra pull of the weights towards w0; returns (coef, intercept)."""
    Xd, yd, wd = X.astype(np.float64), y.astype(np.float64), w.astype(np.float64)
    w0 = w0.astype(np.float64)
    a = anchor * C * wd.sum() * float(np.mean((Xd**2).sum(axis=1))) / Xd.shape[1]
    a_b = anchor * C * wd.sum()  # the intercept's feature is 1: its second moment is 1

    def loss(theta):
        coef, icpt = theta[:-1], theta[-1]
        z = Xd @ coef + icpt
        p = 1.0 / (1.0 + np.exp(-z))
        ll = np.logaddexp(0.0, z) - yd * z
        g = C * wd * (p - yd)
        diff, db = coef - w0, icpt - b0
        value = C * (wd * ll).sum() + 0.5 * coef @ coef + 0.5 * a * diff @ diff + 0.5 * a_b * db * db
        grad = np.concatenate([Xd.T @ g + coef + a * diff, [g.sum() + a_b * db]])
        return value, grad

    res = minimize(loss, np.concatenate([w0, [b0]]), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return res.x[:-1].astype(np.float32), float(res.x[-1])


def fit_head_anchored(
    s, n_labels: int, base: Base, anchor: float, C: float, fixed_balance: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """voc.train.rootcause.fit_head with each label the base knows anchored to it (same class balancing)."""
    from voc.train.rootcause import Samples, fit_head

    W, b = base.W.copy(), base.b.copy()
    if not base.known.all():  # labels the base lacks: the plain fit (known labels get no rows there)
        W, b = fit_head(Samples(s.X, s.Y, s.W * ~base.known[None, :], s.group), n_labels)
    for j in np.flatnonzero(base.known):
        rows = s.W[:, j] > 0
        y, w = s.Y[rows, j], s.W[rows, j]
        if len(np.unique(y)) < 2:
            W[:, j], b[j] = base.W[:, j], base.b[j]
            continue
        mine = (s.group[rows] <= EXTRA_GROUP) if fixed_balance else np.ones(len(y), bool)
        pos, neg = w[(y == 1) & mine].sum(), w[(y == 0) & mine].sum()
        w = np.where(y == 1, w * (pos + neg) / (2 * pos), w * (pos + neg) / (2 * neg))
        W[:, j], b[j] = anchored_logreg(s.X[rows], y, w, C, base.W[:, j], float(base.b[j]), anchor)
    return W, b


class Fitter:
    """The head fit of one training run: plain (fit_head) without an anchor, else anchored to the base head."""

    def __init__(self, anchor: Anchor | None, labels: list[str], dim: int, C: float):
        self.anchor, self.labels, self.C = anchor, labels, C
        self.base = None if anchor is None else load_base(Path(anchor.base_dir), labels, dim)

    def __call__(self, s, fold: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(W, b) fitted on samples s; fold: s leaves out a fold of dev docs, so anchor to a refit without it."""
        from voc.train.rootcause import Samples, fit_head

        if self.anchor is not None and self.anchor.negatives != 1.0:
            unticked = (s.group > EXTRA_GROUP)[:, None] & (s.Y == 0)
            s = Samples(
                s.X, s.Y, np.where(unticked, s.W * self.anchor.negatives, s.W).astype(np.float32), s.group
            )
        if self.base is None or self.anchor.strength <= 0:
            return fit_head(s, len(self.labels))
        base = self.base
        if fold:  # the base head saw the fold's docs: anchor to a head refitted without them (and the team's labels)
            plain = s.group <= EXTRA_GROUP
            W0, b0 = fit_head(Samples(s.X[plain], s.Y[plain], s.W[plain], s.group[plain]), len(self.labels))
            base = replace(base, W=W0, b=b0)
        return fit_head_anchored(
            s, len(self.labels), base, self.anchor.strength, self.C, self.anchor.fixed_balance
        )

    def keep(self, arr: np.ndarray, thresholds: bool = False) -> tuple[np.ndarray, list[str]]:
        """The combiner (or thresholds) with the base head's rows for the labels it knows, if kept; those labels."""
        if self.base is None or not self.anchor.keep_calibration:
            return arr, []
        arr = arr.copy()
        known = self.base.known
        arr[known] = (self.base.thresholds if thresholds else self.base.comb)[known]
        return arr, [lab for lab, k in zip(self.labels, known) if k]

    def card(self) -> dict | None:
        """What head.json records about the anchor (None for a plain fit)."""
        if self.base is None:
            return None
        return {"base": self.base.version, "strength": self.anchor.strength,
                "keep_calibration": self.anchor.keep_calibration, "fixed_balance": self.anchor.fixed_balance}  # fmt: skip
