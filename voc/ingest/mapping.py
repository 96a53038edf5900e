"""Column mapping: take the configured columns, detect the rest from names and a sample, and describe it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from voc.config import ColumnMap, InputConfig
from voc.errors import InputError
from voc.ingest.presets import Preset
from voc.ingest.questions import is_open_question, question_scale
from voc.ingest.values import (
    as_text,
    fits_scale,
    infer_scale_from_values,
    parse_dates,
    parse_numbers,
    sniff_dayfirst,
)
from voc.schema import RATING_RANGES

TEXT_WORDS = {
    "text", "review", "reviews", "comment", "comments", "body", "message", "feedback", "content",
    "description", "narrative", "tweet", "verbatim", "complaint", "post", "answer", "response", "remarks",
    "notes", "note", "opinion",
}  # fmt: skip
NOT_TEXT = {"id", "date", "time", "count", "number", "rating", "score", "length", "len", "lang", "language",
            "type", "title", "subject", "url", "link", "author", "user", "name", "helpful", "status", "html"}  # fmt: skip
DATE_WORDS = {
    "date",
    "created",
    "timestamp",
    "time",
    "posted",
    "datetime",
    "submitted",
    "received",
    "published",
    "at",
}
NOT_DATE = {"birth", "dob", "purchase", "expiry", "expires", "due", "resolved", "closed", "solved", "updated",
            "modified", "resolution", "response", "first", "zone", "timezone", "to", "spent"}  # fmt: skip
RATING_WORDS = {"rating", "ratings", "stars", "star", "score", "nps", "csat", "ces", "satisfaction", "effort"}
NOT_RATING = {"count", "confidence", "id", "helpful", "sentiment", "prob", "probability", "votes", "weight"}
SCALE_BY_NAME = {"nps": "nps", "csat": "csat", "satisfaction": "csat", "ces": "ces", "effort": "ces",
                 "stars": "stars", "star": "stars"}  # fmt: skip
NOT_ID = {"customer", "user", "agent", "author", "product", "order", "account", "session", "item", "sku",
          "parent", "thread", "conversation", "clothing", "store", "company", "zip", "client", "employee"}  # fmt: skip
CHANNEL_WORDS = {"channel", "source", "platform", "medium", "via"}
SEGMENT_WORDS = {"product", "region", "plan", "segment", "airline", "category", "country", "market", "tier",
                 "brand", "store", "department", "division", "class", "team", "priority", "version", "device",
                 "os", "city", "state", "locale", "variation", "queue", "type"}  # fmt: skip
ROLE_NAMES = {
    "role",
    "author_role",
    "sender_role",
    "speaker_role",
    "sender_type",
    "author_type",
    "speaker",
    "sender",
}
STATUS_NAMES = {"status", "state", "ticket_status"}
CREATED_WORDS = {"created", "opened", "submitted"}
RESOLVED_WORDS = {"resolved", "closed", "solved"}
MAX_SEGMENT_VALUES = 50


def tokens(name: str) -> list[str]:
    """Lower-case word tokens of a column name (snake_case, camelCase, spaces, punctuation)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return re.findall(r"[a-z0-9]+", spaced.lower())


@dataclass
class Resolved:
    """The mapping after detection, the rating scale (and why), and date order for slash dates."""

    mapping: ColumnMap
    rating_scale: str | None
    scale_note: str
    dayfirst: bool
    reasons: dict[str, str] = field(default_factory=dict)  # field -> why that column was chosen


def _string_stats(sample: pd.DataFrame, col: str) -> tuple[float, int, int]:
    """(mean length, distinct values, non-null count) of a column's string values."""
    values = sample[col]
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        return 0.0, 0, 0
    strings = values[values.map(lambda v: isinstance(v, str))] if values.dtype == object else values.dropna()
    strings = strings.astype("str").str.strip()
    strings = strings[strings != ""]
    if strings.empty:
        return 0.0, 0, 0
    numeric = pd.to_numeric(strings.head(200), errors="coerce").notna().mean()
    if numeric > 0.9:
        return 0.0, 0, 0
    return float(strings.str.len().mean()), int(strings.nunique()), len(strings)


