"""IDF-weighted word pooling of the theme view: rare, issue-bearing words outweigh the corpus's common ones.

A length-weighted mean of sentence pieces gives every token the same say, so in an airline corpus "flight",
"you", "my" and "why" shape the vector as much as "delayed", "bag" or "rebook". Here every word of the theme
view's pieces is a span of the same single encoder pass (its in-context token states, pooled), and the
document vector is their mean weighted by each word's inverse document frequency in the fitted corpus
(ln(1 / df) + 1, as scikit-learn's smoothed IDF). On the train splits this lifted airline NMI and BANKING77
NMI and clothing NPMI together (bench.themes_view_frontier; figures in models/themes/VIEW_CARD.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def word_spans(text: str, pieces: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Char spans of every word (letters with an inner apostrophe) inside the theme view's pieces."""
    return [(m.start(), m.end()) for a, b in pieces for m in _WORD.finditer(text, a, b)]


def doc_freq(texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> dict[str, float]:
    """Share of documents whose word spans contain each (lower-cased) word."""
    counts = Counter(w for t, sp in zip(texts, spans) for w in {t[a:b].lower() for a, b in sp})
    n = max(len(texts), 1)
    return {w: k / n for w, k in counts.items()}


def idf_weights(words: Sequence[str], df: Mapping[str, float]) -> np.ndarray:
    """ln(1 / df) + 1 per word; a word the table has not seen counts as the rarest seen."""
    floor = min(df.values(), default=1.0)
    return np.asarray([math.log(1.0 / df.get(w, floor)) + 1.0 for w in words], np.float32)


def idf_pool(
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    span_vectors: Sequence[np.ndarray],
    df: Mapping[str, float],
    fallback: np.ndarray,
) -> np.ndarray:
    """L2-normalised IDF-weighted mean of each document's word vectors; `fallback` rows where it has no words."""
    out = np.array(fallback, dtype=np.float32, copy=True)
    for i, (t, sp, vecs) in enumerate(zip(texts, spans, span_vectors)):
        if not len(sp):
            continue
        v = idf_weights([t[a:b].lower() for a, b in sp], df) @ np.asarray(vecs, np.float32)
        norm = float(np.linalg.norm(v))
        if norm > 1e-12:
            out[i] = v / norm
    return out
