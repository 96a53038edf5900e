"""Chunked readers for typed tables: Parquet (row batches) and in-memory DataFrames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from voc.errors import InputError
from voc.ingest.readers import RawChunk, header_names


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
