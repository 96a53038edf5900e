"""`voc eval rootcause`: the root-cause lens next to two baselines (keyword rules alone, zero-shot similarity).

Data: the dev set's held-out part (data/rootcause/dev.jsonl, id % 4 == 0; never trained or tuned on),
airline tweets of the eval split whose negative reason maps clearly to a cause (accuracy of the top
cause), MAMS test sentences with a `staff` aspect (recall of people), and throughput over encoded docs.
Baselines: `rules` predicts a label when one of its taxonomy patterns matches (top cause = most hits);
`zero_shot` scores each sentence by cosine to the label description alone, max over sentences, with
per-label thresholds picked (max F1) on the dev set's training part.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd

from voc import datasets
from voc.lenses.rootcause import RootCauseLens
from voc.train.rootcause_corpus import (
    BASE_LABELS,
    Encoded,
    airline_mapped,
    encode_short,
    encode_texts,
    load_dev,
)
from voc.lenses.rootcause_model import compile_rules, flatten, rule_hits
from voc.train.rootcause import f1_table

log = logging.getLogger(__name__)

SYSTEMS = ("voc", "rules", "zero_shot")


class _Baselines:
    """Keyword-rules-alone and description-similarity-alone predictors over the same inputs."""

    def __init__(self, lens: RootCauseLens):
        from voc.lenses.rootcause_taxonomy import load_taxonomy

        self.labels = lens.labels
        self.rules = compile_rules(lens.head.patterns)
        try:
            tax = load_taxonomy()
            desc = {lab.name: lab.description for lab in tax.labels}
        except Exception:  # noqa: BLE001 - custom heads: fall back to the label names
            desc = {}
        self.D = encode_short([desc.get(lab, lab) for lab in self.labels])
        self.thresholds = np.full(len(self.labels), 0.3)

    def rule_counts(self, enc: Encoded) -> np.ndarray:
        """(n, L) number of rule matches per label."""
        return np.array([[len(h) for h in rule_hits(t, self.rules)] for t in enc.texts], dtype=np.float32)

    def zero_shot_scores(self, enc: Encoded) -> np.ndarray:
        """(n, L) max over sentences of cosine to the label description."""
        S, offsets, _ = flatten(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
        return np.maximum.reduceat(S @ self.D.T, offsets[:-1], axis=0)

    def calibrate(self, enc: Encoded, gold: np.ndarray) -> None:
        """Per-label zero-shot thresholds (max F1 on the dev training part)."""
        scores = self.zero_shot_scores(enc)
        for j in range(len(self.labels)):
            grid = np.round(np.arange(0.0, 0.71, 0.01), 2)
            f1s = [
                2
                * ((scores[:, j] >= t) & gold[:, j]).sum()
                / max((scores[:, j] >= t).sum() + gold[:, j].sum(), 1)
                for t in grid
            ]
            self.thresholds[j] = grid[int(np.argmax(f1s))]


def _predict_sets(
    lens: RootCauseLens, base: _Baselines, enc: Encoded
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per system: boolean (n, L) predictions and (n, L) scores (for top-1)."""
    frame = lens.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    voc_pred = np.array([[lab in c for lab in lens.labels] for c in frame["causes"]], dtype=bool)
    voc_scores = np.array([[s[lab] for lab in lens.labels] for s in frame["cause_scores"]])
    counts = base.rule_counts(enc)
    zs = base.zero_shot_scores(enc)
    return {
        "voc": (voc_pred, voc_scores, frame),
        "rules": (counts > 0, counts + 1e-3 * zs, None),
        "zero_shot": (zs >= base.thresholds, zs - base.thresholds, None),
    }


def _bootstrap_low(pred: np.ndarray, gold: np.ndarray, labels: list[str], reps: int = 1000) -> float:
    """2.5th percentile of macro-F1 over bootstrap resamples of the documents (fixed seed)."""
    rng = np.random.default_rng(0)
    vals = [
        f1_table(pred[idx], gold[idx], labels)["macro_f1"]
        for idx in (rng.integers(0, len(gold), len(gold)) for _ in range(reps))
    ]
    return round(float(np.percentile(vals, 2.5)), 4)


def _evidence_coverage(frame: pd.DataFrame) -> float:
    n = sum(len(c) for c in frame["causes"])
    ok = sum(
        1
        for c, ev in zip(frame["causes"], frame["cause_evidence"])
        for lab in c
        if lab in ev and len(ev[lab]) == 2 and ev[lab][1] > ev[lab][0]
    )
    return ok / n if n else 1.0


def _throughput(lens: RootCauseLens, enc: Encoded, n: int = 20_000) -> float:
    """Docs/s of predict over already-encoded docs (the dev set resampled to n docs)."""
    idx = np.arange(n) % len(enc.texts)
    texts = [enc.texts[i] for i in idx]
    spans = [enc.spans[i] for i in idx]
    sents = [enc.sent_vecs[i] for i in idx]
    docs = enc.doc_vecs[idx]
    lens.predict(texts[:200], spans[:200], docs[:200], sents[:200])  # warm-up
    t = time.perf_counter()
    lens.predict(texts, spans, docs, sents)
    return n / (time.perf_counter() - t)


