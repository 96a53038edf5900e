"""The local engine: stream each input in chunks through clean, encode and lenses into the store."""

from __future__ import annotations

import hashlib
import json
import logging
import resource
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from voc.config import PipelineConfig
from voc.engine.accounting import Counts
from voc.engine.progress import Progress
from voc.engine.resume import Checkpoint, FinishingStore, ResumeState, find_resumable
from voc.engine.stages import Analysed, Models, analyse_batch, load_models
from voc.errors import InputError
from voc.schema import REJECT_COLUMNS

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What a run did: its id, row counts, per-stage seconds and detected column mappings."""

    run_id: str
    counts: Counts
    timings: dict[str, float]
    detections: list[str]
    store_path: Path
    peak_rss_mb: float
    themes: pd.DataFrame = field(default_factory=pd.DataFrame)


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start


def file_fingerprint(path: Path) -> dict:
    """Path, size and sha256 of an input file, for the runs table."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"path": str(path), "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pipeline(cfg: PipelineConfig, progress: Progress | None = None, resume: bool = False) -> RunResult:
    """Run a pipeline config end to end into its store and return the run's accounting.

    With `resume`, continue the latest run of the same config and inputs from its checkpoints (a crash,
    even kill -9, leaves the store as of the last committed chunk); if that run is done, do nothing;
    if there is none, start a new run. The result equals an uninterrupted run's store.
    """
    from voc.clean import clean_batch
    from voc.ingest import open_source
    from voc.store import Store

    if not cfg.inputs:
        raise InputError("No input given: pass --input FILE or list `inputs:` in the pipeline YAML.")
    progress = progress or Progress(enabled=False)
    timer = _Timer()
    with timer.stage("open"):
        sources = [open_source(inp) for inp in cfg.inputs]
    detections = [f"{s.path.name}: {s.describe()}" for s in sources]
    store = Store(cfg.store.path)
    fingerprints = [file_fingerprint(Path(s.path)) for s in sources]
    state = _resume_state(store, cfg, fingerprints) if resume else None
    if state is not None and state.status == "done":
        counts = Counts.from_run(state.run, store.reject_reasons(state.run_id))
        return RunResult(
            state.run_id, counts, {}, detections, Path(cfg.store.path), peak_rss_mb(), store.themes()
        )
    if state is not None:
        run_id = state.run_id
        store.reopen_run(run_id)
        counts = Counts.from_run(state.run, store.reject_reasons(run_id))
    else:
        run_id = store.begin_run(cfg.config_hash(), cfg.model_dump_json(), fingerprints)
        counts = Counts()
    try:
        with timer.stage("load_models"):
            models = load_models(cfg)
        for idx, source in enumerate(sources):
            point = state.checkpoint(idx, source.name) if state else Checkpoint(idx, source.name)
            if point.finished:
                continue
            task = progress.task(f"{source.path.name}", total=_size(source.path))
            progress.advance(task, point.rows_done, bytes_total=None)
            for batch in source.batches(skip_rows=point.rows_done):
                point = point.advance(batch.read)
                _process_batch(batch, source, cfg, models, store, run_id, counts, timer, clean_batch, point)
                progress.advance(task, batch.read, bytes_total=None)
            point.finished = True
            store.set_progress(run_id, **point.as_kwargs())
            progress.finish(task)
        themes = pd.DataFrame()
        if "themes" in cfg.lenses and cfg.themes.enabled:
            from voc.engine.themes_stage import refresh_themes

            def finish_with_themes(tx) -> None:  # done commits together with the themes
                tx.finish_run(run_id, "done", dict(timer.seconds), models.versions, peak_rss_mb())

            with timer.stage("themes"):
                themes = refresh_themes(
                    FinishingStore(store, finish_with_themes), models.encoder, cfg, run_id, progress
                )
        rss = peak_rss_mb()
        store.finish_run(run_id, "done", dict(timer.seconds), models.versions, rss)
    except BaseException as exc:
        store.finish_run(run_id, "failed", dict(timer.seconds), {}, peak_rss_mb(), error=repr(exc)[:2000])
        raise
    return RunResult(run_id, counts, dict(timer.seconds), detections, Path(cfg.store.path), rss, themes)


def _resume_state(store, cfg: PipelineConfig, fingerprints: list[dict]) -> ResumeState | None:
    state = find_resumable(store, cfg, fingerprints)
    if state is None:
        log.warning(
            "resume: no earlier run of this config and these inputs in %s; starting a new run", store.path
        )
    elif state.status == "done":
        log.warning(
            "resume: run %s of this config and these inputs is already done; nothing to do", state.run_id
        )
    elif not state.consistent:
        log.warning(
            "resume: run %s has no checkpoints matching its row counts (an engine without checkpoints wrote it?); "
            "starting a new run (stored documents count as duplicates)", state.run_id,
        )  # fmt: skip
        return None
    else:
        done = sum(p.rows_done for p in state.checkpoints.values())
        log.warning("resume: continuing %s run %s after %d committed rows", state.status, state.run_id, done)
    return state


def _size(path) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


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
            tx.write_predictions(
                analysed.predictions[analysed.predictions["doc_id"].isin(ids)], run_id=run_id
            )
            tx.write_sentences(analysed.sentences[analysed.sentences["doc_id"].isin(ids)])
        if len(rejects):
            tx.write_rejects(run_id, rejects)
        n_dup = duplicates + late
        tx.add_run_counts(run_id, read=read, accepted=len(docs), duplicates=n_dup, rejected=len(rejects))
        if checkpoint is not None:
            tx.set_progress(run_id, **checkpoint.as_kwargs())
    return len(docs), n_dup


def _process_batch(
    batch, source, cfg, models: Models, store, run_id, counts: Counts, timer, clean_batch, checkpoint=None
):
    """Clean, dedupe, analyse and store one ingest batch (with its checkpoint, in one transaction)."""
    with timer.stage("clean"):
        cleaned, clean_rejects = clean_batch(batch.frame, cfg.clean)
    rejects = batch_rejects(batch, clean_rejects)
    with timer.stage("dedupe"):
        in_batch_dup = cleaned["doc_id"].duplicated()
        existing = store.existing_doc_ids(cleaned["doc_id"].tolist())
        dup = in_batch_dup | cleaned["doc_id"].isin(existing)
        fresh = cleaned[~dup].reset_index(drop=True)
    analysed = None
    if len(fresh):
        analysed = analyse_batch(fresh, models)
        for stage, seconds in analysed.seconds.items():
            timer.seconds[stage] += seconds
    reasons = rejects["reason"].value_counts().to_dict() if len(rejects) else {}
    with timer.stage("store"):
        accepted, n_dup = write_analysed_batch(
            store, run_id, fresh, analysed, rejects, batch.read, int(dup.sum()), checkpoint
        )
    counts.add(batch.read, accepted, n_dup, reasons)
    log.debug("batch from %s: %s", source.path, json.dumps(reasons))
