"""Turn a RawChunk into an IngestBatch: validate each row, normalise values, and give every bad row a reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from voc.config import ColumnMap
from voc.ingest.readers import RawChunk
from voc.ingest.values import DATE_DTYPE, as_text, normalise_rating, parse_dates, parse_numbers
from voc.schema import INGEST_COLUMNS, RATING_RANGES, REJECT_COLUMNS

STRING_COLUMNS = ("source", "source_id", "text", "channel", "rating_scale", "segments", "role", "status")


@dataclass
class IngestBatch:
    """One chunk of a source: accepted rows (INGEST_COLUMNS), rejected rows (REJECT_COLUMNS) and rows read."""

    frame: pd.DataFrame
    rejects: pd.DataFrame
    read: int


@dataclass
class BuildContext:
    """Everything build_batch needs to know about the source."""

    source: str
    mapping: ColumnMap
    rating_scale: str | None
    channel: str | None
    date_format: str | None
    dayfirst: bool
    max_text_chars: int
    customer_roles: frozenset[str]
    role_equals: tuple[str, str] | None = None  # customer turn when these two columns hold the same value
    channel_values: dict[str, str] = field(default_factory=dict)  # coded channel values -> names


class _Verdicts:
    """First reject reason per row: later checks never overwrite an earlier reason."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self.detail = np.full(n, None, dtype=object)

    def reject(
        self, mask: pd.Series | np.ndarray, reason: str, detail: Callable[[], pd.Series] | str
    ) -> None:
        mask = np.asarray(mask, dtype=bool) & pd.isna(self.reason)
        if not mask.any():
            return
        self.reason[mask] = reason
        self.detail[mask] = detail if isinstance(detail, str) else np.asarray(detail(), dtype=object)[mask]

    @property
    def ok(self) -> np.ndarray:
        return pd.isna(self.reason)


def _quote(text: pd.Series, limit: int = 40) -> pd.Series:
    return "'" + text.astype("str").str.slice(0, limit) + "'"


def _strings(values: pd.Series) -> pd.Series:
    """Present values as clean strings (integral floats without '.0'), missing as None."""
    if pd.api.types.is_float_dtype(values.dtype):
        whole = values.notna() & (values == values.round())
        values = values.astype(object).where(~whole, values.where(whole).astype("Int64").astype(object))
    text, present = as_text(values)
    return text.astype(object).where(present, None)


def build_batch(chunk: RawChunk, ctx: BuildContext) -> IngestBatch:
    """Validate and normalise one raw chunk into accepted rows and rejects; read == accepted + rejected."""
    df, m = chunk.frame, ctx.mapping
    n = len(df)
    v = _Verdicts(n)
    role = None
    if m.role:
        role_text, role_present = as_text(df[m.role])
        is_customer = role_text.str.lower().isin(ctx.customer_roles).to_numpy()
        v.reject(
            ~is_customer, "not_customer_turn", lambda: "role=" + role_text.where(role_present, "(empty)")
        )
        role = pd.Series(np.where(is_customer, "customer", None), dtype=object)
    elif ctx.role_equals:
        author, requester = (as_text(df[c]) for c in ctx.role_equals)
        is_customer = (author[1] & (author[0] == requester[0])).to_numpy()
        v.reject(~is_customer, "not_customer_turn",
                 lambda: f"{ctx.role_equals[0]}=" + author[0].where(author[1], "(empty)")  # type: ignore[index]
                 + f" is not {ctx.role_equals[1]}=" + requester[0].where(requester[1], "(empty)"))  # type: ignore[index]  # fmt: skip
        role = pd.Series(np.where(is_customer, "customer", None), dtype=object)
    text = df[m.text] if m.text else pd.Series([None] * n, dtype=object)
    text = text.map(lambda x: x if isinstance(x, str) or x is None else (None if pd.isna(x) else str(x)))
    length = text.str.len().fillna(0)
    v.reject(text.str.strip().fillna("") == "", "empty_text", f"column '{m.text}' is empty")
    v.reject(length > ctx.max_text_chars, "text_too_long",
             lambda: length.astype(int).astype(str) + f" characters > max_text_chars {ctx.max_text_chars}")  # fmt: skip
    dates: dict[str, pd.Series] = {}
    by_column: dict[str, pd.Series] = {}
    for fld in ("date", "created", "resolved"):
        col = getattr(m, fld)
        if col is None:
            dates[fld] = pd.Series(pd.NaT, index=df.index, dtype=DATE_DTYPE)
            continue
        if col not in by_column:
            by_column[col], bad = parse_dates(df[col], ctx.date_format, ctx.dayfirst)
            v.reject(bad, "unparseable_date",
                     lambda col=col: f"column '{col}' = " + _quote(as_text(df[col])[0]) + " is not a date")  # fmt: skip
        dates[fld] = by_column[col]
    rating = pd.Series(np.nan, index=df.index)
    norm = pd.Series(np.nan, index=df.index)
    scale = None
    if m.rating:
        rating, present = parse_numbers(df[m.rating])

        def raw() -> pd.Series:
            return f"column '{m.rating}' = " + _quote(as_text(df[m.rating])[0])

        if ctx.rating_scale is None:
            v.reject(present, "unknown_rating_scale",
                     lambda: raw() + ": scale unknown; set rating_scale or a --preset")  # fmt: skip
        else:
            scale = ctx.rating_scale
            lo, hi = RATING_RANGES[scale]
            v.reject(present & rating.isna(), "rating_out_of_range",
                     lambda: raw() + f" is not a number on the {scale} scale")  # fmt: skip
            v.reject(present & ((rating < lo) | (rating > hi)), "rating_out_of_range",
                     lambda: raw() + f" is outside {scale} {lo:g}-{hi:g}")  # fmt: skip
            norm = normalise_rating(rating, scale)
    ok = v.ok
    frame = _frame(df, ctx, ok, text, dates, rating, norm, scale, role, chunk.rows)
    rejects = _rejects(chunk, v, ctx.source)
    return IngestBatch(frame, rejects, n + len(chunk.malformed))