def evaluate_rootcause(out_json: Path | None = None, lens: RootCauseLens | None = None) -> pd.DataFrame:
    """One table: dataset, metric, then one column per system (voc, rules, zero_shot); optional JSON dump."""

    lens = lens or RootCauseLens.load()
    base_idx = [lens.labels.index(lab) for lab in BASE_LABELS if lab in lens.labels]
    base_labels = [lens.labels[j] for j in base_idx]
    baselines = _Baselines(lens)
    rows: list[dict] = []

    def add(dataset: str, metric: str, values: dict, n: int) -> None:
        rows.append({"dataset": dataset, "metric": metric, "n": n, **{s: values.get(s) for s in SYSTEMS}})

    train = load_dev(part="train")
    train_enc = encode_texts(train["text"].tolist(), tag="rc-dev")
    gold_train = np.array([[lab in c for lab in lens.labels] for c in train["causes"]], dtype=bool)
    baselines.calibrate(train_enc, gold_train)

    test = load_dev(part="test")
    test_enc = encode_texts(test["text"].tolist(), tag="rc-dev-test")
    gold = np.array([[lab in c for lab in base_labels] for c in test["causes"]], dtype=bool)
    preds = _predict_sets(lens, baselines, test_enc)
    tables = {s: f1_table(p[:, base_idx], gold, base_labels) for s, (p, _, _) in preds.items()}
    n = len(test)
    add("dev held-out (id%4==0)", "macro_f1", {s: t["macro_f1"] for s, t in tables.items()}, n)
    add(
        "dev held-out (id%4==0)",
        "macro_f1 95% bootstrap low",
        {s: _bootstrap_low(p[:, base_idx], gold, base_labels) for s, (p, _, _) in preds.items()},
        n,
    )
    add("dev held-out (id%4==0)", "micro_f1", {s: t["micro_f1"] for s, t in tables.items()}, n)
    for lab in base_labels:
        for m in ("precision", "recall", "f1"):
            add(
                "dev held-out (id%4==0)",
                f"{lab} {m}",
                {s: t["per_label"][lab][m] for s, t in tables.items()},
                tables["voc"]["per_label"][lab]["support"],
            )
    none_gold = ~gold.any(axis=1)
    add(
        "dev held-out (id%4==0)",
        "no-cause accuracy",
        {s: float((~p[:, base_idx].any(axis=1))[none_gold].mean()) for s, (p, _, _) in preds.items()},
        int(none_gold.sum()),
    )
    add(
        "dev held-out (id%4==0)",
        "evidence span on predicted labels",
        {"voc": _evidence_coverage(preds["voc"][2])},
        n,
    )

    if datasets.available("airline_tweets"):
        air = airline_mapped("eval")
        air_enc = encode_texts(air["text"].tolist(), tag="rc-airline-eval")
        gold_j = air["cause"].map(lens.labels.index).to_numpy()
        correct, recall = {}, {}
        for s, (p, scores, _) in _predict_sets(lens, baselines, air_enc).items():
            top = np.array(base_idx)[scores[:, base_idx].argmax(axis=1)]
            has_any = p[:, base_idx].any(axis=1) if s == "rules" else np.ones(len(top), bool)
            correct[s] = (top == gold_j) & has_any
            recall[s] = float(p[np.arange(len(gold_j)), gold_j].mean())
        add(
            "airline eval, mapped reasons",
            "top-cause accuracy",
            {s: float(c.mean()) for s, c in correct.items()},
            len(air),
        )
        add("airline eval, mapped reasons", "mapped cause predicted (recall)", recall, len(air))
        for cause in base_labels:
            mask = air["cause"].to_numpy() == cause
            if mask.any():
                add(
                    "airline eval, mapped reasons",
                    f"top-cause accuracy | {cause}",
                    {s: float(c[mask].mean()) for s, c in correct.items()},
                    int(mask.sum()),
                )
    if datasets.available("mams_acsa") and "people" in lens.labels:
        from voc.train.rootcause_corpus import mams_sentences

        mams = mams_sentences("eval")
        staff = mams[mams["staff"]]
        enc = encode_texts(staff["text"].tolist(), tag="rc-mams-test-staff")
        j = lens.labels.index("people")
        add(
            "MAMS test, staff sentences",
            "people recall",
            {s: float(p[:, j].mean()) for s, (p, _, _) in _predict_sets(lens, baselines, enc).items()},
            len(staff),
        )

    add(
        "throughput (encoded docs)",
        "docs/s, predict only",
        {"voc": round(_throughput(lens, test_enc), 0)},
        20_000,
    )
    table = pd.DataFrame(rows)
    table = table[~((table["voc"].isna()) & (table["rules"].isna()) & (table["zero_shot"].isna()))]
    if out_json is not None:
        out_json = Path(out_json)
        out_json.parent.mkdir(parents=True, exist_ok=True)
        out_json.write_text(
            json.dumps(
                {
                    "lens": lens.version,
                    "rows": table.to_dict("records"),
                    "zero_shot_thresholds": dict(zip(lens.labels, baselines.thresholds.tolist())),
                },
                indent=2,
                default=float,
            ),
            encoding="utf-8",
        )
    return table.reset_index(drop=True)
