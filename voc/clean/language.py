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

MIN_LETTERS = 3
MIN_CONFIDENCE = 0.4
UNDETERMINED = "und"

_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|\[[A-Z]+\]|[#\d_]+")
_lock = threading.Lock()
_identifier = None


def _get_identifier():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of text, or "und" when it is too short or ambiguous to tell."""
    content = _NOISE.sub(" ", text or "")
    if sum(ch.isalpha() for ch in content) < MIN_LETTERS:
        return UNDETERMINED
    lang, confidence = _get_identifier().classify(content)
    if confidence < MIN_CONFIDENCE or len(lang) != 2:
        return UNDETERMINED
    return lang
