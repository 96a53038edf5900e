"""`voc train rootcause`: fit the root-cause head in seconds from the taxonomy, the dev set and weak labels.

Sources (rows of sentence-like vectors with a per-label weight; weight 0 = unlabelled for that label):
- taxonomy examples and descriptions (all labels, incl. user-added ones) and `none` examples;
- the dev set's training part (id % 4 != 0): document vectors with their causes, and sentence vectors
  (multi-instance: a cause is credited to the sentence most similar to the label's examples, the doc's
  other sentences stay unlabelled for it; sentences of docs without the cause are negatives);
- weak labels (train splits only, weight 0.1): airline reasons that map clearly to a cause, MAMS
  `staff` sentences as people, MAMS food/ambience/menu-only sentences as no cause.
A 5-fold split of the dev-train docs gives out-of-fold head logits, on which a per-label combiner
(sentence head logit, example similarity, rule flag, document head logit) and the per-label
thresholds (max F1) are fitted.
User labels absent from the dev set are trained on their examples (dev/weak texts are weak negatives)
and use the mean combiner of the base labels with threshold 0.5.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from voc import datasets
from voc.config import encoder_settings
from voc.train.rootcause_corpus import (
    AIRLINE_MAP,
    BASE_LABELS,
    Encoded,
    encode_short,
    encode_texts,
    load_dev,
)
from voc.lenses.churn_context import with_windows
from voc.lenses.rootcause_model import RootCauseHead, combine, compile_rules, rule_hits, sentence_rule_flags
from voc.lenses.rootcause_taxonomy import Taxonomy, load_taxonomy
from voc.paths import shown_path, trained_model_dir
from voc.train.rootcause_anchor import Fitter

log = logging.getLogger(__name__)

WEAK_WEIGHT = 0.1
WEAK_NEG = True
WEAK_AIRLINE_REASONS = set(AIRLINE_MAP)
CUSTOM_NEG_WEIGHT = 0.1
HEAD_C = 8.0
FOLDS = 5
SEED = 13


@dataclass
class Samples:
    """Training rows: vectors, 0/1 targets and per-label weights, and the dev doc id (-1 if none)."""

    X: np.ndarray
    Y: np.ndarray
    W: np.ndarray
    group: np.ndarray


def _stack(parts: list[Samples]) -> Samples:
    return Samples(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("X", "Y", "W", "group")))


def _label_sims(vecs: np.ndarray, E: np.ndarray, E_label: np.ndarray, n_labels: int) -> np.ndarray:
    sims = vecs @ E.T
    out = np.full((len(vecs), n_labels), -1.0, dtype=np.float32)
    for j in range(n_labels):
        cols = E_label == j
        if cols.any() and len(vecs):
            out[:, j] = sims[:, cols].max(axis=1)
    return out


def _example_samples(tax: Taxonomy, E: np.ndarray, E_label: np.ndarray, none_vecs: np.ndarray) -> Samples:
    L = len(tax.labels)
    Y = np.zeros((len(E), L), np.float32)
    Y[np.arange(len(E)), E_label] = 1.0
    X = np.concatenate([E, none_vecs])
    Y = np.concatenate([Y, np.zeros((len(none_vecs), L), np.float32)])
    return Samples(X, Y, np.ones_like(Y), np.full(len(X), -1))


def _dev_samples(
    enc: Encoded,
    causes: list[list[str]],
    ids: np.ndarray,
    labels: list[str],
    E: np.ndarray,
    E_label: np.ndarray,
    base_labels: tuple[str, ...] = BASE_LABELS,
) -> Samples:
    L = len(labels)
    base = np.array([lab in base_labels for lab in labels])
    custom_w = np.where(base, 1.0, CUSTOM_NEG_WEIGHT).astype(np.float32)
    X, Y, W, G = [], [], [], []
    for i, (vec, sents, doc_causes) in enumerate(zip(enc.doc_vecs, enc.sent_vecs, causes)):
        y = np.array([lab in doc_causes for lab in labels], np.float32)
        X.append(vec[None]), Y.append(y[None]), W.append(custom_w[None]), G.append([ids[i]])
        if len(sents) > 1:
            sims = _label_sims(sents, E, E_label, L)
            ys = np.zeros((len(sents), L), np.float32)
            ws = np.tile(custom_w, (len(sents), 1))
            for j in np.flatnonzero(y):
                best = int(sims[:, j].argmax())
                ws[:, j] = 0.0
                ys[best, j], ws[best, j] = 1.0, 1.0
            X.append(sents), Y.append(ys), W.append(ws), G.append([ids[i]] * len(sents))
    return Samples(
        np.concatenate(X), np.concatenate(Y), np.concatenate(W), np.concatenate(G).astype(np.int64)
    )


def _weak_samples(labels: list[str]) -> list[Samples]:
    """Airline mapped reasons and MAMS staff / no-service sentences (train splits), if the data is present."""
    from voc.train.rootcause_corpus import airline_mapped, mams_sentences

    L = len(labels)
    base = np.array([lab in BASE_LABELS for lab in labels])
    row_w = np.where(base, WEAK_WEIGHT, CUSTOM_NEG_WEIGHT * WEAK_WEIGHT).astype(np.float32)
    out: list[Samples] = []
    if datasets.available("airline_tweets"):
        air = airline_mapped("train", cap_per_reason=250, seed=SEED)
        air = air[air["reason"].isin(WEAK_AIRLINE_REASONS)]
        X = encode_texts(air["text"].tolist(), tag="rc-airline-train").doc_vecs
        Y = np.array([[float(c == lab) for lab in labels] for c in air["cause"]], np.float32)
        # WEAK_NEG: the tweet is also a (weak) negative for the other causes; False supervises only its own
        Wt = np.where(Y > 0, WEAK_WEIGHT, 0.0 if not WEAK_NEG else row_w).astype(np.float32)
        out.append(Samples(X, Y, Wt, np.full(len(X), -1)))
    if datasets.available("mams_acsa") and "people" in labels:
        mams = mams_sentences("train")
        staff = mams[mams["staff"]].sample(n=min(400, int(mams["staff"].sum())), random_state=SEED)
        none = mams[mams["none"]].sample(n=min(400, int(mams["none"].sum())), random_state=SEED)
        j = labels.index("people")
        Xs = encode_texts(staff["text"].tolist(), tag="rc-mams-staff").doc_vecs
        Ys = np.zeros((len(Xs), L), np.float32)
        Ys[:, j] = 1.0
        Ws = np.zeros((len(Xs), L), np.float32)
        Ws[:, j] = WEAK_WEIGHT
        Xn = encode_texts(none["text"].tolist(), tag="rc-mams-none").doc_vecs
        out.append(Samples(Xs, Ys, Ws, np.full(len(Xs), -1)))
        out.append(
            Samples(
                Xn, np.zeros((len(Xn), L), np.float32), np.tile(row_w, (len(Xn), 1)), np.full(len(Xn), -1)
            )
        )
    return out


def fit_head(s: Samples, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """One balanced logistic regression per label over rows with weight > 0; returns (W (dim, L), b (L,))."""
    dim = s.X.shape[1]
    W, b = np.zeros((dim, n_labels), np.float32), np.zeros(n_labels, np.float32)
    for j in range(n_labels):
        rows = s.W[:, j] > 0
        y, w = s.Y[rows, j], s.W[rows, j]
        if len(np.unique(y)) < 2:
            b[j] = 10.0 if y.mean() > 0.5 else -10.0
            continue
        pos = w[y == 1].sum()
        neg = w[y == 0].sum()
        w = np.where(y == 1, w * (pos + neg) / (2 * pos), w * (pos + neg) / (2 * neg))
        clf = LogisticRegression(C=HEAD_C, max_iter=2000)
        clf.fit(s.X[rows].astype(np.float64), y, sample_weight=w)
        W[:, j], b[j] = clf.coef_[0], clf.intercept_[0]
    return W, b


def best_threshold(probs: np.ndarray, y: np.ndarray) -> float:
    """The threshold on probs with the best F1 for binary targets y (ties: the middle of the best run)."""
    grid = np.round(np.arange(0.10, 0.91, 0.02), 2)
    f1s = []
    for t in grid:
        pred = probs >= t
        tp = float((pred & (y == 1)).sum())
        f1s.append(2 * tp / max(pred.sum() + (y == 1).sum(), 1))
    f1s = np.array(f1s)
    best = np.flatnonzero(f1s >= f1s.max() - 1e-9)
    return float(grid[best[len(best) // 2]])


def train_rootcause(
    taxonomy: Path | None = None,
    extra_examples: Path | None = None,
    out_dir: Path | None = None,
    dev_path: Path | None = None,
    weak: bool = True,
    extra_docs=None,
    extra_weight: float = 1.0,
    base_labels: tuple[str, ...] = BASE_LABELS,
    calibrate_extra: bool = True,
    anchor=None,
    context_windows: tuple[int, ...] = (),
    cv_seed: int = SEED,
) -> dict:
    """Fit and save the head (default models/rootcause); returns counts, timings and dev metrics.

    extra_docs: labelled documents (text, causes) added to the dev-train set, each row weighted extra_weight;
    with calibrate_extra False they train the head but the combiner and thresholds are fitted on the dev set alone.
    anchor (voc.train.rootcause_anchor.Anchor): pull the head towards a base head and keep its calibration.
    base_labels are the labels the dev set annotates (calibrated there); another taxonomy lens (journey
    stage, churn signals) passes its own labels and dev set and trains with the same mechanism.
    context_windows: runs of adjacent sentences also scored (voc.lenses.churn_context); cv_seed: the fold split.
    """
    from threadpoolctl import threadpool_limits

    out_dir = Path(out_dir) if out_dir is not None else trained_model_dir("rootcause")
    with threadpool_limits(limits=1, user_api="blas"):  # small fits: threaded BLAS only oversubscribes
        return _train(taxonomy, extra_examples, out_dir, dev_path, weak, extra_docs, extra_weight, tuple(base_labels),
                      calibrate_extra, anchor, tuple(context_windows), cv_seed)  # fmt: skip


def _train(
    taxonomy,
    extra_examples,
    out_dir,
    dev_path,
    weak,
    extra_docs=None,
    extra_weight=1.0,
    base_labels=BASE_LABELS,
    calibrate_extra=True,
    anchor=None,
    context_windows=(),
    cv_seed=SEED,
) -> dict:
    t0 = time.perf_counter()
    tax = load_taxonomy(taxonomy, extra_examples)
    labels = tax.names
    L = len(labels)
    texts, E_label = [], []
    for j, label in enumerate(tax.labels):
        for t in [label.description, *label.examples]:
            texts.append(t), E_label.append(j)
    E = encode_short(texts)
    E_label = np.array(E_label, np.int64)
    none_vecs = encode_short(tax.none_examples)
    rules = compile_rules([lab.patterns for lab in tax.labels])

    dev = load_dev(dev_path, "train")
    dev_enc = encode_texts(dev["text"].tolist(), tag="rc-dev")
    if extra_docs is not None and len(extra_docs):
        extra = extra_docs[["text", "causes"]].assign(id=np.arange(len(extra_docs)) * 4 + 10_000_001)
        dev = pd.concat([dev, extra], ignore_index=True)  # ids never % 4 == 0: not the dev test part
        more = encode_texts(extra["text"].tolist(), tag="rc-extra")
        dev_enc = Encoded(dev_enc.texts + more.texts, dev_enc.spans + more.spans,
                          np.concatenate([dev_enc.doc_vecs, more.doc_vecs]), dev_enc.sent_vecs + more.sent_vecs)  # fmt: skip
    if context_windows:
        spans, vecs = with_windows(dev_enc.spans, dev_enc.sent_vecs, context_windows)
        dev_enc = Encoded(dev_enc.texts, spans, dev_enc.doc_vecs, vecs)
    ids = dev["id"].to_numpy()
    parts = [
        _example_samples(tax, E, E_label, none_vecs),
        _dev_samples(dev_enc, dev["causes"].tolist(), ids, labels, E, E_label, base_labels),
    ]
    if weak:
        parts += _weak_samples(labels)
    samples = _stack(parts)
    if extra_docs is not None and len(extra_docs) and extra_weight != 1.0:
        samples.W[samples.group > 10_000_000] *= np.float32(extra_weight)
    t_data = time.perf_counter() - t0
    fit = Fitter(anchor, labels, E.shape[1], HEAD_C)  # plain, or anchored to a base head

    # Out-of-fold head logits for the dev-train docs' sentences.
    head_cls = RootCauseHead(
        labels=labels,
        W=np.zeros((E.shape[1], L), np.float32),
        b=np.zeros(L, np.float32),
        E=E,
        E_label=E_label,
        comb=np.tile([1.0, 0.0, 0.0, 0.0, 0.0], (L, 1)).astype(np.float32),
        thresholds=np.full(L, 0.5, np.float32),
    )
    from voc.lenses.rootcause_model import flatten

    S, offsets, flat = flatten(dev_enc.texts, dev_enc.spans, dev_enc.doc_vecs, dev_enc.sent_vecs)
    hits = [rule_hits(t, rules) for t in dev_enc.texts]
    flags = sentence_rule_flags(hits, offsets, flat, L)
    sent_doc = np.repeat(np.arange(len(dev)), np.diff(offsets))
    oof_head = np.zeros((len(S), L), np.float32)
    oof_doc = np.zeros((len(dev), L), np.float32)
    fold_of = np.random.default_rng(cv_seed).permutation(len(dev)) % FOLDS
    for k in range(FOLDS):
        fold_ids = set(ids[fold_of == k].tolist())
        keep = ~np.isin(samples.group, list(fold_ids))
        W, b = fit(Samples(samples.X[keep], samples.Y[keep], samples.W[keep], samples.group[keep]), fold=True)
        rows = fold_of[sent_doc] == k
        oof_head[rows] = S[rows] @ W + b
        docs = fold_of == k
        oof_doc[docs] = dev_enc.doc_vecs[docs] @ W + b
    _, _, sim = head_cls.sentence_scores(S, flags)

    # Per-label combiner over doc-level max features, then thresholds on the sentence-max probability.
    Y_dev = np.array([[float(lab in c) for lab in labels] for c in dev["causes"]], np.float32)
    comb = np.zeros((L, 5), np.float32)
    doc_head = oof_doc[sent_doc]
    thresholds = np.full(L, 0.5, np.float32)
    supervised = [
        j for j, lab in enumerate(labels) if lab in base_labels and 0 < Y_dev[:, j].sum() < len(dev)
    ]
    # extra docs have ids from 10,000,001: without calibrate_extra, the combiner and thresholds ignore them
    calib = np.ones(len(dev), bool) if calibrate_extra else ids < 10_000_001
    for j in supervised:
        feats = np.stack(
            [np.maximum.reduceat(a[:, j], offsets[:-1]) for a in (oof_head, sim, flags, doc_head)], axis=1
        )
        clf = LogisticRegression(C=1.0, max_iter=1000).fit(feats[calib], Y_dev[calib, j])
        comb[j] = [*clf.coef_[0], clf.intercept_[0]]
    if supervised:
        fallback = comb[supervised].mean(axis=0)
        for j in range(L):
            if j not in supervised:
                comb[j] = fallback
    else:
        comb[:] = [1.0, 0.0, 0.0, 0.0, 0.0]
    comb, kept = fit.keep(comb)
    z = combine(comb, oof_head, sim, flags, doc_head)
    oof_prob = 1.0 / (1.0 + np.exp(-np.maximum.reduceat(z, offsets[:-1], axis=0)))
    for j in supervised:
        thresholds[j] = best_threshold(oof_prob[calib, j], Y_dev[calib, j])
    thresholds, _ = fit.keep(thresholds, thresholds=True)
    pred = oof_prob >= thresholds
    cv = f1_table(pred[:, supervised], Y_dev[:, supervised].astype(bool), [labels[j] for j in supervised])

    W, b = fit(samples)
    head = RootCauseHead(
        labels=labels,
        W=W,
        b=b,
        E=E,
        E_label=E_label,
        comb=comb,
        thresholds=thresholds,
        patterns=[lab.patterns for lab in tax.labels],
    )
    seconds = time.perf_counter() - t0
    from voc.encode import get_encoder

    head.meta = {
        "encoder": get_encoder(encoder_settings()).version,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "taxonomy": shown_path(taxonomy) if taxonomy else "models/rootcause/taxonomy.yaml",
        "extra_examples": str(extra_examples) if extra_examples else None,
        "rows": int(len(samples.X)),
        "dev_train_docs": int(len(dev)),
        "extra_docs": 0 if extra_docs is None else int(len(extra_docs)),
        "calibrated_labels": [labels[j] for j in supervised if labels[j] not in kept],
        "anchor": fit.card(),
        "context_windows": list(context_windows),
        "cv_dev_train": cv,
        "fit_seconds": round(seconds, 2),
        "data_seconds": round(t_data, 2),
    }
    head.save(out_dir)
    log.info(
        "Root-cause head for %s saved to %s in %.1f s (cv macro-F1 %.3f)",
        labels,
        out_dir,
        seconds,
        cv.get("macro_f1", float("nan")),
    )
    return {
        "labels": labels,
        "out_dir": str(out_dir),
        "thresholds": dict(zip(labels, thresholds.tolist())),
        "seconds": round(seconds, 2),
        "rows": int(len(samples.X)),
        "cv_dev_train": cv,
        "oof_dev_train": {"ids": ids.tolist(), "probs": oof_prob.round(4).tolist(), "sentence_logits": z,
                          "offsets": offsets},  # fmt: skip
    }


def f1_table(pred: np.ndarray, gold: np.ndarray, labels: list[str]) -> dict:
    """Micro/macro F1 and per-label P/R/F1 of boolean (n, L) predictions."""
    out: dict = {"per_label": {}}
    f1s = []
    for j, lab in enumerate(labels):
        tp = float((pred[:, j] & gold[:, j]).sum())
        p = tp / max(pred[:, j].sum(), 1)
        r = tp / max(gold[:, j].sum(), 1)
        f = 2 * p * r / (p + r) if p + r else 0.0
        out["per_label"][lab] = {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "support": int(gold[:, j].sum()),
        }
        f1s.append(f)
    tp = float((pred & gold).sum())
    out["micro_f1"] = round(2 * tp / max(pred.sum() + gold.sum(), 1), 4)
    out["macro_f1"] = round(float(np.mean(f1s)) if f1s else 0.0, 4)
    return out
