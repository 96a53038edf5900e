"""Root-cause learning curves under domain shift: `python -m bench.teach_curve --task rootcause`.

A simulated reviewer labels documents from a *labelling pool* drawn from train splits only, in the Review
queue's order (a cause probability nearest its threshold first, taking turns over k-means clusters of the
document vectors, as the queue takes turns over themes) or at random. Each label set is added to the
root-cause training run exactly as `voc train rootcause --from-store` adds a store's labels
(`train_rootcause(extra_docs=..., extra_weight=ROOTCAUSE_LABEL_WEIGHT)`), and the refitted lens is scored on eval splits:
- airline: pool = tweets of the train split (tweet_id % 5 != 0) whose negative reason maps clearly to a cause,
  labelled with that cause; score = the same on the eval split (tweet_id % 5 == 0), top-cause accuracy;
- MAMS: pool = train.xml sentences with a `staff` aspect (labelled people) or only food/ambience/menu/place/misc
  aspects (labelled no cause); score = test.xml staff sentences, recall of people (and, so recall cannot be
  bought by tagging everything, the share of test no-service sentences tagged people);
- forgetting: the dev set's held-out part (id % 4 == 0) macro-F1 and the other corpus's score after 500 labels.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from voc.config import RootCauseConfig
from voc.lenses.rootcause import RootCauseLens
from voc.teach.train_store import ROOTCAUSE_LABEL_WEIGHT, rootcause_anchor
from voc.train.rootcause import f1_table, train_rootcause
from voc.train.rootcause_corpus import (
    BASE_LABELS,
    Encoded,
    airline_mapped,
    encode_texts,
    load_dev,
    mams_sentences,
)

SIZES = (0, 50, 100, 200, 500)
TEAM_WEIGHT = ROOTCAUSE_LABEL_WEIGHT  # the weight `voc train rootcause --from-store` gives a store's labels


def _take(enc: Encoded, idx: np.ndarray) -> Encoded:
    return Encoded([enc.texts[i] for i in idx], [enc.spans[i] for i in idx], enc.doc_vecs[idx],
                   [enc.sent_vecs[i] for i in idx])  # fmt: skip


class Scorer:
    """The eval sets, encoded once: airline mapped reasons, MAMS test staff / no-service, dev held-out."""

    def __init__(self) -> None:
        air = airline_mapped("eval")
        self.air = encode_texts(air["text"].tolist(), tag="rc-airline-eval")
        self.air_gold = air["cause"].to_numpy()
        mams = mams_sentences("eval")
        self.staff = encode_texts(mams.loc[mams["staff"], "text"].tolist(), tag="rc-mams-test-staff")
        self.none = encode_texts(mams.loc[mams["none"], "text"].tolist(), tag="rc-mams-test-none")
        dev = load_dev(part="test")
        self.dev = encode_texts(dev["text"].tolist(), tag="rc-dev-test")
        self.dev_gold = np.array([[lab in c for lab in BASE_LABELS] for c in dev["causes"]], dtype=bool)

    @staticmethod
    def _probs(lens: RootCauseLens, enc: Encoded) -> np.ndarray:
        return lens.score(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)[2]

    def __call__(self, lens: RootCauseLens) -> dict[str, float]:
        base = [lens.labels.index(lab) for lab in BASE_LABELS]
        top = np.array(lens.labels)[np.array(base)[self._probs(lens, self.air)[:, base].argmax(1)]]
        j = lens.labels.index("people")
        t = lens.head.thresholds
        dev_pred = (self._probs(lens, self.dev) >= t)[:, base]
        return {
            "airline_top_acc": float(np.mean(top == self.air_gold)),
            "mams_staff_recall": float(np.mean(self._probs(lens, self.staff)[:, j] >= t[j])),
            "mams_none_as_people": float(np.mean(self._probs(lens, self.none)[:, j] >= t[j])),
            "dev_macro_f1": f1_table(dev_pred, self.dev_gold, list(BASE_LABELS))["macro_f1"],
        }


def pools(rows: int) -> dict[str, pd.DataFrame]:
    """Per corpus, a labelling pool of train-split rows with the reviewer's answer (text, causes)."""
    air = airline_mapped("train").sample(frac=1.0, random_state=1).head(rows)
    mams = mams_sentences("train")
    mams = mams[mams["staff"] | mams["none"]].sample(frac=1.0, random_state=1).head(rows)
    return {
        "airline": pd.DataFrame({"text": air["text"].to_numpy(), "causes": [[c] for c in air["cause"]]}),
        "mams": pd.DataFrame({"text": mams["text"].to_numpy(),
                              "causes": [["people"] if s else [] for s in mams["staff"]]}),
    }  # fmt: skip


def queue_order(lens: RootCauseLens, enc: Encoded, clusters: np.ndarray) -> np.ndarray:
    """Positions, a cause probability nearest its threshold first (voc.app.review_queue), taking turns over clusters."""
    probs = Scorer._probs(lens, enc)
    u = 1.0 - 2.0 * np.abs(probs - lens.head.thresholds).min(axis=1)
    frame = pd.DataFrame({"u": u, "c": clusters}).sort_values("u", ascending=False, kind="stable")
    frame["turn"] = frame.groupby("c").cumcount()
    return frame.sort_values(["turn", "u"], ascending=[True, False], kind="stable").index.to_numpy()


