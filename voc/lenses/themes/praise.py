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


def any_negative(texts: Sequence[str]) -> bool:
    """True when any of the texts reads negative (VADER compound < -0.05)."""
    return any(_analyzer().polarity_scores(str(t))["compound"] < -0.05 for t in texts)


def positive_word(word: str) -> bool:
    """True for a praise word in VADER's lexicon ("great", "love", "best")."""
    return _analyzer().lexicon.get(word.lower(), 0.0) > 0


def praise_label(label: str) -> str:
    """The aspect without its praise and function words, marked "(praise)": "Best network" -> "Network (praise)"."""
    from voc.lenses.themes.label_shape import PRAISE_TAG, praise_core

    core = praise_core(label, None, positive_word) or label
    return f"{core[:1].upper()}{core[1:]}{PRAISE_TAG}"
