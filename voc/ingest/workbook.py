"""XLSX workbooks: look at every sheet's header cheaply, pick the sheet holding the feedback, read it in chunks."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voc.errors import InputError
from voc.ingest.header_rows import detect_header_rows
from voc.ingest.readers import RawChunk, header_names, rows_frame

PROBE_ROWS = 50  # rows per sheet read to decide whether it has a text column

TextProbe = Callable[[list[str], pd.DataFrame], "str | None"]


@dataclass
class SheetInfo:
    """What a cheap look at one sheet found: its header, header rows, rough row count and text column."""

    index: int
    title: str
    columns: list[str]
    header_rows: int
    rows: int
    text: str | None


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _open(path: Path):  # type: ignore[no-untyped-def]
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot open as an XLSX workbook ({exc}); re-save it from Excel.") from None


def _rows(sheet) -> Iterator[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    return (r for r in sheet.iter_rows(values_only=True) if any(_filled(v) for v in r))


def _probe(index: int, sheet, text_probe: TextProbe | None) -> SheetInfo:  # type: ignore[no-untyped-def]
    declared = sheet.max_row if sheet.max_row else None
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    head: list[list[Any]] = []
    for raw in _rows(sheet):
        head.append(list(raw))
        if len(head) > PROBE_ROWS:
            break
    if not head:
        return SheetInfo(index, sheet.title, [], 0, 0, None)
    texts = [["" if v is None else str(v) for v in r] for r in head[:4]]
    names, extra = detect_header_rows(texts)
    columns = header_names(names)
    body = head[1 + extra :]
    width = len(columns)
    frame = pd.DataFrame([(r + [None] * width)[:width] for r in body], columns=columns, dtype=object)
    text = text_probe(columns, frame) if text_probe else None
    rows = max((declared or 0) - 1 - extra, len(body)) if len(head) > PROBE_ROWS else len(body)
    return SheetInfo(index, sheet.title, columns, extra, rows, text)


def choose_sheet(sheets: list[SheetInfo], wanted: str | int | None, path: Path) -> SheetInfo:
    """The sheet named or numbered (1-based) by `wanted`, else the one with a text column and the most rows."""
    names = ", ".join(f"'{s.title}'" for s in sheets)
    if wanted is not None:
        by_name = [s for s in sheets if s.title == str(wanted)]
        if by_name:
            return by_name[0]
        if str(wanted).isdigit() and 1 <= int(wanted) <= len(sheets):
            return sheets[int(wanted) - 1]
        raise InputError(
            f"{path}: no sheet '{wanted}'; the sheets are {names} (or a number 1-{len(sheets)})."
        )
    usable = [s for s in sheets if s.text is not None]
    if not usable:
        raise InputError(
            f"{path}: no sheet has a text column (sheets: {names}); name the sheet with --sheet NAME "
            "and the column with --text COLUMN."
        )
    return max(usable, key=lambda s: (s.rows, -s.index))


def _rows_word(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


class XlsxReader:
    """One worksheet of an XLSX workbook (chosen, or given by `sheet`), read row by row in read-only mode."""

    def __init__(
        self, path: Path, chunk_size: int, sheet: str | int | None = None, text_probe: TextProbe | None = None
    ) -> None:
        self.path, self.chunk_size = path, chunk_size
        wb = _open(path)
        try:
            if not wb.worksheets:
                raise InputError(f"{path}: the workbook has no worksheets.")
            infos = [_probe(i, ws, text_probe) for i, ws in enumerate(wb.worksheets)]
        finally:
            wb.close()
        if len(infos) == 1 and sheet is None:
            chosen = infos[0]
        else:
            chosen = choose_sheet(infos, sheet, path)
        if not chosen.columns:
            raise InputError(
                f"{path}: the workbook's sheet '{chosen.title}' is empty (no header row, no data); "
                "put the column names in its first row."
            )
        self.sheet, self.columns, self.header_rows = chosen.title, chosen.columns, chosen.header_rows
        self.row_estimate = chosen.rows
        self._index = chosen.index
        skipped = [f"'{s.title}' ({'no text column' if s.text is None else _rows_word(s.rows)})"
                   for s in infos if s.index != chosen.index]  # fmt: skip
        self.notes = [f"sheet '{chosen.title}'" + (f"; skipped {', '.join(skipped)}" if skipped else "")]
        if self.header_rows:
            self.notes.append(f"{self.header_rows} extra header row(s) skipped")

    def chunks(self, keep: list[str] | None = None) -> Iterator[RawChunk]:
        """Yield RawChunks of up to chunk_size non-empty rows."""
        ncols = len(self.columns)
        wb = _open(self.path)
        try:
            ws = wb.worksheets[self._index]
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            rows = _rows(ws)
            for _ in range(1 + self.header_rows):
                next(rows, None)
            good: list[list[Any]] = []
            nums: list[int] = []
            bad: list[tuple[int, str]] = []
            for row, raw in enumerate(rows, start=1):
                values: list[Any] | None = list(raw)
                if len(values) > ncols:
                    if any(_filled(v) for v in values[ncols:]):
                        bad.append((row, f"data row {row}: values beyond the {ncols} named columns"))
                        values = None
                    else:
                        values = values[:ncols]
                if values is not None:
                    good.append(values + [None] * (ncols - len(values)))
                    nums.append(row)
                if len(good) + len(bad) >= self.chunk_size:
                    yield RawChunk(rows_frame(self.columns, keep, good), np.asarray(nums, dtype=np.int64), bad)
                    good, nums, bad = [], [], []
            if good or bad:
                yield RawChunk(rows_frame(self.columns, keep, good), np.asarray(nums, dtype=np.int64), bad)
        finally:
            wb.close()
