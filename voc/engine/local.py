"""The local engine: stream each input in chunks through clean, encode and lenses into the store."""

from __future__ import annotations

import hashlib
import logging
import resource
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from voc.config import PipelineConfig
from voc.engine.accounting import Counts
from voc.engine.chunks import (
    ChunkRunner,
    Timer,
    batch_rejects,
    iter_chunks,
    local_executor,
    write_analysed_batch,
)
from voc.engine.progress import Progress
from voc.engine.resume import FinishingStore, ResumeState, find_resumable
from voc.engine.stages import load_models
from voc.errors import InputError
from voc.lenses.sentiment_pooled import attach as attach_pooled_cache

__all__ = [
    "RunResult",
    "batch_rejects",
    "file_fingerprint",
    "peak_rss_mb",
    "run_pipeline",
    "write_analysed_batch",
]

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
    from voc.ingest import open_source
    from voc.store import Store

    if not cfg.inputs:
        raise InputError("No input given: pass --input FILE or list `inputs:` in the pipeline YAML.")
    progress = progress or Progress(enabled=False)
    timer = Timer()
    with timer.stage("open"):
        sources = [open_source(inp) for inp in cfg.inputs]
    detections = [f"{s.path.name}: {s.describe()}" for s in sources]
    store = Store.from_config(cfg.store)
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
            if cfg.sentiment.cache_pooled:
                attach_pooled_cache(models.sentiment)
        points = dict(state.checkpoints) if state else {}
        runner = ChunkRunner(store, run_id, counts, timer)
        runner.run(
            iter_chunks(sources, points),
            local_executor(cfg, models, store),
            _progress(sources, points, progress),
        )
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


def _progress(sources, points, progress: Progress):
    """A bar per input (by rows), opened at its first chunk and closed at its last."""
    tasks: dict[int, int] = {}

    def advance(chunk, processed) -> None:
        if chunk.input_idx not in tasks:
            source = sources[chunk.input_idx]
            tasks[chunk.input_idx] = progress.task(f"{source.path.name}", total=_size(source.path))
            done = points[chunk.input_idx].rows_done if chunk.input_idx in points else 0
            progress.advance(tasks[chunk.input_idx], done, bytes_total=None)
        progress.advance(tasks[chunk.input_idx], chunk.read, bytes_total=None)
        if chunk.checkpoint.finished:
            progress.finish(tasks[chunk.input_idx])

    return advance