def _parses_as(sample: pd.DataFrame, col: str, kind: str) -> bool:
    values = sample[col].head(500)
    if kind == "date":
        if pd.api.types.is_numeric_dtype(values.dtype):
            return False
        dates, bad = parse_dates(values)
        return (
            bool(dates.notna().sum() >= max(1, 0.5 * (dates.notna().sum() + bad.sum())))
            or values.isna().all()
        )
    numbers, present = parse_numbers(values)
    return bool(present.sum() == 0 or numbers[present].notna().mean() >= 0.8)


class _Detector:
    def __init__(
        self, columns: list[str], sample: pd.DataFrame, preset: Preset | None, prefer: str | None = None
    ) -> None:
        self.columns, self.sample, self.preset = columns, sample, preset
        self.prefer = prefer + "." if prefer else None  # exploded rows: prefer the element's own columns
        self.used: set[str] = set()
        self.toks = {c: set(tokens(c)) for c in columns}
        self.joined = {c: "_".join(tokens(c)) for c in columns}

    def free(self) -> list[str]:
        return [c for c in self.columns if c not in self.used]

    def text(self, prefer: str | None = None) -> tuple[str | None, str]:
        """The text column and why: a text-like name (longest values), an open question, else longest strings."""
        hints = self.preset.text_hints if self.preset else ()
        cands = [c for c in self.free() if ((self.toks[c] & TEXT_WORDS or self.joined[c] in hints)
                 and not self.toks[c] & NOT_TEXT) or is_open_question(c)]  # fmt: skip
        if prefer and any(c.startswith(prefer + ".") for c in cands):
            cands = [c for c in cands if c.startswith(prefer + ".")]
        stats = {c: _string_stats(self.sample, c) for c in cands}
        if len(self.sample):
            cands = [c for c in cands if stats[c][2] > 0 or self.sample[c].isna().all()]
            if cands:
                best = max(cands, key=lambda c: (stats[c][0], c == "text"))
                why = (
                    "an open question"
                    if is_open_question(best) and not self.toks[best] & TEXT_WORDS
                    else ("name says text/comment/review…")
                )
                return best, f"{why}; longest values ({stats[best][0]:.0f} chars on average)"
            lengths = {c: _string_stats(self.sample, c)[0] for c in self.free()}
            best = max(lengths, key=lambda c: lengths[c], default=None)
            if best is not None and lengths[best] >= 10:
                return (
                    best,
                    f"no text-like name; the longest string values ({lengths[best]:.0f} chars on average)",
                )
            return None, ""
        exact = [c for c in cands if self.joined[c] in ("text", *hints)]
        return (exact or cands or [None])[0], "name says text (no data rows to check)"

    def question_rating(self) -> tuple[str | None, str | None]:
        """A survey rating question (recommend 0-10, satisfied 1-5, easy 1-7, rating 1-5) with fitting values."""
        order = {"nps": 0, "csat": 1, "ces": 2, "stars": 3}
        found = []
        for c in self.free():
            scale = question_scale(c)
            if scale is None or not len(self.sample) or not _parses_as(self.sample, c, "number"):
                continue
            numbers = parse_numbers(self.sample[c])[0]
            lo, hi = RATING_RANGES[scale]
            inside = numbers.dropna().between(lo, hi)
            # the question is strong evidence; a few stray answers are rejected later as out of range
            if len(inside) and inside.mean() > 0.5:
                found.append((order[scale], self.columns.index(c), c, scale))
        if not found:
            return None, None
        _, _, col, scale = min(found)
        return col, scale

    def known(self, names: tuple[str, ...], shared: bool = False) -> str | None:
        """The first of a preset's known column names present (exact, then case-insensitive); `shared`: even if used."""
        free = self.columns if shared else self.free()
        lower = {c.lower(): c for c in free}
        return next((n for n in names if n in free), None) or next(
            (lower[n.lower()] for n in names if n.lower() in lower), None
        )

    def by_rank(
        self, words: set[str], exclude: set[str], check: str | None, hints: tuple[str, ...] = ()
    ) -> str | None:
        cands = [
            c
            for c in self.free()
            if (self.toks[c] & words or self.joined[c] in hints) and not self.toks[c] & exclude
        ]
        cands.sort(key=lambda c: (self.joined[c] not in hints, bool(self.prefer) and not c.startswith(self.prefer),
                                  self.joined[c] not in words))  # fmt: skip
        for c in cands:
            if check is None or not len(self.sample) or _parses_as(self.sample, c, check):
                return c
        return None

    def ident(self) -> str | None:
        hints = self.preset.id_hints if self.preset else ()
        cands = [
            c for c in self.free()
            if (self.joined[c] in ("id", "uuid", "guid", *hints) or (self.toks[c] and tokens(c)[-1] == "id"))
            and not self.toks[c] & NOT_ID
        ]  # fmt: skip
        cands.sort(key=lambda c: (self.joined[c] not in hints, self.joined[c] != "id"))
        for c in cands:
            values = self.sample[c].dropna()
            values = values[values.astype("str").str.strip() != ""]
            if values.nunique() >= 0.95 * len(values) and len(values) >= 0.9 * len(self.sample):
                return c
        return None

    def typed_date(self) -> str | None:
        """The first column holding native datetimes (Parquet timestamps, Excel dates)."""
        for c in self.free():
            values = self.sample[c].dropna()
            if pd.api.types.is_datetime64_any_dtype(values.dtype) or (
                len(values) and values.dtype == object and values.map(lambda v: hasattr(v, "year")).all()
            ):
                return c
        return None

    def named(self, names: set[str]) -> str | None:
        return next((c for c in self.free() if self.joined[c] in names), None)

    def segments(self) -> list[str]:
        hints = set(self.preset.segment_hints) if self.preset else set()
        out = []
        n = len(self.sample)
        for c in self.free():
            mean_len, distinct, nonnull = _string_stats(self.sample, c)
            if self.toks[c] & (
                {"id", "date", "time", "email", "phone", "url", "name", "subject", "title"} | TEXT_WORDS
            ):
                continue
            named = bool(self.toks[c] & (SEGMENT_WORDS | hints)) and (
                n == 0 or (0 < distinct <= MAX_SEGMENT_VALUES and nonnull >= 0.01 * n)
            )
            low_card = (2 <= distinct <= MAX_SEGMENT_VALUES and distinct <= 0.5 * nonnull
                        and nonnull >= 0.1 * n and mean_len <= 60)  # fmt: skip
            if named or low_card:
                out.append(c)
        return out


