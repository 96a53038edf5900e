"""A fast regex sentence splitter returning character spans."""

from __future__ import annotations

import re

from voc.clean.normalize import EMOJI_CLASS

# Words that end with a period without ending the sentence (lower-cased, without the final period).
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "eg",
        "ie",
        "approx",
        "apt",
        "dept",
        "est",
        "fig",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "nos",
        "vol",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "a.m",
        "p.m",
        "am",
        "pm",
        "u.s",
        "u.k",
        "u.s.a",
        "ave",
        "blvd",
        "rd",
        "mt",
        "ft",
        "sq",
        "min",
        "max",
        "hr",
        "hrs",
        "ref",
        "tel",
        "ext",
        "cf",
        "al",
        "op",
        "ph.d",
    ]
)

_BOUNDARY = re.compile(
    r"(?P<punct>(?:[.!?\u2026\u203c\u2049]|\.{3})+[\"'\u201d\u2019)\]]*)(?=\s|$)"
    r"|(?P<nl>\n+)"
    rf"|(?P<emoji>[{EMOJI_CLASS}]+)(?=\s+[A-Z\"'\u201c@#])"
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def _is_abbreviation(text: str, end: int) -> bool:
    match = _WORD_BEFORE.search(text, max(0, end - 12), end)
    if match is None:
        return False
    word = match.group(1).lower()
    if word in ABBREVIATIONS:
        return True
    # single initials ("J. Smith") and dotted acronyms ("U.S.") do not end a sentence
    return len(word) == 1 and word.isalpha() or ("." in word and len(word) <= 6 and word[-1].isalpha())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentences; returns (start, end) char spans without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for match in _BOUNDARY.finditer(text):
        if match.lastgroup == "punct":
            token = match.group()
            if token == "." and _is_abbreviation(text, match.start()):
                continue
        end = match.end() if match.lastgroup != "nl" else match.start()
        _add(text, start, end, spans)
        start = match.end()
    if start < n:
        _add(text, start, n, spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
