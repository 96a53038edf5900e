"""Fast sentiment adaptation: refit the linear head over the sentiment model's pooled states on a sample of
the shipped training mix plus in-domain labels, anchored to the shipped head so it does not forget.

The encoder is unchanged (its int8 ONNX file is copied), so adapting takes the time to pool the new labelled
texts (the mix sample's states are cached per base model) and an L-BFGS fit of 3 x 385 weights.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from voc.config import EncoderConfig
from voc.paths import cache_dir

log = logging.getLogger(__name__)

LABELS = ("negative", "neutral", "positive")
MIX_ROWS = 3000
LABEL_SHARE = (
    0.05  # the labels' total weight vs the mix sample's (each label at least a mix row); bench.teach_tune
)
RATINGS_SHARE = 0.3  # rating labels alone (no manual labels to cross-validate on): best on clothing train
SHARE_GRID = (0.05, 0.3, 1.0)  # label shares `choose_share` compares by cross-validation on the team's labels
ANCHOR = 0.05  # L2 pull of the new head towards the shipped one (per unit of mix weight)
FOLDS = 5


@dataclass
class Pooler:
    """Mean-pooled token states of a sentiment model folder (the head's inputs), and its head."""

    folder: Path

    def __post_init__(self) -> None:
        from voc.lenses.sentiment import OnnxSentimentRunner

        self.runner = OnnxSentimentRunner(self.folder, EncoderConfig(threads=2))
        self.meta = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))

    def pooled(self, texts: list[str]) -> np.ndarray:
        """(n, dim) pooled states."""
        out = np.zeros((len(texts), self.runner.weight.shape[1]), dtype=np.float32)
        for idx, states, mask, _ in self.runner._batches([str(t) for t in texts]):
            m = mask[..., None].astype(np.float32)
            out[idx] = (states * m).sum(1) / np.maximum(m.sum(1), 1.0)
        return out