def detect_text_column(columns: list[str], sample: pd.DataFrame, preset: Preset | None) -> str | None:
    """The column detection would read as text, or None (used to choose a workbook sheet)."""
    return _Detector(columns, sample, preset).text()[0]


def resolve(
    columns: list[str], sample: pd.DataFrame, cfg: InputConfig, preset: Preset | None, where: str
) -> Resolved:
    """Resolve the column mapping (config, then the preset's known columns, then detection) and the rating scale."""
    given = cfg.columns
    available = ", ".join(columns) or "(none)"
    for fld in ColumnMap.model_fields:
        value = getattr(given, fld)
        for name in value if isinstance(value, list) else [value]:
            if name is not None and name not in columns:
                raise InputError(
                    f"{where}: column '{name}' (columns.{fld}) does not exist; available columns: {available}. "
                    "Fix the name in the pipeline config (or the --text/--date option)."
                )
    det = _Detector(columns, sample, preset, cfg.explode)
    det.used.update(v for f in ColumnMap.model_fields if f != "segments" and (v := getattr(given, f)))
    det.used.update(given.segments or [])
    m = given.model_copy()
    why = {f: "from config" for f in ColumnMap.model_fields if getattr(m, f)}

    def take(fld: str, col: str | None, reason: str) -> None:
        if col:
            setattr(m, fld, col)
            det.used.add(col)
            why[fld] = reason

    known = preset.columns if preset else {}
    for fld, names in known.items():
        if fld == "segments" and m.segments is None:
            segs = [c for c in names if c in det.free()]
            if segs:
                m.segments = segs
                det.used.update(segs)
                why[fld] = f"{preset.name} preset"  # type: ignore[union-attr]
        elif fld != "segments" and getattr(m, fld) is None:
            take(fld, det.known(names, fld in ("created", "resolved")), f"{preset.name} preset")  # type: ignore[union-attr]
    if m.text is None:
        col, reason = det.text(cfg.explode)
        if col is None:
            rows = "it has no data rows, and " if sample.empty else ""
            raise InputError(
                f"{where}: no text column could be detected ({rows}no column is named like text/review/comment/"
                f"body/message/feedback); available columns: {available}. Name it with --text COLUMN "
                "(columns.text in the pipeline YAML)."
            )
        take("text", col, reason)
    tickets = bool(preset and preset.ticket_fields)
    if tickets:
        if m.role is None:
            take("role", det.named(ROLE_NAMES), "role-like name")
        if m.status is None:
            take("status", det.named(STATUS_NAMES), "status-like name")
        if m.created is None:
            take(
                "created",
                det.by_rank(CREATED_WORDS, {"by", "id"}, "date"),
                "name says created; values are dates",
            )
        if m.resolved is None:
            take(
                "resolved",
                det.by_rank(RESOLVED_WORDS, {"by", "id"}, "date"),
                "name says resolved; values are dates",
            )
    if m.date is None:
        take(
            "date", det.by_rank(DATE_WORDS, NOT_DATE, "date"), "name says date/created; values parse as dates"
        )
        if m.date is None and tickets and m.created:
            take("date", m.created, "the created column")
        if m.date is None:
            take("date", det.typed_date(), "holds native date values")
    q_scale = None
    if m.rating is None and (preset is None or preset.detect_rating):
        col, q_scale = det.question_rating()
        take("rating", col, f"the question asks for a {q_scale} score")
        if m.rating is None:
            hints = preset.rating_hints if preset else ()
            take(
                "rating",
                det.by_rank(RATING_WORDS, NOT_RATING, "number", hints),
                "name says rating/score; values are numbers",
            )
    if m.id is None:
        take("id", det.ident(), "name ends in id; values are unique")
    if m.channel is None:
        take("channel", det.by_rank(CHANNEL_WORDS, {"id", "url"}, None), "name says channel/source/platform")
    if m.segments is None:
        m.segments = det.segments()
        if m.segments:
            why["segments"] = f"few distinct values (at most {MAX_SEGMENT_VALUES}) or a segment-like name"
    if q_scale and not cfg.rating_scale and m.rating and why.get("rating", "").startswith("the question"):
        scale, note = q_scale, "from the question text"
    else:
        scale, note = _scale(m.rating, sample, cfg, preset)
    dayfirst = bool(m.date and len(sample) and sniff_dayfirst(sample[m.date]))
    return Resolved(m, scale, note, dayfirst, why)


