"""`voc train sentiment|rootcause --from-store`: adapt the heads to a store's reviewer labels (and ratings)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from voc.errors import InputError
from voc.store import Store

RATING_CAP = 5000
# each reviewer cause label's weight in the root-cause fit (dev rows weigh 1, weak labels 0.1), and the pull of
# the adapted head towards the shipped one, whose combiner, thresholds and class balance it keeps: on train rows
# (bench.teach_tune_anchor --quick), 500 airline labels then cost 1.8 points of dev-train out-of-fold macro-F1
# and 0.1 of MAMS staff recall, against 3.0 and 4.3 for the plain refit at weight 0.3 (which gained 3.7 to 2.0)
ROOTCAUSE_LABEL_WEIGHT = 1.0
ROOTCAUSE_ANCHOR = 3.0
FULL_LABEL_ROWS = 3600  # with --full, the labels' share of a ~73k-row epoch (about 5%)


def _labelled(store: Store, field: str) -> pd.DataFrame:
    latest = store.labels(latest=True)
    latest = latest[latest[field].notna()] if len(latest) else latest
    if latest.empty:
        return pd.DataFrame(columns=["doc_id", "text", field])
    docs = store.documents_with_predictions(columns=["doc_id", "text"], order_by=None)
    return latest[["doc_id", field]].merge(docs, on="doc_id", how="inner")


def rating_labels(store: Store, exclude: set[str], cap: int = RATING_CAP, seed: int = 42) -> pd.DataFrame:
    """Weak sentiment labels from ratings: stars 1-2 / NPS 0-6 negative, stars 4-5 / NPS 9-10 positive."""
    sql = (
        "(rating_scale = 'stars' AND rating IS NOT NULL AND rating <> 3) OR "
        "(rating_scale = 'nps' AND rating IS NOT NULL AND (rating <= 6 OR rating >= 9))"
    )
    docs = store.documents_with_predictions(
        sql, columns=["doc_id", "text", "rating", "rating_scale"], order_by="doc_id"
    )
    docs = docs[~docs["doc_id"].isin(exclude)]
    negative = ((docs["rating_scale"] == "stars") & (docs["rating"] <= 2)) | (
        (docs["rating_scale"] == "nps") & (docs["rating"] <= 6)
    )
    docs = docs.assign(sentiment=np.where(negative, "negative", "positive"))
    if len(docs) > cap:
        docs = docs.sample(n=cap, random_state=seed)
    return docs[["doc_id", "text", "sentiment"]]


def _sentiment_labels(store: Store, from_ratings: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    manual = _labelled(store, "sentiment")
    weak = rating_labels(store, set(manual["doc_id"])) if from_ratings else manual.iloc[:0]
    if manual.empty and weak.empty:
        raise InputError(
            f"Store {store.path} has no sentiment labels{' or usable ratings' if from_ratings else ''}; "
            "label documents on the Review page or with `voc labels import`, or add --from-ratings."
        )
    return manual, weak


def train_sentiment_full_from_store(
    store: Store, out_dir: Path, from_ratings: bool = False, work_dir: Path | None = None, **overrides
) -> dict:
    """`--full`: the fine-tune recipe (voc.train.sentiment) with the store's labels added to the training mix.

    Each label is repeated so the labels make about FULL_LABEL_ROWS rows of the epoch (rating labels train
    negative vs positive only). The checkpoints go to work_dir (default: the voc cache); overrides go to
    FitConfig (e.g. epochs, threads, dev_rows).
    """
    from voc.paths import cache_dir
    from voc.teach.sentiment_adapt import LABELS
    from voc.train.sentiment import train_sentiment

    t0 = time.perf_counter()
    manual, weak = _sentiment_labels(store, from_ratings)
    rows = pd.DataFrame({"text": [*manual["text"], *weak["text"]],
                         "label": [LABELS.index(s) for s in [*manual["sentiment"], *weak["sentiment"]]],
                         "binary": [False] * len(manual) + [True] * len(weak)})  # fmt: skip
    key = hashlib.sha256(str(Path(out_dir).resolve()).encode()).hexdigest()[:12]
    work = Path(work_dir) if work_dir is not None else cache_dir() / "train" / f"sentiment-full-{key}"
    work.mkdir(parents=True, exist_ok=True)
    extra = work / "team_labels.jsonl"
    rows.to_json(extra, orient="records", lines=True)
    repeat = max(1, FULL_LABEL_ROWS // len(rows))
    result = train_sentiment(Path(out_dir), work, extra_rows=str(extra), extra_repeat=repeat, **overrides)
    meta_file = Path(out_dir) / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["adapted"] = {"store": str(store.path), "labels": len(manual), "rating_labels": len(weak), "full": True,
                       "repeat": repeat, "seconds": round(time.perf_counter() - t0, 1),
                       "cv": {"labels": len(manual), "note": "full fine-tune: no cross-validation (one fit takes ~30-50 min)"}}  # fmt: skip
    meta_file.write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
    (Path(out_dir) / "MODEL_CARD.md").write_text(
        f"# Fine-tuned sentiment model `{meta['version']}` (`--full`)\n\nThe recipe of voc.train.sentiment "
        f"with {len(manual)} reviewer labels and {len(weak)} rating labels from `{store.path}` added to the training "
        f"mix, each repeated {repeat} times. Dev metrics (int8): {result.get('int8_dev')}.\n\n"
        f"Select it with `VOC_SENTIMENT__MODEL={out_dir}` or `sentiment.model` in the YAML.\n",
        encoding="utf-8",
    )
    return {"version": meta["version"], "out_dir": str(out_dir), **meta["adapted"]}


def train_sentiment_from_store(
    store: Store, out_dir: Path, base: str = "default", from_ratings: bool = False
) -> dict:
    """Refit the sentiment head on the training mix plus the store's labels; write the model folder; return its card."""
    from voc.lenses.sentiment import default_model_dir
    from voc.teach import sentiment_adapt as sa

    t0 = time.perf_counter()
    manual, weak = _sentiment_labels(store, from_ratings)
    pooler = sa.Pooler(default_model_dir() if base == "default" else Path(base))
    texts = manual["text"].tolist() + weak["text"].tolist()
    y = np.array([sa.LABELS.index(s) for s in [*manual["sentiment"], *weak["sentiment"]]], np.int64)
    w = np.concatenate(
        [
            np.ones(len(manual)),
            np.full(len(weak), len(manual) / len(weak) if len(manual) and len(weak) else 1.0),
        ]
    )
    is_manual = np.concatenate([np.ones(len(manual), bool), np.zeros(len(weak), bool)])
    X = pooler.pooled(texts)
    mix = sa.mix_sample(pooler)
    fallback = sa.RATINGS_SHARE if len(weak) else sa.LABEL_SHARE
    share, cv = sa.choose_share(pooler, X, y, w, is_manual, mix, binary_lab=~is_manual, fallback=fallback)
    W, b = sa.adapt(
        pooler, X, y, w, mix, binary_lab=~is_manual, label_share=share
    )  # ratings: neg vs pos only
    extra = {"store": str(store.path), "labels": len(manual), "rating_labels": len(weak),
             "cv": cv, "seconds": round(time.perf_counter() - t0, 1),
             "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
    meta = sa.save(pooler, W, b, out_dir, extra)
    return {"version": meta["version"], "out_dir": str(out_dir), **extra}


def rootcause_anchor():
    """How `voc train rootcause --from-store` adapts: anchored to the shipped head, keeping its calibration."""
    from voc.lenses.rootcause_taxonomy import DEFAULT_DIR
    from voc.train.rootcause_anchor import Anchor

    return Anchor(DEFAULT_DIR, ROOTCAUSE_ANCHOR, keep_calibration=True, fixed_balance=True)


def train_rootcause_from_store(store: Store, out_dir: Path, weight: float = ROOTCAUSE_LABEL_WEIGHT) -> dict:
    """Refit the root-cause head on its usual sources plus the store's cause labels; write the folder; return its card."""
    from voc.lenses.rootcause import RootCauseLens
    from voc.train.rootcause import train_rootcause
    from voc.train.rootcause_corpus import encode_texts

    t0 = time.perf_counter()
    labelled = _labelled(store, "causes")
    if labelled.empty:
        raise InputError(
            f"Store {store.path} has no cause labels; tick causes on the Review page or `voc labels import` a causes column."
        )
    labelled = labelled.assign(causes=[list(c) for c in labelled["causes"]])
    anchor = rootcause_anchor()
    result = train_rootcause(out_dir=Path(out_dir), extra_docs=labelled, extra_weight=weight, anchor=anchor)
    ids = np.array(result["oof_dev_train"]["ids"])
    probs = np.array(result["oof_dev_train"]["probs"])
    team = ids > 10_000_000
    new = RootCauseLens.load(_cfg(out_dir))
    shipped = RootCauseLens.load(_cfg(None))
    enc = encode_texts(labelled["text"].tolist(), tag="rc-team")
    base = shipped.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)["causes"]
    oof = [[lab for j, lab in enumerate(new.labels) if p[j] >= new.head.thresholds[j]] for p in probs[team]]
    gold = labelled["causes"].tolist()
    cv = {"labels": len(labelled),
          "adapted_exact": round(float(np.mean([sorted(a) == sorted(g) for a, g in zip(oof, gold)])), 4),
          "shipped_exact": round(float(np.mean([sorted(a) == sorted(g) for a, g in zip(base, gold)])), 4)}  # fmt: skip
    card = Path(out_dir) / "head.json"
    meta = json.loads(card.read_text(encoding="utf-8"))
    meta["adapted"] = {"store": str(store.path), "labels": len(labelled), "weight": weight, "cv": cv,
                       "anchor": anchor.strength, "kept_shipped_calibration": anchor.keep_calibration}  # fmt: skip
    card.write_text(json.dumps(meta, indent=2, default=float), encoding="utf-8")
    (Path(out_dir) / "MODEL_CARD.md").write_text(
        f"# Adapted root-cause head `{new.version}`\n\nRefitted (voc.train.rootcause) on the taxonomy, the dev set, weak "
        f"labels and {len(labelled)} reviewer labels from `{store.path}` (weight {weight}), pulled towards the "
        f"shipped head (anchor {anchor.strength}), whose combiner and thresholds it keeps so it does not forget.\n\n"
        "| on the team's labels (5-fold out-of-fold) | exact cause-set match |\n|---|---|\n"
        f"| adapted | {cv['adapted_exact']} |\n| shipped | {cv['shipped_exact']} |\n\n"
        f"Dev-train CV (incl. the team's labels): macro-F1 {result['cv_dev_train'].get('macro_f1')}.\n"
        f"Select it with `VOC_ROOTCAUSE__MODEL={out_dir}` or `rootcause.model` in the YAML.\n",
        encoding="utf-8",
    )
    return {"version": new.version, "out_dir": str(out_dir), "labels": len(labelled), "cv": cv,
            "seconds": round(time.perf_counter() - t0, 1)}  # fmt: skip


def _cfg(model_dir):
    from voc.config import RootCauseConfig

    return RootCauseConfig(model=None if model_dir is None else Path(model_dir))
