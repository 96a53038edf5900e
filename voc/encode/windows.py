"""Tokenise texts into model windows, batch them by length, and pool token states into doc/span vectors.

Long texts: a text with more content tokens than fit in one window (max_length minus the special tokens)
is cut into overlapping windows (overlap min(32, a quarter of the window)), at most `max_windows` of them;
tokens past the last window are dropped (truncation), and spans that lie wholly there get the doc vector.
Every content token is *owned* by exactly one window (the one in which it is furthest from an edge), so
the doc vector is the mean over all owned token states plus each window's special tokens, then L2-normed.
For a text that fits in one window this is exactly sentence-transformers' mean pooling.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

MAX_OVERLAP = 32


@dataclass
class Window:
    """One model input: a slice of one document's tokens with the special tokens around it."""

    doc: int
    ids: np.ndarray  # (L,) int64, special tokens included
    keep: np.ndarray  # (L,) bool, tokens counted in the doc vector (owned content + specials)
    owned: np.ndarray  # (L,) bool, owned content tokens (used for spans)
    starts: np.ndarray  # (L,) char start of each token (0 for specials)
    ends: np.ndarray  # (L,) char end of each token (0 for specials)
    first: bool = True  # the document's first window (what a model truncating at max_length sees)


def special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """The special token ids the tokenizer's post-processor puts before and after a single text."""
    enc = tokenizer.encode("a", add_special_tokens=True)
    mask = enc.special_tokens_mask
    content = [i for i, m in enumerate(mask) if not m]
    first, last = (content[0], content[-1]) if content else (len(mask), len(mask))
    return list(enc.ids[:first]), list(enc.ids[last + 1 :])


def make_windows(
    tokenizer, texts: Sequence[str], max_length: int, max_windows: int
) -> tuple[list[Window], np.ndarray]:
    """Windows for all texts, and per text whether tokens past the last window were dropped."""
    prefix, suffix = special_tokens(tokenizer)
    n_special = len(prefix) + len(suffix)
    width = max(1, max_length - n_special)
    overlap = min(MAX_OVERLAP, width // 4)
    step = width - overlap
    pre = np.asarray(prefix, dtype=np.int64)
    suf = np.asarray(suffix, dtype=np.int64)
    windows: list[Window] = []
    truncated = np.zeros(len(texts), dtype=bool)
    encs = tokenizer.encode_batch(list(texts), add_special_tokens=False)
    for doc, enc in enumerate(encs):
        ids = np.asarray(enc.ids, dtype=np.int64)
        offs = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
        n = len(ids)
        starts = [0]
        while starts[-1] + width < n and len(starts) < max_windows:
            starts.append(starts[-1] + step)
        truncated[doc] = starts[-1] + width < n
        for k, s in enumerate(starts):
            e = min(s + width, n)
            lo = s + overlap // 2 if k > 0 else s
            hi = starts[k + 1] + overlap // 2 if k + 1 < len(starts) else e
            own = np.zeros(e - s, dtype=bool)
            own[lo - s : hi - s] = True
            spec_pre = np.zeros(len(pre), dtype=bool)
            spec_suf = np.zeros(len(suf), dtype=bool)
            owned = np.concatenate([spec_pre, own, spec_suf])
            keep = owned.copy()
            keep[: len(pre)] = True
            keep[len(pre) + (e - s) :] = True
            zeros_pre = np.zeros(len(pre), dtype=np.int64)
            zeros_suf = np.zeros(len(suf), dtype=np.int64)
            windows.append(
                Window(
                    doc=doc,
                    ids=np.concatenate([pre, ids[s:e], suf]),
                    keep=keep,
                    owned=owned,
                    starts=np.concatenate([zeros_pre, offs[s:e, 0], zeros_suf]),
                    ends=np.concatenate([zeros_pre, offs[s:e, 1], zeros_suf]),
                    first=k == 0,
                )
            )
    return windows, truncated


def length_batches(windows: Sequence[Window], batch_size: int, sort: bool = True) -> Iterator[list[int]]:
    """Indices of windows grouped into batches, longest first when sort is True."""
    order = np.arange(len(windows))
    if sort:
        lengths = np.fromiter((len(w.ids) for w in windows), dtype=np.int64, count=len(windows))
        order = np.argsort(-lengths, kind="stable")
    for i in range(0, len(order), batch_size):
        yield order[i : i + batch_size].tolist()


def pad_batch(windows: Sequence[Window], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Padded input_ids and attention_mask (int64) for a batch of windows."""
    width = max(len(w.ids) for w in windows)
    ids = np.full((len(windows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(windows), width), dtype=np.int64)
    for i, w in enumerate(windows):
        ids[i, : len(w.ids)] = w.ids
        mask[i, : len(w.ids)] = 1
    return ids, mask


class Pooler:
    """Accumulates token-state sums per document (and per char span) across windows and batches."""

    def __init__(self, n_docs: int, dim: int, spans: Sequence[Sequence[tuple[int, int]]] | None = None):
        self.doc_sum = np.zeros((n_docs, dim), dtype=np.float64)
        self.doc_cnt = np.zeros(n_docs, dtype=np.float64)
        self.spans = None
        if spans is not None:
            self.spans = [np.asarray(s, dtype=np.int64).reshape(-1, 2) for s in spans]
            self.span_sum = [np.zeros((len(s), dim), dtype=np.float64) for s in self.spans]
            self.span_cnt = [np.zeros(len(s), dtype=np.float64) for s in self.spans]

    def add(self, windows: Sequence[Window], states: np.ndarray) -> None:
        """Add one batch of model output (B, L, D) for the given windows."""
        states = states.astype(np.float32, copy=False)
        for i, w in enumerate(windows):
            h = states[i, : len(w.ids)]
            keep = w.keep.astype(np.float32)
            self.doc_sum[w.doc] += keep @ h
            self.doc_cnt[w.doc] += keep.sum()
            if self.spans is not None and len(self.spans[w.doc]):
                sp = self.spans[w.doc]
                inside = (
                    (w.starts[None, :] < sp[:, 1:2])
                    & (w.ends[None, :] > sp[:, 0:1])
                    & (w.ends > w.starts)[None, :]
                    & w.owned[None, :]
                ).astype(np.float32)
                self.span_sum[w.doc] += inside @ h
                self.span_cnt[w.doc] += inside.sum(1)

    def doc_vectors(self) -> np.ndarray:
        """L2-normalised mean-pooled doc vectors, float32."""
        return _normalise(self.doc_sum / np.maximum(self.doc_cnt, 1.0)[:, None])

    def span_vectors(self, docs: np.ndarray) -> list[np.ndarray]:
        """Per doc, L2-normalised span vectors; spans with no tokens get the doc vector."""
        out = []
        for d, (ssum, cnt) in enumerate(zip(self.span_sum, self.span_cnt)):
            vec = _normalise(ssum / np.maximum(cnt, 1.0)[:, None])
            if len(cnt):
                vec[cnt == 0] = docs[d]
            out.append(vec.reshape(len(cnt), docs.shape[1]))
        return out


def _normalise(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norm, 1e-12)).astype(np.float32)