def _frame(df, ctx, ok, text, dates, rating, norm, scale, role, rows) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    m = ctx.mapping
    n_ok = int(ok.sum())
    channel: Any = ctx.channel
    if m.channel:
        values = _strings(df[m.channel])
        if ctx.channel_values:
            values = values.map(lambda x: ctx.channel_values.get(x, x) if isinstance(x, str) else x)
        channel = values.where(lambda s: s.notna(), ctx.channel)[ok].to_numpy()
    out = {
        "source": np.full(n_ok, ctx.source, dtype=object),
        "row_number": rows[ok],
        "source_id": _strings(df[m.id])[ok].to_numpy() if m.id else np.full(n_ok, None, dtype=object),
        "text": text[ok].to_numpy(dtype=object),
        "date": dates["date"][ok].reset_index(drop=True),
        "channel": channel if m.channel else np.full(n_ok, channel, dtype=object),
        "rating": rating[ok].to_numpy(dtype=float),
        "rating_scale": np.full(n_ok, scale if m.rating else None, dtype=object),
        "rating_norm": norm[ok].to_numpy(dtype=float),
        "segments": _segments(df, m.segments or [], ok),
        "role": role[ok].to_numpy() if role is not None else np.full(n_ok, None, dtype=object),
        "status": _strings(df[m.status])[ok].to_numpy() if m.status else np.full(n_ok, None, dtype=object),
        "created_at": dates["created"][ok].reset_index(drop=True),
        "resolved_at": dates["resolved"][ok].reset_index(drop=True),
    }
    frame = pd.DataFrame(out, columns=list(INGEST_COLUMNS))
    for col in STRING_COLUMNS:  # one dtype in every batch, whatever its values (missing = NaN)
        frame[col] = frame[col].astype("str")
    frame["row_number"] = frame["row_number"].astype("int64")
    return frame


def _segments(df: pd.DataFrame, cols: list[str], ok: np.ndarray) -> np.ndarray:
    if not cols:
        return np.full(int(ok.sum()), "{}", dtype=object)
    values = [_strings(df[c])[ok].tolist() for c in cols]
    cache: dict[tuple[Any, ...], str] = {}

    def encode(key: tuple[Any, ...]) -> str:
        text = cache.get(key)
        if text is None:
            text = cache[key] = json.dumps(dict(zip(cols, key, strict=True)), ensure_ascii=False)
        return text

    return np.array([encode(key) for key in zip(*values, strict=True)], dtype=object)


def _rejects(chunk: RawChunk, v: _Verdicts, source: str) -> pd.DataFrame:
    bad = ~v.ok
    rows = np.concatenate([chunk.rows[bad], np.array([r for r, _ in chunk.malformed], dtype=np.int64)])
    reasons = np.concatenate(
        [v.reason[bad], np.array(["malformed_row"] * len(chunk.malformed), dtype=object)]
    )
    details = np.concatenate([v.detail[bad], np.array([d for _, d in chunk.malformed], dtype=object)])
    order = np.argsort(rows, kind="stable")
    rejects = pd.DataFrame(
        {
            "source": np.full(len(rows), source, dtype=object),
            "row_number": rows[order].astype("int64"),
            "reason": reasons[order],
            "detail": details[order],
        },
        columns=list(REJECT_COLUMNS),
    )
    for col in ("source", "reason", "detail"):
        rejects[col] = rejects[col].astype("str")
    return rejects