def refit_score(
    docs: pd.DataFrame, scorer: Scorer, pool_enc: Encoded, weight: float = TEAM_WEIGHT, anchor="default"
) -> dict[str, float]:
    """Scores of the root-cause lens retrained with docs (text, causes) as reviewer labels.

    The labelled texts' vectors are taken from the pool's encoding (the same encoder and cache key) instead
    of encoding and caching every label set anew.
    """
    import voc.train.rootcause as trainer

    row = {t: i for i, t in enumerate(pool_enc.texts)}
    real = trainer.encode_texts

    def encode(texts, tag="rootcause", use_cache=True):
        if tag == "rc-extra" and all(t in row for t in texts):
            return _take(pool_enc, np.array([row[t] for t in texts], dtype=np.int64))
        return real(texts, tag=tag, use_cache=use_cache)

    trainer.encode_texts = encode
    try:
        with tempfile.TemporaryDirectory(prefix="voc-rc-curve-") as tmp:
            train_rootcause(
                out_dir=Path(tmp),
                extra_docs=docs,
                extra_weight=weight,
                anchor=rootcause_anchor() if anchor == "default" else anchor,
            )
            return scorer(RootCauseLens.load(RootCauseConfig(model=Path(tmp))))
    finally:
        trainer.encode_texts = real


def run(
    pool_rows: int, seeds: int, log=print, before: bool = False, sizes=SIZES, orders=("queue", "random")
) -> dict:
    """Curves (rows per corpus, order, labels, seed) and the forgetting check; prints as it goes.

    before: adapt as before the anchor (label weight 0.3, plain refit, combiner and thresholds refitted).
    """
    kw = {"weight": 0.3, "anchor": None} if before else {}
    t0 = time.perf_counter()
    shipped = RootCauseLens.load()
    scorer = Scorer()
    base = scorer(shipped)
    log(f"shipped: {base}")
    rows, forget, overlaps = [], [], {}
    metric = {"airline": "airline_top_acc", "mams": "mams_staff_recall"}
    scored = set(scorer.air.texts) | set(scorer.staff.texts) | set(scorer.none.texts) | set(scorer.dev.texts)
    for name, pool in pools(pool_rows).items():
        overlap = overlaps[name] = int(pool["text"].isin(scored).sum())
        log(
            f"{name}: pool {len(pool)} train rows; {overlap} of their texts also occur verbatim in a scoring set"
        )
        enc = encode_texts(pool["text"].tolist(), tag=f"rc-curve-{name}-pool")
        clusters = KMeans(8, n_init=3, random_state=0).fit_predict(enc.doc_vecs)
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            store = np.sort(rng.choice(len(pool), size=int(0.8 * len(pool)), replace=False))
            ordered = {"queue": store[queue_order(shipped, _take(enc, store), clusters[store])],
                       "random": rng.permutation(store)}  # fmt: skip
            for order in orders:
                idx = ordered[order]
                for n in sizes:
                    score = base if n == 0 else refit_score(pool.iloc[idx[:n]], scorer, enc, **kw)
                    rows.append({"corpus": name, "order": order, "labels": n, "seed": seed,
                                 "score": score[metric[name]], **score})  # fmt: skip
                    if n == max(sizes) and order == "queue":
                        forget.append({"adapted_to": name, "seed": seed, **score})
                    log(
                        f"{name} {order} seed={seed} n={n}: {score[metric[name]]:.3f} ({time.perf_counter() - t0:.0f} s)"
                    )
    return {
        "shipped": base,
        "rows": rows,
        "forgetting": forget,
        "pool_texts_in_scoring_sets": overlaps,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def tables(result: dict) -> str:
    """Median (and mean) per corpus, order and label count; the forgetting table beside the shipped lens."""
    frame = pd.DataFrame(result["rows"])
    out = []
    for stat in ("median", "mean"):
        pivot = frame.pivot_table(index=["corpus", "order"], columns="labels", values="score", aggfunc=stat)
        out.append(f"root cause, {stat} over seeds (airline: top-cause accuracy; mams: staff recall)")
        out.append(pivot.to_string(float_format="{:.3f}".format))
    side = frame.pivot_table(
        index=["corpus", "order"], columns="labels", values="mams_none_as_people", aggfunc="median"
    )
    out.append("MAMS test no-service sentences tagged people (median; lower is better)")
    out.append(side.to_string(float_format="{:.3f}".format))
    forget = (
        pd.DataFrame(result["forgetting"])
        .groupby("adapted_to")[
            ["airline_top_acc", "mams_staff_recall", "mams_none_as_people", "dev_macro_f1"]
        ]
        .median()
    )
    forget.loc["shipped"] = pd.Series(result["shipped"])
    out.append(f"forgetting: median after {frame['labels'].max()} queue labels vs shipped")
    out.append(forget.to_string(float_format="{:.3f}".format))
    return "\n".join(out)
