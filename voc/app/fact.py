"""The app's `fact` table: documents x predictions without text, materialised once per store content version.

The table lives in a DuckDB file under the voc cache (`<cache>/app/`), never in the store, so the app stays a
read-only reader of the store. `voc app` builds it before the server starts (`prepare`), so the first page a
user opens does not wait for it; a session that finds it missing (a new run landed) builds it once.
Files of older versions of the same store are removed when a new one is written.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

import duckdb

from voc.lenses.registry import Output
from voc.paths import cache_dir
from voc.store import Store

log = logging.getLogger(__name__)

FACT_BASE_COLUMNS = ("sentiment", "sentiment_score", "theme_id", "causes")
FACT_SQL = (
    "SELECT d.doc_id, timezone('UTC', d.date) AS date, d.channel, d.source, d.language, d.rating, d.rating_scale, "
    "d.rating_norm, d.segments, p.sentiment, p.sentiment_score, p.theme_id, p.causes{lens} "
    "FROM documents d LEFT JOIN predictions p ON p.doc_id = d.doc_id"
)


def lens_filter_outputs(lens_outputs: list[dict]) -> list[dict]:
    """The stored document outputs a lens declared as filterable (booleans, label columns) beyond the base ones."""
    return [
        o
        for o in lens_outputs
        if o["level"] == "document" and o["name"] not in FACT_BASE_COLUMNS and Output(**o).stored
        and Output(**o).filterable
    ]  # fmt: skip


def fact_sql(lens_outputs: list[dict]) -> str:
    """FACT_SQL plus every filterable column a lens declared."""
    return FACT_SQL.format(lens="".join(f', p."{o["name"]}"' for o in lens_filter_outputs(lens_outputs)))


VERSION_SQL = (
    "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM predictions), "
    "(SELECT sum(hash(doc_id, theme_id, sentiment)) FROM predictions), "
    "(SELECT max(run_id) || max(coalesce(finished_at, started_at))::VARCHAR FROM runs)"
)


def file_version(path: str | Path) -> str:
    """A token that changes whenever the store file (or its WAL) is written."""
    parts = []
    for p in (Path(path), Path(f"{path}.wal")):
        try:
            s = p.stat()
            parts.append(f"{s.st_mtime_ns}:{s.st_size}")
        except OSError:
            parts.append("-")
    return "/".join(parts)


def store_content_version(path: str | Path) -> str:
    """A token for the documents and predictions only (theme renames and edits leave it unchanged)."""
    with Store(path, read_only=True).reader() as session:
        session.con.execute("SET enable_progress_bar = false")
        row = session.con.execute(VERSION_SQL).fetchone()
    return ":".join(str(v) for v in row)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def fact_file(path: str | Path, ver: str) -> Path:
    """Where the fact table of this store path and content version is kept."""
    # the SQL is part of the key: a fact file written by an older voc (other columns) is not reused
    return cache_dir() / "app" / f"{_digest(str(Path(path).resolve()))}-{_digest(FACT_SQL + ver)}.duckdb"


def build_fact(path: str | Path, ver: str) -> Path:
    """Write the fact file for (path, ver) unless it exists; return its path."""
    target = fact_file(path, ver)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with Store(path, read_only=True).reader() as session:
        session.con.execute("SET enable_progress_bar = false")
        table = session.con.sql(fact_sql(session.lens_outputs())).to_arrow_table()
    tmp = target.with_name(f"{target.stem}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("arrow_fact", table)
        con.execute("CREATE TABLE fact AS SELECT * FROM arrow_fact")
    finally:
        con.close()
    os.replace(tmp, target)
    prefix = target.name.split("-")[0] + "-"
    for old in target.parent.glob(f"{prefix}*.duckdb"):
        if old != target:
            old.unlink(missing_ok=True)
    log.info("fact table for %s: %s rows in %.1f s", path, table.num_rows, time.perf_counter() - started)
    return target


def open_fact(path: str | Path, ver: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the fact file of (path, ver), building it first if needed."""
    con = duckdb.connect(str(build_fact(path, ver)), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    return con


def prepare(path: str | Path) -> tuple[Path, float]:
    """Build the fact file for the store's current content; return it and the seconds it took."""
    started = time.perf_counter()
    target = build_fact(path, store_content_version(path))
    return target, time.perf_counter() - started
