"""The one chunk runner shared by the local engine, the Ray engine and voc.analyze.

A chunk goes: clean -> dedupe -> shared encoder pass -> lenses (`process_chunk`, run by an executor: in
process, or on Ray actors), then dedupe against the store and ONE transaction with its rows, counts and
checkpoint (`ChunkRunner.commit`). The executor is a parameter: a function from chunks to (chunk, result)
pairs in input order.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from voc.config import PipelineConfig
from voc.engine.accounting import Counts
from voc.engine.resume import Checkpoint
from voc.engine.stages import Analysed, Models, analyse_batch
from voc.errors import VocError
from voc.schema import REJECT_COLUMNS

log = logging.getLogger(__name__)


class Timer:
    """Seconds per named stage of a run, summed over its chunks."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def stage(self, name: str):
        """Time the block under `name`."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start


@dataclass
class Chunk:
    """One ingest chunk of input `input_idx` (frame None: the input has no rows left) and its checkpoint after it."""

    input_idx: int
    frame: Any  # the ingest frame (or, on Ray, a reference to it); None for an input with nothing left
    read: int
    rejects: pd.DataFrame
    checkpoint: Checkpoint


@dataclass
class Processed:
    """What the executor returns for a chunk: cleaned rows, clean rejects, the analysis, versions and outputs."""

    cleaned: pd.DataFrame
    rejects: pd.DataFrame
    analysed: Analysed | None
    versions: dict[str, str] = field(default_factory=dict)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


Executor = Callable[[Iterable[Chunk]], Iterator[tuple[Chunk, "Processed | None"]]]


def iter_chunks(sources, points: dict[int, Checkpoint]) -> Iterator[Chunk]:
    """Every unfinished input's chunks from its checkpoint on, in order; an input's last chunk finishes it."""
    for idx, source in enumerate(sources):
        point = points.get(idx) or Checkpoint(idx, source.name)
        if point.finished:
            continue
        previous = None
        for batch in source.batches(skip_rows=point.rows_done):
            if previous is not None:
                yield previous
            point = point.advance(batch.read)
            previous = Chunk(idx, batch.frame, batch.read, batch.rejects, point)
        if previous is None:
            previous = Chunk(idx, None, 0, pd.DataFrame(columns=list(REJECT_COLUMNS)), point)
        previous.checkpoint.finished = True
        yield previous


def process_chunk(
    frame: pd.DataFrame,
    cfg: PipelineConfig,
    models: Models,
    known: Callable[[list[str]], set[str]] | None = None,
    dedupe: bool = True,
) -> Processed:
    """Clean a chunk and analyse its documents (those new to the chunk and not `known`, when deduping)."""
    from voc.clean import clean_batch

    t0 = time.perf_counter()
    cleaned, rejects = clean_batch(frame, cfg.clean)
    t1 = time.perf_counter()
    todo = cleaned
    if dedupe:
        dup = cleaned["doc_id"].duplicated()
        if known is not None:
            dup |= cleaned["doc_id"].isin(known(cleaned["doc_id"].tolist()))
        todo = cleaned[~dup]
    todo = todo.reset_index(drop=True)
    t2 = time.perf_counter()
    analysed = analyse_batch(todo, models) if len(todo) else None
    return Processed(
        cleaned,
        rejects,
        analysed,
        dict(models.versions),
        [o.as_dict() for o in models.outputs()],
        {"clean": t1 - t0, "dedupe": t2 - t1, **(analysed.seconds if analysed is not None else {})},
    )


def local_executor(cfg: PipelineConfig, models: Models, store) -> Executor:
    """Process chunks one at a time in this process, each deduped against the store as committed so far."""

    def execute(chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, Processed | None]]:
        for chunk in chunks:
            known = store.existing_doc_ids
            yield chunk, None if chunk.frame is None else process_chunk(chunk.frame, cfg, models, known)

    return execute


def batch_rejects(batch, clean_rejects: pd.DataFrame) -> pd.DataFrame:
    """An ingest batch's rejected rows plus those the cleaner rejected, as one REJECT_COLUMNS frame."""
    parts = [r for r in (batch.rejects, clean_rejects) if len(r)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(REJECT_COLUMNS))


