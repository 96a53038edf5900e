"""Open DuckDB connections to the store, retrying with backoff while another process holds the lock."""

from __future__ import annotations

import logging
import random
import re
import time
from pathlib import Path

import duckdb

from voc.errors import StoreError

log = logging.getLogger(__name__)

# Substrings of duckdb errors that mean "someone else has the file open right now".
_LOCK_MARKERS = ("could not set lock", "conflicting lock", "different configuration")
_NOT_A_DB_MARKERS = ("not a valid duckdb database", "is not a duckdb", "invalid database file")


def no_store_error(path: Path) -> StoreError:
    """The error for a read-only open of a store that does not exist yet."""
    return StoreError(f"no store at {path}; run `voc run` or `voc demo` first")


def _is_lock_conflict(message: str) -> bool:
    low = message.lower()
    return any(marker in low for marker in _LOCK_MARKERS)


def _holder(message: str) -> str:
    match = re.search(r"PID (\d+)", message)
    return f" (PID {match.group(1)})" if match else ""


def open_connection(path: Path, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    """Connect to the DuckDB file at `path`, retrying lock conflicts for up to `timeout` seconds."""
    if read_only and not path.exists():
        raise no_store_error(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(timeout, 0.0)
    delay = 0.01
    attempts = 0
    while True:
        attempts += 1
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            message = str(exc)
            low = message.lower()
            if any(marker in low for marker in _NOT_A_DB_MARKERS):
                raise StoreError(
                    f"{path} exists but is not a DuckDB database file; pass another store path "
                    "(--store) or move that file away"
                ) from None
            if read_only and "does not exist" in low:
                raise no_store_error(path) from None
            if not _is_lock_conflict(message):
                raise StoreError(f"cannot open store {path}: {message}") from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StoreError(
                    f"store {path} is locked: another voc process{_holder(message)} holds it "
                    f"(waited {timeout:g} s over {attempts} attempts). Wait for it to finish, or stop it, "
                    "then retry; raise store.lock_timeout to wait longer."
                ) from None
            time.sleep(min(remaining, delay * (0.5 + random.random())))
            delay = min(delay * 2, 0.25)
            continue
        if attempts > 1:
            log.debug("opened %s after %d attempts", path, attempts)
        try:
            con.execute("SET TimeZone = 'UTC'")
        except duckdb.Error:  # pragma: no cover - ICU is built into the Python wheel
            log.debug("could not set TimeZone=UTC on %s", path)
        return con
