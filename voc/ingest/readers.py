"""Raw chunks and the CSV/TSV reader: rows of at most chunk_size, bad rows counted with their reason."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voc.errors import InputError
from voc.ingest.header_rows import MAX_HEADER_ROWS, detect_header_rows
from voc.ingest.sniff import DECODE_ERRORS, ESCAPES, sniff_delimiter

log = logging.getLogger(__name__)

FIELD_LIMIT = 16 << 20  # a CSV field longer than this is counted as malformed (usually an unbalanced quote)
ESCAPED = re.compile("[\udc80-\udcff]+")  # runs of escaped invalid bytes, undone by repair()
_BAD_CHARS = re.compile("[\x00\udc80-\udcff]")


def repair(text: str) -> str:
    """Re-decode bytes that were invalid in the file's encoding as cp1252 (latin-1 for its 5 holes)."""

    def fix(match: re.Match[str]) -> str:
        raw = bytes(ord(c) - 0xDC00 for c in match.group())
        return "".join(_cp(b) for b in raw)

    return ESCAPED.sub(fix, text)


def _cp(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


@dataclass
class RawChunk:
    """Raw rows of one chunk: `frame` (source column names, raw values), their 1-based row numbers, bad rows."""

    frame: pd.DataFrame
    rows: np.ndarray
    malformed: list[tuple[int, str]] = field(default_factory=list)
    repaired: int = 0

    @property
    def read(self) -> int:
        """Rows this chunk accounts for."""
        return len(self.frame) + len(self.malformed)


def header_names(raw: list[Any]) -> list[str]:
    """Header cells as unique, non-empty column names."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(raw):
        name = "" if value is None else str(value).replace("\ufeff", "").strip()
        name = name or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def rows_frame(columns: list[str], keep: list[str] | None, values: list[list[Any]]) -> pd.DataFrame:
    """A string frame of parsed rows, keeping the `keep` columns (all when None)."""
    keep = columns if keep is None else keep
    if not values:
        return pd.DataFrame({name: pd.Series([], dtype=object) for name in keep})
    index = {name: i for i, name in enumerate(columns)}
    return pd.DataFrame(
        {name: np.array(list(map(itemgetter(index[name]), values)), dtype=object) for name in keep}
    )


def _count_detail(start: int, end: int, expected: int, found: int) -> str:
    lines = f"line {start}" if end == start else f"lines {start}-{end}"
    hint = "; an unbalanced quote?" if end - start > 1 else ""
    return f"{lines}: expected {expected} fields, found {found}{hint}"


def _error_detail(start: int, end: int, exc: csv.Error) -> str:
    if "end of data" in str(exc):
        return (f"lines {start}-{end}: a quote opened here is never closed, so the rest of the file was "
                "swallowed into this row; fix the quoting")  # fmt: skip
    return f"line {start}: {exc} (an unbalanced quote or an oversized cell)"


def _next_records(reader: Iterator[list[str]], n: int) -> list[list[str]]:
    """The next n non-blank records (fewer at the end of the file or at a broken record)."""
    out: list[list[str]] = []
    try:
        while len(out) < n:
            rec = next(reader)
            if rec and any(f.strip() for f in rec):
                out.append(rec)
    except (StopIteration, csv.Error):
        pass
    return out


class _NulWatch(io.RawIOBase):
    """A raw binary file that remembers whether a NUL byte has been read (always True for UTF-16/32)."""

    def __init__(self, raw: io.BufferedReader, always: bool = False) -> None:
        self._raw, self.seen = raw, always

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        n = self._raw.readinto(buffer)
        if n and not self.seen and b"\x00" in memoryview(buffer)[:n].tobytes():
            self.seen = True
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class DelimitedReader:
    """CSV/TSV streamed through the csv module; wrong field counts and broken quotes become malformed rows."""

    def __init__(self, path: Path, encoding: str, fmt: str, chunk_size: int) -> None:
        self.path, self.encoding, self.chunk_size = path, encoding, chunk_size
        if csv.field_size_limit() < FIELD_LIMIT:
            csv.field_size_limit(FIELD_LIMIT)
        with self._open() as fh:
            first = ""
            for first in fh:
                if first.strip():
                    break
            self.delimiter = sniff_delimiter(first, fmt)
            reader = csv.reader(itertools.chain([first], fh), delimiter=self.delimiter)
            try:
                header = next(reader, [])
            except csv.Error as exc:
                raise InputError(f"{path}: cannot read the header line ({exc}); check the file.") from None
            following = _next_records(reader, MAX_HEADER_ROWS - 1)
        if not any(h.strip() for h in header):
            raise InputError(f"{path}: no header line found; the first non-blank line must name the columns.")
        names, self.header_rows = detect_header_rows([header, *following])
        self.columns = header_names(names)
        self.notes = [f"{self.header_rows} extra header row(s) skipped"] if self.header_rows else []

    def _open(self) -> io.TextIOWrapper:
        return open(self.path, encoding=self.encoding, errors=DECODE_ERRORS, newline="")

    def _open_watched(self) -> tuple[io.TextIOWrapper, _NulWatch]:
        raw = _NulWatch(open(self.path, "rb"), always=codecs.lookup(self.encoding).name.startswith("utf-16")  # noqa: SIM115
                        or codecs.lookup(self.encoding).name.startswith("utf-32"))  # fmt: skip
        text = io.TextIOWrapper(
            io.BufferedReader(raw, 1 << 16), encoding=self.encoding, errors=DECODE_ERRORS, newline=""
        )
        return text, raw

    def chunks(self, keep: list[str] | None = None) -> Iterator[RawChunk]:
        """Yield RawChunks of up to chunk_size rows (blank lines are not rows)."""
        ncols = len(self.columns)
        fh, watch = self._open_watched()
        escapes = ESCAPES[0]
        with fh:
            reader = csv.reader(fh, delimiter=self.delimiter, strict=True)
            while True:  # skip to the header record
                head = next(reader)
                if head and any(h.strip() for h in head):
                    break
            _next_records(reader, self.header_rows)
            good: list[list[str]] = []
            nums: list[int] = []
            bad: list[tuple[int, str]] = []
            row, last, limit = 0, reader.line_num, self.chunk_size
            while True:
                try:
                    for rec in reader:
                        if len(rec) == ncols:  # the fast path
                            row += 1
                            good.append(rec)
                            nums.append(row)
                        elif rec and (len(rec) > 1 or rec[0].strip()):
                            row += 1
                            if len(rec) > ncols and not any(f.strip() for f in rec[ncols:]):
                                good.append(rec[:ncols])
                                nums.append(row)
                            else:
                                bad.append((row, _count_detail(last + 1, reader.line_num, ncols, len(rec))))
                        last = reader.line_num
                        if len(good) + len(bad) >= limit:
                            yield self._chunk(good, nums, bad, keep, watch.seen or ESCAPES[0] != escapes)
                            good, nums, bad = [], [], []
                    break
                except csv.Error as exc:
                    row += 1
                    bad.append((row, _error_detail(last + 1, reader.line_num, exc)))
                    last = reader.line_num
            if good or bad:
                yield self._chunk(good, nums, bad, keep, watch.seen or ESCAPES[0] != escapes)

    def _chunk(
        self,
        good: list[list[str]],
        nums: list[int],
        bad: list[tuple[int, str]],
        keep: list[str] | None,
        dirty: bool,
    ) -> RawChunk:
        """Build a chunk; once a NUL byte or an undecodable byte has been read (dirty), scan the rows for them."""
        repaired = 0
        if good and dirty and _BAD_CHARS.search("\x1f".join(itertools.chain.from_iterable(good))):
            kept_rows, kept_nums = [], []
            for rec, num in zip(good, nums, strict=True):
                joined = "\x1f".join(rec)
                if "\x00" in joined:
                    bad.append((num, "row contains NUL bytes (binary data inside a text file)"))
                    continue
                if ESCAPED.search(joined):
                    rec = [repair(f) for f in rec]
                    repaired += 1
                kept_rows.append(rec)
                kept_nums.append(num)
            good, nums = kept_rows, kept_nums
            bad.sort()
        frame = rows_frame(self.columns, keep, good)
        return RawChunk(frame, np.asarray(nums, dtype=np.int64), bad, repaired)
