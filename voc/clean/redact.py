"""Combine PII detectors, resolve overlaps and replace values with typed placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from voc.clean.names import find_names_batch
from voc.clean.phones import PhoneOptions, find_phones
from voc.clean.pii import REGEX_DETECTORS, Span
from voc.clean.salutations import find_salutation_names
from voc.errors import ConfigError

PII_TYPES = ("EMAIL", "PHONE", "CARD", "IBAN", "IP", "URL", "PERSON")
DETECTORS = {**REGEX_DETECTORS, "PHONE": find_phones}
# On overlap the longer span wins; on equal length the earlier type here wins.
_PRIORITY = {t: i for i, t in enumerate(("URL", "EMAIL", "IBAN", "CARD", "IP", "PHONE", "PERSON"))}
_NEEDS_DIGIT = frozenset(("PHONE", "CARD", "IBAN", "IP"))
# Fewest decimal digits (regex \d) a match needs: a phone has 7, a card 13, an IBAN 2.
_MIN_DECIMALS = {"PHONE": 7, "CARD": 13, "IBAN": 2}
_ASCII_DECIMAL = re.compile(r"[0-9]")
_ASCII_DECIMALS = str.maketrans("", "", "0123456789")


def _digit_counts(text: str) -> tuple[bool, int]:
    """(any str.isdigit character, number of decimal digits), cheaply for ASCII text."""
    if text.isascii():
        if _ASCII_DECIMAL.search(text) is None:
            return False, 0
        return True, len(text) - len(text.translate(_ASCII_DECIMALS))
    return any(map(str.isdigit, text)), sum(map(str.isdecimal, text))


def find_regex_pii(
    text: str, types: Iterable[str] = PII_TYPES, phones: PhoneOptions | None = None
) -> list[Span]:
    """All regex-detected PII spans (overlapping candidates included) in text."""
    spans: list[Span] = []
    has_digit, decimals = _digit_counts(text)
    for kind in types:
        if kind == "PERSON" or kind not in DETECTORS:
            continue
        if kind in _NEEDS_DIGIT and (not has_digit or decimals < _MIN_DECIMALS.get(kind, 0)):
            continue
        if kind == "PHONE" and phones is not None:
            spans.extend(find_phones(text, phones.region, phones.leniency, phones.other_regions))
        else:
            spans.extend(DETECTORS[kind](text))
    return spans


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans, preferring longer ones, sorted by position."""
    chosen: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (s[0] - s[1], _PRIORITY.get(s[2], 99), s[0])):
        if all(span[1] <= c[0] or span[0] >= c[1] for c in chosen):
            chosen.append(span)
    return sorted(chosen)


def apply(text: str, spans: Sequence[Span]) -> tuple[str, list[dict]]:
    """Replace spans with [TYPE] placeholders; returns the text and the placeholder spans in it."""
    if not spans:
        return text, []
    parts: list[str] = []
    out: list[dict] = []
    pos = 0
    length = 0
    for start, end, kind in spans:
        chunk = text[pos:start]
        parts.append(chunk)
        length += len(chunk)
        placeholder = f"[{kind}]"
        parts.append(placeholder)
        out.append({"type": kind, "start": length, "end": length + len(placeholder)})
        length += len(placeholder)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), out


def detect_many(
    texts: Sequence[str],
    types: Iterable[str] = PII_TYPES,
    names: bool = True,
    prefilter: bool = True,
    phones: PhoneOptions | None = None,
    not_names: Iterable[str] = (),
) -> list[list[Span]]:
    """Resolved PII spans (start, end, type) in each text's own coordinates."""
    types = [t.upper() for t in types]
    unknown = set(types) - set(PII_TYPES)
    if unknown:
        raise ConfigError(
            f"Unknown PII type(s) {sorted(unknown)} in clean.pii_types; use some of {list(PII_TYPES)}."
        )
    regex_spans = [find_regex_pii(t, types, phones) for t in texts]
    if names and "PERSON" in types:
        not_names = {w.lower() for w in not_names}
        name_spans = find_names_batch(texts, prefilter=prefilter)
        for text, spans in zip(texts, name_spans):
            spans.extend(find_salutation_names(text, not_names))
            if not_names:
                spans[:] = [s for s in spans if not _has_word(text[s[0] : s[1]], not_names)]
    else:
        name_spans = [[] for _ in texts]
    return [resolve(r + n) for r, n in zip(regex_spans, name_spans)]


def _has_word(span_text: str, words: set[str]) -> bool:
    return any(w in words for w in re.split(r"[\s'’.-]+", span_text.lower()))


def redact_many(
    texts: Sequence[str],
    types: Iterable[str] = PII_TYPES,
    names: bool = True,
    prefilter: bool = True,
    phones: PhoneOptions | None = None,
    not_names: Iterable[str] = (),
) -> list[tuple[str, list[dict]]]:
    """Redact a list of texts; the name pass runs spaCy once over the batch."""
    spans = detect_many(
        texts, types=types, names=names, prefilter=prefilter, phones=phones, not_names=not_names
    )
    return [apply(t, s) for t, s in zip(texts, spans)]


def redact(
    text: str, types: Iterable[str] = PII_TYPES, names: bool = True, phones: PhoneOptions | None = None
) -> tuple[str, list[dict]]:
    """Replace PII in one text with typed placeholders; returns (redacted text, placeholder spans)."""
    return redact_many([text], types=types, names=names, phones=phones)[0]
