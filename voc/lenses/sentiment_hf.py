"""A user-named Hugging Face sequence classifier (hub id or local folder) as the sentiment model.

Its `id2label` is mapped onto (negative, neutral, positive): names containing neg/neu/pos (or bad/good,
1-5 stars) are mapped by meaning; generic LABEL_i names follow the common conventions (2 labels: 0 negative,
1 positive; 3 labels: 0 negative, 1 neutral, 2 positive). Two-class models give neutral probability 0.
Sentence sentiment runs the classifier on each sentence's text (a classifier head has no span pooling).
"""

from __future__ import annotations

import logging
import re

import numpy as np

from voc.config import EncoderConfig
from voc.errors import ModelError

log = logging.getLogger(__name__)

_STARS = re.compile(r"^\s*([1-5])\s*stars?\s*$")


def label_matrix(id2label: dict[int, str]) -> np.ndarray:
    """A (n_labels, 3) matrix that sums a model's class probabilities into (negative, neutral, positive)."""
    n = len(id2label)
    names = [str(id2label[i]).lower() for i in range(n)]
    mat = np.zeros((n, 3), dtype=np.float64)
    generic = all(re.fullmatch(r"label_\d+", name) for name in names)
    for i, name in enumerate(names):
        stars = _STARS.match(name)
        if generic:
            col = {2: (0, 2), 3: (0, 1, 2)}[n][i] if n in (2, 3) else None
        elif stars:
            col = {1: 0, 2: 0, 3: 1, 4: 2, 5: 2}[int(stars.group(1))]
        elif "neg" in name or name in ("bad", "0"):
            col = 0
        elif "neu" in name or name in ("mixed",):
            col = 1
        elif "pos" in name or name in ("good", "1"):
            col = 2
        else:
            col = None
        if col is None:
            raise ModelError(
                f"Cannot map the model's label {id2label[i]!r} (labels {list(id2label.values())}) to "
                "negative/neutral/positive; use a model whose id2label names them."
            )
        mat[i, col] = 1.0
    return mat


class HFSentimentRunner:
    """transformers AutoModelForSequenceClassification on CPU, length-sorted batches."""

    def __init__(self, model: str, encoder_cfg: EncoderConfig):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from voc.encode.source import resolve_model
        from voc.quiet import quiet_transformers

        source = resolve_model(model)  # local folder, or hub id from the HF cache (downloads only if online)
        if encoder_cfg.threads:
            torch.set_num_threads(int(encoder_cfg.threads))
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(source.path))
            with quiet_transformers():
                self.model = AutoModelForSequenceClassification.from_pretrained(str(source.path)).eval()
        except Exception as exc:  # noqa: BLE001
            raise ModelError(f"Cannot load sentiment model {model!r} from {source.path}: {exc}") from None
        id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        self.mapping = label_matrix(id2label)
        self.max_length = int(encoder_cfg.max_length)
        self.batch_size = int(encoder_cfg.batch_size)
        self.version = f"hf:{source.key}"
        log.info("Sentiment model %s with labels %s", self.version, id2label)

    def doc_probs(self, texts: list[str]) -> np.ndarray:
        """(n, 3) probabilities."""
        import torch

        out = np.zeros((len(texts), 3), dtype=np.float64)
        order = np.argsort([len(t) for t in texts], kind="stable")
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                idx = order[start : start + self.batch_size]
                enc = self.tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                probs = torch.softmax(self.model(**enc).logits.float(), -1).numpy()
                out[idx] = probs @ self.mapping
        return out

    def doc_and_span_probs(self, texts: list[str], spans: list[list[tuple[int, int]]]):
        """Document probabilities and per-document sentence probabilities (each sentence run on its own)."""
        doc = self.doc_probs(texts)
        flat = [texts[i][s:e] for i, sp in enumerate(spans) for s, e in sp]
        probs = self.doc_probs(flat) if flat else np.zeros((0, 3))
        out, k = [], 0
        for sp in spans:
            out.append(probs[k : k + len(sp)])
            k += len(sp)
        return doc, out
