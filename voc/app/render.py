"""Safe rendering of customer text: HTML- and Markdown-escaped, evidence spans highlighted."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

# Every ASCII punctuation mark becomes a numeric entity: Markdown, LaTeX ($), emoji (:x:) and HTML stay inert.
_PUNCT = {ord(c): f"&#{ord(c)};" for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"}
CAUSE_COLOURS = {"people": "#fde68a", "process": "#bfdbfe", "technology": "#fbcfe8"}


def escape(text: Any) -> str:
    """Text made inert for st.markdown (even with unsafe_allow_html): entities for markup, <br> for newlines."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return str(text).translate(_PUNCT).replace("\r\n", "\n").replace("\n", "<br>")


def plain(text: Any) -> str:
    """HTML-escaped text for contexts that read HTML but not Markdown (e.g. plotly labels)."""
    return html.escape("" if text is None else str(text))


def _spans(evidence: Any, text_len: int, only: str | None = None) -> list[tuple[int, int, str]]:
    ev = json.loads(evidence) if isinstance(evidence, str) else evidence
    out = []
    if isinstance(ev, dict):
        for label, span in ev.items():
            if only and label != only:
                continue
            try:
                start, end = int(span[0]), int(span[1])
            except (TypeError, ValueError, IndexError, KeyError):
                continue
            start, end = max(0, start), min(text_len, end)
            if end > start:
                out.append((start, end, str(label)))
    return sorted(out)


def highlight(text: str, evidence: Any = None, only: str | None = None) -> str:
    """Escaped text with each cause's evidence span wrapped in a coloured <mark> (overlaps are merged)."""
    text = "" if text is None else str(text)
    parts, pos = [], 0
    for start, end, label in _spans(evidence, len(text), only):
        start = max(start, pos)
        if end <= start:
            continue
        colour = CAUSE_COLOURS.get(label, "#e5e7eb")
        parts.append(escape(text[pos:start]))
        parts.append(
            f'<mark style="background:{colour}" title="{escape(label)}">{escape(text[start:end])}</mark>'
        )
        pos = end
    parts.append(escape(text[pos:]))
    return "".join(parts)


def _causes(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist") and not isinstance(value, str):
        return [str(c) for c in list(value)]
    return []


def meta_line(row: pd.Series | dict) -> str:
    """date · channel · source · rating · sentiment · causes · segments (escaped)."""
    get = row.get
    bits = []
    if isinstance(get("date"), (pd.Timestamp, datetime)) and not pd.isna(get("date")):
        bits.append(str(pd.Timestamp(get("date")).date()))
    elif isinstance(get("date"), str):
        bits.append(get("date")[:10])
    for key in ("channel", "source"):
        if isinstance(get(key), str):
            bits.append(get(key))
    if isinstance(get("rating"), (int, float)) and not pd.isna(get("rating")):
        bits.append(f"rating {get('rating'):g} ({get('rating_scale') or '?'})")
    if isinstance(get("sentiment"), str):
        bits.append(get("sentiment"))
    causes = _causes(get("causes"))
    if causes:
        bits.append("causes: " + ", ".join(causes))
    seg = get("segments")
    seg = json.loads(seg) if isinstance(seg, str) else seg
    if isinstance(seg, dict) and seg:
        bits.append(", ".join(f"{k}={v}" for k, v in seg.items()))
    if isinstance(get("theme_label"), str):
        bits.append(f"theme: {get('theme_label')}")
    return " · ".join(escape(b) for b in bits)


def quote_cards(
    rows: Iterable[dict] | pd.DataFrame, only_cause: str | None = None, css: str = "voc-quote"
) -> None:
    """Render feedback rows as quotes with metadata; text is escaped and evidence highlighted."""
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    for row in records:
        body = highlight(row.get("text"), row.get("cause_evidence"), only_cause)
        st.markdown(
            f'<blockquote class="{css}" style="margin:0 0 .2rem 0">{body}</blockquote>'
            f'<div style="font-size:.8rem;opacity:.7;margin-bottom:.8rem">{meta_line(row)}</div>',
            unsafe_allow_html=True,
        )


def fmt_num(value: Any, fmt: str = "{:,.0f}", none: str = "—") -> str:
    """Format a number, or a dash for None/NaN."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return none
    return fmt.format(value)


def table_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists and dicts as readable strings for st.dataframe (which shows text literally, so it stays safe)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: (
                    ", ".join(map(str, v))
                    if isinstance(v, (list, tuple)) or hasattr(v, "tolist") and not isinstance(v, str)
                    else v
                )
            )
    return out
