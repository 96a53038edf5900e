"""Per-document export with every prediction column, streamed from the store in batches."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from voc.errors import VocError
from voc.export.safety import neutralise_frame

DOCUMENT_FORMATS = ("csv", "parquet", "xlsx")
BATCH_ROWS = 50_000
XLSX_MAX_ROWS = 1_048_575


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists and dicts become JSON text, so every format holds the same readable cells."""
    for col in frame.columns:
        if frame[col].map(lambda v: isinstance(v, (list, dict, tuple))).any():
            frame[col] = frame[col].map(lambda v: json.dumps(list(v) if isinstance(v, tuple) else v)
                                        if isinstance(v, (list, dict, tuple)) else v)
    return frame


def export_documents(store_path: Path, fmt: str, out: Path) -> Path:
    """Write documents joined with predictions to `out` as csv, parquet or xlsx, batch by batch."""
    from voc.store import Store

    store = Store(store_path, read_only=True)
    if fmt == "xlsx" and store.count("documents") > XLSX_MAX_ROWS:
        raise VocError(f"{store.count('documents'):,} documents do not fit one XLSX sheet; export csv or parquet.")
    out.parent.mkdir(parents=True, exist_ok=True)
    batches = (_flat(b.to_pandas()) for b in store.iter_documents(BATCH_ROWS))
    if fmt == "parquet":
        writer = None
        for frame in batches:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            writer = writer or pq.ParquetWriter(out, table.schema)
            writer.write_table(table.cast(writer.schema))
        if writer:
            writer.close()
    elif fmt == "csv":
        header = True
        with open(out, "w", encoding="utf-8", newline="") as fh:
            for frame in batches:
                neutralise_frame(frame).to_csv(fh, index=False, header=header)
                header = False
    else:
        _write_xlsx(batches, out)
    return out


def _write_xlsx(batches, out: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("documents")
    rows = 0
    for frame in batches:
        frame = neutralise_frame(frame)
        if rows == 0:
            ws.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            ws.append([_cell(v) for v in record])
            rows += 1
    wb.save(out)


def _cell(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_convert(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    return value
