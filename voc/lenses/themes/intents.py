"""What a theme's documents do, beyond complaining: ask questions or thank. A theme of questions is named
"Mobile plan questions", as praise is "Network coverage (praise)"; only where questions are far commoner in
the theme than in the corpus (every BANKING77 query is a question, so none of its themes is tagged).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
QUESTION_SHARE = 0.5  # at least this share of the theme's documents ask a question...
QUESTION_LIFT = 2.5  # ...and at least this many times the corpus's share
QUESTIONS_TAG = " questions"


def asks(text: str) -> bool:
    """True when at least half of the text's sentences are questions (end on "?")."""
    sentences = [s.strip() for s in _SENTENCE.findall(str(text)) if len(s.strip()) > 3]
    if not sentences:
        return False
    return 2 * sum(s.endswith("?") for s in sentences) >= len(sentences)


def question_share(texts: Sequence[str]) -> float:
    """Share of the texts that are mainly questions."""
    return sum(asks(t) for t in texts) / len(texts) if len(texts) else 0.0


def is_question_theme(theme: Sequence[str], corpus_share: float) -> bool:
    """True when the theme's documents are mostly questions, far more than the corpus's."""
    share = question_share(theme)
    return share >= QUESTION_SHARE and share >= QUESTION_LIFT * corpus_share


_THANKS = re.compile(r"\b(?:thanks?|thx|ty|thankyou|appreciated?|grateful)\b", re.IGNORECASE)
THANKS_SHARE = 0.3  # a theme where at least this share of documents thank...
THANKS_LIFT = 2.5  # ...this many times the corpus's share is a theme of thanks
THANKS_LABEL = "thank-you messages"  # "Thanks" alone is a corpus-frequent word in social feedback


def thanks_share(texts: Sequence[str]) -> float:
    """Share of the texts that thank someone."""
    return sum(bool(_THANKS.search(str(t))) for t in texts) / len(texts) if len(texts) else 0.0


def is_thanks_theme(theme: Sequence[str], corpus_share: float) -> bool:
    """True when the theme's documents mostly thank, far more than the corpus's: it is named "Thanks", not
    by a stray word of its few content words ("Sent", "Rock")."""
    share = thanks_share(theme)
    return share >= THANKS_SHARE and share >= THANKS_LIFT * corpus_share
