"""Which documents the configured models cover by language, and the reason and summary for those they don't.

A document is covered when its detected language is one the models were trained for (`encoder.languages`,
and for sentiment and causes also `sentiment.languages`; English by default), or when its language is
undetermined ("und": too short to tell, mostly emoji, "ok"). Uncovered documents are kept and counted, and
their predictions are null with `not_analysed_reason` saying why, never an English model's guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from voc.clean.language import UNDETERMINED

REASON_COLUMN = "not_analysed_reason"
LANGUAGE_NAMES = {
    "und": "Undetermined", "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "ga": "Irish", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian",
    "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian",
    "ms": "Malay", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "th": "Thai",
    "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip


def language_name(code: str) -> str:
    """'Spanish (es)' for 'es'; the bare code for a language without a name here."""
    name = LANGUAGE_NAMES.get(code)
    return f"{name} ({code})" if name else code


def _models_name(covered: Iterable[str]) -> str:
    names = [LANGUAGE_NAMES.get(c, c) for c in sorted(set(covered))]
    return (" and ".join(names) if len(names) <= 3 else "configured") + " models"


def coverage_mask(languages: Sequence[str], covered: Iterable[str]) -> tuple[np.ndarray, list[str | None]]:
    """(True where the models cover the document's language, reason per document or None when covered)."""
    covered = {c.lower() for c in covered}
    models = _models_name(covered)
    mask = np.array([lang in covered or lang == UNDETERMINED or not lang for lang in languages], dtype=bool)
    reasons = [
        None if ok else f"language {language_name(lang)} is not analysed by the {models}"
        for lang, ok in zip(languages, mask)
    ]
    return mask, reasons


def coverage_summary(languages: Sequence[str], covered: Iterable[str]) -> list[str]:
    """One line per uncovered language, most documents first: '58 documents in Spanish (es) are not ...'."""
    covered = {c.lower() for c in covered}
    models = _models_name(covered)
    mask, _ = coverage_mask(languages, covered)
    counts = Counter(lang for lang, ok in zip(languages, mask) if not ok)
    return [summary_line(lang, n, models) for lang, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def summary_line(code: str, n: int, models: str) -> str:
    """'58 documents in Spanish (es) are not analysed by the English models' (models: 'English models')."""
    return f"{n} document{'s' if n != 1 else ''} in {language_name(code)} {'are' if n != 1 else 'is'} not analysed by the {models}"


def models_of_reason(reason: str) -> str:
    """The models a stored reason names: 'English models' from '... is not analysed by the English models'."""
    tail = reason.split(" not analysed by the ", 1)[-1]
    return tail.split(" (for ", 1)[0]


def not_analysed_label(code: str) -> str:
    """The reserved theme label of a language group: 'Spanish (es) — not analysed'."""
    return f"{language_name(code)} — not analysed"
