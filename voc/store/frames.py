"""Turn pandas/Arrow batches into DuckDB relations shaped like a store table (casts, JSON encoding)."""

from __future__ import annotations

import itertools
import json
import logging
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from voc.errors import StoreError

log = logging.getLogger(__name__)
Frame = pd.DataFrame | pa.Table | pa.RecordBatch
_names = itertools.count()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=_json_default)


def to_json(value: Any) -> str | None:
    """A JSON string for a stored JSON cell: strings pass through, None/NaN become NULL."""
    if value is None or isinstance(value, str):
        return value
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return _ENCODER.encode(value)


def to_pandas(frame: Frame, json_columns: set[str]) -> pd.DataFrame:
    """A pandas frame whose JSON columns hold JSON strings (dicts/lists are encoded)."""
    if isinstance(frame, pa.RecordBatch):
        frame = pa.Table.from_batches([frame])
    if isinstance(frame, pa.Table):
        frame = frame.to_pandas()
    if not isinstance(frame, pd.DataFrame):
        raise StoreError(f"expected a pandas DataFrame or Arrow table, got {type(frame).__name__}")
    out = frame.reset_index(drop=True)
    encode = [c for c in out.columns if c in json_columns and out[c].dtype == object]
    if encode:
        out = out.copy(deep=False)
        for column in encode:
            out[column] = [to_json(v) for v in out[column].tolist()]
    return out


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> Iterator[str]:
    """Register `frame` as a temporary view on `con` under a fresh name; unregister afterwards."""
    name = f"_voc_src_{next(_names)}"
    con.register(name, frame)
    try:
        yield name
    finally:
        try:
            con.unregister(name)
        except duckdb.Error:  # the transaction is aborted; the view dies with the connection
            log.debug("could not unregister %s", name)


def cast_list(columns: list[str], types: dict[str, str], prefix: str = "") -> str:
    """`CAST(col AS type) AS col, ...` for the given columns of a table with `types`."""
    return ", ".join(f'CAST({prefix}"{c}" AS {types[c]}) AS "{c}"' for c in columns)


def quoted(columns: list[str]) -> str:
    """A comma-separated list of double-quoted identifiers."""
    return ", ".join(f'"{c}"' for c in columns)


def target_columns(
    frame: pd.DataFrame, types: dict[str, str], table: str, required: tuple[str, ...]
) -> list[str]:
    """The frame columns that exist in `table`, checking the required ones are present and non-null."""
    for column in required:
        if column not in frame.columns:
            raise StoreError(f"cannot write {table}: the batch has no {column!r} column")
        missing = int(frame[column].isna().sum())
        if missing:
            raise StoreError(f"cannot write {table}: {missing} row(s) have no {column!r}")
    extra = [c for c in frame.columns if c not in types]
    if extra:
        log.debug("%s: ignoring columns not in the table: %s", table, extra)
    return [c for c in types if c in frame.columns]


def json_columns(types: dict[str, str]) -> set[str]:
    """The columns of a table whose type is JSON."""
    return {c for c, t in types.items() if t == "JSON"}


def result_df(result: duckdb.DuckDBPyConnection | duckdb.DuckDBPyRelation) -> pd.DataFrame:
    """`.df()` of a DuckDB result, hiding the pandas deprecation warning raised inside duckdb itself."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        return result.df()
