"""The Store: short-lived DuckDB connections (one transaction each) and the operations on them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from voc.config import StoreConfig
from voc.errors import StoreError
from voc.store import labels, lens_outputs, reads, runs, themes, writes
from voc.store.frames import Frame
from voc.store.locking import open_connection
from voc.store.schema import check_version, column_types, ensure_schema, stored_version

log = logging.getLogger(__name__)
DEFAULT_PATH = Path("voc.duckdb")


class _Ops:
    """Store operations, each run through `_call` (a session runs it directly, a Store opens one)."""

    def _call(self, write: bool, fn: Callable[[StoreSession], Any]) -> Any:
        raise NotImplementedError

    # writes -----------------------------------------------------------------------------------
    def write_documents(self, df: Frame, run_id: str | None = None) -> int:
        """Insert documents whose doc_id is new (run_id filled in when given); return how many were new."""
        return self._call(True, lambda s: writes.write_documents(s.con, df, s._types("documents"), run_id))

    def write_predictions(self, df: Frame, run_id: str | None = None) -> int:
        """Upsert predictions by doc_id; return rows written."""
        return self._call(
            True, lambda s: writes.write_predictions(s.con, df, s._types("predictions"), run_id)
        )

    def write_sentences(self, df: Frame) -> int:
        """Replace the stored sentences of every doc_id in the batch; return rows inserted."""
        return self._call(True, lambda s: writes.write_sentences(s.con, df, s._types("sentences")))

    def declare_outputs(self, outputs: list[dict[str, Any]]) -> list[str]:
        """Add the lenses' declared output columns missing from the tables and record the declarations."""
        return self._call(True, lambda s: lens_outputs.declare_outputs(s.con, outputs))

    def lens_outputs(self) -> list[dict[str, Any]]:
        """The lenses' output declarations recorded in the store (name, dtype, level, labels, stored)."""
        return self._call(False, lambda s: lens_outputs.read_outputs(s.con))

    def label_set(self, column: str) -> list[str]:
        """A label column's labels (e.g. `causes`): declared by its lens, plus any other stored value."""
        return self._call(False, lambda s: lens_outputs.label_set(s.con, column))

    def set_document_themes(self, df: Frame) -> int:
        """Bulk-set predictions.theme_id from [doc_id, theme_id]; return rows updated."""
        return self._call(True, lambda s: writes.set_document_themes(s.con, df))

    def set_sentence_themes(self, df: Frame) -> int:
        """Bulk-set sentences.theme_id from [doc_id, idx, theme_id]; return rows updated."""
        return self._call(True, lambda s: writes.set_sentence_themes(s.con, df))

    def write_themes(self, df: Frame) -> int:
        """Upsert themes by theme_id; only the given columns change (omit user_label/pinned to keep edits)."""
        return self._call(True, lambda s: themes.write_themes(s.con, df, s._types("themes")))

    def append_edit(self, op: str, payload: dict[str, Any], actor: str | None = None) -> int:
        """Append a theme edit (rename|merge|split|pin) made by `actor` to the log; return its increasing edit_id."""
        return self._call(True, lambda s: themes.append_edit(s.con, op, payload, actor))

    def append_labels(self, rows: list[dict[str, Any]]) -> int:
        """Append reviewers' labels (doc_id, sentiment, causes, theme_id, reviewer, source, model_*); return rows."""
        return self._call(True, lambda s: labels.append_labels(s.con, rows))

    def begin_run(
        self,
        config_hash: str,
        config_json: str | dict[str, Any] | None,
        inputs: list[dict[str, Any]] | None,
        run_id: str | None = None,
    ) -> str:
        """Record a new running run; return its run_id."""
        return self._call(True, lambda s: runs.begin_run(s.con, config_hash, config_json, inputs, run_id))

    def add_run_counts(
        self, run_id: str, read: int = 0, accepted: int = 0, duplicates: int = 0, rejected: int = 0
    ) -> None:
        """Add one chunk's row counts to a run."""
        self._call(True, lambda s: runs.add_run_counts(s.con, run_id, read, accepted, duplicates, rejected))

    def finish_run(
        self,
        run_id: str,
        status: str,
        timings: dict[str, float] | None = None,
        model_versions: dict[str, Any] | None = None,
        peak_rss_mb: float | None = None,
        error: str | None = None,
    ) -> None:
        """Close a run: status done|failed, stage timings (s), model versions, peak RSS (MB), error."""
        self._call(
            True,
            lambda s: runs.finish_run(s.con, run_id, status, timings, model_versions, peak_rss_mb, error),
        )

    def reopen_run(self, run_id: str) -> None:
        """Mark an unfinished run as running again (for resume)."""
        self._call(True, lambda s: runs.reopen_run(s.con, run_id))

    def set_progress(
        self,
        run_id: str,
        input_idx: int,
        source: str,
        rows_done: int,
        chunks_done: int,
        finished: bool = False,
    ) -> None:
        """Checkpoint: the first rows_done data rows of input input_idx are stored (commit it with the chunk)."""
        self._call(
            True,
            lambda s: runs.set_progress(s.con, run_id, input_idx, source, rows_done, chunks_done, finished),
        )

    def write_rejects(self, run_id: str, df: Frame) -> int:
        """Store a run's rejected rows [source, row_number, reason, detail]; return new rows."""
        return self._call(True, lambda s: runs.write_rejects(s.con, run_id, df))

    # reads ------------------------------------------------------------------------------------
    def existing_doc_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of `ids` already stored."""
        return self._call(False, lambda s: writes.existing_doc_ids(s.con, ids))

    def runs(self) -> pd.DataFrame:
        """All runs, oldest first."""
        return self._call(False, lambda s: runs.runs(s.con))

    def run_progress(self, run_id: str) -> pd.DataFrame:
        """A run's checkpoints: input_idx, source, rows_done, chunks_done, finished."""
        return self._call(False, lambda s: runs.progress(s.con, run_id))

    def reject_reasons(self, run_id: str) -> dict[str, int]:
        """A run's rejected rows counted by reason."""
        return self._call(False, lambda s: runs.reject_reasons(s.con, run_id))

    def rejects(self, run_id: str | None = None) -> pd.DataFrame:
        """Rejected rows of one run, or of all runs."""
        return self._call(False, lambda s: runs.rejects(s.con, run_id))

    def themes(self, include_retired: bool = False) -> pd.DataFrame:
        """Themes by theme_id; retired ones only when asked."""
        return self._call(False, lambda s: themes.themes(s.con, include_retired))

    def edits(self) -> pd.DataFrame:
        """The theme edit log in replay order (payload decoded)."""
        return self._call(False, lambda s: themes.edits(s.con))

    def labels(self, latest: bool = True) -> pd.DataFrame:
        """Reviewers' labels: per document the latest answer of each field, or the whole log (latest=False)."""
        fn = labels.latest_labels if latest else labels.all_labels
        return self._call(False, lambda s: fn(s.con))

    def count(self, table: str) -> int:
        """Rows in one store table."""
        return self._call(False, lambda s: reads.count(s.con, table))

    def text_pages(self, size: int) -> Iterator[pd.DataFrame]:
        """Every document's (doc_id, text, language) in doc_id order, `size` rows a page, each page read on its own."""
        if size < 1:
            raise StoreError(f"page size must be >= 1, got {size}")
        after = None
        while not (page := self._call(False, lambda s: reads.text_page(s.con, after, size))).empty:
            yield page
            after = str(page["doc_id"].iloc[-1])

    def documents_with_predictions(
        self,
        where: str | None = None,
        params: Any = None,
        columns: Sequence[str] | None = None,
        order_by: str | None = reads.DEFAULT_ORDER,
        decode_json: bool = False,
    ) -> pd.DataFrame:
        """Documents + predictions + theme_label; `where` is SQL over those columns with `?` params."""
        return self._call(
            False,
            lambda s: reads.documents_with_predictions(
                s.con, s._types("documents"), s._types("predictions"), where, params, columns, order_by, decode_json
            ),
        )


