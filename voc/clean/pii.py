"""Regex PII detectors with validators: email, phone, payment card (Luhn), IBAN (mod 97), IP, token URL."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urlsplit

Span = tuple[int, int, str]  # start, end, type (offsets into the text scanned)

# --- email -----------------------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+'-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b"
)

# Every match has a local-part character right before "@" and a letter or digit right after it.
_EMAIL_HINT = re.compile(r"[A-Za-z0-9._%+'-]@[A-Za-z0-9]")


def find_emails(text: str) -> Iterator[Span]:
    """Email addresses."""
    if "@" not in text or not _EMAIL_HINT.search(text):
        return
    for m in _EMAIL.finditer(text):
        yield m.start(), m.end(), "EMAIL"


# --- URLs carrying secrets -------------------------------------------------------------------------
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAIL = ".,;:!?)]}'\"*"
SECRET_PARAMS = frozenset(
    [
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "auth_token",
        "authtoken",
        "auth",
        "authorization",
        "key",
        "apikey",
        "api_key",
        "api-key",
        "secret",
        "client_secret",
        "sig",
        "signature",
        "session",
        "sessionid",
        "session_id",
        "sid",
        "jsessionid",
        "phpsessid",
        "code",
        "otp",
        "password",
        "passwd",
        "pwd",
        "pass",
        "reset",
        "reset_token",
        "email",
        "e-mail",
        "user_email",
        "x-amz-signature",
        "x-amz-credential",
        "x-goog-signature",
        "magic_link",
        "login_token",
        "hash",
        "jwt",
    ]
)
_RANDOM_SEGMENT = re.compile(r"[A-Za-z0-9_\-]{16,}")


def _looks_random(segment: str) -> bool:
    """True for long path segments mixing letters and digits (tokens, hashes), not for slugs."""
    if not _RANDOM_SEGMENT.fullmatch(segment):
        return False
    if segment.count("-") + segment.count("_") >= 2 and all(
        part.isalpha() or part.isdigit() for part in re.split(r"[-_]", segment) if part
    ):
        return False  # a slug like how-to-change-my-flight or order-history_2024
    digits = sum(c.isdigit() for c in segment)
    letters = sum(c.isalpha() for c in segment)
    if digits == 0 or letters == 0:
        return len(segment) >= 32 and (digits == 0 or letters == 0) and not segment.isalpha()
    upper = sum(c.isupper() for c in segment)
    return digits >= 3 or (upper >= 2 and upper < letters)


def url_has_secret(url: str) -> bool:
    """True when a URL carries credentials, secret query parameters or random token path segments."""
    full = url if "://" in url else "http://" + url
    try:
        parts = urlsplit(full)
    except ValueError:
        return True
    if "@" in parts.netloc:
        return True
    for name, value in parse_qsl(parts.query, keep_blank_values=True) + parse_qsl(parts.fragment):
        if name.lower() in SECRET_PARAMS and value:
            return True
        if len(value) >= 24 and _looks_random(value):
            return True
    return any(_looks_random(seg) for seg in parts.path.split("/") if seg)


def find_secret_urls(text: str) -> Iterator[Span]:
    """URLs that carry tokens or credentials (plain URLs are kept)."""
    if "http" not in text and "www." not in text and "HTTP" not in text:
        return
    for m in _URL.finditer(text):
        url = m.group().rstrip(_URL_TRAIL)
        if url_has_secret(url):
            yield m.start(), m.start() + len(url), "URL"


# --- IP addresses ----------------------------------------------------------------------------------
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)"
_IPV4 = re.compile(rf"(?<![\w.])(?<!\d\.){_OCTET}(?:\.{_OCTET}){{3}}(?!\.?\d|\w)")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|:|(?:\d{1,3}\.){3}\d{1,3})(?![\w:])"
)
_VERSION_CUE = re.compile(r"\b(?:v|version|ver\.?|release|build|firmware|ios|android)\s*$", re.IGNORECASE)


def find_ips(text: str) -> Iterator[Span]:
    """IPv4 (valid octets, not a version string) and IPv6 addresses."""
    if "." in text:
        for m in _IPV4.finditer(text):
            if not _VERSION_CUE.search(text, max(0, m.start() - 12), m.start()):
                yield m.start(), m.end(), "IP"
    if "::" in text or text.count(":") >= 7:
        for m in _IPV6.finditer(text):
            value = m.group()
            if value.count(":") < 2 or ("::" not in value and value.count(":") != 7):
                continue
            if sum(c in "0123456789abcdefABCDEF" for c in value) < 3:
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            yield m.start(), m.end(), "IP"


# --- payment cards ---------------------------------------------------------------------------------
_CARD = re.compile(r"(?<![\w.,/-])\d(?:[ -]?\d){12,18}(?![\w/]|[.,-]\d)")
_CARD_GROUPS = {
    (4, 4, 4, 4),
    (4, 4, 4, 4, 3),
    (4, 6, 5),
    (4, 6, 4),
    (4, 4, 4, 1),
    (4, 4, 4, 2),
    (4, 4, 4, 3),
    (4, 4, 5),
    (6, 13),
    (4, 4, 4, 4, 2),
    (4, 4, 4, 4, 1),
}
_NOT_CARD_CUE = re.compile(
    r"(?:order|tracking|track|ticket|invoice|ref|reference|confirmation|booking|case|account|acct|"
    r"policy|serial|imei|sku|isbn|awb|shipment|parcel|member|membership|loyalty|#|no\.?|nr\.?)"
    r"[\s:#.-]*(?:number|num|no\.?|id|code)?[\s:#.-]*$",
    re.IGNORECASE,
)


def luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def find_cards(text: str) -> Iterator[Span]:
    """Payment card numbers: 13-19 digits, Luhn-valid, card-like prefix and grouping."""
    for m in _CARD.finditer(text):
        raw = m.group()
        digits = raw.replace(" ", "").replace("-", "")
        if not 13 <= len(digits) <= 19 or digits[0] not in "23456" or not luhn_ok(digits):
            continue
        if len(set(digits)) == 1:
            continue
        groups = tuple(len(g) for g in re.split(r"[ -]", raw))
        if len(groups) > 1 and groups not in _CARD_GROUPS:
            continue
        if _NOT_CARD_CUE.search(text, max(0, m.start() - 30), m.start()):
            continue
        yield m.start(), m.end(), "CARD"


# --- IBAN ------------------------------------------------------------------------------------------
IBAN_LENGTHS = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "LY": 25,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SC": 31,
    "SD": 18,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
}
_IBAN = re.compile(
    r"\b[A-Za-z]{2}\d{2}(?:(?:[ -][A-Za-z0-9]{4}){2,7}(?:[ -][A-Za-z0-9]{1,4})?|[A-Za-z0-9]{11,30})\b"
)


def iban_ok(candidate: str) -> bool:
    """True when a compact IBAN has its country's length and a valid mod-97 check."""
    code = candidate.upper()
    if IBAN_LENGTHS.get(code[:2]) != len(code):
        return False
    moved = code[4:] + code[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def find_ibans(text: str) -> Iterator[Span]:
    """IBANs (spaces or dashes allowed), checked by country length and mod 97."""
    for m in _IBAN.finditer(text):
        raw = m.group()
        compact = raw.replace(" ", "").replace("-", "")
        # the match may run into a following word: shrink group by group until valid
        while len(compact) >= 15:
            if compact[4:].isalnum() and iban_ok(compact):
                end = m.start() + _raw_len(raw, len(compact))
                yield m.start(), end, "IBAN"
                break
            compact = compact[:-1]


def _raw_len(raw: str, n_chars: int) -> int:
    count = 0
    for i, ch in enumerate(raw):
        if ch not in " -":
            count += 1
            if count == n_chars:
                return i + 1
    return len(raw)


Detector = Callable[[str], Iterator[Span]]
REGEX_DETECTORS: dict[str, Detector] = {
    "EMAIL": find_emails,
    "URL": find_secret_urls,
    "IP": find_ips,
    "CARD": find_cards,
    "IBAN": find_ibans,
}
