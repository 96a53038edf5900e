"""How much of a theme's own text uses a label candidate, against the corpus: c-TF-IDF on whole phrases.

A phrase is "used" by a document holding all its words. Words match on a light stem: inflections stripped
("billed" = "billing" = "bill", "waited" = "wait", "lost" = "lose"), then the first five letters, so
"opt outs ignored" matches "staff ignore opt-outs".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[a-z][a-z'-]+")
STEM = 5
_DOUBLE = re.compile(r"([bdgmnprt])\1$")  # "stopp(ed)" -> "stop"; "bill(ed)" keeps its "ll"


@lru_cache(maxsize=1)
def _irregular() -> dict[str, str]:
    from voc.lenses.themes.phrases import _IRREGULAR_PARTICIPLE

    return {form: lemma for lemma, form in _IRREGULAR_PARTICIPLE.items() if form != lemma}


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A light stem: irregular participles to their lemma, then -'s, -ing, -ed or -s off, first 5 letters."""
    w = word.lower().strip("'-")
    w = _irregular().get(w, w)
    for suffix in ("'s", "ing", "ed", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith(("ss", "us"))):
            w = _DOUBLE.sub(r"\1", w[: -len(suffix)])
            break
    return w[:STEM]


def bags(texts: Sequence[str]) -> list[frozenset[str]]:
    """The word stems of each text (hyphenated words also count as their parts: "opt-outs")."""
    out = []
    for t in texts:
        words = _WORD.findall(str(t).lower())
        parts = [p for w in words if "-" in w for p in w.split("-") if p]
        out.append(frozenset(stem(w) for w in [*words, *parts]))
    return out


def doc_share(phrases: Sequence[str], docs: Sequence[frozenset[str]]) -> np.ndarray:
    """Per phrase, the share of documents (stem bags) holding all of its words."""
    if not len(docs):
        return np.zeros(len(phrases))
    keys = [[stem(w) for w in re.split(r"[\s-]+", p.lower()) if w] for p in phrases]
    return np.array([sum(all(k in d for k in ks) for d in docs) / len(docs) for ks in keys])


def salience(
    phrases: Sequence[str], theme: Sequence[frozenset[str]], corpus: Sequence[frozenset[str]]
) -> np.ndarray:
    """Per phrase, its share of the theme's documents times the log-lift of that share over the corpus's
    (0 when the phrase is no commoner in the theme than elsewhere)."""
    inside = doc_share(phrases, theme)
    outside = np.maximum(doc_share(phrases, corpus), 1.0 / max(len(corpus), 1))
    return inside * np.log(np.maximum(inside / outside, 1.0))

