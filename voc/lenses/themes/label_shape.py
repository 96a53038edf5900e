"""The shape of a theme label: an aspect (noun phrase), or an aspect plus its problem, and nothing else.

"And fun fabric", "Appreciate", "Aww" and "Sent" are not labels: a label starts and ends on a content word,
holds no pronoun, and carries a noun; a one-word label must be a noun (as tagged in the theme's own
documents). Praise themes are named by their aspect alone: "Network coverage (praise)", never
"Best network" or "Xs regular fits (praise)".
"""

from __future__ import annotations

from voc.lenses.themes.phrases import PEOPLE, Candidates, is_unit

PRONOUNS = frozenset(
    "i me my mine myself we us our ours you your yours he him his she her hers they them their theirs it its "
    "this that these those someone anyone everyone nobody something anything everything nothing "
    "u ur ya yall y'all ppl".split()
)
# Function words that never open or close a label ("And fun fabric", "Login not").
EDGE_WORDS = frozenset(
    "and or but nor so yet not no of to for with on in at by from about as than then the a an very really "
    "just also too still even again ever never always only much more most less least quite pretty".split()
)
# Nouns that say something is wrong without saying what ("Problem", "Issues"): never a label on their own.
GENERIC_NOUNS = frozenset("problem problems issue issues question questions complaint complaints experience "
                          "thing things stuff matter".split())  # fmt: skip
PRAISE_TAG = " (praise)"


def shape_ok(phrase: str, cands: Candidates | None = None) -> bool:
    """True when the phrase reads as an aspect or an aspect + problem (see the module docstring)."""
    words = phrase.lower().split()
    if not words or words[0] in EDGE_WORDS or words[-1] in EDGE_WORDS:
        return False
    if any(w in PRONOUNS for w in words) or words[-1] in PEOPLE:
        return False
    if is_unit(words[-1]) and not (len(words) > 1 and cands is not None and cands.aspect_of(words[-2:])):
        return False  # "Minutes", "Next day"; a unit a noun qualifies is an aspect: "Hold time"
    if any(len(w) < 2 for w in words) or (len(words) == 1 and len(words[0]) < 3):
        return False
    if len(words) == 1 and words[0] in GENERIC_NOUNS:
        return False
    if cands is None:
        return True
    if cands.is_verb(words[0]):  # the noun comes before the verb: "Billed got", never "Got billed"
        return False
    nouns = [cands.is_noun(w) for w in words]
    if len(words) == 1:  # a lone word must be seen used as a noun ("Sent", "Appreciate" never are)
        return nouns[0] is True
    return any(n is not False for n in nouns)


def _praise_word(word: str, cands: Candidates | None, positive) -> bool:
    """A praise modifier ("great", "love"), not a noun that VADER happens to score ("support", "help")."""
    return positive(word) and (cands is None or cands.is_noun(word) is not True)


def praise_core(phrase: str, cands: Candidates | None, positive) -> str | None:
    """The aspect a praise label names: the phrase's noun part without its praise words ("great fit" -> "fit").

    `positive(word)` says whether a word is praise ("great", "love"); None when no aspect is left.
    """
    core = (cands.aspect.get(phrase) if cands else None) or phrase
    words = core.lower().split()
    while words and (_praise_word(words[0], cands, positive) or words[0] in EDGE_WORDS):
        words = words[1:]
    while words and (_praise_word(words[-1], cands, positive) or words[-1] in EDGE_WORDS):
        words = words[:-1]
    if not words or (cands is not None and cands.is_noun(words[-1]) is False):
        return None
    return " ".join(words)


def core_of(label: str) -> str:
    """A label without its "(praise)" tag."""
    return label[: -len(PRAISE_TAG)].strip() if label.endswith(PRAISE_TAG) else label.strip()


def complaint_core(phrase: str, cands: Candidates | None, positive) -> str | None:
    """A phrase fit to name a theme that is not praise: no leading praise word ("Great service" -> "service"),
    and no praise as its problem ("Signal fine" -> None)."""
    words = phrase.split()
    while words and _praise_word(words[0], cands, positive):
        words = words[1:]
    if not words or _praise_word(words[-1], cands, positive):
        return None
    return " ".join(words)
