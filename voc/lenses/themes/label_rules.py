"""What may appear in a theme label: corpus facts (handles, hashtags, names, frequent words) and fixed lists."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

# Words about the channel, not the customer's issue.
PLATFORM_WORDS = frozenset(
    [
        "dm",
        "dms",
        "pm",
        "pms",
        "twitter",
        "tweet",
        "tweets",
        "tweeted",
        "tweeting",
        "retweet",
        "retweets",
        "rt",
        "follow",
        "follows",
        "followed",
        "following",
        "follower",
        "followers",
        "facebook",
        "instagram",
        "insta",
        "hashtag",
        "http",
        "https",
        "www",
        "com",
        "amp",
        "co",
        "html",
        "lol",
        "omg",
        "pls",
        "plz",
        "thx",
        "hr",
        "hrs",
        "min",
        "mins",
    ]
)
_TAG = re.compile(r"[@#＠]([A-Za-z][\w]*)")
_WORD = re.compile(r"(?<![@#\w'’])([A-Za-z][a-z'’]+)\b")
_SENT_START = re.compile(r"(?:^|[.!?\n]\s*|[\"“(]\s*)$")
_HASHTAG = re.compile(r"#\w+")
FREQUENT_SHARE = 0.05  # a word in >= 5% of the corpus's documents never stands alone as a label


@dataclass
class LabelRules:
    """Words a label may not use (banned), name-like words and words that may not stand alone (frequent)."""

    banned: frozenset[str] = field(default_factory=frozenset)
    frequent: frozenset[str] = field(default_factory=frozenset)
    names: frozenset[str] = field(default_factory=frozenset)

    def word_ok(self, word: str) -> bool:
        """False for platform words, handle or hashtag words and numbers."""
        w = word.lower()
        return w not in self.banned and w not in PLATFORM_WORDS and not w.isdigit()

    def phrase_ok(self, phrase: str) -> bool:
        """Every word allowed, not only name-like words, and not one corpus-frequent word alone."""
        words = phrase.lower().split()
        if not words or not all(self.word_ok(w) for w in words) or all(w in self.names for w in words):
            return False
        if _repeats_a_stem(words):
            return False
        return len(set(words)) > 1 or not self._frequent(words[0])

    def _frequent(self, word: str) -> bool:
        """Corpus-frequent, also in its singular or plural form ("dresses" where "dress" is frequent)."""
        forms = {word, word + "s", word + "es"}
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            forms |= {word[:-1], word[:-2] if word.endswith("es") else word[:-1]}
        return bool(forms & self.frequent)


def _repeats_a_stem(words: list[str]) -> bool:
    """Two words of one stem ("app crash crashes", "refund refunded") read as a stutter."""
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            short, long_ = sorted((a, b), key=len)
            if len(short) >= 3 and long_.startswith(short[: max(3, len(short) - 1)]):
                return True
    return False


def strip_hashtags(text: str) -> str:
    """The text without its hashtags (they read as slogans, not issues, in a label)."""
    return _HASHTAG.sub(" ", text)


def corpus_rules(texts: Sequence[str], frequent_share: float = FREQUENT_SHARE) -> LabelRules:
    """Learn the banned and frequent words of a corpus (a sample is enough).

    Banned: words used more often as a @handle or #hashtag than as a plain word. Names: words written
    capitalised away from a sentence start in >= 70% of >= 3 uses (first names, brands; a label made only of
    them is rejected, but "Cancelled flight" survives a corpus that title-cases "Cancelled Flight").
    Frequent: words found in >= frequent_share of the documents.
    """
    tagged: Counter[str] = Counter()
    plain: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    mid: Counter[str] = Counter()
    df: Counter[str] = Counter()
    for text in texts:
        text = str(text)
        for m in _TAG.finditer(text):
            tagged[m.group(1).lower()] += 1
        seen = set()
        for m in _WORD.finditer(text):
            w = m.group(1)
            lw = w.lower()
            plain[lw] += 1
            seen.add(lw)
            if not _SENT_START.search(text[max(0, m.start() - 3) : m.start()]) and m.start() > 0:
                mid[lw] += 1
                if w[0].isupper() and not w.isupper():
                    capital[lw] += 1
        df.update(seen)
    banned = {w for w, k in tagged.items() if k >= plain.get(w, 0)}
    names = {w for w, k in capital.items() if mid[w] >= 3 and k >= 0.7 * mid[w]}
    n = max(1, len(texts))
    frequent = {w for w, k in df.items() if k >= frequent_share * n}
    return LabelRules(frozenset(banned), frozenset(frequent), frozenset(names))


def bad_label(label: str, rules: LabelRules) -> bool:
    """A label a CX lead would reject: a banned word, a platform word, a number, or one frequent word alone."""
    core = re.sub(r"\s*\((?:praise|\d+)\)\s*$", "", str(label or "")).strip()
    if not core or core.lower() in ("nan", "none", "theme") or re.fullmatch(r"[\d\s.,]+", core):
        return True
    return not rules.phrase_ok(core)
