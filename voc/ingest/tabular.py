"""Chunked readers for typed tables: Parquet (row batches), XLSX (read-only rows) and in-memory DataFrames."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voc.errors import InputError
from voc.ingest.readers import RawChunk, rows_frame, header_names


class ParquetReader:
    """Parquet streamed with pyarrow iter_batches, reading only the needed columns."""

    def __init__(self, path: Path, chunk_size: int) -> None:
        import pyarrow.parquet as pq

        self.path, self.chunk_size = path, chunk_size
        try:
            self._file = pq.ParquetFile(path)
        except (
            OSError,
            ValueError,
        ) as exc:  # pyarrow's ArrowInvalid is a ValueError, ArrowIOError an OSError
            raise InputError(
                f"{path}: cannot open as Parquet ({exc}); check the file or pass --format."
            ) from None
        self._names = list(self._file.schema_arrow.names)
        self.columns = header_names(self._names)

    def chunks(self, keep: list[str] | None = None) -> Iterator[RawChunk]:
        """Yield RawChunks of up to chunk_size rows."""
        keep = self.columns if keep is None else keep
        by_name = dict(zip(self.columns, self._names, strict=True))
        wanted = [by_name[c] for c in keep]
        row = 0
        try:
            for batch in self._file.iter_batches(batch_size=self.chunk_size, columns=wanted):
                frame = batch.to_pandas()
                frame.columns = keep
                n = len(frame)
                yield RawChunk(frame.reset_index(drop=True), np.arange(row + 1, row + n + 1, dtype=np.int64))
                row += n
        except OSError as exc:
            raise InputError(f"{self.path}: Parquet data is corrupt after row {row} ({exc}).") from None


class XlsxReader:
    """The first worksheet of an XLSX workbook, read row by row with openpyxl read-only mode."""

    def __init__(self, path: Path, chunk_size: int) -> None:
        self.path, self.chunk_size = path, chunk_size
        with self._rows() as (rows, sheet):
            header = next(rows, None)
            if header is None:
                raise InputError(
                    f"{path}: the workbook's first sheet '{sheet}' is empty (no header row, no data); "
                    "put the column names in its first row."
                )
        self.columns = header_names(list(header))

    def _rows(self) -> _Rows:
        return _Rows(self.path)

    def chunks(self, keep: list[str] | None = None) -> Iterator[RawChunk]:
        """Yield RawChunks of up to chunk_size non-empty rows."""
        ncols = len(self.columns)
        with self._rows() as (rows, _sheet):
            next(rows, None)
            good: list[list[Any]] = []
            nums: list[int] = []
            bad: list[tuple[int, str]] = []
            for row, raw in enumerate(rows, start=1):
                values = list(raw)
                if len(values) > ncols:
                    extra = values[ncols:]
                    if any(v is not None and str(v).strip() for v in extra):
                        bad.append((row, f"data row {row}: values beyond the {ncols} named columns"))
                        values = None  # type: ignore[assignment]
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


class _Rows:
    """Context manager over the non-empty rows of a workbook's first sheet."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> tuple[Iterator[tuple[Any, ...]], str]:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise InputError(
                f"{self.path}: cannot open as an XLSX workbook ({exc}); re-save it from Excel."
            ) from None
        if not self._wb.worksheets:
            raise InputError(f"{self.path}: the workbook has no worksheets.")
        sheet = self._wb.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        rows = (r for r in sheet.iter_rows(values_only=True) if any(_filled(v) for v in r))
        return rows, sheet.title

    def __exit__(self, *exc: object) -> None:
        self._wb.close()


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


class FrameReader:
    """An in-memory DataFrame sliced into chunks; row numbers are positions (1-based)."""

    def __init__(self, df: pd.DataFrame, chunk_size: int) -> None:
        self.chunk_size = chunk_size
        self.columns = header_names(list(df.columns))
        self._df = df.set_axis(self.columns, axis=1).reset_index(drop=True)

    def chunks(self, keep: list[str] | None = None) -> Iterator[RawChunk]:
        """Yield RawChunks of up to chunk_size rows."""
        df = self._df if keep is None else self._df[keep]
        for start in range(0, len(df), self.chunk_size):
            part = df.iloc[start : start + self.chunk_size].reset_index(drop=True)
            yield RawChunk(part, np.arange(start + 1, start + len(part) + 1, dtype=np.int64))
