"""Pick the root-cause label weight on TRAIN data only: `python -m bench.teach_tune_rootcause`.

For 100 and 500 queue-ordered labels from the airline / MAMS train pools of bench.teach_curve_rootcause
(seeds 0 and 1), each weight (and calibrating the combiner on the dev set alone, or not) is scored by the
out-of-fold macro-F1 of the original dev-train documents (forgetting) and on the unlabelled pool rows
(train split; airline top-cause accuracy, MAMS staff recall and no-service sentences tagged people).
"""

import tempfile
from functools import partial
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans

import voc.train.rootcause as trainer
from bench import teach_curve_rootcause as rc
from voc.config import RootCauseConfig
from voc.lenses.rootcause import RootCauseLens
from voc.train.rootcause import f1_table, train_rootcause
from voc.train.rootcause_corpus import BASE_LABELS, encode_texts, load_dev


def _fit_score(docs, enc, weight: float, calib: bool, score):
    """(train_rootcause result, score(lens)) with docs as reviewer labels, their vectors from the pool's encoding."""
    row = {t: i for i, t in enumerate(enc.texts)}
    real = trainer.encode_texts

    def encode(texts, tag="rootcause", use_cache=True):
        if tag == "rc-extra":
            return rc._take(enc, np.array([row[t] for t in texts]))
        return real(texts, tag=tag, use_cache=use_cache)

    trainer.encode_texts = encode
    try:
        with tempfile.TemporaryDirectory(prefix="voc-rc-tune-") as tmp:
            res = train_rootcause(
                out_dir=Path(tmp), extra_docs=docs, extra_weight=weight, calibrate_extra=calib
            )
            return res, score(RootCauseLens.load(RootCauseConfig(model=Path(tmp))))
    finally:
        trainer.encode_texts = real


def _dev_oof(res, gold_dev) -> float:
    """Out-of-fold macro-F1 of the original dev-train documents (the reviewer's documents left out)."""
    ids, p = np.array(res["oof_dev_train"]["ids"]), np.array(res["oof_dev_train"]["probs"])
    t = np.array([res["thresholds"][lab] for lab in res["labels"]])
    base = [res["labels"].index(lab) for lab in BASE_LABELS]
    return f1_table((p[ids < 10_000_001] >= t)[:, base], gold_dev, list(BASE_LABELS))["macro_f1"]


def _target(name, pool, lens, enc, held):
    """Airline top-cause accuracy, or MAMS (staff recall, no-service tagged people), on the unlabelled rows held."""
    probs = rc.Scorer._probs(lens, rc._take(enc, held))
    causes = pool["causes"].to_numpy()[held]
    if name == "airline":
        base = [lens.labels.index(lab) for lab in BASE_LABELS]
        top = np.array(lens.labels)[np.array(base)[probs[:, base].argmax(1)]]
        return round(float(np.mean(top == np.array([c[0] for c in causes]))), 4)
    j = lens.labels.index("people")
    t = lens.head.thresholds[j]
    staff = np.array([len(c) > 0 for c in causes])
    return round(float(np.mean(probs[staff, j] >= t)), 4), round(float(np.mean(probs[~staff, j] >= t)), 4)


def main() -> None:
    dev = load_dev(part="train")
    gold_dev = np.array([[lab in c for lab in BASE_LABELS] for c in dev["causes"]], dtype=bool)
    shipped = RootCauseLens.load()
    with tempfile.TemporaryDirectory(prefix="voc-rc-tune-") as tmp:
        print("no labels: dev-train oof", _dev_oof(train_rootcause(out_dir=Path(tmp)), gold_dev), flush=True)
    variants = [(3.0, True), (1.0, True), (0.3, True), (3.0, False), (1.0, False)]
    for name, pool in rc.pools(1500).items():
        enc = encode_texts(pool["text"].tolist(), tag=f"rc-curve-{name}-pool")
        clusters = KMeans(8, n_init=3, random_state=0).fit_predict(enc.doc_vecs)
        for seed in (0, 1):
            rng = np.random.default_rng(seed)
            store = np.sort(rng.choice(len(pool), size=int(0.8 * len(pool)), replace=False))
            order = store[rc.queue_order(shipped, rc._take(enc, store), clusters[store])]
            for n in (100, 500):
                take, held = order[:n], np.setdiff1d(np.arange(len(pool)), order[:n])
                print(name, seed, n, "shipped target", _target(name, pool, shipped, enc, held), flush=True)
                for w, c in variants:
                    score = partial(_target, name, pool, enc=enc, held=held)
                    res, score = _fit_score(pool.iloc[take], enc, w, c, score)
                    print(name, seed, n, f"w={w} calib_extra={c}", "dev-train oof", _dev_oof(res, gold_dev),
                          "target (train rows)", score, flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
