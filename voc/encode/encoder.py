"""The shared encoder: one pass of all-MiniLM-L6-v2 gives doc vectors and, on request, span vectors."""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Sequence

import numpy as np

from voc.config import EncoderConfig
from voc.encode.backends import make_backend
from voc.encode.cache import EmbeddingCache, cache_file_name, span_key, text_key
from voc.encode.onnx_export import pad_token_id
from voc.encode.source import load_tokenizer, resolve_model
from voc.encode.windows import Pooler, length_batches, make_windows, pad_batch
from voc.errors import InputError

log = logging.getLogger(__name__)

POOLING_VERSION = "mean-w1"  # bump when pooling/windowing changes, so old cache files are not read
CHUNK_TEXTS = 4096  # texts tokenised, sorted and pooled together (bounds memory on big inputs)


class Encoder:
    """Turns texts into L2-normalised float32 vectors (n, dim); see voc.encode for the details."""

    dim: int
    version: str

    def __init__(self, cfg: EncoderConfig | None = None):
        self.cfg = cfg or EncoderConfig()
        self.source = resolve_model(self.cfg.model_path)
        self.tokenizer = load_tokenizer(self.source.path)
        self.pad_id = pad_token_id(self.tokenizer)
        cfg = self.cfg
        self.backend = make_backend(
            cfg.backend, self.source, cfg.precision, cfg.threads, cfg.shared_trunk, cfg.trunk_precision
        )
        self.dim = int(
            json.loads((self.source.path / "config.json").read_text(encoding="utf-8"))["hidden_size"]
        )
        self.version = f"{self.source.key}:{self.cfg.backend}-{self.cfg.precision}{trunk_tag(self.cfg)}"
        self.sort_by_length = True  # length-sorted batches; False only for benchmarks
        self.cache: EmbeddingCache | None = None
        if self.cfg.cache:
            self.cache = self._open_cache()

    def _open_cache(self) -> EmbeddingCache | None:
        from voc.paths import cache_dir

        namespace = f"{self.version}:L{self.cfg.max_length}w{self.cfg.max_windows}:{POOLING_VERSION}"
        path = cache_dir() / "embeddings" / cache_file_name(namespace)
        try:
            return EmbeddingCache(path, self.dim)
        except Exception as exc:  # noqa: BLE001 - a broken cache must not stop encoding
            log.warning("Embedding cache %s unavailable (%s); encoding without a cache.", path, exc)
            return None

    def __reduce__(self):
        return (get_encoder, (self.cfg,))

    @property
    def model_calls(self) -> int:
        """How many batches the model has run in this instance."""
        return self.backend.calls

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """(n, dim) float32 L2-normalised vectors in input order; cached texts are not re-encoded."""
        texts = _as_texts(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        bar = _progress(len(texts), progress)
        for a in range(0, len(texts), CHUNK_TEXTS):
            chunk = texts[a : a + CHUNK_TEXTS]
            keys = [text_key(t) for t in chunk]
            known = self._cache_get(list(dict.fromkeys(keys)))
            todo: dict[bytes, str] = {}
            for k, t in zip(keys, chunk):
                if k not in known and k not in todo:
                    todo[k] = t
            if todo:
                docs, _ = self._run(list(todo.values()))
                new = dict(zip(todo.keys(), docs))
                if self.cache is not None:
                    self._cache_put(new.items())
                known.update(new)
            for i, k in enumerate(keys):
                out[a + i] = known[k]
            if bar is not None:
                bar.update(len(chunk))
        if bar is not None:
            bar.close()
        return out

    @property
    def trunk(self):
        """The shared trunk (voc.encode.trunk.Trunk) when the backend is split, else None."""
        return getattr(self.backend, "trunk", None)

    def encode_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], tap=None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """One pass: doc vectors (n, dim) and per text (len(spans_i), dim) vectors pooled over char spans.

        `tap(texts, windows, hidden, bias, mask)`, when given and the backend is split, sees each batch's trunk
        output before the top layers run (the sentiment model's top reads it; see voc.encode.trunk).
        """
        texts = _as_texts(texts)
        if len(spans) != len(texts):
            raise InputError(
                f"encode_spans got {len(texts)} texts but {len(spans)} span lists; pass one per text."
            )
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        span_out: list[np.ndarray] = []
        for a in range(0, len(texts), CHUNK_TEXTS):
            chunk, chunk_spans = texts[a : a + CHUNK_TEXTS], [list(s) for s in spans[a : a + CHUNK_TEXTS]]
            doc_keys = [text_key(t) for t in chunk]
            span_keys = [[span_key(t, s) for s in sp] for t, sp in zip(chunk, chunk_spans)]
            known = self._cache_get(list(dict.fromkeys([*doc_keys, *(k for ks in span_keys for k in ks)])))
            todo = [
                i
                for i, (d, ks) in enumerate(zip(doc_keys, span_keys))
                if d not in known or any(k not in known for k in ks)
            ]
            if todo:
                docs, span_vecs = self._run([chunk[i] for i in todo], [chunk_spans[i] for i in todo], tap)
                new = {}
                for j, i in enumerate(todo):
                    new[doc_keys[i]] = docs[j]
                    new.update(zip(span_keys[i], span_vecs[j]))
                if self.cache is not None:
                    self._cache_put(new.items())
                known.update(new)
            for i, (d, ks) in enumerate(zip(doc_keys, span_keys)):
                out[a + i] = known[d]
                span_out.append(
                    np.stack([known[k] for k in ks]) if ks else np.empty((0, self.dim), np.float32)
                )
        return out, span_out

    def _cache_get(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        if self.cache is None:
            return {}
        try:
            return self.cache.get_many(keys)
        except Exception as exc:  # noqa: BLE001 - a broken cache means re-encoding, not failing
            log.warning("Could not read the embedding cache %s: %s", self.cache.path, exc)
            return {}

    def _cache_put(self, items) -> None:
        try:
            self.cache.put_many(items)
        except Exception as exc:  # noqa: BLE001 - e.g. a locked or read-only cache file
            log.warning("Could not write to the embedding cache %s: %s", self.cache.path, exc)

    def _run(self, texts: list[str], spans=None, tap=None) -> tuple[np.ndarray, list[np.ndarray]]:
        """Run the model once over texts; doc vectors and (if spans given) span vectors."""
        windows, truncated = make_windows(self.tokenizer, texts, self.cfg.max_length, self.cfg.max_windows)
        if truncated.any():
            log.info(
                "%d of %d texts were longer than %d windows of %d tokens; their tails were truncated.",
                int(truncated.sum()),
                len(texts),
                self.cfg.max_windows,
                self.cfg.max_length,
            )
        pooler = Pooler(len(texts), self.dim, spans)
        for idx in length_batches(windows, self.cfg.batch_size, sort=self.sort_by_length):
            batch = [windows[i] for i in idx]
            ids, mask = pad_batch(batch, self.pad_id)
            if tap is not None and self.trunk is not None:
                hidden, bias = self.trunk(ids, mask)
                tap(texts, batch, hidden, bias, mask)
                self.backend.calls += 1
                pooler.add(batch, self.backend.top(hidden, bias))
            else:
                pooler.add(batch, self.backend(ids, mask))
        docs = pooler.doc_vectors()
        return docs, (pooler.span_vectors(docs) if spans is not None else [])


def trunk_tag(cfg: EncoderConfig) -> str:
    """'+trunk<k>-<precision>' when the shared trunk runs at another precision than the top (its vectors differ)."""
    split = cfg.backend == "onnx" and cfg.shared_trunk > 0
    return (
        f"+trunk{cfg.shared_trunk}-{cfg.trunk_precision}"
        if split and cfg.trunk_precision != cfg.precision
        else ""
    )


def _as_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise InputError(
            "Encoder.encode expects a sequence of texts, got a single string; wrap it in a list."
        )
    out = []
    for i, t in enumerate(texts):
        if t is None or (isinstance(t, float) and math.isnan(t)):
            t = ""
        elif not isinstance(t, str):
            raise InputError(
                f"Text #{i} is a {type(t).__name__}, not a string; convert the text column to str."
            )
        out.append(t)
    return out


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, desc="encode", unit="text")


_INSTANCES: dict[str, Encoder] = {}
_LOCK = threading.Lock()


def get_encoder(cfg: EncoderConfig | None = None) -> Encoder:
    """The process-wide Encoder for this config (created on first use)."""
    from voc.paths import cache_dir

    cfg = cfg or EncoderConfig()
    key = f"{cfg.model_dump_json()}|{cache_dir()}"
    with _LOCK:
        enc = _INSTANCES.get(key)
        if enc is None:
            enc = _INSTANCES[key] = Encoder(cfg)
        return enc
