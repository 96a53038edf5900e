"""Crash-safe resume: find the unfinished run to continue, and its per-input checkpoints.

A run is resumable when an earlier run in the store has the same config hash, the same input settings
and the same input contents (sha256). Each chunk commits its rows together with its input's checkpoint
(run_progress.rows_done), so after a crash the store holds exactly the chunks that the checkpoints say.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from voc.config import PipelineConfig

log = logging.getLogger(__name__)


@dataclass
class Checkpoint:
    """Where one input stands: its first rows_done data rows (chunks_done chunks) are in the store."""

    input_idx: int
    source: str
    rows_done: int = 0
    chunks_done: int = 0
    finished: bool = False

    def advance(self, rows: int) -> Checkpoint:
        """The checkpoint after one more chunk of `rows` data rows."""
        return Checkpoint(self.input_idx, self.source, self.rows_done + rows, self.chunks_done + 1)

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for Store.set_progress."""
        return {
            "input_idx": self.input_idx,
            "source": self.source,
            "rows_done": self.rows_done,
            "chunks_done": self.chunks_done,
            "finished": self.finished,
        }


@dataclass
class ResumeState:
    """An earlier run of the same config and inputs: its id, status, stored counts and checkpoints."""

    run_id: str
    status: str
    run: dict[str, Any]
    checkpoints: dict[int, Checkpoint] = field(default_factory=dict)

    @property
    def consistent(self) -> bool:
        """Whether the checkpoints account for every row the run counted (each chunk commits both)."""
        return sum(p.rows_done for p in self.checkpoints.values()) == int(self.run.get("read") or 0)

    def checkpoint(self, input_idx: int, source: str) -> Checkpoint:
        """The stored checkpoint of one input, or a fresh one."""
        return self.checkpoints.get(input_idx) or Checkpoint(input_idx, source)


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def input_settings(cfg: PipelineConfig) -> list[dict[str, Any]]:
    """The input settings that change how rows are read and chunked (paths excluded: contents are hashed)."""
    return [inp.model_dump(mode="json", exclude={"path"}) for inp in cfg.inputs]


def _same_inputs(run: dict[str, Any], cfg: PipelineConfig, fingerprints: list[dict[str, Any]]) -> bool:
    stored = _loads(run.get("inputs")) or []
    if [f.get("sha256") for f in stored] != [f["sha256"] for f in fingerprints]:
        return False
    config = _loads(run.get("config")) or {}
    stored_settings = [{k: v for k, v in inp.items() if k != "path"} for inp in config.get("inputs", [])]
    return stored_settings == input_settings(cfg)


def find_resumable(store, cfg: PipelineConfig, fingerprints: list[dict[str, Any]]) -> ResumeState | None:
    """The latest run with this config and these inputs (done or not), with its checkpoints; None if none."""
    if not store.exists():
        return None
    runs = store.runs()
    if runs.empty:
        return None
    same = runs[runs["config_hash"] == cfg.config_hash()]
    for _, row in same.iloc[::-1].iterrows():
        run = row.to_dict()
        if not _same_inputs(run, cfg, fingerprints):
            continue
        state = ResumeState(run_id=run["run_id"], status=run["status"], run=run)
        for _, p in store.run_progress(run["run_id"]).iterrows():
            state.checkpoints[int(p["input_idx"])] = Checkpoint(
                int(p["input_idx"]),
                str(p["source"]),
                int(p["rows_done"]),
                int(p["chunks_done"]),
                bool(p["finished"]),
            )
        return state
    return None


class FinishingStore:
    """A view of a Store whose writer transactions also run `on_commit(tx)` just before they commit.

    The themes stage writes its themes and assignments in one transaction; through this view the run is
    marked done in that same transaction, so a crash leaves either no themes and a running run, or both.
    """

    def __init__(self, store, on_commit: Callable[[Any], None]) -> None:
        self._store = store
        self._on_commit = on_commit
        self.commits = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @contextmanager
    def writer(self):
        """The wrapped store's writer, plus `on_commit` inside the same transaction."""
        with self._store.writer() as tx:
            yield tx
            self._on_commit(tx)
            self.commits += 1
