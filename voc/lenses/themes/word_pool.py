"""Word pooling of the theme view: issue-bearing words outweigh function words and the corpus's common ones.

A length-weighted mean of sentence pieces gives every token the same say, so in an airline corpus "flight",
"you", "my" and "why" shape the vector as much as "delayed", "bag" or "rebook". Here words of the theme
view's pieces are spans of the same single encoder pass (their in-context token states, pooled), and the
document vector is their mean weighted by
- "idf": each word's inverse document frequency in the fitted corpus (ln(1 / df) + 1, scikit-learn's
  smoothed IDF); every word is a span;
- "content": 1 for content words (not a stopword, 3+ letters), 0 for the rest; only content words are spans;
- "soft": 1 for content words, FUNCTION_WEIGHT for the rest; every word is a span.
Measured on train splits with bench.themes_view_frontier (figures in the issue 22 closing note).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
FUNCTION_WEIGHT = 0.3  # "soft" pooling's weight of a stopword or 1-2 letter word (content words weigh 1)


def word_spans(text: str, pieces: Sequence[tuple[int, int]], content_only: bool = False) -> list[tuple[int, int]]:
    """Char spans of every word (letters with an inner apostrophe) inside the theme view's pieces.

    content_only: only content words (not a stopword, at least 3 letters).
    """
    spans = [(m.start(), m.end()) for a, b in pieces for m in _WORD.finditer(text, a, b)]
    if not content_only:
        return spans
    from voc.lenses.themes.labels import stopwords

    stops = stopwords()
    return [(a, b) for a, b in spans if b - a >= 3 and text[a:b].lower() not in stops]


def soft_weights(words: Sequence[str]) -> np.ndarray:
    """1 per content word, FUNCTION_WEIGHT per stopword or 1-2 letter word."""
    from voc.lenses.themes.labels import stopwords

    stops = stopwords()
    return np.asarray([FUNCTION_WEIGHT if len(w) < 3 or w in stops else 1.0 for w in words], np.float32)


def doc_freq(texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> dict[str, float]:
    """Share of documents whose word spans contain each (lower-cased) word."""
    counts = Counter(w for t, sp in zip(texts, spans) for w in {t[a:b].lower() for a, b in sp})
    n = max(len(texts), 1)
    return {w: k / n for w, k in counts.items()}


def idf_weights(words: Sequence[str], df: Mapping[str, float]) -> np.ndarray:
    """ln(1 / df) + 1 per word; a word the table has not seen counts as the rarest seen."""
    floor = min(df.values(), default=1.0)
    return np.asarray([math.log(1.0 / df.get(w, floor)) + 1.0 for w in words], np.float32)


def word_pool(
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    span_vectors: Sequence[np.ndarray],
    weigh: Callable[[list[str]], np.ndarray],
    fallback: np.ndarray,
) -> np.ndarray:
    """L2-normalised `weigh`-weighted mean of each document's word vectors; `fallback` rows where it has none."""
    out = np.array(fallback, dtype=np.float32, copy=True)
    for i, (t, sp, vecs) in enumerate(zip(texts, spans, span_vectors)):
        if not len(sp):
            continue
        v = weigh([t[a:b].lower() for a, b in sp]) @ np.asarray(vecs, np.float32)
        norm = float(np.linalg.norm(v))
        if norm > 1e-12:
            out[i] = v / norm
    return out