def mix_sample(
    pooler: Pooler, rows: int = MIX_ROWS, seed: int = 42
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pooled states, labels and binary flags of a sample of the shipped training mix (train splits only), cached."""
    from voc.train.sentiment_data import training_mix

    base = str(pooler.meta.get("base_version", pooler.meta["version"]))
    key = hashlib.sha256(f"{base}|{rows}|{seed}".encode()).hexdigest()[:16]
    path = cache_dir() / "teach" / f"mix-{key}.npz"
    if path.is_file():
        data = np.load(path)
        return data["X"], data["y"], data["binary"]
    mix = (
        training_mix(seed)
        .groupby("source", group_keys=False)
        .apply(lambda g: g.sample(n=min(len(g), rows // 3), random_state=seed))
    )
    X = pooler.pooled(mix["text"].tolist())
    y, binary = mix["label"].to_numpy(np.int64), mix["binary"].to_numpy(bool)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, X=X, y=y, binary=binary)
    return X, y, binary


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def fit_head(X, y, w, binary, W0, b0, anchor: float) -> tuple[np.ndarray, np.ndarray]:
    """Weighted cross-entropy (binary rows over negative vs positive) + anchor * ||(W, b) - (W0, b0)||^2."""
    d = X.shape[1]
    Y = np.eye(3)[y]
    x0 = np.concatenate([W0.ravel(), b0]).astype(np.float64)
    Xd = X.astype(np.float64)

    def loss(theta):
        W, b = theta[: 3 * d].reshape(3, d), theta[3 * d :]
        z = Xd @ W.T + b
        z3 = np.where(binary[:, None] & (np.arange(3) == 1)[None], -1e4, z)  # binary rows: no neutral
        p = _softmax(z3)
        ce = -(w * np.log(np.maximum((p * Y).sum(1), 1e-12))).sum()
        g = (p - Y) * w[:, None]
        diff = theta - x0
        grad = np.concatenate([(g.T @ Xd).ravel(), g.sum(0)]) + 2 * anchor * diff
        return ce + anchor * diff @ diff, grad

    res = minimize(loss, x0, jac=True, method="L-BFGS-B", options={"maxiter": 300})
    return res.x[: 3 * d].reshape(3, d).astype(np.float32), res.x[3 * d :].astype(np.float32)


def adapt(
    pooler: Pooler,
    X_lab: np.ndarray,
    y_lab: np.ndarray,
    w_lab: np.ndarray | None = None,
    mix: tuple | None = None,
    binary_lab: np.ndarray | None = None,
    label_share: float = LABEL_SHARE,
    anchor: float = ANCHOR,
) -> tuple[np.ndarray, np.ndarray]:
    """The adapted head (W (3, dim), b (3,)) from the mix sample and labelled pooled states.

    binary_lab marks labels that only say negative vs positive (ratings): they train that direction and
    leave the neutral logit to the mix and the manual labels.
    """
    Xm, ym, bm = mix if mix is not None else mix_sample(pooler)
    w_lab = np.ones(len(y_lab)) if w_lab is None else np.asarray(w_lab, np.float64)
    binary_lab = np.zeros(len(y_lab), bool) if binary_lab is None else np.asarray(binary_lab, bool)
    scale = label_share * len(ym) / max(w_lab.sum(), 1.0) if len(y_lab) else 0.0
    X = np.concatenate([Xm, X_lab]) if len(y_lab) else Xm
    y = np.concatenate([ym, y_lab]).astype(np.int64)
    w = np.concatenate([np.ones(len(ym)), w_lab * max(scale, 1.0)])
    binary = np.concatenate([bm, binary_lab])
    W0, b0 = pooler.runner.weight, pooler.runner.bias
    return fit_head(X, y, w, binary, W0, b0, anchor * len(ym))


def predict(W: np.ndarray, b: np.ndarray, X: np.ndarray) -> np.ndarray:
    """(n, 3) probabilities of a head over pooled states."""
    return _softmax(X @ W.T + b)


def cross_validate(
    pooler: Pooler, X_lab, y_lab, w_lab=None, manual=None, mix=None, seed: int = 13, binary_lab=None,
    label_share: float = LABEL_SHARE,
) -> dict:  # fmt: skip
    """Out-of-fold accuracy and macro-F1 of the adapted head on the manual labels, beside the shipped head's."""
    from sklearn.metrics import f1_score

    manual = np.ones(len(y_lab), bool) if manual is None else np.asarray(manual, bool)
    n_manual = int(manual.sum())
    if n_manual < 10:
        return {"labels": n_manual, "note": "fewer than 10 manual labels: no cross-validation"}
    mix = mix if mix is not None else mix_sample(pooler)
    folds = np.full(len(y_lab), -1)
    folds[manual] = np.random.default_rng(seed).permutation(n_manual) % min(FOLDS, n_manual)
    oof = np.zeros(len(y_lab), np.int64)
    for k in range(min(FOLDS, n_manual)):
        train = folds != k
        w_k = None if w_lab is None else w_lab[train]
        b_k = None if binary_lab is None else np.asarray(binary_lab, bool)[train]
        W, b = adapt(pooler, X_lab[train], y_lab[train], w_k, mix, binary_lab=b_k, label_share=label_share)
        oof[folds == k] = predict(W, b, X_lab[folds == k]).argmax(1)
    base = predict(pooler.runner.weight, pooler.runner.bias, X_lab[manual]).argmax(1)
    gold = y_lab[manual]
    score = {
        "labels": n_manual,
        "adapted_accuracy": round(float((oof[manual] == gold).mean()), 4),
        "shipped_accuracy": round(float((base == gold).mean()), 4),
        "adapted_macro_f1": round(float(f1_score(gold, oof[manual], average="macro", labels=[0, 1, 2])), 4),
        "shipped_macro_f1": round(float(f1_score(gold, base, average="macro", labels=[0, 1, 2])), 4),
        "label_share": label_share,
    }
    return score


def choose_share(pooler: Pooler, X_lab, y_lab, w_lab=None, manual=None, mix=None, binary_lab=None,
                 grid: tuple[float, ...] = SHARE_GRID, fallback: float = LABEL_SHARE) -> tuple[float, dict]:  # fmt: skip
    """The labels' weight (share of the mix) with the best out-of-fold macro-F1 on the manual labels, and its CV.

    A team whose language the shipped model already knows gains most from light labels; one whose language
    it does not know, from heavy ones: the team's own labels decide. Under 10 manual labels: fallback.
    """
    best: tuple[float, dict] | None = None
    for share in grid:
        cv = cross_validate(
            pooler, X_lab, y_lab, w_lab, manual, mix, binary_lab=binary_lab, label_share=share
        )
        if "adapted_macro_f1" not in cv:
            return fallback, {**cv, "label_share": fallback}
        if best is None or cv["adapted_macro_f1"] > best[1]["adapted_macro_f1"]:
            best = (share, cv)
    return best


def save(pooler: Pooler, W: np.ndarray, b: np.ndarray, out_dir: Path, extra: dict) -> dict:
    """Write the adapted model folder (encoder and tokenizer copied, new head, meta.json, MODEL_CARD.md)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = dict(pooler.meta)
    for key in ("onnx", "tokenizer"):
        src = pooler.folder / meta[key]
        if src.resolve() != (out_dir / meta[key]).resolve():
            shutil.copyfile(src, out_dir / meta[key])
    np.savez(out_dir / meta["head"], weight=W, bias=b)
    digest = hashlib.sha256(W.tobytes() + b.tobytes()).hexdigest()[:12]
    meta.update(
        base_version=meta.get("base_version", meta["version"]),
        version=f"{meta.get('base_version', meta['version'])}+adapted@{digest}",
        adapted=extra,
    )
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
    cv = extra.get("cv", {})
    card = [
        f"# Adapted sentiment model `{meta['version']}`",
        "",
        f"The head of `{meta['base_version']}` refitted on {MIX_ROWS:,} rows of the shipped training mix (train splits)",
        f"plus {extra.get('labels', 0)} reviewer labels and {extra.get('rating_labels', 0)} rating-derived labels (negative vs positive only)",
        f"from store `{extra.get('store')}`, anchored to the shipped head (voc.teach.sentiment_adapt). The encoder is unchanged.",
        "",
        "## Cross-validated on the team's labels (5-fold, out-of-fold predictions)",
        "| model | accuracy | macro-F1 |",
        "|---|---|---|",
        f"| adapted | {cv.get('adapted_accuracy', '—')} | {cv.get('adapted_macro_f1', '—')} |",
        f"| shipped | {cv.get('shipped_accuracy', '—')} | {cv.get('shipped_macro_f1', '—')} |",
        "",
        f"Labels: {cv.get('labels', 0)}. Select it with `VOC_SENTIMENT__MODEL={out_dir}` or `sentiment.model` in the YAML.",
    ]
    (out_dir / "MODEL_CARD.md").write_text("\n".join(card) + "\n", encoding="utf-8")
    return meta