class StoreSession(_Ops):
    """One open connection inside one transaction; attributes it lacks come from the DuckDB connection."""

    def __init__(self, store: Store, con: duckdb.DuckDBPyConnection, writable: bool) -> None:
        self.store = store
        self.con = con
        self.writable = writable

    def __getattr__(self, name: str) -> Any:
        if name == "con":  # not set yet (e.g. while unpickling): avoid recursing
            raise AttributeError(name)
        return getattr(self.con, name)

    def _call(self, write: bool, fn: Callable[[StoreSession], Any]) -> Any:
        if write and not self.writable:
            raise StoreError(
                f"store {self.store.path} is open read-only; writes need Store(..., read_only=False)"
            )
        if not write:
            return fn(self)
        try:
            return fn(self)
        except duckdb.Error as exc:  # bad values in a batch (e.g. an unparseable date): name the store
            raise StoreError(
                f"write to store {self.store.path} failed (its transaction is rolled back): {exc}"
            ) from exc

    def _types(self, table: str) -> dict[str, str]:
        return self.store._column_types(self.con, table)

    def iter_documents(self, batch_size: int = 10_000, **query: Any) -> Iterator[pa.RecordBatch]:
        """Stream joined documents as Arrow batches (see Store.iter_documents)."""
        predictions = reads.prediction_fields(self._types("predictions"))
        return reads.iter_documents(self.con, list(self._types("documents")), predictions, batch_size, **query)


