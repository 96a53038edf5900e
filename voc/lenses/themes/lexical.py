"""A lexical view of the documents for clustering: what content words they use, joined to the theme vectors.

Mean-pooled sentence vectors of short, noisy text are dominated by its tone and shape ("@airline why ...
again!!"), so tweets about a delay and about a lost bag can sit closer than two delays. The words that carry
the issue ("delayed", "cancelled", "bag", "hold", "rebook") are few and lexical. This module builds an LSA
(TF-IDF of content words, truncated SVD) of the fit sample and joins it, weighted, to the theme-view vectors,
so the clustering sees both. Centroids, assignment and labels stay in the encoder's space.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"[a-z][a-z'\-]+")
_NOISE = re.compile(r"(?:@\w+|https?://\S+|www\.\S+)")
STEM = (
    5  # content words are compared on their first STEM letters ("delayed" = "delays", "cancelled" = "cancel")
)


def _analyzer(stops: frozenset[str], stem: int):
    def words(text: str) -> list[str]:
        out = []
        for w in _WORD.findall(_NOISE.sub(" ", text.lower())):
            w = w.strip("'-")
            if len(w) > 2 and w not in stops:
                out.append(w[:stem] if stem else w)
        return out

    return words


def lexical_vectors(texts: Sequence[str], dims: int = 100, seed: int = 42, stem: int = STEM) -> np.ndarray:
    """L2-normalised LSA vectors (TF-IDF of stemmed content words, truncated SVD); zero rows for no words."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    from voc.lenses.themes.labels import stopwords

    n = len(texts)
    vec = TfidfVectorizer(
        analyzer=_analyzer(stopwords(), stem), min_df=min(2, max(1, n // 50)), max_df=0.5, sublinear_tf=True
    )
    try:
        X = vec.fit_transform([str(t) for t in texts])
    except ValueError:  # no content words at all
        return np.zeros((n, 1), np.float32)
    k = min(dims, X.shape[1] - 1, n - 1)
    if k < 2:
        Z = X.toarray().astype(np.float32)
    else:
        Z = TruncatedSVD(k, random_state=seed).fit_transform(X).astype(np.float32)
    return Z / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)


def hybrid(emb: np.ndarray, lex: np.ndarray, weight: float) -> np.ndarray:
    """The theme vectors and the lexical ones side by side, weighted so a row keeps unit norm."""
    if weight <= 0:
        return emb
    a, b = np.sqrt(1.0 - weight), np.sqrt(weight)
    return np.hstack([a * np.asarray(emb, np.float32), b * np.asarray(lex, np.float32)]).astype(np.float32)


def word_bag_vectors(texts: Sequence[str], encode_phrases, max_words: int = 5000) -> np.ndarray:
    """L2-normalised TF-IDF-weighted mean of the encoder's vectors of each document's content words."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from voc.lenses.themes.labels import stopwords

    n = len(texts)
    vec = TfidfVectorizer(
        analyzer=_analyzer(stopwords(), 0), min_df=min(2, max(1, n // 50)), max_df=0.5, sublinear_tf=True,
        max_features=max_words,
    )  # fmt: skip
    try:
        X = vec.fit_transform([str(t) for t in texts])
    except ValueError:
        return np.zeros((n, 1), np.float32)
    W = np.asarray(encode_phrases(list(vec.get_feature_names_out())), np.float32)
    W /= np.maximum(np.linalg.norm(W, axis=1, keepdims=True), 1e-12)
    Z = np.asarray(X @ W, np.float32)
    return Z / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)
