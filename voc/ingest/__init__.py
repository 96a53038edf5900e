"""voc.ingest: read CSV/TSV/JSON/JSONL/Parquet/XLSX or a DataFrame in chunks, map columns, validate rows.

    source = open_source(InputConfig(path="reviews.csv", preset="reviews"))
    print(source.describe())
    for batch in source.batches():   # IngestBatch(frame, rejects, read); read == len(frame) + len(rejects)
        ...

Choices worth knowing:
- Blank lines (CSV/TSV/JSONL) and fully empty sheet rows are not data rows and are not counted.
- A header-only file reads 0 rows (no batch, no error) when its text column can be named; an empty (0-byte)
  or whitespace-only file is an InputError.
- Bytes invalid in the detected encoding are decoded as cp1252 instead (logged; Source.repaired_rows).
- A CSV record with the wrong field count or broken quoting is one `malformed_row`; an unclosed quote swallows
  the rest of the file into that one row (the detail says so).
- String columns of a batch use pandas' "str" dtype (missing = NaN); dates are datetime64[ns, UTC].
- A role column is used only with the tickets preset or when configured (columns.role).
"""

from __future__ import annotations

from voc.ingest.build import IngestBatch
from voc.ingest.source import Source, frame_source, open_source

__all__ = ["IngestBatch", "Source", "frame_source", "open_source"]