class Store(_Ops):
    """The DuckDB store at `path`; every call opens a short connection so other processes get turns."""

    def __init__(
        self, path: str | Path = DEFAULT_PATH, read_only: bool = False, lock_timeout: float = 30.0
    ) -> None:
        self.path = Path(path).expanduser().absolute()
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self._types_cache: dict[str, dict[str, str]] = {}

    @classmethod
    def from_config(cls, config: StoreConfig, read_only: bool = False) -> Store:
        """A Store for a pipeline's `store:` section (path and lock_timeout)."""
        return cls(config.path, read_only=read_only, lock_timeout=config.lock_timeout)

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"Store({str(self.path)!r}, {mode})"

    def exists(self) -> bool:
        """Whether the store file exists."""
        return self.path.exists()

    def _column_types(self, con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
        if table in lens_outputs.TABLE_OF_LEVEL.values():  # lenses may add columns: always read them
            return column_types(con, table)
        if table not in self._types_cache:
            self._types_cache[table] = column_types(con, table)
        return self._types_cache[table]

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        con = open_connection(self.path, read_only, self.lock_timeout)
        try:
            if read_only:
                check_version(stored_version(con, self.path), self.path, read_only=True)
            else:
                ensure_schema(con, self.path)
        except BaseException:
            con.close()
            raise
        return con

    @contextmanager
    def _session(self, read_only: bool) -> Iterator[StoreSession]:
        con = self._open(read_only)
        try:
            con.execute("BEGIN TRANSACTION")
            session = StoreSession(self, con, writable=not read_only)
            try:
                yield session
            except BaseException:
                with suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
            try:
                con.execute("COMMIT")
            except duckdb.Error as exc:
                raise StoreError(f"could not commit to store {self.path}: {exc}") from exc
        finally:
            con.close()

    @contextmanager
    def writer(self) -> Iterator[StoreSession]:
        """Open the store for writing (creating/migrating it), as one transaction committed on exit."""
        if self.read_only:
            raise StoreError(
                f"store {self.path} was opened read-only; writes need Store(..., read_only=False)"
            )
        with self._session(read_only=False) as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[StoreSession]:
        """Open the store for reading (read-only unless this Store is writable) as one snapshot."""
        with self._session(read_only=self.read_only) as session:
            yield session

    def ensure(self) -> int:
        """Create or migrate the store now; return its schema version."""
        with self.writer() as session:
            return stored_version(session.con, self.path)

    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        with self.reader() as session:
            return stored_version(session.con, self.path)

    def _call(self, write: bool, fn: Callable[[StoreSession], Any]) -> Any:
        with self.writer() if write else self.reader() as session:
            return session._call(write, fn)

    def iter_documents(
        self,
        batch_size: int = 10_000,
        where: str | None = None,
        params: Any = None,
        columns: Sequence[str] | None = None,
        order_by: str | None = reads.DEFAULT_ORDER,
    ) -> Iterator[pa.RecordBatch]:
        """Stream documents + predictions + theme_label as Arrow batches; holds a reader until exhausted."""
        with self.reader() as session:
            yield from session.iter_documents(
                batch_size, where=where, params=params, columns=columns, order_by=order_by
            )
