"""Idempotent bulk writes of documents, predictions and sentences (one connection, caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from voc.errors import StoreError
from voc.store.frames import Frame, cast_list, json_columns, quoted, registered, target_columns, to_pandas
from voc.store.schema import column_types


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def insert_or_ignore(
    con: duckdb.DuckDBPyConnection, table: str, frame: Frame, types: dict[str, str], key: tuple[str, ...]
) -> int:
    """Insert rows whose key is not yet in `table` (first occurrence wins); return how many were new."""
    df = to_pandas(frame, json_columns(types))
    if df.empty:
        return 0
    columns = target_columns(df, types, table, key)
    with registered(con, df) as src:
        sql = (
            f"INSERT OR IGNORE INTO {table} ({quoted(columns)}) SELECT {cast_list(columns, types)} FROM {src}"
        )
        return _count(con, sql)


def upsert(
    con: duckdb.DuckDBPyConnection, table: str, frame: Frame, types: dict[str, str], key: tuple[str, ...]
) -> int:
    """Insert rows, replacing the given columns of rows whose key exists; return rows written."""
    df = to_pandas(frame, json_columns(types))
    if df.empty:
        return 0
    columns = target_columns(df, types, table, key)
    df = df.drop_duplicates(subset=list(key), keep="last")
    with registered(con, df) as src:
        if len(columns) == len(types):
            # Whole rows: delete + insert is several times faster than DuckDB's ON CONFLICT path.
            match = " AND ".join(f'{table}."{k}" = CAST(s."{k}" AS {types[k]})' for k in key)
            con.execute(f"DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM {src} s WHERE {match})")
            sql = f"INSERT INTO {table} ({quoted(columns)}) SELECT {cast_list(columns, types)} FROM {src}"
        else:
            sql = f"INSERT OR REPLACE INTO {table} ({quoted(columns)}) SELECT {cast_list(columns, types)} FROM {src}"
        return _count(con, sql)


def with_run_id(frame: Frame, run_id: str | None) -> Frame:
    """The batch with run_id filled in where it is missing."""
    if run_id is None:
        return frame
    df = to_pandas(frame, set())
    if "run_id" not in df.columns:
        return df.assign(run_id=run_id)
    return df.assign(run_id=df["run_id"].astype(object).where(df["run_id"].notna(), run_id))


def write_documents(
    con: duckdb.DuckDBPyConnection, frame: Frame, types: dict[str, str], run_id: str | None = None
) -> int:
    """Insert documents whose doc_id is new; return how many were inserted."""
    frame = with_run_id(frame, run_id)
    return insert_or_ignore(con, "documents", frame, types, ("doc_id",))


def write_predictions(
    con: duckdb.DuckDBPyConnection, frame: Frame, types: dict[str, str], run_id: str | None = None
) -> int:
    """Upsert predictions by doc_id (the last row of a doc_id wins); return rows written."""
    frame = with_run_id(frame, run_id)
    return upsert(con, "predictions", frame, types, ("doc_id",))


def write_sentences(con: duckdb.DuckDBPyConnection, frame: Frame, types: dict[str, str]) -> int:
    """Replace the sentences of every doc_id in the batch; return rows inserted."""
    df = to_pandas(frame, set())
    if df.empty:
        return 0
    columns = target_columns(df, types, "sentences", ("doc_id", "idx"))
    df = df.drop_duplicates(subset=["doc_id", "idx"], keep="last")
    with registered(con, df) as src:
        con.execute(
            f"DELETE FROM sentences WHERE doc_id IN (SELECT DISTINCT CAST(doc_id AS VARCHAR) FROM {src})"
        )
        sql = f"INSERT INTO sentences ({quoted(columns)}) SELECT {cast_list(columns, types)} FROM {src}"
        return _count(con, sql)


def existing_doc_ids(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> set[str]:
    """The subset of `ids` already stored in documents."""
    wanted = pd.DataFrame({"doc_id": pd.Series(list(ids), dtype=object)}).dropna()
    if wanted.empty:
        return set()
    with registered(con, wanted) as src:
        rows = con.execute(
            f"SELECT DISTINCT d.doc_id FROM documents d JOIN {src} s ON d.doc_id = CAST(s.doc_id AS VARCHAR)"
        ).fetchall()
    return {r[0] for r in rows}


THEME_EXTRAS = {"theme_similarity": "DOUBLE", "theme_secondary": "INTEGER[]"}


def set_document_themes(con: duckdb.DuckDBPyConnection, frame: Frame) -> int:
    """Set predictions.theme_id from a [doc_id, theme_id] batch; return rows updated."""
    df = to_pandas(frame, set())
    if df.empty:
        return 0
    types = {"doc_id": "VARCHAR", "theme_id": "INTEGER"}
    target_columns(df, types, "predictions", ("doc_id",))
    if "theme_id" not in df.columns:
        raise StoreError("set_document_themes needs a 'theme_id' column")
    # theme_similarity and theme_secondary (declared by the themes stage) go along when both the batch and
    # the table have them
    have = column_types(con, "predictions")
    extra = {c: t for c, t in THEME_EXTRAS.items() if c in df.columns and c in have}
    df = df[["doc_id", "theme_id", *extra]].drop_duplicates(subset=["doc_id"], keep="last")
    sets = ", ".join(["theme_id = CAST(s.theme_id AS INTEGER)", *(f"{c} = CAST(s.{c} AS {t})" for c, t in extra.items())])
    with registered(con, df) as src:
        sql = (
            f"UPDATE predictions SET {sets} FROM {src} s WHERE predictions.doc_id = CAST(s.doc_id AS VARCHAR)"
        )
        return _count(con, sql)


def set_sentence_themes(con: duckdb.DuckDBPyConnection, frame: Frame) -> int:
    """Set sentences.theme_id from a [doc_id, idx, theme_id] batch; return rows updated."""
    df = to_pandas(frame, set())
    if df.empty:
        return 0
    df = df[["doc_id", "idx", "theme_id"]]
    with registered(con, df) as src:
        sql = (
            "UPDATE sentences SET theme_id = CAST(s.theme_id AS INTEGER) FROM "
            f"{src} s WHERE sentences.doc_id = CAST(s.doc_id AS VARCHAR) AND sentences.idx = CAST(s.idx AS INTEGER)"
        )
        return _count(con, sql)