def write_analysed_batch(
    store,
    run_id: str,
    docs: pd.DataFrame,
    analysed: Analysed | None,
    rejects: pd.DataFrame,
    read: int,
    duplicates: int,
    checkpoint: Checkpoint | None = None,
) -> tuple[int, int]:
    """Store one analysed chunk in ONE transaction; return (accepted, duplicates) as counted into the run.

    Writes the documents of `docs` not yet stored (re-checked inside the transaction, so concurrent
    writers cannot double-insert; such late duplicates are added to `duplicates`) with their predictions
    and sentences from `analysed`, the `rejects`, the run's counts (`read` rows) and the checkpoint.
    """
    with store.writer() as tx:
        late = 0
        if len(docs):
            existing = tx.existing_doc_ids(docs["doc_id"].tolist())
            keep = ~docs["doc_id"].isin(existing) & ~docs["doc_id"].duplicated()
            late = int((~keep).sum())
            docs = docs[keep]
        if len(docs):
            ids = set(docs["doc_id"])
            tx.write_documents(docs, run_id=run_id)
            tx.write_predictions(analysed.predictions[analysed.predictions["doc_id"].isin(ids)], run_id=run_id)
            tx.write_sentences(analysed.sentences[analysed.sentences["doc_id"].isin(ids)])
        if len(rejects):
            tx.write_rejects(run_id, rejects)
        n_dup = duplicates + late
        tx.add_run_counts(run_id, read=read, accepted=len(docs), duplicates=n_dup, rejected=len(rejects))
        if checkpoint is not None:
            tx.set_progress(run_id, **checkpoint.as_kwargs())
    return len(docs), n_dup


class ChunkRunner:
    """Commits processed chunks of one run in input order: dedupe against the store, one transaction each."""

    def __init__(self, store, run_id: str, counts: Counts, timer: Timer, worker_suffix: str = "") -> None:
        self.store, self.run_id, self.counts, self.timer = store, run_id, counts, timer
        self.worker_suffix = worker_suffix  # Ray: " (workers)", so worker seconds stay apart from the driver's
        self.versions: dict[str, str] = {}
        self._declared = False

    def run(
        self,
        chunks: Iterable[Chunk],
        execute: Executor,
        on_commit: Callable[[Chunk, Processed | None], None] | None = None,
    ) -> dict[str, str]:
        """Process `chunks` with `execute` and commit each result; return the lens versions used."""
        for chunk, processed in execute(chunks):
            self.commit(chunk, processed)
            if on_commit is not None:
                on_commit(chunk, processed)
        return self.versions

    def commit(self, chunk: Chunk, processed: Processed | None) -> None:
        """Dedupe one processed chunk against the store and write it with its checkpoint in one transaction."""
        if processed is None:  # an input with no rows left: only its checkpoint
            self.store.set_progress(self.run_id, **chunk.checkpoint.as_kwargs())
            return
        self.versions = self.versions or processed.versions
        if not self._declared:
            self.store.declare_outputs(processed.outputs)
            self._declared = True
        for stage, seconds in processed.seconds.items():
            self.timer.seconds[f"{stage}{self.worker_suffix}"] += seconds
        cleaned, analysed = processed.cleaned, processed.analysed
        rejects = batch_rejects(chunk, processed.rejects)
        with self.timer.stage("dedupe"):
            dup = cleaned["doc_id"].duplicated() | cleaned["doc_id"].isin(
                self.store.existing_doc_ids(cleaned["doc_id"].tolist())
            )
            fresh = cleaned[~dup].reset_index(drop=True)
        if len(fresh) and (analysed is None or not fresh["doc_id"].isin(analysed.predictions["doc_id"]).all()):
            raise VocError("new documents came back unanalysed from the executor; re-run the pipeline.")
        reasons = rejects["reason"].value_counts().to_dict() if len(rejects) else {}
        with self.timer.stage("store"):
            accepted, n_dup = write_analysed_batch(
                self.store, self.run_id, fresh, analysed, rejects, chunk.read, int(dup.sum()), chunk.checkpoint
            )
        self.counts.add(chunk.read, accepted, n_dup, reasons)
