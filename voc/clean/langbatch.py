"""Batched py3langid scoring: the same answers as LanguageIdentifier.classify, many texts at a time.

py3langid walks a byte-level DFA in a Python loop, one text at a time. Here the walk runs in numpy over
all texts of a batch at once (one step per byte position), and the Naive Bayes scores are then computed
with exactly the same numpy expressions as py3langid (same feature order, dtypes and shapes), so labels
and confidences are bit-identical to calling classify() on each text.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np

# Below this many active texts a step of the vectorised walk costs more than walking them in Python.
PY_TAIL = 8
# Bytes per walk chunk: bounds the memory of the flat byte and feature arrays.
_CHUNK_BYTES = 4_000_000


def encode(text: str) -> bytes:
    """py3langid's input encoding: lower-case when all upper, NFC, UTF-8 (surrogates passed)."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


class BatchIdentifier:
    """Wraps a py3langid LanguageIdentifier (norm_probs=True) to classify lists of texts."""

    def __init__(self, identifier) -> None:
        if not identifier._norm_probs:
            raise ValueError("BatchIdentifier expects a LanguageIdentifier with norm_probs=True")
        self.identifier = identifier
        self.nextmove = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32)
        self.rowbase = np.asarray(identifier._rowbase, dtype=np.int64)
        self.output = np.asarray(identifier.tk_output, dtype=np.int32)
        self.n_features = int(identifier.nb_ptc.shape[0])
        # float16 in the model; widened once (exactly) so rows need no per-text conversion (~57 MB)
        self.table = np.asarray(identifier.nb_ptc, dtype=np.float32)

    # --- DFA walk ---------------------------------------------------------------------------------
    def _walk(self, encoded: Sequence[bytes]) -> list[tuple[np.ndarray, np.ndarray] | None]:
        """Per text: (feature ids in order of first visit, visit counts), or None without features."""
        out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(encoded)
        start = 0
        while start < len(encoded):
            size = 0
            stop = start
            while stop < len(encoded) and (stop == start or size + len(encoded[stop]) <= _CHUNK_BYTES):
                size += len(encoded[stop])
                stop += 1
            self._walk_chunk(encoded, start, stop, out)
            start = stop
        return out

    def _walk_chunk(self, encoded: Sequence[bytes], lo: int, hi: int, out: list) -> None:
        idx = list(range(lo, hi))
        idx.sort(key=lambda i: -len(encoded[i]))  # longest first: the active texts are a prefix
        lengths = np.fromiter((len(encoded[i]) for i in idx), dtype=np.int64, count=len(idx))
        total = int(lengths.sum())
        if total == 0:
            return
        flat = np.frombuffer(b"".join(encoded[i] for i in idx), dtype=np.uint8)
        offsets = np.zeros(len(idx), dtype=np.int64)
        np.cumsum(lengths[:-1], out=offsets[1:])
        feats = np.full(total, -1, dtype=np.int32)
        state = np.zeros(len(idx), dtype=np.int64)
        nextmove, rowbase, output = self.nextmove, self.rowbase, self.output
        # active[k] = number of texts longer than k (lengths are sorted in decreasing order)
        neg = -lengths
        max_len = int(lengths[0])
        k = 0
        while k < max_len:
            m = int(np.searchsorted(neg, -k, side="left"))  # texts with length > k
            if m < PY_TAIL:
                break
            pos = offsets[:m] + k
            st = nextmove[rowbase[state[:m]] + flat[pos]]
            state[:m] = st
            feats[pos] = output[st]
            k += 1
        if k < max_len:  # finish the few long texts in Python
            nm, rb, op = self.identifier.tk_nextmove, self.identifier._rowbase, self.identifier.tk_output
            m = int(np.searchsorted(neg, -k, side="left"))
            for j in range(m):
                s = int(state[j])
                base = int(offsets[j])
                data = encoded[idx[j]]
                tail = []
                for letter in data[k:]:
                    s = nm[rb[s] + letter]
                    tail.append(op[s])
                feats[base + k : base + len(data)] = tail
        # per text: distinct features in order of first visit, with counts (as py3langid's Counter)
        flat_feats = feats.tolist()
        for j, (a, n) in enumerate(zip(offsets.tolist(), lengths.tolist())):
            visits = Counter(flat_feats[a : a + n])
            visits.pop(-1, None)
            if visits:
                ids = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
                counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
                out[idx[j]] = (ids, counts)

    # --- scoring (mirrors LanguageIdentifier._sparse_score / _decide / classify) --------------------
    def classify_many(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(language, confidence) per text, identical to identifier.classify(text)."""
        ident = self.identifier
        encoded = [encode(t) for t in texts]
        visits = self._walk(encoded)
        table, prior = self.table, ident.nb_pc
        # raw NB scores, row by row with py3langid's own expression (a featureless text scores 0.0)
        scores = np.zeros((len(texts), len(ident.nb_classes)), dtype=np.float32)
        for row, visit in enumerate(visits):
            if visit is not None:
                rows = table[visit[0]]
                scores[row] = np.log1p(visit[1]) @ rows + prior
        # the normalisation of _decide, vectorised over rows (element-wise the same float32 operations)
        lengths = np.fromiter((len(d) or 1 for d in encoded), dtype=np.float64, count=len(encoded))
        scale = np.array([1.0 / math.sqrt(n) for n in lengths.tolist()], dtype=np.float32)
        scores *= scale[:, None]
        np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        for i, j in ident._alias_pairs:
            scores[:, i] += scores[:, j]
            scores[:, j] = 0.0
        best = scores.argmax(axis=1)
        confs = scores[np.arange(len(texts)), best].tolist()
        classes = ident.nb_classes
        floor = ident.min_confidence
        return [
            ("und", conf) if floor is not None and conf < floor else (classes[b], conf)
            for b, conf in zip(best.tolist(), confs)
        ]
