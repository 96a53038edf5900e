"""Fine-tune MiniLM (mean pooling + 3-class linear head) on the sentiment training mix, with torch on CPU."""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from voc.train.sentiment_data import dev_sets, training_mix

log = logging.getLogger(__name__)


@dataclass
class FitConfig:
    """Hyper-parameters of the sentiment fine-tune (the recipe in models/sentiment/MODEL_CARD.md)."""

    seed: int = 42
    epochs: float = 1.0
    batch_size: int = 32
    max_length: int = 64
    lr: float = 6e-5
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    freeze_embeddings: bool = True
    freeze_layers: int = 2
    sst2_rows: int = 70_000
    sst2_min_words: int = 2
    clothing_positive_rows: int = 1_500
    class_balance: bool = True
    bucket: int = 50
    eval_every: int = 500
    dev_rows: int = 500
    threads: int = 2
    extra_rows: str | None = None  # JSONL of (text, label 0/1/2, binary) appended to the mix: a team's labels
    extra_repeat: int = 1  # each extra row appears this many times per epoch


class SentimentNet:
    """Factory for the torch module: encoder + mean pooling + linear head (built lazily to keep torch optional)."""

    @staticmethod
    def build(encoder_path: str | Path):
        """Return a torch module whose forward(input_ids, attention_mask) gives 3 logits."""
        import torch
        from transformers import AutoModel

        class _Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.encoder = AutoModel.from_pretrained(str(encoder_path))
                self.head = torch.nn.Linear(self.encoder.config.hidden_size, 3)

            def forward(self, input_ids, attention_mask):
                states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(states.dtype)
                pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                return self.head(pooled)

        return _Net()


def batch_loss(logits, labels, binary, class_weight=None):
    """Cross-entropy over 3 classes (optionally class-weighted); binary (SST-2) rows only over negative vs positive."""
    import torch.nn.functional as F

    loss = logits.new_zeros(())
    n = len(labels)
    tri = ~binary
    if tri.any():
        loss = loss + F.cross_entropy(logits[tri], labels[tri], weight=class_weight, reduction="sum")
    if binary.any():
        two = logits[binary][:, [0, 2]]
        loss = loss + F.cross_entropy(two, (labels[binary] == 2).long(), reduction="sum")
    return loss / n


def class_weights(labels: np.ndarray, binary: np.ndarray) -> np.ndarray:
    """Inverse-frequency weights of the 3 classes over the 3-class rows, mean 1 per row."""
    counts = np.bincount(labels[~binary], minlength=3).astype(np.float64)
    weights = counts.sum() / (3 * np.maximum(counts, 1))
    return (weights / (weights[labels[~binary]].mean())).astype(np.float32)


def bucketed_order(
    lengths: np.ndarray, batch_size: int, bucket: int, epochs: float, seed: int
) -> list[np.ndarray]:
    """Shuffled batches of similar lengths: each run of `bucket` batches is length-sorted, then batches shuffled."""
    gen = np.random.default_rng(seed)
    batches: list[np.ndarray] = []
    for _ in range(math.ceil(epochs)):
        perm = gen.permutation(len(lengths))
        chunk = batch_size * max(1, bucket)
        epoch: list[np.ndarray] = []
        for start in range(0, len(perm), chunk):
            part = perm[start : start + chunk]
            part = part[np.argsort(lengths[part], kind="stable")]
            epoch += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
        batches += [epoch[i] for i in gen.permutation(len(epoch))]
    return batches


def predict_probs(model, tokenizer, texts: list[str], max_length: int, batch_size: int = 64) -> np.ndarray:
    """Softmax probabilities (neg, neu, pos) from the torch model, length-sorted batches."""
    import torch

    order = np.argsort([len(t) for t in texts])
    out = np.zeros((len(texts), 3), dtype=np.float32)
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            enc = tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            )
            out[idx] = torch.softmax(model(enc["input_ids"], enc["attention_mask"]), -1).numpy()
    return out


def dev_metrics(probs: dict[str, np.ndarray], devs: dict[str, pd.DataFrame]) -> dict[str, float]:
    """SST-2 dev accuracy, airline dev macro-F1, TweetEval val macro-recall and their mean (selection score)."""
    from sklearn.metrics import f1_score, recall_score

    sst = devs["sst2_dev"]
    p = probs["sst2_dev"]
    sst_acc = float(np.mean(np.where(p[:, 2] > p[:, 0], 2, 0) == sst["label"].to_numpy()))
    air_f1 = float(f1_score(devs["airline_dev"]["label"], probs["airline_dev"].argmax(1), average="macro"))
    tw_rec = float(
        recall_score(devs["tweeteval_dev"]["label"], probs["tweeteval_dev"].argmax(1), average="macro")
    )
    return {
        "sst2_dev_acc": sst_acc,
        "airline_dev_macro_f1": air_f1,
        "tweeteval_dev_macro_recall": tw_rec,
        "score": (sst_acc + air_f1 + tw_rec) / 3,
    }


