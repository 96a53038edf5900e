"""Train the `fast` profile's sentiment head: a linear head over the shared int8 pass's document vectors.

No second transformer pass: the head reads the L2-normalised vectors the shared encoder (int8) already makes
for themes and root cause, so sentiment costs one matrix product. Data: the same training mix as the
fine-tuned model (`voc.train.sentiment_data.training_mix`: SST-2 train, airline and clothing train splits);
C and a neutral-logit shift are picked on a fifth of those rows held out, then the head is refit on all of them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from voc.config import EncoderConfig
from voc.paths import MODELS_DIR

log = logging.getLogger(__name__)

ENCODER = EncoderConfig(precision="int8", shared_trunk=0)  # the fast profile's shared pass
SST2_ROWS = 8_000  # SST-2 phrases in the mix: a linear head on vectors needs far fewer than the fine-tune
C_GRID = (0.5, 2.0, 8.0, 32.0)
SHIFTS = np.round(np.arange(-1.5, 1.51, 0.25), 2)


def default_out_dir() -> Path:
    """Where the fast profile's head is shipped (models/sentiment-fast)."""
    return MODELS_DIR / "sentiment-fast"


def _features(texts: list[str], encoder_cfg: EncoderConfig) -> np.ndarray:
    from voc.encode import get_encoder

    return get_encoder(encoder_cfg).encode(texts, progress=True)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def holdout_score(mix, probs: np.ndarray) -> dict[str, float]:
    """Per source of held-out training rows: SST-2 accuracy (neg vs pos), airline and clothing macro-F1."""
    from sklearn.metrics import f1_score

    out = {}
    y = mix["label"].to_numpy()
    for source in ("sst2", "airline", "womens_clothing"):
        rows = (mix["source"] == source).to_numpy()
        if not rows.any():
            continue
        if source == "sst2":
            out["sst2_acc"] = float(((probs[rows, 2] > probs[rows, 0]) * 2 == y[rows]).mean())
        else:
            out[f"{source}_macro_f1"] = float(f1_score(y[rows], probs[rows].argmax(1), average="macro"))
    out["score"] = float(np.mean(list(out.values())))
    return out


def train_fast_head(
    out_dir: Path | None = None, seed: int = 42, encoder_cfg: EncoderConfig = ENCODER, max_rows: int | None = None
) -> dict:
    """Fit the head on the training mix's vectors (C and the neutral shift picked on a fifth held out of it),
    refit on every row, and write head.npz + meta.json."""
    from sklearn.linear_model import LogisticRegression

    from voc.train.sentiment_data import training_mix

    out_dir = Path(out_dir or default_out_dir())
    mix = training_mix(seed, SST2_ROWS, 1_500, 2)
    if max_rows:
        mix = mix.head(max_rows).reset_index(drop=True)
    x = _features(mix["text"].tolist(), encoder_cfg)
    y = mix["label"].to_numpy()
    hold = np.arange(len(mix)) % 5 == 0

    def fit(c: float, rows: np.ndarray):
        return LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=seed).fit(x[rows], y[rows])

    best = None
    for c in C_GRID:
        clf = fit(c, ~hold)
        for shift in SHIFTS:
            bias = clf.intercept_.copy()
            bias[1] += shift
            score = holdout_score(mix[hold], _softmax(x[hold] @ clf.coef_.T + bias))
            log.info("C=%s shift=%s %s", c, shift, score)
            if best is None or score["score"] > best[0]["score"]:
                best = (score, c, float(shift))
    score, c, shift = best
    clf = fit(c, np.ones(len(mix), dtype=bool))
    weight, bias = clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32)
    bias[1] += shift
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez(out_dir / "head.npz", weight=weight, bias=bias)
    meta = {
        "version": f"voc-sentiment-fast-vectors@n{len(mix)}-C{c}-s{shift}-seed{seed}",
        "kind": "vector-head",
        "labels": ["negative", "neutral", "positive"],
        "head": "head.npz",
        "input": "L2-normalised document (or sentence) vectors of the shared pass",
        "encoder": {"precision": encoder_cfg.precision, "max_length": encoder_cfg.max_length},
        "fit": {"C": c, "neutral_logit_shift": shift, "train_rows": len(mix), "seed": seed, "sst2_rows": SST2_ROWS,
                "max_rows": max_rows, "train_sources": mix["source"].value_counts().to_dict()},
        "holdout": score,
    }  # fmt: skip
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta
