"""Combine PII detectors, resolve overlaps and replace values with typed placeholders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from voc.clean.names import find_names_batch
from voc.clean.phones import find_phones
from voc.clean.pii import REGEX_DETECTORS, Span
from voc.errors import ConfigError

PII_TYPES = ("EMAIL", "PHONE", "CARD", "IBAN", "IP", "URL", "PERSON")
DETECTORS = {**REGEX_DETECTORS, "PHONE": find_phones}
# On overlap the longer span wins; on equal length the earlier type here wins.
_PRIORITY = {t: i for i, t in enumerate(("URL", "EMAIL", "IBAN", "CARD", "IP", "PHONE", "PERSON"))}


def find_regex_pii(text: str, types: Iterable[str] = PII_TYPES) -> list[Span]:
    """All regex-detected PII spans (overlapping candidates included) in text."""
    spans: list[Span] = []
    has_digit = any(c.isdigit() for c in text)
    for kind in types:
        if kind == "PERSON" or kind not in DETECTORS:
            continue
        if not has_digit and kind in ("PHONE", "CARD", "IBAN", "IP"):
            continue
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
    texts: Sequence[str], types: Iterable[str] = PII_TYPES, names: bool = True, prefilter: bool = True
) -> list[list[Span]]:
    """Resolved PII spans (start, end, type) in each text's own coordinates."""
    types = [t.upper() for t in types]
    unknown = set(types) - set(PII_TYPES)
    if unknown:
        raise ConfigError(
            f"Unknown PII type(s) {sorted(unknown)} in clean.pii_types; use some of {list(PII_TYPES)}."
        )
    regex_spans = [find_regex_pii(t, types) for t in texts]
    if names and "PERSON" in types:
        name_spans = find_names_batch(texts, prefilter=prefilter)
    else:
        name_spans = [[] for _ in texts]
    return [resolve(r + n) for r, n in zip(regex_spans, name_spans)]


def redact_many(
    texts: Sequence[str], types: Iterable[str] = PII_TYPES, names: bool = True, prefilter: bool = True
) -> list[tuple[str, list[dict]]]:
    """Redact a list of texts; the name pass runs spaCy once over the batch."""
    spans = detect_many(texts, types=types, names=names, prefilter=prefilter)
    return [apply(t, s) for t, s in zip(texts, spans)]


def redact(text: str, types: Iterable[str] = PII_TYPES, names: bool = True) -> tuple[str, list[dict]]:
    """Replace PII in one text with typed placeholders; returns (redacted text, placeholder spans)."""
    return redact_many([text], types=types, names=names)[0]
