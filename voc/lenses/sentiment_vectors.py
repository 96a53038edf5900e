"""Sentiment from a linear head on the shared pass's vectors (the `fast` profile): no transformer pass of its own.

The head (models/sentiment-fast, trained by voc.train.sentiment_fast) reads the L2-normalised document and
sentence vectors the shared encoder makes for every lens; a one-sentence document reuses its document result.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from voc.config import EncoderConfig
from voc.errors import ModelError

log = logging.getLogger(__name__)


def is_vector_head(folder: Path) -> bool:
    """Whether a model folder holds a head over the shared vectors (meta.json kind 'vector-head')."""
    meta = Path(folder) / "meta.json"
    return meta.is_file() and json.loads(meta.read_text(encoding="utf-8")).get("kind") == "vector-head"


class VectorSentimentRunner:
    """Softmax(W v + b) over the shared encoder's vectors."""

    reads_vectors = True

    def __init__(self, folder: Path, encoder_cfg: EncoderConfig):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        head_path = folder / meta["head"]
        if not head_path.is_file():
            raise ModelError(
                f"Sentiment head {head_path} is missing; rebuild it with `voc train sentiment-fast`."
            )
        head = np.load(head_path)
        self.weight, self.bias = head["weight"].astype(np.float32), head["bias"].astype(np.float32)
        self.encoder_cfg = encoder_cfg
        self.version = str(meta["version"])
        trained = (meta.get("encoder") or {}).get("precision")
        if trained and trained != encoder_cfg.precision:
            log.warning(
                "The sentiment head in %s was trained on %s vectors but the encoder runs %s; "
                "use the fast profile (encoder.precision %s) for its measured quality.",
                folder, trained, encoder_cfg.precision, trained,
            )  # fmt: skip

    def head(self, vectors: np.ndarray) -> np.ndarray:
        """(n, 3) probabilities for (n, dim) vectors."""
        z = (
            np.asarray(vectors, dtype=np.float32).reshape(-1, self.weight.shape[1]) @ self.weight.T
            + self.bias
        )
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(1, keepdims=True)).astype(np.float64)

    def from_vectors(
        self, texts, spans, doc_vecs: np.ndarray, sent_vecs
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Document probabilities and per document (k, 3) sentence probabilities from the shared vectors."""
        doc = self.head(doc_vecs)
        sent = []
        for i, (text, sp, vecs) in enumerate(zip(texts, spans, sent_vecs)):
            if len(sp) == 1 and not text[: sp[0][0]].strip() and not text[sp[0][1] :].strip():
                sent.append(doc[i : i + 1].copy())  # the sentence is the whole document
            else:
                sent.append(self.head(vecs) if len(sp) else np.zeros((0, 3)))
        return doc, sent

    def doc_probs(self, texts: list[str]) -> np.ndarray:
        """(n, 3) document probabilities (encodes the texts with the shared encoder)."""
        from voc.encode import get_encoder

        return self.head(get_encoder(self.encoder_cfg).encode(texts)) if texts else np.zeros((0, 3))

    def doc_and_span_probs(self, texts: list[str], spans: list[list[tuple[int, int]]], tapped=None):
        """Document and sentence probabilities (encodes the texts and spans with the shared encoder)."""
        from voc.encode import get_encoder

        if not texts:
            return np.zeros((0, 3)), []
        doc_vecs, sent_vecs = get_encoder(self.encoder_cfg).encode_spans(texts, spans)
        return self.from_vectors(texts, spans, doc_vecs, sent_vecs)
