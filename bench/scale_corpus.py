"""Synthetic scale corpora: documents resampled from the shared corpora, lightly perturbed so no two repeat.

Pool: airline tweets, women's clothing reviews, BANKING77 queries (train + test) and Amazon Alexa reviews
(every row of each; this is a speed benchmark, nothing is trained or scored). Each output row draws a pool
text uniformly with replacement, then: each word is dropped with probability 0.1 (texts of 4+ words), one
adjacent word pair is swapped with probability 0.5, and a random 6-letter suffix token is appended. The
suffix makes (almost) every text new, so neither the embedding cache nor dedupe can skip work; it adds a
few word pieces per document.
"""

from __future__ import annotations

import csv
import string
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

DROP_P = 0.1
SWAP_P = 0.5
SUFFIX_LEN = 6
CHUNK = 100_000
_LETTERS = np.array(list(string.ascii_lowercase))


def load_pool(shared: Path) -> pd.DataFrame:
    """Texts and their corpus name from the shared datasets that are present (at least one must be)."""
    specs = [
        ("airline", shared / "airline_tweets" / "Tweets.csv", "text", {}),
        ("clothing", shared / "womens_clothing_reviews" / "Womens Clothing E-Commerce Reviews.csv", "Review Text", {}),
        ("banking77", shared / "banking77" / "train.csv", "text", {}),
        ("banking77", shared / "banking77" / "test.csv", "text", {}),
        ("alexa", shared / "amazon_alexa_reviews" / "amazon_alexa.tsv", "verified_reviews", {"sep": "\t"}),
    ]  # fmt: skip
    parts = []
    for name, path, column, kwargs in specs:
        if path.is_file():
            texts = pd.read_csv(path, usecols=[column], encoding="utf-8-sig", **kwargs)[column]
            texts = texts.dropna().astype(str).str.strip()
            parts.append(pd.DataFrame({"text": texts[texts != ""], "corpus": name}))
    if not parts:
        raise FileNotFoundError(f"none of the shared corpora were found under {shared}")
    return pd.concat(parts, ignore_index=True)


def perturb(text: str, rng: np.random.Generator) -> str:
    """Word dropout, maybe one adjacent swap, and a random suffix token."""
    words = text.split()
    if len(words) >= 4:
        keep = rng.random(len(words)) >= DROP_P
        words = [w for w, k in zip(words, keep) if k] or words[:1]
    if len(words) >= 2 and rng.random() < SWAP_P:
        i = int(rng.integers(0, len(words) - 1))
        words[i], words[i + 1] = words[i + 1], words[i]
    suffix = "".join(rng.choice(_LETTERS, SUFFIX_LEN))
    return " ".join(words + [suffix])


def generate(pool: pd.DataFrame, size: int, seed: int = 0) -> Iterator[pd.DataFrame]:
    """Chunks of `size` perturbed rows in total: text, corpus, date (random days in 2025)."""
    rng = np.random.default_rng(seed)
    texts, corpora = pool["text"].to_numpy(), pool["corpus"].to_numpy()
    start = np.datetime64("2025-01-01")
    for a in range(0, size, CHUNK):
        n = min(CHUNK, size - a)
        pick = rng.integers(0, len(texts), n)
        days = rng.integers(0, 365, n)
        yield pd.DataFrame(
            {
                "text": [perturb(t, rng) for t in texts[pick]],
                "corpus": corpora[pick],
                "date": (start + days.astype("timedelta64[D]")).astype(str),
            }
        )


def write_corpus(pool: pd.DataFrame, size: int, out: Path, seed: int = 0) -> int:
    """Write `size` perturbed rows as one CSV at out; return the rows written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        for i, chunk in enumerate(generate(pool, size, seed)):
            chunk.to_csv(fh, index=False, header=(i == 0), quoting=csv.QUOTE_MINIMAL)
            rows += len(chunk)
    return rows
