"""Unicode (NFKC, emoji kept) and whitespace normalisation, and fast regex HTML stripping."""

from __future__ import annotations

import html
import re
import unicodedata

# Emoji and pictographs are kept as written: NFKC would rewrite some of them (e.g. U+203C to "!!").
EMOJI_CLASS = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u2190-\u21ff"
    "\u3030\u303d\u3297\u3299\u203c\u2049\u2139\ufe0f\u200d\u20e3\U000e0020-\U000e007f"
)
EMOJI_RUN = re.compile(f"[{EMOJI_CLASS}]+")

_HTML_TAGS = (
    "a|abbr|address|article|aside|b|bdi|bdo|big|blockquote|body|br|button|caption|center|cite|code|col|"
    "colgroup|dd|del|details|dfn|div|dl|dt|em|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|"
    "html|i|iframe|img|input|ins|kbd|label|legend|li|link|main|mark|meta|nav|o:p|ol|option|p|pre|q|s|"
    "samp|section|select|small|span|strike|strong|sub|summary|sup|table|tbody|td|textarea|tfoot|th|"
    "thead|time|title|tr|tt|u|ul|var|wbr"
)
_HTML_HINT = re.compile(r"<[A-Za-z/!]|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_HTML_DROP = re.compile(
    r"<(script|style|head)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<!DOCTYPE[^>]*>", re.IGNORECASE | re.DOTALL
)
_HTML_BREAK = re.compile(
    r"<\s*br\s*/?\s*>|</?\s*(?:p|div|li|ul|ol|tr|table|h[1-6]|blockquote|section|article|header|footer|"
    r"hr|pre|dd|dt)\b[^>]*>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HTML_CELL = re.compile(r"</?\s*(?:td|th)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(rf"</?\s*(?:{_HTML_TAGS})(?:\s[^<>]*)?/?\s*>", re.IGNORECASE)

_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b\u2060\ufeff]")
_LINE_SEPS = re.compile("\r\n?|[\u2028\u2029\x85]")
_HSPACE = re.compile(r"[^\S\n]+")
_SPACE_AROUND_NL = re.compile(r" ?\n ?")
_MANY_NL = re.compile(r"\n{3,}")


def strip_html(text: str) -> str:
    """Remove HTML tags (block tags and <br> become newlines) and unescape entities."""
    if not _HTML_HINT.search(text):
        return text
    if "<" in text:
        text = _HTML_DROP.sub(" ", text)
        text = _HTML_BREAK.sub("\n", text)
        text = _HTML_CELL.sub(" ", text)
        text = _HTML_TAG.sub("", text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return text


_strip_html = strip_html


def _nfkc_keep_emoji(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    parts: list[str] = []
    pos = 0
    for match in EMOJI_RUN.finditer(text):
        parts.append(unicodedata.normalize("NFKC", text[pos : match.start()]))
        parts.append(match.group())
        pos = match.end()
    parts.append(unicodedata.normalize("NFKC", text[pos:]))
    return "".join(parts)


def normalize_text(text: str, strip_html: bool = True) -> str:
    """Return text with HTML removed (optional), NFKC applied outside emoji and whitespace collapsed."""
    if not text:
        return ""
    if strip_html:
        text = _strip_html(text)
    text = _nfkc_keep_emoji(text)
    text = _LINE_SEPS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _HSPACE.sub(" ", text)
    if "\n" in text:
        text = _SPACE_AROUND_NL.sub("\n", text)
        text = _MANY_NL.sub("\n\n", text)
    return text.strip()
