"""Phone numbers: libphonenumber's matcher (the `phonenumbers` package) plus a context check for look-alikes.

`phonenumbers` finds and parses the numbers: international (+CC, 00/011 prefixes, "+44 (0)..."), national
formats of the default region and, for numbers written with a trunk "0", of the other configured regions.
At the "possible" leniency it accepts any number of a possible length, so voc adds what the library cannot
know: an order, ticket or tracking number cue before it rules a match out, a match glued to a letter is not
a phone, and a number that is possible but not valid needs a phone-like shape or a phone cue.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from voc.clean.pii import Span
from voc.errors import ConfigError

LENIENCIES = {
    "possible": Leniency.POSSIBLE,
    "valid": Leniency.VALID,
    "strict_grouping": Leniency.STRICT_GROUPING,
    "exact_grouping": Leniency.EXACT_GROUPING,
}
DEFAULT_REGION = "US"
DEFAULT_OTHER_REGIONS = ("GB", "DE", "FR", "ES", "IT", "NL", "IE", "AU")


class PhoneOptions(NamedTuple):
    """How phone numbers are matched (clean.phone_region, clean.phone_leniency, clean.phone_other_regions)."""

    region: str = DEFAULT_REGION
    leniency: str = "possible"
    other_regions: tuple[str, ...] = DEFAULT_OTHER_REGIONS


# Runs of digits joined by spaces, dots, dashes, slashes or brackets, with an optional "+" or "(": the only
# places the matcher is asked to look, so a text without such a run costs one regex scan.
_CANDIDATE = re.compile(r"[+(]?\d[\d \t().\-/]{5,}\d\)?")
_POSITIVE = re.compile(
    r"\b(?:call(?:ed|ing)?|phone|tel|telephone|mobile|cell|text|sms|whatsapp|fax|reach|contact|ring|dial|"
    r"hotline|helpline|landline|switchboard|port(?:ed|ing)?|my number|number is|ph|mob)\b",
    re.IGNORECASE,
)
NEGATIVE_CUE = re.compile(
    r"(?:\b(?:order|tracking|track|ticket|invoice|ref|reference|confirmation|conf|booking|case|account|"
    r"acct|policy|serial|sku|item|model|flight|pnr|record locator|receipt|transaction|member|loyalty|"
    r"claim|routing|imei|isbn|id|voucher|coupon|promo|part|batch|lot|shipment|parcel|awb|tag|tags|seat|"
    r"gate|room|table|bus|train|route|code|pin|zip|postcode)"
    r"(?:\s*(?:number|num|no\.?|nr\.?|#|id|code))?|#\s*:?\s*$|\bno\.\s*$)",
    re.IGNORECASE,
)
_CUE_WINDOW = 32
_DATE = re.compile(r"(?:\d{4}([-./])\d{1,2}\1\d{1,2}|\d{1,2}([-./])\d{1,2}\2(?:\d{4}|\d{2}))(?:T[\d:]+Z?)?")
_NANP = re.compile(r"(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}")


def _cue(text: str, start: int) -> int:
    """+1 when the nearest preceding cue says phone, -1 when it says some other number, 0 when none."""
    window = text[max(0, start - _CUE_WINDOW) : start]
    pos_end = max((m.end() for m in _POSITIVE.finditer(window)), default=-1)
    neg_end = max((m.end() for m in NEGATIVE_CUE.finditer(window)), default=-1)
    if neg_end >= 0 and neg_end >= pos_end:
        return -1
    return 1 if pos_end >= 0 else 0


def _starts_with_zero(candidate: str) -> bool:
    """True when the first digit is a zero (in any script's digits: "07700", "(020)", "0044", "٠٧٩")."""
    first = next((c for c in candidate if c.isdigit()), "1")
    return unicodedata.decimal(first, 1) == 0


def _phone_shaped(raw: str) -> bool:
    """A possible-but-not-valid number still written like a phone: international, NANP or trunk-0 grouped."""
    if raw.startswith(("+", "00", "011")):
        return True
    if _NANP.fullmatch(raw):
        return True
    groups = [g for g in re.split(r"\D+", raw) if g]
    digits = "".join(groups)
    if digits.startswith("0") and len(groups) >= 2 and 9 <= len(digits) <= 11 and min(map(len, groups)) >= 2:
        return True
    return len(groups) == 1 and len(digits) == 11 and digits.startswith("07")  # UK mobile without spaces


def _accept(text: str, start: int, end: int, number) -> bool:
    """The context check on one match of the matcher."""
    if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
        return False  # glued to a word: a tracking code, an IBAN or a product code
    if end < len(text) and text[end] in "%$€£" or (start and text[start - 1] in "$€£#"):
        return False
    if _DATE.fullmatch(text, start, end):
        return False
    cue = _cue(text, start)
    if cue < 0:
        return False
    if phonenumbers.is_valid_number(number):
        return True
    return cue > 0 or _phone_shaped(text[start:end])


@lru_cache(maxsize=64)
def _checked(region: str, leniency: str) -> tuple[str, Leniency]:
    region = region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            f"clean.phone_region / clean.phone_other_regions: {region!r} is not a region phonenumbers knows; "
            "use a two-letter ISO 3166 code such as US, GB or DE."
        )
    if leniency not in LENIENCIES:
        raise ConfigError(f"clean.phone_leniency {leniency!r} is unknown; use one of {list(LENIENCIES)}.")
    return region, LENIENCIES[leniency]


def _matches(text: str, region: str, leniency: Leniency, offset: int) -> Iterator[tuple[int, int, object]]:
    for m in PhoneNumberMatcher(text, region, leniency=leniency):
        yield offset + m.start, offset + m.end, m.number


def find_phones(
    text: str,
    region: str = DEFAULT_REGION,
    leniency: str = "possible",
    other_regions: Sequence[str] = DEFAULT_OTHER_REGIONS,
) -> Iterator[Span]:
    """Phone numbers in text (region: assumed country of national numbers), not order numbers or prices."""
    region, level = _checked(region, leniency)
    found: dict[tuple[int, int], None] = {}
    for cand in _CANDIDATE.finditer(text):
        if sum(c.isdigit() for c in cand.group()) < 7:
            continue
        a, b = max(0, cand.start() - 1), min(len(text), cand.end() + 1)
        window = text[a:b]
        regions = [region]
        if _starts_with_zero(cand.group()):  # a national number with a trunk prefix, or a 00 prefix
            regions += [r for r in other_regions if r.upper() != region]
        for r in regions:
            r, lv = _checked(r, leniency) if r != region else (region, level)
            for start, end, number in _matches(window, r, lv, a):
                if (start, end) not in found and _accept(text, start, end, number):
                    found[(start, end)] = None
    spans = sorted(found, key=lambda s: (s[0], -s[1]))
    last_end = -1
    for start, end in spans:  # the longest reading of each number; nested shorter ones are dropped
        if end > last_end and sum(c.isdigit() for c in text[start:end]) >= 7:
            yield start, end, "PHONE"
            last_end = max(last_end, end)
