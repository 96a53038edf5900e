"""voc.clean: text normalisation, language detection, PII redaction and stable document ids.

- normalize_text: HTML tags stripped (block tags and <br> become newlines), complete entities unescaped,
  NFKC outside emoji, invisible characters dropped, spaces collapsed, at most one blank line kept.
- redact: EMAIL, PHONE (libphonenumber's matcher plus a context check), CARD (Luhn), IBAN (mod 97), IP,
  URL (only URLs carrying tokens or credentials) and PERSON (spaCy NER on prefiltered sentences, plus
  names in greetings and sign-offs) become typed placeholders like [EMAIL]; the returned spans point at
  the placeholders in the redacted text and raw values are never kept.
- detect_language: ISO 639-1 code or "und" (rule in voc.clean.language); detect_languages does a list
  in one numpy pass with the same answers.
- doc_id: sha1 of (source, source_id) when an id is given, else of (source, normalised text, date);
  16 hex characters. It is computed before redaction so it does not change with the PII settings.
- split_sentences: fast regex splitter returning (start, end) spans.
"""

from __future__ import annotations

from voc.clean.batch import clean_batch
from voc.clean.docid import doc_id
from voc.clean.language import detect_language, detect_languages
from voc.clean.normalize import normalize_text
from voc.clean.redact import PII_TYPES, redact, redact_many
from voc.clean.sentences import split_sentences

__all__ = [
    "PII_TYPES",
    "clean_batch",
    "detect_language",
    "detect_languages",
    "doc_id",
    "normalize_text",
    "redact",
    "redact_many",
    "split_sentences",
]
