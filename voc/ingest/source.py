"""Source: one opened input (file or DataFrame) with its resolved column mapping, yielding IngestBatches."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pandas as pd

from voc.config import ColumnMap, InputConfig
from voc.errors import InputError
from voc.ingest.build import BuildContext, IngestBatch, build_batch
from voc.ingest.json_records import JsonLinesReader, JsonReader
from voc.ingest.mapping import describe, detect_text_column, resolve
from voc.ingest.presets import Preset, get_preset
from voc.ingest.readers import DelimitedReader, RawChunk
from voc.ingest.sniff import check_file, detect_encoding, detect_format, estimate_rows
from voc.ingest.tabular import FrameReader, ParquetReader
from voc.ingest.workbook import XlsxReader

log = logging.getLogger(__name__)


SAMPLE_ROWS = 5_000  # rows read at open time to detect columns, rating scale and date order


class _Reader(Protocol):
    columns: list[str]
    chunk_size: int

    def chunks(self, keep: list[str] | None = None) -> Iterator[RawChunk]: ...


class Source:
    """An input validated at open time: its mapping, rating scale and a restartable stream of batches."""

    def __init__(
        self, name: str, path: Path | None, fmt: str, encoding: str | None, reader: _Reader, cfg: InputConfig
    ) -> None:
        self.name, self.path, self.format, self.encoding = name, path, fmt, encoding
        self._reader, self._cfg = reader, cfg
        self.preset = get_preset(cfg.preset)
        where = str(path) if path is not None else name
        sample = self._sample()
        resolved = resolve(reader.columns, sample, cfg, self.preset, where)
        self.mapping: ColumnMap = resolved.mapping
        self.reasons = resolved.reasons
        self.sample = sample
        self.notes: list[str] = list(getattr(reader, "notes", []))
        self.header_rows: int = getattr(reader, "header_rows", 0)
        self.role_equals = self._role_rule(cfg)
        self.rating_scale: str | None = resolved.rating_scale
        self.scale_note = resolved.scale_note
        self._dayfirst = resolved.dayfirst
        self.repaired_rows = 0
        if self.mapping.rating and self.rating_scale is None:
            log.warning(
                "%s: rating column '%s' has no known scale; its rated rows will be rejected as "
                "unknown_rating_scale. Set rating_scale (stars|nps|csat|ces) or use a --preset.",
                where, self.mapping.rating,
            )  # fmt: skip
        if self.mapping.role and len(sample):
            roles = sample[self.mapping.role].dropna().astype("str").str.strip().str.lower()
            if not roles.isin(self._customer_roles()).any():
                log.warning(
                    "%s: no value of role column '%s' in the first rows is a customer role (%s; seen: %s), "
                    "so those turns will be rejected as not_customer_turn; set customer_roles to match.",
                    where, self.mapping.role, ", ".join(cfg.customer_roles), ", ".join(roles.unique()[:5]),
                )  # fmt: skip
        log.info("%s: %s", where, self.describe())

    def _customer_roles(self) -> frozenset[str]:
        extra = self.preset.customer_roles if self.preset else ()
        return frozenset(r.strip().lower() for r in [*self._cfg.customer_roles, *extra])

    def _role_rule(self, cfg: InputConfig) -> tuple[str, str] | None:
        """(author, requester) columns when the preset marks customer turns by author == requester."""
        rule = self.preset.role_equals if self.preset else None
        if self.mapping.role or cfg.columns.role or rule is None:
            return None
        if all(c in self._reader.columns for c in rule):
            self.reasons["role"] = f"customer turn when {rule[0]} = {rule[1]} ({self.preset.name} preset)"  # type: ignore[union-attr]
            return rule
        return None

    def _sample(self) -> pd.DataFrame:
        full = self._reader.chunk_size
        self._reader.chunk_size = min(full, SAMPLE_ROWS)
        chunks = self._reader.chunks(None)
        try:
            first = next(chunks, None)
        finally:
            chunks.close()  # type: ignore[attr-defined]
            self._reader.chunk_size = full
        # the sample held every row when the first chunk came back short
        self.sample_complete = first is None or first.read < min(full, SAMPLE_ROWS)
        if first is None:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in self._reader.columns})
        return first.frame

    def describe(self) -> str:
        """One line: which column feeds which field, and the rating scale."""
        channel = self.preset.channel if self.preset else None
        head = f"{self.name} ({self.format}{', ' + self.encoding if self.encoding else ''}): "
        line = head + describe(self.mapping, self.rating_scale, self.scale_note, channel)
        if self.role_equals:
            line += f", role={self.role_equals[0]}={self.role_equals[1]}"
        return line + (f" — {'; '.join(self.notes)}" if self.notes else "")  # no brackets: rich markup

    @property
    def row_estimate(self) -> int | None:
        """Data rows expected (exact for JSON, DataFrames, Parquet and small sheets; estimated for text files)."""
        known = getattr(self._reader, "row_estimate", None)
        if known is not None:
            return int(known)
        if self.sample_complete or self.format == "dataframe":
            return len(self.sample)
        if self.path is not None and self.format in ("csv", "tsv", "jsonl"):
            headers = 1 + self.header_rows if self.format != "jsonl" else 0
            return max(estimate_rows(self.path) - headers, len(self.sample))
        return None

    def _needed(self) -> list[str]:
        m = self.mapping
        cols = [
            *(self.role_equals or ()),
            m.text,
            m.date,
            m.rating,
            m.id,
            m.channel,
            m.role,
            m.status,
            m.created,
            m.resolved,
            *(m.segments or []),
        ]
        seen: dict[str, None] = {}
        for c in cols:
            if c:
                seen.setdefault(c, None)
        return list(seen)

    def batches(self, skip_rows: int = 0) -> Iterator[IngestBatch]:
        """Stream the input as IngestBatches of at most chunk_size rows each (restartable).

        `skip_rows` (a resume checkpoint, a whole number of chunks) skips the first data rows unvalidated.
        """
        cfg = self._cfg
        ctx = BuildContext(
            source=self.name,
            mapping=self.mapping,
            rating_scale=self.rating_scale,
            channel=self.preset.channel if self.preset else None,
            date_format=cfg.date_format,
            dayfirst=self._dayfirst,
            max_text_chars=cfg.max_text_chars,
            customer_roles=self._customer_roles(),
            role_equals=self.role_equals,
            channel_values=self.preset.channel_values if self.preset else {},
        )
        read = accepted = repaired = 0
        skipped = 0
        for chunk in self._reader.chunks(self._needed()):
            if skipped < skip_rows:
                skipped += chunk.read
                repaired += chunk.repaired
                if skipped > skip_rows:
                    raise InputError(
                        f"{self.name}: cannot resume at row {skip_rows}: it is not at a chunk boundary "
                        f"(chunk_size {self._reader.chunk_size}); resume with the chunk_size of the first attempt."
                    )
                continue
            batch = build_batch(chunk, ctx)
            read += batch.read
            accepted += len(batch.frame)
            repaired += chunk.repaired
            yield batch
        self.repaired_rows = repaired
        if repaired:
            log.warning(
                "%s: %d rows held bytes invalid in %s; those bytes were decoded as cp1252 instead.",
                self.name, repaired, self.encoding,
            )  # fmt: skip
        log.info("%s: read %d rows, accepted %d, rejected %d", self.name, read, accepted, read - accepted)


def open_source(cfg: InputConfig) -> Source:
    """Open the file cfg.path: sniff format and encoding, resolve columns; raises InputError before any batch."""
    if cfg.path is None:
        raise InputError(
            "No input path given; pass --input FILE (or `path:` under inputs in the pipeline YAML)."
        )
    path = Path(cfg.path)
    fmt = detect_format(path, cfg.format)
    head = check_file(path, fmt)
    encoding = None
    reader: _Reader
    if fmt in ("csv", "tsv", "json", "jsonl"):
        encoding = detect_encoding(path, head, cfg.encoding)
    try:
        if fmt in ("csv", "tsv"):
            reader = DelimitedReader(path, encoding or "utf-8", fmt, cfg.chunk_size)
        elif fmt == "jsonl":
            reader = JsonLinesReader(path, encoding or "utf-8", cfg.chunk_size, cfg.records_path, cfg.explode)
        elif fmt == "json":
            reader = JsonReader(path, encoding or "utf-8", cfg.chunk_size, cfg.records_path, cfg.explode)
        elif fmt == "parquet":
            reader = ParquetReader(path, cfg.chunk_size)
        else:
            reader = XlsxReader(path, cfg.chunk_size, cfg.sheet, _text_probe(get_preset(cfg.preset)))
    except UnicodeError as exc:
        raise InputError(
            f"{path}: cannot decode as {encoding} ({exc}); pass the right `encoding:`."
        ) from None
    return Source(path.name, path, fmt, encoding, reader, cfg)


def _text_probe(preset: Preset | None):  # type: ignore[no-untyped-def]
    """A check, for choosing a workbook sheet, that a header and sample rows hold a detectable text column."""

    def probe(columns: list[str], sample: pd.DataFrame) -> str | None:
        return detect_text_column(columns, sample, preset)

    return probe


def frame_source(df: pd.DataFrame, cfg: InputConfig, name: str = "dataframe") -> Source:
    """Wrap an in-memory DataFrame as a Source (rows numbered by position, 1-based)."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{name}: expected a pandas DataFrame, got {type(df).__name__}.")
    return Source(name, None, "dataframe", None, FrameReader(df, cfg.chunk_size), cfg)
