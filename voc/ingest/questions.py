"""Survey questions as column names: the rating scale a question implies, and open questions that hold text."""

from __future__ import annotations

import re

_RANGE = re.compile(r"\b(0|1)\s*(?:-|–|to)\s*(5|7|10)\b")
SCALE_RANGES = {"nps": ("0", "10"), "csat": ("1", "5"), "ces": ("1", "7"), "stars": ("1", "5")}
_OPEN = ("why", "reason", "explain", "describe", "tell us", "comment", "anything else", "suggest", "improve",
         "feedback", "what could", "what did", "what can", "what would", "other thoughts")  # fmt: skip


def _words(name: str) -> set[str]:
    return set(re.findall(r"[a-z]+", name.lower()))


def question_scale(name: str) -> str | None:
    """The scale a rating question names: recommend 0-10 -> nps, satisfied 1-5 -> csat, easy 1-7 -> ces, stars."""
    if not is_question(name):
        return None
    words = _words(name)
    if "recommend" in words or ("nps" in words):
        scale = "nps"
    elif words & {"satisfied", "satisfaction", "dissatisfied", "csat"}:
        scale = "csat"
    elif words & {"easy", "easier", "effort", "difficult", "ces"}:
        scale = "ces"
    elif words & {"rating", "rate", "stars", "star", "rated"}:
        scale = "stars"
    else:
        return None
    found = _RANGE.search(name.lower())
    if found and (found.group(1), found.group(2)) != SCALE_RANGES[scale]:
        return None
    return scale


def is_question(name: str) -> bool:
    """Whether a column name reads as a survey question rather than a field name."""
    return "?" in name or len(name.split()) >= 6


def is_open_question(name: str) -> bool:
    """Whether a column name is an open-ended question (why, reason, comments, ...) whose answers are text."""
    low = name.lower()
    return is_question(name) and _RANGE.search(low) is None and any(w in low for w in _OPEN)
