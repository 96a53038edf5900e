"""The lenses' declared outputs in the store: their columns in predictions/sentences, and their record in meta.

Engines call `declare_outputs` before a run writes its first chunk: a stored output missing from its table is
added (ALTER TABLE ADD COLUMN), and the declarations (types and label sets, e.g. a custom root-cause
taxonomy's labels) are merged into `meta` under `lens_outputs`, so readers (app, exports, insights) know
every column and label set without loading a model.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from voc.errors import StoreError
from voc.store.schema import column_types

META_KEY = "lens_outputs"
TABLE_OF_LEVEL = {"document": "predictions", "sentence": "sentences"}
COLUMN_TYPES = {"VARCHAR", "DOUBLE", "INTEGER", "BIGINT", "BOOLEAN", "VARCHAR[]", "INTEGER[]", "JSON"}


def add_columns(con: duckdb.DuckDBPyConnection, outputs: list[dict[str, Any]]) -> list[str]:
    """Add each stored output's column to its table when missing; return the `table.column`s added."""
    added = []
    for out in outputs:
        if not out.get("stored", True):
            continue
        table = TABLE_OF_LEVEL.get(out["level"])
        if table is None or out["dtype"] not in COLUMN_TYPES or not out["name"].isidentifier():
            raise StoreError(
                f"lens output {out['name']!r} declares level {out['level']!r} and type {out['dtype']!r}; use a "
                f"level in {sorted(TABLE_OF_LEVEL)}, a type in {sorted(COLUMN_TYPES)} and a plain identifier name"
            )
        if out["name"] not in column_types(con, table):
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{out["name"]}" {out["dtype"]}')
            added.append(f"{table}.{out['name']}")
    return added


def merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Declarations of both, by (name, level): the newer type, the union of the label sets (older first)."""
    merged = {(o["name"], o["level"]): dict(o) for o in old}
    for out in new:
        key = (out["name"], out["level"])
        before = merged.get(key)
        labels = out.get("labels")
        if before is not None and before.get("labels") is not None:
            labels = list(dict.fromkeys([*before["labels"], *(labels or [])]))
        merged[key] = {**out, "labels": labels}
    return list(merged.values())


def read_outputs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The declarations recorded in the store (empty for a store written before lenses declared outputs)."""
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [META_KEY]).fetchall()
    return json.loads(rows[0][0]) if rows else []


def declare_outputs(con: duckdb.DuckDBPyConnection, outputs: list[dict[str, Any]]) -> list[str]:
    """Add missing columns and merge the declarations into meta (caller's transaction); return columns added."""
    added = add_columns(con, outputs)
    value = json.dumps(merge(read_outputs(con), outputs))
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [META_KEY, value])
    return added


def label_set(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    """A label column's labels: the declared ones (in order), then any other value stored in predictions."""
    declared = next(
        (o.get("labels") or [] for o in read_outputs(con) if o["name"] == column and o["level"] == "document"), []
    )
    types = column_types(con, "predictions")
    if column not in types:
        return list(declared)
    value = f'unnest("{column}")' if types[column].endswith("[]") else f'"{column}"'
    rows = con.execute(f"SELECT DISTINCT {value} AS v FROM predictions ORDER BY v").fetchall()
    return list(dict.fromkeys([*declared, *(r[0] for r in rows if r[0] is not None)]))
