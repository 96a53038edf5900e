"""Schema versions: creating, migrating older stores in one transaction, refusing newer ones."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from voc.errors import StoreError
from voc.store import SCHEMA_VERSION, Store, schema
from voc.store.schema import Migration


def _meta_version(path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    finally:
        con.close()


def _columns(path, table: str) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]
        ).fetchall()
        return [r[0] for r in rows]
    finally:
        con.close()


def _v1_store(path) -> Store:
    store = Store(path, lock_timeout=5)
    store.write_documents(
        pd.DataFrame({"doc_id": ["a", "b"], "text": ["Hello", "World"], "channel": "tickets"})
    )
    return store


def test_new_store_is_created_at_the_current_version(tmp_path):
    store = Store(tmp_path / "sub" / "voc.duckdb")
    assert store.ensure() == SCHEMA_VERSION == schema.latest_version()
    assert _meta_version(store.path) == str(SCHEMA_VERSION)
    assert store.ensure() == SCHEMA_VERSION  # idempotent


def test_v0_file_is_migrated_and_unrelated_tables_survive(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # a "v0" store: a DuckDB file without voc tables
    con.execute("CREATE TABLE notes AS SELECT 'keep me' AS note")
    con.close()
    with pytest.raises(StoreError, match="no store at"):
        Store(path, read_only=True).count("documents")
    store = Store(path)
    assert store.count("documents") == 0
    assert _meta_version(path) == str(SCHEMA_VERSION)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT note FROM notes").fetchall() == [("keep me",)]
    con.close()


NEXT = SCHEMA_VERSION + 1  # a test step after the real ones


def _add_v2(monkeypatch, step) -> None:
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, Migration(NEXT, "test step", step)])


def test_older_store_gets_missing_steps(tmp_path, monkeypatch):
    path = tmp_path / "voc.duckdb"
    _v1_store(path)

    def backfill(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("ALTER TABLE documents ADD COLUMN text_chars INTEGER")
        con.execute("UPDATE documents SET text_chars = length(text)")

    _add_v2(monkeypatch, backfill)
    # A reader cannot migrate, and says how to fix it.
    with pytest.raises(StoreError, match="older than this voc"):
        Store(path, read_only=True).count("documents")
    store = Store(path)
    assert store.ensure() == NEXT
    assert _meta_version(path) == str(NEXT)
    with store.reader() as s:
        assert s.execute("SELECT doc_id, text_chars FROM documents ORDER BY 1").fetchall() == [
            ("a", 5),
            ("b", 5),
        ]
    # New writes use the migrated table (the new column is picked up).
    store.write_documents(pd.DataFrame({"doc_id": ["c"], "text": ["abc"], "text_chars": [3]}))
    assert Store(path, read_only=True).count("documents") == 3


def test_sql_steps_apply_in_order_from_several_versions_back(tmp_path, monkeypatch):
    path = tmp_path / "voc.duckdb"
    _v1_store(path)
    monkeypatch.setattr(
        schema,
        "MIGRATIONS",
        [
            *schema.MIGRATIONS,
            Migration(NEXT + 1, "c", ["UPDATE documents SET language = language || '-3'"]),
            Migration(NEXT, "b", ["UPDATE documents SET language = 'v2'"]),
        ],
    )
    assert Store(path).ensure() == NEXT + 1
    with Store(path, read_only=True).reader() as s:
        assert {r[0] for r in s.execute("SELECT language FROM documents").fetchall()} == {"v2-3"}


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "voc.duckdb"
    _v1_store(path)
    _add_v2(
        monkeypatch, ["ALTER TABLE documents ADD COLUMN half_done INTEGER", "SELECT * FROM no_such_table"]
    )
    with pytest.raises(
        StoreError, match=f"migration from v{SCHEMA_VERSION} to v{NEXT} failed and was rolled back"
    ):
        Store(path).ensure()
    assert _meta_version(path) == str(SCHEMA_VERSION)
    assert "half_done" not in _columns(path, "documents")
    monkeypatch.undo()
    assert Store(path, read_only=True).count("documents") == 2


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "voc.duckdb"
    _v1_store(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    for read_only in (False, True):
        with pytest.raises(
            StoreError, match=rf"schema version 99, newer than this voc understands \({SCHEMA_VERSION}\)"
        ):
            Store(path, read_only=read_only).count("documents")
    assert _meta_version(path) == "99"


def test_schema_version_constant_follows_the_last_step():
    assert SCHEMA_VERSION == schema.MIGRATIONS[-1].version == 3
    versions = [m.version for m in schema.MIGRATIONS]
    assert versions == sorted(set(versions))


def test_v2_edit_log_gains_the_actor_column(tmp_path, monkeypatch):
    path = tmp_path / "voc.duckdb"
    with monkeypatch.context() as m:  # a store written by the code before v3
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
        Store(path).ensure()
        con = duckdb.connect(str(path))
        con.execute("""INSERT INTO theme_edits VALUES (1, now(), 'rename', '{"theme_id": 1, "label": "Old"}')""")
        con.close()
        assert "actor" not in _columns(path, "theme_edits")
    store = Store(path)
    assert store.append_edit("rename", {"theme_id": 1, "label": "New"}, actor="ana@example.com") == 2
    assert _meta_version(path) == "3"
    log = store.edits()
    assert pd.isna(log["actor"].iloc[0]) and log["actor"].iloc[1] == "ana@example.com"
    assert log["payload"].tolist()[0]["label"] == "Old"
