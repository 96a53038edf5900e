"""Names in greetings and sign-offs ("Hi Priya,", "Thanks, Tom", "Kind regards,\\nMaria"), found by position.

A name in a salutation often stands alone at the start of a line, where the NER prefilter (which skips
sentence-initial capitalised words) and spaCy itself miss it. The position is the evidence here: a capitalised
word right after a greeting word, or alone on the line after a closing ("Regards,"), or after "Thanks," at the
end of a line. Role words ("Team", "Support", "All") and configured brand words are never taken as names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from voc.clean.pii import Span

_NAME = r"(?:Mc|Mac|O['’])?[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?"
_NAMES = rf"{_NAME}(?:[ \t]+(?:{_NAME}|[A-Z]\.?(?![\w'’])))?"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+)?"
_CLOSING = (
    r"(?:(?:kind|best|warm|warmest|many|with|all the)[ \t]+(?:regards|wishes|thanks)|regards|rgds|"
    r"thanks(?:[ \t]+(?:again|so much|a lot|in advance))?|thank[ \t]+you(?:[ \t]+(?:so much|again))?|"
    r"cheers|best|sincerely|yours(?:[ \t]+(?:sincerely|truly|faithfully))?|all the best|take care|thx)"
)
_GREETING = r"(?:hi|hello|hey|hiya|dear|good[ \t]+(?:morning|afternoon|evening)|morning|greetings)"
# what may follow a signed name on its line: an end, a role ("- Nimbus Care", "(Nimbus Support)", ", Team")
_AFTER_NAME = r"[ \t]*[.!]*[ \t]*(?=$|\n|[ \t]*[-–—(,|/])"

_SIGN_OFF_LINE = re.compile(
    rf"(?m)^[ \t]*(?i:{_CLOSING})[ \t]*[,.!-]*[ \t]*\n(?:[ \t]*\n)*[ \t]*{_TITLE}(?P<name>{_NAMES}){_AFTER_NAME}"
)  # a closing on its own line, the name alone on a following line: "Kind regards,\nMaria"
_SIGN_OFF_COMMA = re.compile(
    rf"(?i:\b{_CLOSING})[ \t]*,[ \t]*{_TITLE}(?P<name>{_NAMES}){_AFTER_NAME}"
)  # a closing, a comma and the name at the end of a line: "Thanks, Tom" / "Kind regards, Oskar (Support)"
_GREETING_LINE = re.compile(
    rf"(?m)^[ \t]*(?i:{_GREETING})[ \t]+{_TITLE}(?P<name>{_NAMES})[ \t]*(?=[,!:\n]|$)"
)  # a greeting at the start of a line: "Hi Priya," / "Dear Ms Smith," / "Hello Grace!"
_SIGNED_ROLE = re.compile(
    rf"(?m)^[ \t]*(?P<name>{_NAMES})[ \t]*[,–—-][ \t]*(?:[A-Z][\w&]*[ \t]+){{0,3}}"
    r"(?:Team|Support|Care|Service|Services|Desk|Helpdesk)[ \t]*\.?[ \t]*$"
)  # a signed line: "Marcus, Nimbus Support Team" / "Chloe - Customer Care"
_DASH_SIGNATURE = re.compile(
    rf"(?:^|\n|[.!?][ \t]+)[-–—~][ \t]*(?P<name>{_NAMES})[ \t]*\.?[ \t]*$"
)  # a dash signature at the end of the text: "... thanks. - Maria"
# lower-case substrings one of which each pattern needs: cheap gates before the regex scans
_CLOSING_KEYS = ("regard", "rgds", "thank", "cheers", "best", "sincerely", "yours", "take care", "thx")
_GREETING_KEYS = ("hi", "hello", "hey", "dear", "morning", "afternoon", "evening", "greetings")
_ROLE_KEYS = ("team", "support", "care", "service", "desk")
# words that fill a salutation's name slot but are not names (lower case)
NOT_NAMES = frozenset({
    "team", "support", "customer", "customers", "service", "services", "care", "all", "everyone",
    "everybody", "there", "guys", "folks", "sir", "madam", "again", "anyway", "the", "in", "for",
    "advance", "friends", "people", "staff", "management", "manager", "managers", "admin", "sirs", "you",
    "thanks", "regards", "yes", "no", "ok", "okay", "please", "hope", "chairman", "president", "director",
    "ceo"
})  # fmt: skip


def _patterns(text: str) -> list[re.Pattern]:
    """The patterns that can match text, by cheap substring tests."""
    low = text.lower()
    out = []
    if any(k in low for k in _CLOSING_KEYS):
        if "\n" in text:
            out.append(_SIGN_OFF_LINE)
        if "," in text:
            out.append(_SIGN_OFF_COMMA)
    first = low.lstrip()[:10]
    if any(first.startswith(k) for k in _GREETING_KEYS) or (
        "\n" in text and any(k in low for k in _GREETING_KEYS)
    ):
        out.append(_GREETING_LINE)
    if any(k in low for k in _ROLE_KEYS):
        out.append(_SIGNED_ROLE)
    if any(c in text[-40:] for c in "-–—~"):
        out.append(_DASH_SIGNATURE)
    return out


def find_salutation_names(text: str, not_names: Iterable[str] = ()) -> Iterator[Span]:
    """PERSON spans of names in greetings and sign-offs (words in not_names, any case, are left alone)."""
    patterns = _patterns(text)
    if not patterns:
        return
    skip = NOT_NAMES | {w.lower() for w in not_names}
    seen: set[tuple[int, int]] = set()
    for pattern in patterns:
        for m in pattern.finditer(text):
            start, end = m.span("name")
            words = re.split(r"[ \t]+", m.group("name"))
            if any(w.lower().rstrip(".") in skip for w in words):
                continue
            if (start, end) not in seen:
                seen.add((start, end))
                yield start, end, "PERSON"
