"""`voc train subcause`: fit the sub-cause head, the blame model and the likely-cause model in seconds.

Recipe (the root-cause head's, over the sub-cause labels): taxonomy examples and descriptions plus the
training part of the hand-written sub-cause dev set (document vectors, and sentence vectors as multiple
instances); 5-fold out-of-fold head logits over the dev-train documents fit a per-label combiner (sentence
head logit, example similarity, rule flag, document head logit) and per-label thresholds (best F1). The
blame model (a multinomial logistic regression over the blamed sets seen in training: [], [people],
[process, people], ...) and the likely-sub-cause model (multinomial) are fitted
on those out-of-fold probabilities, so they see the head's errors as they will be at prediction time.
The held-out part of the dev set is never read here.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from voc.lenses.rootcause_model import (
    RootCauseHead,
    combine,
    compile_rules,
    flatten,
    rule_hits,
    sentence_rule_flags,
)
from voc.lenses.subcause_model import BlameHead, SubCauseModel, blame_features, likely_features, sigmoid
from voc.lenses.subcause_taxonomy import CAUSES, load_subcause_taxonomy
from voc.paths import trained_model_dir
from voc.train.rootcause import Samples, _example_samples, _label_sims, _stack, best_threshold, fit_head
from voc.train.rootcause_corpus import encode_short, encode_texts
from voc.train.subcause_corpus import load_subcause_dev, multilabel_f1

log = logging.getLogger(__name__)

FOLDS = 5
SEED = 13
CUSTOM_NEG_WEIGHT = 0.1
BLAME_C = 2.0  # chosen by 5-fold CV on dev-train (0.5, 1, 2, 4, 8; 2 and 4 within 0.2 point)
LIKELY_C = 2.0


def _dev_rows(
    enc, Y: np.ndarray, ids: np.ndarray, E: np.ndarray, E_label: np.ndarray, w: np.ndarray
) -> Samples:
    """Document vectors with their labels, and sentence vectors credited to the best-matching sentence."""
    L = Y.shape[1]
    X, Ys, W, G = [], [], [], []
    for i, (vec, sents) in enumerate(zip(enc.doc_vecs, enc.sent_vecs)):
        X.append(vec[None]), Ys.append(Y[i][None]), W.append(w[None]), G.append([ids[i]])
        if len(sents) > 1:
            sims = _label_sims(sents, E, E_label, L)
            ys, ws = np.zeros((len(sents), L), np.float32), np.tile(w, (len(sents), 1))
            for j in np.flatnonzero(Y[i]):
                best = int(sims[:, j].argmax())
                ws[:, j] = 0.0
                ys[best, j], ws[best, j] = 1.0, 1.0
            X.append(sents), Ys.append(ys), W.append(ws), G.append([ids[i]] * len(sents))
    return Samples(
        np.concatenate(X), np.concatenate(Ys), np.concatenate(W), np.concatenate(G).astype(np.int64)
    )


def train_subcause(
    taxonomy: Path | None = None,
    extra_examples: Path | None = None,
    out_dir: Path | None = None,
    dev_path: Path | None = None,
) -> dict:
    """Fit and save the sub-cause model (default models/subcause); returns cross-validated dev-train figures."""
    from threadpoolctl import threadpool_limits

    out_dir = Path(out_dir) if out_dir is not None else trained_model_dir("subcause")
    with threadpool_limits(limits=1, user_api="blas"):
        return _train(taxonomy, extra_examples, out_dir, dev_path)


def _train(taxonomy, extra_examples, out_dir: Path, dev_path) -> dict:
    t0 = time.perf_counter()
    tax = load_subcause_taxonomy(taxonomy, extra_examples)
    labels, L = tax.names, len(tax.names)
    texts, E_label = [], []
    for j, label in enumerate(tax.base.labels):
        for t in [label.description, *label.examples]:
            texts.append(t), E_label.append(j)
    E, E_label = encode_short(texts), np.array(E_label, np.int64)
    rules = compile_rules([lab.patterns for lab in tax.base.labels])

    dev = load_subcause_dev(dev_path, "train")
    enc = encode_texts(dev["text"].tolist(), tag="sc-dev")
    ids = dev["id"].to_numpy()
    Y = np.array([[float(lab in s) for lab in labels] for s in dev["subcauses"]], np.float32)
    supervised = [j for j in range(L) if 0 < Y[:, j].sum() < len(dev)]
    w = np.where(np.isin(np.arange(L), supervised), 1.0, CUSTOM_NEG_WEIGHT).astype(np.float32)
    samples = _stack([_example_samples(tax.base, E, E_label, encode_short(tax.base.none_examples)),
                      _dev_rows(enc, Y, ids, E, E_label, w)])  # fmt: skip

    S, offsets, flat = flatten(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    flags = sentence_rule_flags([rule_hits(t, rules) for t in enc.texts], offsets, flat, L)
    sent_doc = np.repeat(np.arange(len(dev)), np.diff(offsets))
    oof_head, oof_doc = np.zeros((len(S), L), np.float32), np.zeros((len(dev), L), np.float32)
    fold_of = np.random.default_rng(SEED).permutation(len(dev)) % FOLDS
    for k in range(FOLDS):
        keep = ~np.isin(samples.group, ids[fold_of == k])
        W, b = fit_head(Samples(samples.X[keep], samples.Y[keep], samples.W[keep], samples.group[keep]), L)
        rows = fold_of[sent_doc] == k
        oof_head[rows] = S[rows] @ W + b
        oof_doc[fold_of == k] = enc.doc_vecs[fold_of == k] @ W + b
    probe = RootCauseHead(labels, np.zeros((E.shape[1], L), np.float32), np.zeros(L, np.float32), E, E_label,
                          np.tile([1.0, 0, 0, 0, 0], (L, 1)).astype(np.float32), np.full(L, 0.5, np.float32))  # fmt: skip
    _, _, sim = probe.sentence_scores(S, flags)
    doc_head = oof_doc[sent_doc]
    comb, thresholds = np.zeros((L, 5), np.float32), np.full(L, 0.5, np.float32)
    for j in supervised:
        feats = np.stack(
            [np.maximum.reduceat(a[:, j], offsets[:-1]) for a in (oof_head, sim, flags, doc_head)], axis=1
        )
        clf = LogisticRegression(C=1.0, max_iter=1000).fit(feats, Y[:, j])
        comb[j] = [*clf.coef_[0], clf.intercept_[0]]
    fallback = comb[supervised].mean(axis=0) if supervised else np.array([1.0, 0, 0, 0, 0], np.float32)
    for j in set(range(L)) - set(supervised):
        comb[j] = fallback
    oof_prob = sigmoid(
        np.maximum.reduceat(combine(comb, oof_head, sim, flags, doc_head), offsets[:-1], axis=0)
    )
    for j in supervised:
        thresholds[j] = best_threshold(oof_prob[:, j], Y[:, j])

    final_W, final_b = fit_head(samples, L)
    head = RootCauseHead(labels, final_W, final_b, E, E_label, comb, thresholds,
                         patterns=[lab.patterns for lab in tax.base.labels])  # fmt: skip
    head.meta = {"parents": tax.parents, "titles": tax.titles, "likely_patterns": tax.likely_patterns,
                 "blame_patterns": tax.blame_patterns}  # fmt: skip
    blame, cv = _fit_blame_likely(head, dev, enc, oof_prob, labels)
    cv["subcause"] = multilabel_f1(
        [[labels[j] for j in np.flatnonzero(r)] for r in oof_prob >= thresholds],
        list(dev["subcauses"]),
        labels,
    )
    from voc.config import encoder_settings
    from voc.encode import get_encoder

    head.meta.update({
        "encoder": get_encoder(encoder_settings()).version,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "taxonomy": str(taxonomy or "models/subcause/taxonomy.yaml"),
        "extra_examples": str(extra_examples) if extra_examples else None,
        "rows": len(samples.X), "dev_train_docs": len(dev),
        "calibrated_labels": [labels[j] for j in supervised],
        "cv_dev_train": {"subcause_macro_f1": cv["subcause"]["macro_f1"], "blamed_exact": cv["blamed_exact"],
                         "likely_cause_acc": cv["likely_cause_acc"],
                         "misattributed_likely_cause_acc": cv["misattributed_likely_cause_acc"],
                         "per_label_f1": {k: v["f1"] for k, v in cv["subcause"]["per_label"].items()}},
        "fit_seconds": round(time.perf_counter() - t0, 2),
    })  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    head.save(out_dir)
    blame.save(out_dir)
    log.info(
        "Sub-cause model for %d labels saved to %s (cv macro-F1 %.3f)", L, out_dir, cv["subcause"]["macro_f1"]
    )
    return {
        "labels": labels,
        "out_dir": str(out_dir),
        "seconds": head.meta["fit_seconds"],
        **head.meta["cv_dev_train"],
    }


def _fit_blame_likely(
    head: RootCauseHead, dev, enc, oof_prob: np.ndarray, labels: list[str]
) -> tuple[BlameHead, dict]:
    """Fit the blame and likely models on out-of-fold sub-cause probabilities; cross-validated figures."""
    L = len(labels)
    model = SubCauseModel(
        head,
        BlameHead(np.zeros((1, 1)), np.zeros(1), np.zeros((1, 3)), np.zeros((1, L + 1)), np.zeros(L + 1)),
    )
    f = model.features(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    xb = blame_features(enc.doc_vecs, f["sent_max"], oof_prob, f["blame"], model.parent_idx, f["shape"])
    yb = np.array([[c in b for c in CAUSES] for b in dev["blamed"]], np.float32)
    sets, yc = np.unique(yb, axis=0, return_inverse=True)
    clf = LogisticRegression(C=BLAME_C, max_iter=3000)
    cv_blamed = sets[cross_val_predict(clf, xb, yc.ravel(), cv=FOLDS)] > 0.5
    clf.fit(xb, yc.ravel())
    coef = clf.coef_ if len(sets) > 2 else np.stack([-clf.coef_[0], clf.coef_[0]]) / 2
    icpt = clf.intercept_ if len(sets) > 2 else np.array([-clf.intercept_[0], clf.intercept_[0]]) / 2
    Wb, bb = coef.T.astype(np.float32), icpt.astype(np.float32)
    xl = likely_features(oof_prob, f["likely"], f["blame"])
    yl = np.array(
        [labels.index(s) if s in labels else L for s in dev["likely_subcause"].map(lambda s: s or "")]
    )
    clf = LogisticRegression(C=LIKELY_C, max_iter=3000)
    cv_likely = cross_val_predict(clf, xl, yl, cv=FOLDS)
    clf.fit(xl, yl)
    Wl, bl = np.zeros((xl.shape[1], L + 1), np.float32), np.full(L + 1, -1e3, np.float32)
    Wl[:, clf.classes_], bl[clf.classes_] = clf.coef_.T, clf.intercept_
    flagged = f["likely"] > 0
    for d in np.flatnonzero(flagged.any(axis=1)):
        cands = np.flatnonzero(flagged[d])
        cv_likely[d] = cands[np.argmax(oof_prob[d, cands])]
    parent = np.array([CAUSES.index(head.meta["parents"][lab]) for lab in labels] + [-1])
    gold_parent = np.array([CAUSES.index(c) if c else -1 for c in dev["likely_cause"]])
    mis = dev["misattributed"].to_numpy(bool)
    cv = {
        "blamed_exact": round(float((cv_blamed == yb.astype(bool)).all(axis=1).mean()), 4),
        "likely_cause_acc": round(float((parent[cv_likely] == gold_parent).mean()), 4),
        "misattributed_likely_cause_acc": round(float((parent[cv_likely] == gold_parent)[mis].mean()), 4),
    }
    return BlameHead(Wb, bb, sets.astype(np.float32), Wl, bl), cv
