"""Per-document export with every prediction column, streamed from the store in batches."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from voc.errors import VocError
from voc.export.safety import neutralise_frame
from voc.insights.filters import Filter

DOCUMENT_FORMATS = ("csv", "parquet", "xlsx")
BATCH_ROWS = 50_000
XLSX_MAX_ROWS = 1_048_575


def _json_cell(value):
    if isinstance(value, (list, dict, tuple)) or (hasattr(value, "tolist") and not isinstance(value, str)):
        return json.dumps(value.tolist() if hasattr(value, "tolist") else list(value) if isinstance(value, tuple) else value)
    return value


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists, arrays and dicts become JSON text, so every format holds the same readable cells."""
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].map(_json_cell)
    return frame


def export_documents(store_path: str | Path, fmt: str, out: Path | BinaryIO, flt: Filter | None = None) -> Path | BinaryIO:
    """Write documents with predictions matching `flt` to a path or binary stream, batch by batch."""
    from voc.store import Store

    if fmt not in DOCUMENT_FORMATS:
        raise VocError(f"Document export format {fmt!r} is unknown; use one of {', '.join(DOCUMENT_FORMATS)}.")
    where, params = (flt or Filter()).to_sql()
    store = Store(store_path, read_only=True)
    if isinstance(out, Path):
        out.parent.mkdir(parents=True, exist_ok=True)
    # Store order (DuckDB keeps insertion order); an ORDER BY would make DuckDB buffer the whole table.
    batches = (_flat(b.to_pandas()) for b in store.iter_documents(BATCH_ROWS, where=where, params=params, order_by=None))
    if fmt == "parquet":
        writer = None
        for frame in batches:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            writer = writer or pq.ParquetWriter(out, table.schema)
            writer.write_table(table.cast(writer.schema))
        if writer:
            writer.close()
    elif fmt == "csv":
        with _text(out) as fh:
            header = True
            for frame in batches:
                neutralise_frame(frame).to_csv(fh, index=False, header=header)
                header = False
    else:
        _write_xlsx(batches, out)
    return out


class _text:
    """A text stream over a path or a binary stream (left open for the caller)."""

    def __init__(self, out: Path | BinaryIO) -> None:
        self.out = out

    def __enter__(self):
        if isinstance(self.out, Path):
            self.fh = open(self.out, "w", encoding="utf-8", newline="")
        else:
            self.fh = io.TextIOWrapper(self.out, encoding="utf-8", newline="", write_through=True)
        return self.fh

    def __exit__(self, *exc) -> None:
        if isinstance(self.out, Path):
            self.fh.close()
        else:
            self.fh.detach()


def _write_xlsx(batches, out: Path | BinaryIO) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("documents")
    rows = 0
    for frame in batches:
        if rows + len(frame) > XLSX_MAX_ROWS:
            raise VocError(f"More than {XLSX_MAX_ROWS:,} documents match; export csv or parquet, or narrow the filters.")
        frame = neutralise_frame(frame)
        if rows == 0:
            ws.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            ws.append([_cell(v) for v in record])
        rows += len(frame)
    wb.save(out)


def _cell(value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_convert(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    return value
