"""Common words and brand/place names that, capitalised, do not suggest a person's name."""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

# Words frequent in customer feedback, greetings, calendar words, brands, products and places.
WORDS_FILE = Path(__file__).with_name("data") / "common_words.json"


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-cased words that never count as a name candidate on their own."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = set(STOP_WORDS) | set(json.loads(WORDS_FILE.read_text(encoding="utf-8"))["words"])
    try:
        import vaderSentiment

        lexicon = Path(vaderSentiment.__file__).with_name("vader_lexicon.txt")
        with lexicon.open(encoding="utf-8") as handle:
            for line in handle:
                token = line.split("\t", 1)[0]
                if token.isalpha():
                    words.add(token.lower())
    except (ImportError, OSError) as exc:  # the list only tunes a prefilter; work without it
        log.debug("VADER lexicon unavailable for the name prefilter: %s", exc)
    return frozenset(words)