def with_extra_rows(mix: pd.DataFrame, cfg: FitConfig) -> pd.DataFrame:
    """The training mix plus cfg.extra_rows (each repeated cfg.extra_repeat times), shuffled with cfg.seed."""
    if not cfg.extra_rows:
        return mix
    extra = pd.read_json(cfg.extra_rows, lines=True)
    extra = extra.assign(source="team", binary=extra["binary"].astype(bool), label=extra["label"].astype(int))
    extra = pd.concat([extra[["text", "label", "binary", "source"]]] * max(1, int(cfg.extra_repeat)))
    out = pd.concat([mix, extra], ignore_index=True)
    return out.iloc[np.random.default_rng(cfg.seed).permutation(len(out))].reset_index(drop=True)


def fit(encoder_path: str | Path, work_dir: Path, cfg: FitConfig | None = None) -> dict:
    """Train, keep the best dev checkpoint in work_dir/best (HF encoder + head.pt), return its metrics and history."""
    import torch
    from transformers import AutoTokenizer

    cfg = cfg or FitConfig()
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)

    tokenizer = AutoTokenizer.from_pretrained(str(encoder_path))
    model = SentimentNet.build(encoder_path)
    if cfg.freeze_embeddings:
        for param in model.encoder.embeddings.parameters():
            param.requires_grad = False
    for layer in model.encoder.encoder.layer[: cfg.freeze_layers]:
        for param in layer.parameters():
            param.requires_grad = False
    mix = with_extra_rows(
        training_mix(cfg.seed, cfg.sst2_rows, cfg.clothing_positive_rows, cfg.sst2_min_words), cfg
    )
    devs = dev_sets(cfg.dev_rows, cfg.seed)
    log.info("training mix: %s rows %s", len(mix), mix["source"].value_counts().to_dict())

    lengths = mix["text"].str.len().to_numpy()
    batches = bucketed_order(lengths, cfg.batch_size, cfg.bucket, cfg.epochs, cfg.seed)
    total = int(len(batches) / math.ceil(cfg.epochs) * cfg.epochs)
    enc_params = [p for p in model.encoder.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": cfg.lr}, {"params": model.head.parameters(), "lr": cfg.head_lr}],
        weight_decay=cfg.weight_decay,
    )
    warm = max(1, int(total * cfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm)))
    )

    texts = mix["text"].tolist()
    labels = torch.tensor(mix["label"].to_numpy())
    binary = torch.tensor(mix["binary"].to_numpy())
    weight = (
        torch.tensor(class_weights(mix["label"].to_numpy(), mix["binary"].to_numpy()))
        if cfg.class_balance
        else None
    )
    history: list[dict] = []
    best: dict = {"score": -1.0}
    t0 = time.time()

    def evaluate(step: int) -> None:
        nonlocal best
        probs = {
            k: predict_probs(model, tokenizer, v["text"].tolist(), cfg.max_length) for k, v in devs.items()
        }
        metrics = {"step": step, "elapsed_s": round(time.time() - t0, 1), **dev_metrics(probs, devs)}
        history.append(metrics)
        log.info("dev %s", metrics)
        targets = (["best"] if metrics["score"] > best["score"] else []) + (["last"] if step == total else [])
        if "best" in targets:
            best = metrics
        for name in targets:  # the best dev checkpoint, and the end of the schedule for comparison
            model.encoder.save_pretrained(work_dir / name)
            tokenizer.save_pretrained(work_dir / name)
            torch.save(model.head.state_dict(), work_dir / name / "head.pt")
        (work_dir / "history.json").write_text(
            json.dumps({"config": asdict(cfg), "history": history, "best": best}, indent=1)
        )
        model.train()

    model.train()
    for step in range(total):
        idx = batches[step]
        enc = tokenizer(
            [texts[i] for i in idx],
            padding=True,
            truncation=True,
            max_length=cfg.max_length,
            return_tensors="pt",
        )
        loss = batch_loss(model(enc["input_ids"], enc["attention_mask"]), labels[idx], binary[idx], weight)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 10 == 0:
            log.info(
                "step %d/%d loss %.4f %.2fs/step", step, total, loss.item(), (time.time() - t0) / (step + 1)
            )
        if (step + 1) % cfg.eval_every == 0 and step + 1 < total:
            evaluate(step + 1)
    evaluate(total)
    return {
        "best": best,
        "history": history,
        "config": asdict(cfg),
        "train_rows": len(mix),
        "train_sources": mix["source"].value_counts().to_dict(),
        "train_seconds": round(time.time() - t0, 1),
    }
