"""Choose how root-cause adaptation avoids forgetting, on TRAIN data only: `python -m bench.teach_tune_anchor`.

For queue-ordered labels from the airline / MAMS train pools of bench.teach_curve_rootcause, each variant
(label weight; anchor strength towards the shipped head; shipped combiner and thresholds kept or refitted)
is scored on train-split rows the reviewer did not label:
- gain: the target pool's unlabelled rows (airline top-cause accuracy; MAMS staff recall);
- forgetting: the out-of-fold macro-F1 of the original dev-train documents, and the *other* corpus's pool
  (train split) scored as on the target.
Eval splits are never read. Prints one line per fit and a median table; `--quick` runs seed 0 at 500 labels.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

import voc.train.rootcause as trainer
from bench import teach_curve_rootcause as rc
from bench.teach_tune_rootcause import _dev_oof, _target
from voc.config import RootCauseConfig
from voc.lenses.rootcause import RootCauseLens
from voc.lenses.rootcause_taxonomy import DEFAULT_DIR
from voc.train.rootcause_anchor import Anchor
from voc.train.rootcause_corpus import BASE_LABELS, encode_texts, load_dev

# (name, label weight, anchor strength or None, keep the shipped calibration, calibrate on the team's labels too,
#  class balance from the shipped rows only)
VARIANTS = [
    ("refit w0.3 (before)", 0.3, None, False, True, False, 1.0),
    ("anchor1 w1 calib-dev", 1.0, 1.0, False, False, False, 1.0),
    ("anchor1 w1 keep-calib fixbal", 1.0, 1.0, True, True, True, 1.0),
    ("anchor3 w1 keep-calib fixbal", 1.0, 3.0, True, True, True, 1.0),
    ("anchor1 w1 keep-calib fixbal neg0.3", 1.0, 1.0, True, True, True, 0.3),
    ("anchor1 w1 calib-dev fixbal neg0.3", 1.0, 1.0, False, False, True, 0.3),
    ("anchor1 w1 calib-dev neg0.3", 1.0, 1.0, False, False, False, 0.3),
    ("refit w0.3 neg0.3 (no anchor)", 0.3, 0.0, False, True, False, 0.3),
]


def fit_lens(docs: pd.DataFrame, encs: dict, weight: float, anchor: float | None, keep: bool, calib: bool = True,
             fixbal: bool = False, neg: float = 1.0):  # fmt: skip
    """(train_rootcause result, lens) with docs as reviewer labels, their vectors from the pools' encodings."""
    rows = {t: (name, i) for name, enc in encs.items() for i, t in enumerate(enc.texts)}
    real = trainer.encode_texts

    def encode(texts, tag="rootcause", use_cache=True):
        if tag == "rc-extra":
            name = rows[texts[0]][0]
            return rc._take(encs[name], np.array([rows[t][1] for t in texts]))
        return real(texts, tag=tag, use_cache=use_cache)

    spec = None if anchor is None else Anchor(DEFAULT_DIR, anchor, keep, fixbal, neg)
    trainer.encode_texts = encode
    try:
        with tempfile.TemporaryDirectory(prefix="voc-rc-anchor-") as tmp:
            res = trainer.train_rootcause(
                out_dir=Path(tmp), extra_docs=docs, extra_weight=weight, anchor=spec, calibrate_extra=calib
            )
            return res, RootCauseLens.load(RootCauseConfig(model=Path(tmp)))
    finally:
        trainer.encode_texts = real


def _score(name, pool, lens, enc, held) -> float:
    out = _target(name, pool, lens, enc, held)
    return out if name == "airline" else out[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--variants", default="", help="comma-separated indices into VARIANTS (default all)")
    args = parser.parse_args()
    variants = [VARIANTS[int(i)] for i in args.variants.split(",")] if args.variants else VARIANTS
    dev = load_dev(part="train")
    gold_dev = np.array([[lab in c for lab in BASE_LABELS] for c in dev["causes"]], dtype=bool)
    shipped = RootCauseLens.load()
    with tempfile.TemporaryDirectory(prefix="voc-rc-anchor-") as tmp:
        base_oof = _dev_oof(trainer.train_rootcause(out_dir=Path(tmp)), gold_dev)
    pools = rc.pools(1500)
    encs = {n: encode_texts(p["text"].tolist(), tag=f"rc-curve-{n}-pool") for n, p in pools.items()}
    everyone = {n: np.arange(len(p)) for n, p in pools.items()}
    rows = []
    print(f"shipped-data refit, no labels: dev-train oof {base_oof}", flush=True)
    for name, pool in pools.items():
        other = "mams" if name == "airline" else "airline"
        clusters = KMeans(8, n_init=3, random_state=0).fit_predict(encs[name].doc_vecs)
        base_other = _score(other, pools[other], shipped, encs[other], everyone[other])
        for seed in (0,) if args.quick else (0, 1):
            rng = np.random.default_rng(seed)
            store = np.sort(rng.choice(len(pool), size=int(0.8 * len(pool)), replace=False))
            order = store[rc.queue_order(shipped, rc._take(encs[name], store), clusters[store])]
            for n in (500,) if args.quick else (100, 500):
                take, held = order[:n], np.setdiff1d(np.arange(len(pool)), order[:n])
                base_target = _score(name, pool, shipped, encs[name], held)
                for label, weight, anchor, keep, calib, fixbal, neg in variants:
                    res, lens = fit_lens(pool.iloc[take], encs, weight, anchor, keep, calib, fixbal, neg)
                    row = {"adapted_to": name, "seed": seed, "labels": n, "variant": label,
                           "target_gain": _score(name, pool, lens, encs[name], held) - base_target,
                           "dev_oof_change": _dev_oof(res, gold_dev) - base_oof,
                           "other_change": _score(other, pools[other], lens, encs[other], everyone[other]) - base_other}  # fmt: skip
                    rows.append(row)
                    print({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}, flush=True)
    frame = pd.DataFrame(rows)
    table = frame.groupby(["adapted_to", "labels", "variant"], sort=False)[
        ["target_gain", "dev_oof_change", "other_change"]
    ].median()
    print("median over seeds (points x 100; train-split rows only)")
    print((table * 100).round(1).to_string())


if __name__ == "__main__":
    main()
