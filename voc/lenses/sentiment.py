"""Sentiment lens: document- and sentence-level {negative, neutral, positive}, a score in [-1, 1] and probabilities.

The default model is voc's own fine-tuned MiniLM (models/sentiment/, an int8 ONNX encoder plus a linear head
over mean-pooled token states; see its MODEL_CARD.md). Sentence sentiment comes from the same pass: the
document's token states are pooled over each sentence's character span. A user can instead name a Hugging
Face sequence classifier (hub id or local folder) in `SentimentConfig.model`; see voc.lenses.sentiment_hf.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from voc.config import EncoderConfig, SentimentConfig, encoder_settings
from voc.encode.cache import span_key, text_key
from voc.errors import ModelError
from voc.paths import MODELS_DIR

log = logging.getLogger(__name__)

LABELS = ("negative", "neutral", "positive")
COLUMNS = ("sentiment", "sentiment_score", "p_negative", "p_neutral", "p_positive")
META_FILE = "meta.json"


def default_model_dir() -> Path:
    """The shipped sentiment model folder (models/sentiment)."""
    return MODELS_DIR / "sentiment"


def probs_frame(probs: np.ndarray) -> pd.DataFrame:
    """The lens columns from an (n, 3) array of (negative, neutral, positive) probabilities."""
    probs = np.asarray(probs, dtype=np.float64).reshape(-1, 3)
    return pd.DataFrame(
        {
            "sentiment": pd.Series([LABELS[i] for i in probs.argmax(1)] if len(probs) else [], dtype=object),
            "sentiment_score": probs[:, 2] - probs[:, 0],
            "p_negative": probs[:, 0],
            "p_neutral": probs[:, 1],
            "p_positive": probs[:, 2],
        }
    )


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


class SentimentLens:
    """Predicts sentiment per document and per sentence; build it with SentimentLens.load()."""

    version: str

    def __init__(self, runner, version: str):
        self._runner = runner
        self.version = version

    @classmethod
    def load(
        cls, cfg: SentimentConfig | None = None, encoder_cfg: EncoderConfig | None = None
    ) -> SentimentLens:
        """Load voc's shipped model ("default" or a folder with meta.json) or a Hugging Face classifier."""
        cfg = cfg or SentimentConfig()
        encoder_cfg = encoder_cfg or encoder_settings()
        if cfg.model == "fast":
            folder = MODELS_DIR / "sentiment-fast"
            if not (folder / META_FILE).is_file():
                raise ModelError(
                    f"The fast profile's sentiment head is missing from {folder}; rebuild it with "
                    "`voc train sentiment-fast` or use the default profile."
                )
        elif cfg.model == "default":
            folder = default_model_dir()
            if not (folder / META_FILE).is_file():
                raise ModelError(
                    f"The shipped sentiment model is missing from {folder}; rebuild it with `voc train sentiment` "
                    "or set sentiment.model to a Hugging Face model id or folder."
                )
        else:
            folder = Path(cfg.model).expanduser()
        from voc.lenses.sentiment_vectors import VectorSentimentRunner, is_vector_head

        if folder.is_dir() and is_vector_head(folder):
            runner = VectorSentimentRunner(folder, encoder_cfg)
        elif folder.is_dir() and (folder / META_FILE).is_file():
            runner = OnnxSentimentRunner(folder, encoder_cfg)
        else:
            from voc.lenses.sentiment_hf import HFSentimentRunner

            runner = HFSentimentRunner(cfg.model, encoder_cfg)
        return cls(runner, runner.version)

    def predict(self, texts: Sequence[str]) -> pd.DataFrame:
        """One row per text, in input order: sentiment, sentiment_score, p_negative, p_neutral, p_positive."""
        return probs_frame(self._runner.doc_probs([str(t) for t in texts]))

    def predict_with_sentences(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
        """Document frame plus one frame per document with a row per sentence span (same columns, plus start/end)."""
        doc, flat = self.predict_sentences_flat(texts, spans)
        bounds = np.cumsum([0, *(len(sp) for sp in spans)])
        return doc, [flat.iloc[a:b].reset_index(drop=True) for a, b in zip(bounds[:-1], bounds[1:])]

    @property
    def reads_vectors(self) -> bool:
        """Whether the model is a head on the shared pass's vectors (the fast profile): no pass of its own."""
        return bool(getattr(self._runner, "reads_vectors", False))

    def predict_from_vectors(self, texts, spans, doc_vecs, sent_vecs) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Like predict_sentences_flat, from the shared pass's document and sentence vectors."""
        doc, sents = self._runner.from_vectors(list(texts), spans, doc_vecs, sent_vecs)
        return probs_frame(doc), self._flat(sents, spans)

    def make_tap(self, texts: list[str], spans: list[list[tuple[int, int]]]):
        """A tap for the encoder's shared trunk (voc.lenses.sentiment_trunk), or None when the model has none."""
        make = getattr(self._runner, "make_tap", None)
        return make(texts, spans) if make is not None else None

    def predict_sentences_flat(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], tap=None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Document frame plus one frame of every sentence span, documents in order (start, end and the columns).

        `tap`: a SentimentTap that saw the encoder's shared pass; texts it covered are not run again.
        """
        texts = [str(t) for t in texts]
        if len(spans) != len(texts):
            raise ValueError(
                f"spans has {len(spans)} entries for {len(texts)} texts; give one span list per text."
            )
        extra = {"tapped": tap.results} if tap is not None else {}
        doc, sents = self._runner.doc_and_span_probs(
            texts, [[(int(s), int(e)) for s, e in sp] for sp in spans], **extra
        )
        return probs_frame(doc), self._flat(sents, spans)

    @staticmethod
    def _flat(sents: list[np.ndarray], spans) -> pd.DataFrame:
        flat = probs_frame(np.concatenate(sents) if sents else np.zeros((0, 3)))
        flat.insert(0, "end", pd.Series([int(e) for sp in spans for _, e in sp], dtype="int64"))
        flat.insert(0, "start", pd.Series([int(s) for sp in spans for s, _ in sp], dtype="int64"))
        return flat


class OnnxSentimentRunner:
    """voc's model: int8 ONNX encoder (token states) + mean pooling + linear head, length-sorted batches.

    When the encoder runs a shared trunk (`encoder.shared_trunk` = k > 0) and this model froze its embeddings
    and at least its bottom k layers during fine-tuning, and its graph holds exactly the trunk's weights (the
    shipped int8 model and an int8 trunk do) or their int8 form (an fp32 trunk, the default), only its top
    layers run here, on the trunk's hidden states (voc.lenses.sentiment_trunk); `trunk_layers` is then k.
    """

    def __init__(self, folder: Path, encoder_cfg: EncoderConfig):
        from voc.encode.onnx_export import OnnxTokenModel

        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        onnx_path = folder / meta["onnx"]
        if not onnx_path.is_file():
            raise ModelError(
                f"Sentiment model file {onnx_path} is missing; rebuild it with `voc train sentiment`."
            )
        head = np.load(folder / meta["head"])
        self.weight, self.bias = head["weight"].astype(np.float32), head["bias"].astype(np.float32)
        self.model = OnnxTokenModel(onnx_path, folder / meta["tokenizer"], threads=encoder_cfg.threads)
        self.max_length = int(encoder_cfg.max_length)
        self.batch_size = int(encoder_cfg.batch_size)
        self.version = str(meta["version"])
        self.base_version = str(meta.get("base_version", meta["version"]))  # adapted heads share its encoder
        self.pooled_cache = None  # a voc.lenses.sentiment_pooled.PooledCache when set (voc rescore)
        self.trunk_layers = shareable_layers(meta, encoder_cfg)
        self.trunk = self.top = self.trunk_precision = None
        if self.trunk_layers:
            from voc.encode import get_encoder
            from voc.encode.trunk import Top

            encoder = get_encoder(encoder_cfg)
            trunk = encoder.trunk
            if trunk is None or not _runs_bottom_of(trunk, onnx_path, encoder):
                log.info("%s keeps its own pass: its bottom layers are not the shared trunk's.", onnx_path)
                self.trunk_layers = 0
            else:
                self.trunk = trunk
                self.trunk_precision = encoder_cfg.trunk_precision  # keys the pooled-state cache too
                self.top = Top(onnx_path, self.trunk_layers, encoder_cfg.threads)
                self.version += f"+trunk{self.trunk_layers}-{encoder_cfg.trunk_precision}"

    def states(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Token states, mask and char offsets of a batch (through the shared trunk and own top when shared)."""
        ids, mask, types, offsets = self.model.tokenize(texts, self.max_length)
        if not len(ids):
            return np.zeros((0, 0, 0), np.float32), mask, offsets
        if self.top is not None:
            return self.top(*self.trunk(ids, mask)), mask, offsets
        return self.model.run_ids(ids, mask, types), mask, offsets

    def _batches(self, texts: list[str]):
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            states, mask, offsets = self.states([texts[i] for i in idx])
            yield idx, states, mask, offsets

    def _head(self, pooled: np.ndarray) -> np.ndarray:
        return _softmax(pooled @ self.weight.T + self.bias)

    def doc_states(self, texts: list[str]) -> np.ndarray:
        """(n, dim) token states mean-pooled over each text (the head's inputs)."""
        out = np.zeros((len(texts), self.weight.shape[1]), dtype=np.float32)
        for idx, states, mask, _ in self._batches(texts):
            m = mask[..., None].astype(np.float32)
            out[idx] = (states * m).sum(1) / np.maximum(m.sum(1), 1.0)
        return out

    def doc_probs(self, texts: list[str]) -> np.ndarray:
        """(n, 3) document probabilities."""
        return np.asarray(self._head(self.doc_states(texts)), dtype=np.float64).reshape(len(texts), 3)

    def make_tap(self, texts: list[str], spans: list[list[tuple[int, int]]]):
        """A tap for the encoder's shared pass that runs this model's top on it (None when not shared)."""
        if not self.trunk_layers:
            return None
        from voc.lenses.sentiment_trunk import SentimentTap

        return SentimentTap(self, texts, spans)

    def pool(self, idx, states, mask, offsets, texts, spans, doc, sent, missing) -> None:
        """Head probabilities for one batch's rows idx (into texts): the document and each char span."""
        m = mask[..., None].astype(np.float32)
        pooled_doc = (states * m).sum(1) / np.maximum(m.sum(1), 1.0)
        doc[idx] = self._head(pooled_doc)
        keep_states = self.pooled_cache is not None  # a run with a shared trunk fills the cache here
        cached: list[tuple[str, np.ndarray]] = []
        for row, i in enumerate(idx):
            if keep_states:
                cached.append((text_key(texts[i]), pooled_doc[row]))
            if not spans[i]:
                continue
            if (
                len(spans[i]) == 1
                and not texts[i][: spans[i][0][0]].strip()
                and not texts[i][spans[i][0][1] :].strip()
            ):
                sent[i][0] = doc[i]  # the sentence is the whole document
                if keep_states:
                    cached.append((span_key(texts[i], tuple(spans[i][0])), pooled_doc[row]))
                continue
            starts, ends = offsets[row, :, 0], offsets[row, :, 1]
            real = (mask[row] == 1) & (ends > starts)
            covered = int(ends[real].max()) if real.any() else 0
            pooled, keep = [], []
            for j, (s, e) in enumerate(spans[i]):
                tok = real & (starts < e) & (ends > s)
                if not tok.any() or e > covered:
                    missing.append((i, j))  # not covered by the doc's tokens (truncated tail)
                    continue
                pooled.append(states[row][tok].mean(0))
                keep.append(j)
                if keep_states:
                    cached.append((span_key(texts[i], (s, e)), pooled[-1]))
            if keep:
                sent[i][keep] = self._head(np.stack(pooled))
        if cached:
            self.pooled_cache.cache.put_many(cached)

    def doc_and_span_probs(self, texts: list[str], spans: list[list[tuple[int, int]]], tapped=None):
        """Document probabilities and, per document, (k, 3) probabilities pooled over each char span.

        `tapped` (text -> (doc, spans, missing)) holds what a SentimentTap already computed in the shared pass.
        With a pooled-state cache attached, every other text goes through the cache, so a text gets the same
        states however often it recurs (int8 activations are scaled per batch, so a fresh batch can differ).
        """
        doc = np.zeros((len(texts), 3), dtype=np.float64)
        sent: list[np.ndarray] = [np.zeros((len(sp), 3)) for sp in spans]
        missing: list[tuple[int, int]] = []
        todo = []
        for i, t in enumerate(texts):
            hit = tapped.get(t) if tapped else None
            if hit is None or len(hit[1]) != len(spans[i]):
                todo.append(i)
                continue
            doc[i], sent[i][:] = hit[0], hit[1]
            missing += [(i, j) for j in hit[2]]
        if todo and self.pooled_cache is not None:
            d, sp = self.pooled_cache.doc_and_span_probs([texts[i] for i in todo], [spans[i] for i in todo])
            for row, i in enumerate(todo):
                doc[i], sent[i][:] = d[row], sp[row]
        elif todo:
            rows = np.asarray(todo, dtype=np.int64)
            for idx, states, mask, offsets in self._batches([texts[i] for i in rows]):
                self.pool(rows[idx], states, mask, offsets, texts, spans, doc, sent, missing)
        if missing:  # spans past the document's truncated window: pooled from their own pass
            states = self.doc_states([texts[i][spans[i][j][0] : spans[i][j][1]] for i, j in missing])
            for (i, j), p in zip(missing, self._head(states)):
                sent[i][j] = p
            if self.pooled_cache is not None:  # so a later run or rescore finds every state of the document
                keys = [span_key(texts[i], tuple(spans[i][j])) for i, j in missing]
                self.pooled_cache.cache.put_many(list(zip(keys, states)))
        return doc, sent


def _runs_bottom_of(trunk, onnx_path: Path, encoder) -> bool:
    """Whether the trunk runs this graph's bottom layers: the same weights, or (an fp32 trunk, the default)
    the fp32 weights whose int8 quantisation the graph holds (it equals the base model's int8 export there)."""
    from voc.encode.backends import ensure_onnx
    from voc.encode.trunk import holds_bottom_of

    if holds_bottom_of(trunk, onnx_path):
        return True
    if encoder.cfg.trunk_precision != "fp32":
        return False
    return holds_bottom_of(trunk, onnx_path, reference=ensure_onnx(encoder.source, "int8"))


def shareable_layers(meta: dict, encoder_cfg: EncoderConfig) -> int:
    """How many bottom layers this model can take from the shared trunk (0: it runs its own pass)."""
    k = int(encoder_cfg.shared_trunk)
    fit = meta.get("fit_config") or {}
    if k <= 0 or encoder_cfg.backend != "onnx" or encoder_cfg.model_path is not None:
        return 0  # the trunk is only the packaged MiniLM the model was fine-tuned from
    if not fit.get("freeze_embeddings") or int(fit.get("freeze_layers", 0)) < k:
        return 0
    return k
