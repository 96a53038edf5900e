"""How much of a theme's own text uses a label candidate, against the corpus: c-TF-IDF on whole phrases.

A phrase is "used" by a document holding all its words; words match on their first five letters, so
"opt outs ignored" matches "staff ignore opt-outs" and "bill" matches "billed".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"[a-z][a-z'-]+")
STEM = 5


def bags(texts: Sequence[str]) -> list[frozenset[str]]:
    """The word stems of each text."""
    return [frozenset(w[:STEM] for w in _WORD.findall(str(t).lower())) for t in texts]


def doc_share(phrases: Sequence[str], docs: Sequence[frozenset[str]]) -> np.ndarray:
    """Per phrase, the share of documents (stem bags) holding all of its words."""
    if not len(docs):
        return np.zeros(len(phrases))
    keys = [[w[:STEM] for w in p.lower().split()] for p in phrases]
    return np.array([sum(all(k in d for k in ks) for d in docs) / len(docs) for ks in keys])


def salience(
    phrases: Sequence[str], theme: Sequence[frozenset[str]], corpus: Sequence[frozenset[str]]
) -> np.ndarray:
    """Per phrase, its share of the theme's documents times the log-lift of that share over the corpus's
    (0 when the phrase is no commoner in the theme than elsewhere)."""
    inside = doc_share(phrases, theme)
    outside = np.maximum(doc_share(phrases, corpus), 1.0 / max(len(corpus), 1))
    return inside * np.log(np.maximum(inside / outside, 1.0))
