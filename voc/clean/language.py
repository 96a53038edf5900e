"""Language detection with py3langid (its model ships in the package).

Rule: the text is first stripped of URLs, @mentions, hashtag signs, PII placeholders, digits and
emoji. The result is "und" (undetermined) when fewer than MIN_LETTERS letters remain, when the
top language's normalised probability is below MIN_CONFIDENCE (typical for one- or two-word texts
such as "ok" or "Gracias!"), or when py3langid's label is not a two-letter ISO 639-1 code
(e.g. "pcm"). Otherwise the ISO 639-1 code ("en", "es", ...) is returned.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

MIN_LETTERS = 3
MIN_CONFIDENCE = 0.4
UNDETERMINED = "und"

NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|\[[A-Z]+\]|[#\d_]+")
_lock = threading.Lock()
_identifier = None
_batch = None


def get_identifier():
    """The process-wide language identifier, loaded on first use."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def _get_batch():
    global _batch
    if _batch is None:
        identifier = get_identifier()
        with _lock:
            if _batch is None:
                from voc.clean.langbatch import BatchIdentifier

                _batch = BatchIdentifier(identifier)
    return _batch


def _enough_letters(content: str) -> bool:
    """True when content has at least MIN_LETTERS letters (stops counting there)."""
    found = 0
    for ch in content:
        if ch.isalpha():
            found += 1
            if found >= MIN_LETTERS:
                return True
    return False


def _decide(lang: str, confidence: float) -> str:
    if confidence < MIN_CONFIDENCE or len(lang) != 2:
        return UNDETERMINED
    return lang


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of text, or "und" when it is too short or ambiguous to tell."""
    content = NOISE.sub(" ", text or "")
    if not _enough_letters(content):
        return UNDETERMINED
    return _decide(*get_identifier().classify(content))


def detect_languages(texts: Sequence[str]) -> list[str]:
    """detect_language over a list of texts (same answers), scoring all of them in one numpy pass."""
    out = [UNDETERMINED] * len(texts)
    todo: list[int] = []
    contents: list[str] = []
    for i, text in enumerate(texts):
        content = NOISE.sub(" ", text or "")
        if _enough_letters(content):
            todo.append(i)
            contents.append(content)
    if contents:
        for i, (lang, confidence) in zip(todo, _get_batch().classify_many(contents)):
            out[i] = _decide(lang, confidence)
    return out
