"""Run bookkeeping (runs table) and rejected rows (rejects table)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from voc import __version__
from voc.errors import StoreError
from voc.store.frames import (
    Frame,
    cast_list,
    quoted,
    registered,
    result_df,
    target_columns,
    to_json,
    to_pandas,
)

RUN_STATUSES = ("running", "done", "failed")
_COUNTS = ("read", "accepted", "duplicates", "rejected")
_REJECT_TYPES = {
    "run_id": "VARCHAR",
    "source": "VARCHAR",
    "row_number": "BIGINT",
    "reason": "VARCHAR",
    "detail": "VARCHAR",
}


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id such as 20261123T150732Z-3f9a1c."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def begin_run(
    con: duckdb.DuckDBPyConnection,
    config_hash: str,
    config_json: str | dict[str, Any] | None,
    inputs: list[dict[str, Any]] | None,
    run_id: str | None = None,
) -> str:
    """Record a new run as running; return its run_id."""
    run_id = run_id or new_run_id()
    con.execute(
        "INSERT INTO runs (run_id, started_at, status, config_hash, config, inputs, read, accepted, "
        "duplicates, rejected) VALUES (?, ?, 'running', ?, CAST(? AS JSON), CAST(? AS JSON), 0, 0, 0, 0)",
        [run_id, datetime.now(UTC), config_hash, to_json(config_json), to_json(list(inputs or []))],
    )
    return run_id


def _check_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is None:
        raise StoreError(f"unknown run {run_id!r}: call begin_run first")


def add_run_counts(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    read: int = 0,
    accepted: int = 0,
    duplicates: int = 0,
    rejected: int = 0,
) -> None:
    """Add one chunk's row counts to a run's totals."""
    _check_run(con, run_id)
    con.execute(
        "UPDATE runs SET read = read + ?, accepted = accepted + ?, duplicates = duplicates + ?, "
        "rejected = rejected + ? WHERE run_id = ?",
        [int(read), int(accepted), int(duplicates), int(rejected), run_id],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    timings: dict[str, float] | None = None,
    model_versions: dict[str, Any] | None = None,
    peak_rss_mb: float | None = None,
    error: str | None = None,
) -> None:
    """Close a run with its final status, stage timings, model versions (with voc's own), peak RSS and error."""
    if status not in RUN_STATUSES:
        raise StoreError(f"run status must be one of {', '.join(RUN_STATUSES)}, got {status!r}")
    _check_run(con, run_id)
    versions = {"voc": __version__, **(model_versions or {})}
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, timings = CAST(? AS JSON), "
        "model_versions = CAST(? AS JSON), peak_rss_mb = ?, error = ? WHERE run_id = ?",
        [datetime.now(UTC), status, to_json(timings), to_json(versions), peak_rss_mb, error, run_id],
    )


def runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All runs, oldest first (JSON columns as JSON strings)."""
    return result_df(con.execute("SELECT * FROM runs ORDER BY started_at, run_id"))


def write_rejects(con: duckdb.DuckDBPyConnection, run_id: str, frame: Frame) -> int:
    """Append a run's rejected rows, skipping (source, row_number, reason) already stored; return new rows."""
    df = to_pandas(frame, set())
    if df.empty:
        return 0
    df = df.assign(run_id=run_id)
    columns = target_columns(df, _REJECT_TYPES, "rejects", ("reason",))
    with registered(con, df) as src:
        sql = (
            f"INSERT INTO rejects ({quoted(columns)}) SELECT DISTINCT {cast_list(columns, _REJECT_TYPES, 's.')} "
            f"FROM {src} s WHERE NOT EXISTS (SELECT 1 FROM rejects r WHERE r.run_id = CAST(s.run_id AS VARCHAR) "
            "AND r.source IS NOT DISTINCT FROM CAST(s.source AS VARCHAR) "
            "AND r.row_number IS NOT DISTINCT FROM CAST(s.row_number AS BIGINT) "
            "AND r.reason = CAST(s.reason AS VARCHAR))"
        )
        row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def rejects(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> pd.DataFrame:
    """Rejected rows, of one run or all, in source/row order."""
    where, params = ("WHERE run_id = ?", [run_id]) if run_id is not None else ("", [])
    return result_df(
        con.execute(f"SELECT * FROM rejects {where} ORDER BY run_id, source, row_number", params)
    )


def reopen_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Mark an unfinished run as running again (resume), clearing its finish time and error."""
    _check_run(con, run_id)
    con.execute(
        "UPDATE runs SET status = 'running', finished_at = NULL, error = NULL WHERE run_id = ?", [run_id]
    )


def set_progress(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    input_idx: int,
    source: str,
    rows_done: int,
    chunks_done: int,
    finished: bool = False,
) -> None:
    """Record that the first `rows_done` data rows of input `input_idx` are in the store (a checkpoint)."""
    _check_run(con, run_id)
    con.execute(
        "INSERT OR REPLACE INTO run_progress (run_id, input_idx, source, rows_done, chunks_done, finished) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [run_id, int(input_idx), source, int(rows_done), int(chunks_done), bool(finished)],
    )


def progress(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """A run's checkpoints, one row per input: input_idx, source, rows_done, chunks_done, finished."""
    return result_df(
        con.execute(
            "SELECT input_idx, source, rows_done, chunks_done, finished FROM run_progress "
            "WHERE run_id = ? ORDER BY input_idx",
            [run_id],
        )
    )


def reject_reasons(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Rejected rows of a run counted by reason."""
    rows = con.execute(
        "SELECT reason, count(*) FROM rejects WHERE run_id = ? GROUP BY reason ORDER BY reason", [run_id]
    ).fetchall()
    return {reason: int(n) for reason, n in rows}
