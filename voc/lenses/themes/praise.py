"""Praise themes: "Network coverage (praise)" instead of "Best network" (VADER on representative docs only)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

PRAISE_MEDIAN = 0.5  # median VADER compound of the representatives
MAX_NEGATIVE_SHARE = 0.2


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def is_praise(texts: Sequence[str]) -> bool:
    """True when a theme's representative documents are clearly positive."""
    if not texts:
        return False
    scores = [_analyzer().polarity_scores(str(t))["compound"] for t in texts]
    negative = sum(s < -0.05 for s in scores) / len(scores)
    return sorted(scores)[len(scores) // 2] >= PRAISE_MEDIAN and negative <= MAX_NEGATIVE_SHARE


def praise_label(label: str) -> str:
    """The aspect without its leading praise words, marked "(praise)": "Best network" -> "Network (praise)"."""
    lexicon = _analyzer().lexicon
    words = label.split()
    while len(words) > 1 and lexicon.get(words[0].lower(), 0.0) > 0:
        words = words[1:]
    core = " ".join(words)
    return f"{core[:1].upper()}{core[1:]} (praise)"