def _scale(
    col: str | None, sample: pd.DataFrame, cfg: InputConfig, preset: Preset | None
) -> tuple[str | None, str]:
    if col is None:
        return None, ""
    if cfg.rating_scale:
        return cfg.rating_scale, "from config"
    by_name = next((SCALE_BY_NAME[t] for t in tokens(col) if t in SCALE_BY_NAME), None)
    if by_name:
        return by_name, "from the column name"
    numbers = parse_numbers(sample[col])[0] if len(sample) else pd.Series(dtype=float)
    by_values = infer_scale_from_values(numbers)
    if preset and preset.rating_scale:
        if fits_scale(numbers, preset.rating_scale) or by_values is None:
            return preset.rating_scale, f"{preset.name} preset"
        return by_values, f"values fit {by_values}, not the {preset.name} preset's {preset.rating_scale}"
    if by_values:
        return by_values, "inferred from the values"
    return None, "unknown: set rating_scale (stars|nps|csat|ces) or a --preset"


def describe(m: ColumnMap, scale: str | None, note: str, channel_default: str | None) -> str:
    """One line saying which column feeds which field, e.g. 'text=review, date=created_at, rating=stars (...)'."""
    dash = "—"
    rating = dash
    if m.rating:
        if scale:
            lo, hi = RATING_RANGES[scale]
            rating = f"{m.rating} ({scale} {lo:g}-{hi:g}, {note})"
        else:
            rating = f"{m.rating} (scale {note})"
    channel = m.channel or (f"{dash} ({channel_default})" if channel_default else dash)
    parts = [f"text={m.text}", f"date={m.date or dash}", f"rating={rating}", f"id={m.id or dash}",
             f"channel={channel}", f"segments={','.join(m.segments or []) or dash}"]  # fmt: skip
    for fld in ("role", "status", "created", "resolved"):
        if getattr(m, fld):
            parts.append(f"{fld}={getattr(m, fld)}")
    return ", ".join(parts)


__all__ = ["Resolved", "as_text", "describe", "detect_text_column", "resolve", "tokens"]
