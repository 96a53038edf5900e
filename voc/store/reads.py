"""Reads for the app and exports: documents joined with predictions and theme labels, counts, streaming."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from voc.errors import StoreError
from voc.store.frames import quoted, result_df
from voc.store.schema import TABLES

# Document columns, then predictions (every column but its keys: the lenses' declared outputs), then theme_label.
PREDICTION_KEYS = ("doc_id", "run_id")
DEFAULT_ORDER = "source, row_number, doc_id"


def prediction_fields(prediction_types: dict[str, str]) -> list[str]:
    """The predictions table's output columns (its keys left out), in table order."""
    return [c for c in prediction_types if c not in PREDICTION_KEYS]


def joined_sql(document_columns: Sequence[str], prediction_columns: Sequence[str]) -> str:
    """SQL for one row per document with its predictions and theme_label (user label first)."""
    doc = ", ".join(f'd."{c}"' for c in document_columns)
    pred = ", ".join(f'p."{c}"' for c in prediction_columns)
    return (
        f"SELECT {doc}, {pred}, coalesce(t.user_label, t.label) AS theme_label "
        "FROM documents d LEFT JOIN predictions p ON p.doc_id = d.doc_id "
        "LEFT JOIN themes t ON t.theme_id = p.theme_id"
    )


def _query(
    document_columns: Sequence[str],
    prediction_columns: Sequence[str],
    where: str | None,
    columns: Sequence[str] | None,
    order_by: str | None,
) -> str:
    projection = quoted(list(columns)) if columns else "*"
    sql = f"SELECT {projection} FROM ({joined_sql(document_columns, prediction_columns)}) AS v"
    if where:
        sql += f" WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    return sql


def _execute(con: duckdb.DuckDBPyConnection, sql: str, params: Any) -> duckdb.DuckDBPyConnection:
    try:
        return con.execute(sql, params if params is not None else [])
    except (duckdb.BinderException, duckdb.ParserException, duckdb.CatalogException) as exc:
        raise StoreError(f"invalid store query ({exc}); query was: {sql}") from None


def decode_json_columns(df: pd.DataFrame, json_columns: Sequence[str]) -> pd.DataFrame:
    """Parse the JSON string columns (segments, pii, cause_scores, cause_evidence, ...) into Python objects."""
    for column in json_columns:
        if column in df.columns:
            values = [json.loads(v) if isinstance(v, str) else None for v in df[column].tolist()]
            df[column] = pd.Series(values, index=df.index, dtype=object)
    return df


def documents_with_predictions(
    con: duckdb.DuckDBPyConnection,
    document_types: dict[str, str],
    prediction_types: dict[str, str],
    where: str | None = None,
    params: Any = None,
    columns: Sequence[str] | None = None,
    order_by: str | None = DEFAULT_ORDER,
    decode_json: bool = False,
) -> pd.DataFrame:
    """Documents joined with predictions and theme_label, filtered by a SQL `where` over those columns."""
    sql = _query(list(document_types), prediction_fields(prediction_types), where, columns, order_by)
    df = result_df(_execute(con, sql, params))
    json_columns = [c for c, t in {**document_types, **prediction_types}.items() if t == "JSON"]
    return decode_json_columns(df, json_columns) if decode_json else df


def iter_documents(
    con: duckdb.DuckDBPyConnection,
    document_columns: Sequence[str],
    prediction_columns: Sequence[str],
    batch_size: int = 10_000,
    where: str | None = None,
    params: Any = None,
    columns: Sequence[str] | None = None,
    order_by: str | None = DEFAULT_ORDER,
) -> Iterator[pa.RecordBatch]:
    """Stream the joined documents as Arrow record batches of at most `batch_size` rows."""
    if batch_size < 1:
        raise StoreError(f"batch_size must be >= 1, got {batch_size}")
    sql = _query(document_columns, prediction_columns, where, columns, order_by)
    try:
        reader = con.sql(sql, params=params).to_arrow_reader(batch_size)
    except (duckdb.BinderException, duckdb.ParserException, duckdb.CatalogException) as exc:
        raise StoreError(f"invalid store query ({exc}); query was: {sql}") from None
    for batch in reader:
        if batch.num_rows:
            yield batch


def text_page(con: duckdb.DuckDBPyConnection, after: str | None, limit: int) -> pd.DataFrame:
    """Up to `limit` documents' (doc_id, text, language) with doc_id > after, in doc_id order (keyset paging)."""
    if after is None:
        return con.execute("SELECT doc_id, text, language FROM documents ORDER BY doc_id LIMIT ?", [limit]).df()
    sql = "SELECT doc_id, text, language FROM documents WHERE doc_id > ? ORDER BY doc_id LIMIT ?"
    return con.execute(sql, [after, limit]).df()


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Number of rows in one store table."""
    if table not in TABLES:
        raise StoreError(f"unknown store table {table!r}; expected one of {', '.join(TABLES)}")
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0])
