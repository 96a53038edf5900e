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
from voc.engine.stages import Models, analyse_batch, load_models
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


def run_pipeline(cfg: PipelineConfig, progress: Progress | None = None) -> RunResult:
    """Run a pipeline config end to end into its store and return the run's accounting."""
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
    run_id = store.begin_run(
        cfg.config_hash(), cfg.model_dump_json(), [file_fingerprint(Path(s.path)) for s in sources]
    )
    counts = Counts()
    try:
        with timer.stage("load_models"):
            models = load_models(cfg)
        for source in sources:
            task = progress.task(f"{source.path.name}", total=_size(source.path))
            for batch in source.batches():
                _process_batch(batch, source, cfg, models, store, run_id, counts, timer, clean_batch)
                progress.advance(task, batch.read, bytes_total=None)
            progress.finish(task)
        themes = pd.DataFrame()
        if "themes" in cfg.lenses and cfg.themes.enabled:
            from voc.engine.themes_stage import refresh_themes

            with timer.stage("themes"):
                themes = refresh_themes(store, models.encoder, cfg, run_id, progress)
        rss = peak_rss_mb()
        store.finish_run(run_id, "done", dict(timer.seconds), models.versions, rss)
    except BaseException as exc:
        store.finish_run(run_id, "failed", dict(timer.seconds), {}, peak_rss_mb(), error=repr(exc)[:2000])
        raise
    return RunResult(run_id, counts, dict(timer.seconds), detections, Path(cfg.store.path), rss, themes)


def _size(path) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


def _process_batch(batch, source, cfg, models: Models, store, run_id, counts: Counts, timer, clean_batch):
    with timer.stage("clean"):
        cleaned, clean_rejects = clean_batch(batch.frame, cfg.clean)
    parts = [r for r in (batch.rejects, clean_rejects) if len(r)]
    rejects = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(REJECT_COLUMNS))
    with timer.stage("dedupe"):
        in_batch_dup = cleaned["doc_id"].duplicated()
        existing = store.existing_doc_ids(cleaned["doc_id"].tolist())
        dup = in_batch_dup | cleaned["doc_id"].isin(existing)
        fresh = cleaned[~dup].reset_index(drop=True)
    analysed = None
    if len(fresh):
        with timer.stage("encode+lenses"):
            analysed = analyse_batch(fresh, models)
    reasons = rejects["reason"].value_counts().to_dict() if len(rejects) else {}
    n_dup = int(dup.sum())
    with timer.stage("store"), store.writer() as tx:
        if len(fresh):
            tx.write_documents(fresh, run_id=run_id)
            tx.write_predictions(analysed.predictions, run_id=run_id)
            tx.write_sentences(analysed.sentences)
        if len(rejects):
            tx.write_rejects(run_id, rejects)
        tx.add_run_counts(run_id, read=batch.read, accepted=len(fresh), duplicates=n_dup, rejected=len(rejects))
    counts.add(batch.read, len(fresh), n_dup, reasons)
    log.debug("batch from %s: %s", source.path, json.dumps(reasons))
