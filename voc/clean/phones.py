"""Phone numbers: international (+CC), North American, trunk-prefixed national and cued local forms."""

from __future__ import annotations

import re
from collections.abc import Iterator

from voc.clean.pii import Span

# A run of digit groups joined by single separators, optionally with "+" and parenthesised groups.
_RUN = re.compile(
    r"(?<!\d[.,])(?<![\w+$€£¥#/:%-])(?:\+ ?|00 ?)?(?:\(\d{1,5}\) ?)?\d+"
    r"(?:(?:[ .-]|[ .-]?\(\d{1,5}\)[ .-]?)\d+)*"
)
_GROUP_SPLIT = re.compile(r"\D+")
_POSITIVE = re.compile(
    r"\b(?:call(?:ed|ing)?|phone|tel|telephone|mobile|cell|text|sms|whatsapp|fax|reach|contact|ring|dial|"
    r"hotline|helpline|landline|my number|number is|ph|mob)\b",
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
_TOLL_FREE = frozenset({"800", "833", "844", "855", "866", "877", "888"})


def _cue(text: str, start: int) -> int:
    """+1 when the nearest preceding cue says phone, -1 when it says some other number, 0 when none."""
    lo = max(0, start - _CUE_WINDOW)
    window = text[lo:start]
    pos_end = max((m.end() for m in _POSITIVE.finditer(window)), default=-1)
    neg_end = max((m.end() for m in NEGATIVE_CUE.finditer(window)), default=-1)
    if neg_end >= 0 and neg_end >= pos_end:
        return -1
    return 1 if pos_end >= 0 else 0


def _is_phone_shape(raw: str, groups: list[str], digits: str, cue: int) -> bool:
    n = len(digits)
    if raw.startswith("+"):
        return 8 <= n <= 15
    if raw.startswith("00") and len(groups[0]) == 2:
        return 10 <= n <= 17 and len(groups) >= 3
    lens = [len(g) for g in groups]
    core = lens[1:] if groups[0] == "1" and len(groups) == 4 else lens
    core_groups = groups[1:] if core is not lens else groups
    if core == [3, 3, 4] and core_groups[0][0] in "23456789":
        return True
    if digits[0] == "0" and len(groups) >= 2 and 9 <= n <= 11 and min(lens) >= 2 and lens[0] >= 2:
        return True
    if len(groups) == 1 and n == 11 and digits.startswith("07"):
        return True  # UK mobile written without spaces
    if len(groups) == 1 and digits[-10:-7] in _TOLL_FREE and (n == 10 or (n == 11 and digits[0] == "1")):
        return True  # North American toll-free written without separators
    if cue > 0:
        if len(groups) == 1:
            return 10 <= n <= 12
        return 7 <= n <= 12 and min(lens) >= 2
    return False


def find_phones(text: str) -> Iterator[Span]:
    """Phone numbers in common international and national formats, not order numbers, dates or prices."""
    for m in _RUN.finditer(text):
        raw = m.group()
        end = m.end()
        nxt, nxt2 = text[end : end + 1], text[end + 1 : end + 2]
        if nxt and (nxt.isalnum() or nxt in "%$€£" or (nxt in ".,/:" and nxt2.isdigit())):
            continue
        groups = [g for g in _GROUP_SPLIT.split(raw) if g]
        digits = "".join(groups)
        if len(digits) < 7 or len(digits) > 17:
            continue
        cue = _cue(text, m.start())
        if cue < 0:
            continue
        if "." in raw and not raw.startswith("+") and len({s for s in re.findall(r"[ .-]", raw)}) > 1:
            continue  # mixed dots and spaces/dashes: more like a price list or a date than a phone
        if _is_phone_shape(raw, groups, digits, cue):
            yield m.start(), end, "PHONE"
