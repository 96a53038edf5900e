"""The store's DDL as ordered migrations, and the code that brings a DuckDB file up to date."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from voc.errors import StoreError

log = logging.getLogger(__name__)

TABLES = (
    "meta",
    "runs",
    "documents",
    "predictions",
    "sentences",
    "themes",
    "theme_edits",
    "rejects",
    "run_progress",
)
EMBED_DIM = 384

V1_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ,
        status VARCHAR, config_hash VARCHAR, config JSON, inputs JSON,
        read BIGINT DEFAULT 0, accepted BIGINT DEFAULT 0, duplicates BIGINT DEFAULT 0,
        rejected BIGINT DEFAULT 0, timings JSON, model_versions JSON, peak_rss_mb DOUBLE, error VARCHAR)""",
    """CREATE TABLE documents (
        doc_id VARCHAR PRIMARY KEY, run_id VARCHAR, source VARCHAR, row_number BIGINT,
        source_id VARCHAR, text VARCHAR, language VARCHAR, date TIMESTAMPTZ, channel VARCHAR,
        rating DOUBLE, rating_scale VARCHAR, rating_norm DOUBLE, segments JSON, role VARCHAR,
        status VARCHAR, created_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ, pii JSON)""",
    """CREATE TABLE predictions (
        doc_id VARCHAR PRIMARY KEY, run_id VARCHAR, sentiment VARCHAR, sentiment_score DOUBLE,
        p_negative DOUBLE, p_neutral DOUBLE, p_positive DOUBLE, theme_id INTEGER,
        causes VARCHAR[], cause_scores JSON, cause_evidence JSON)""",
    """CREATE TABLE sentences (
        doc_id VARCHAR, idx INTEGER, start_char INTEGER, end_char INTEGER, sentiment VARCHAR,
        sentiment_score DOUBLE, theme_id INTEGER, PRIMARY KEY (doc_id, idx))""",
    f"""CREATE TABLE themes (
        theme_id INTEGER PRIMARY KEY, label VARCHAR, keywords VARCHAR[], parent_id INTEGER,
        level INTEGER DEFAULT 1, size BIGINT, centroid FLOAT[{EMBED_DIM}], status VARCHAR DEFAULT 'active',
        created_run VARCHAR, updated_run VARCHAR, user_label VARCHAR, pinned BOOLEAN DEFAULT false)""",
    """CREATE TABLE theme_edits (
        edit_id BIGINT PRIMARY KEY, "at" TIMESTAMPTZ, op VARCHAR, payload JSON)""",
    """CREATE TABLE rejects (
        run_id VARCHAR, source VARCHAR, row_number BIGINT, reason VARCHAR, detail VARCHAR)""",
)

# v2: per-input checkpoints, written in the same transaction as each chunk, so `voc run --resume` after a
# crash continues where the last committed chunk ended (rows_done data rows of input input_idx are in the store).
V2_DDL = (
    """CREATE TABLE IF NOT EXISTS run_progress (
        run_id VARCHAR, input_idx INTEGER, source VARCHAR, rows_done BIGINT DEFAULT 0,
        chunks_done BIGINT DEFAULT 0, finished BOOLEAN DEFAULT false, PRIMARY KEY (run_id, input_idx))""",
)

# v3: who made each theme edit (the signed-in user's e-mail in the app, cli:<login> from `voc themes`).
V3_DDL = ("ALTER TABLE theme_edits ADD COLUMN IF NOT EXISTS actor VARCHAR",)

Step = Callable[[duckdb.DuckDBPyConnection], None] | Sequence[str]


@dataclass(frozen=True)
class Migration:
    """One schema step: `apply` (SQL statements or a function of the connection) brings v-1 to `version`."""

    version: int
    description: str
    apply: Step

    def run(self, con: duckdb.DuckDBPyConnection) -> None:
        """Apply this step on `con` (the caller owns the transaction)."""
        if callable(self.apply):
            self.apply(con)
        else:
            for statement in self.apply:
                con.execute(statement)


# Ordered; never edit a released step, append a new one (SCHEMA_VERSION follows the last step).
MIGRATIONS: list[Migration] = [
    Migration(1, "initial schema: runs, documents, predictions, sentences, themes, edits, rejects", V1_DDL),
    Migration(2, "run_progress: per-input chunk checkpoints for crash-safe resume", V2_DDL),
    Migration(3, "theme_edits.actor: who made each edit", V3_DDL),
]
SCHEMA_VERSION = MIGRATIONS[-1].version


def latest_version() -> int:
    """The version the current MIGRATIONS list leads to."""
    return max((m.version for m in MIGRATIONS), default=0)


def _table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
    return {r[0] for r in rows}


def stored_version(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """The schema version recorded in the file (0 for an empty DuckDB file)."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:  # no meta table: an empty file, or somebody else's database
        row = None
    if row is not None:
        try:
            return int(row[0])
        except ValueError:
            raise StoreError(
                f"{path}: meta.schema_version is {row[0]!r}, not a number; the store is damaged"
            ) from None
    clashing = sorted(_table_names(con) & (set(TABLES) - {"meta"}))
    if clashing:
        raise StoreError(
            f"{path} is a DuckDB file but not a voc store (it has table(s) {', '.join(clashing)} "
            "but no voc schema version); pass another store path"
        )
    return 0


def check_version(version: int, path: Path, read_only: bool) -> None:
    """Raise StoreError when the file is newer than this code, or older and cannot be migrated now."""
    target = latest_version()
    if version > target:
        raise StoreError(
            f"store {path} has schema version {version}, newer than this voc understands ({target}); "
            "upgrade voc, or use another store path"
        )
    if read_only and version == 0:
        raise StoreError(
            f"no store at {path} (the file holds no voc tables); run `voc run` or `voc demo` first"
        )
    if read_only and version < target:
        raise StoreError(
            f"store {path} has schema version {version}, older than this voc ({target}); open it for "
            "writing once (e.g. `voc run`) to migrate it"
        )


def ensure_schema(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Apply the missing migrations in one transaction; return the resulting schema version."""
    version = stored_version(con, path)
    check_version(version, path, read_only=False)
    target = latest_version()
    if version == target:
        return version
    steps = sorted((m for m in MIGRATIONS if m.version > version), key=lambda m: m.version)
    con.execute("BEGIN TRANSACTION")
    try:
        for step in steps:
            log.info("store %s: migrating to v%d (%s)", path, step.version, step.description)
            step.run(con)
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(target)])
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        if isinstance(exc, StoreError):
            raise
        raise StoreError(
            f"store {path}: migration from v{version} to v{target} failed and was rolled back: {exc}"
        ) from exc
    return target


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of `table`, in table order."""
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return {name: dtype for name, dtype in rows}
