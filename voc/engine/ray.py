"""The Ray engine: the local engine's stages run through Ray Data, with one model load per actor.

The driver reads the inputs (voc.ingest) chunk by chunk into Ray's object store, one dataset block per ingest
chunk, so its own memory holds one chunk at a time (the object store spills to disk). Ray Data sends
the chunks through `map_batches` on an actor pool: each actor loads the models once and runs clean and
encode and the lenses on whole chunks. The driver then dedupes each chunk against the store and writes it in one
transaction, in input order, exactly as the local engine does (the store is a local DuckDB file). Actors
return their document vectors, which the driver puts into its own embedding cache, so the themes stage
(fit on a sample, then assignment, at the driver) does not re-encode documents on a multi-machine cluster.
"""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from voc.config import PipelineConfig
from voc.engine.accounting import Counts
from voc.engine.local import (
    RunResult,
    _Timer,
    batch_rejects,
    file_fingerprint,
    peak_rss_mb,
    write_analysed_batch,
)
from voc.engine.progress import Progress
from voc.engine.resume import Checkpoint
from voc.errors import InputError, VocError

log = logging.getLogger(__name__)


class RayUnavailableError(VocError):
    """Ray is not installed (it is an optional extra)."""


class ChunkAnalyser:
    """A Ray Data actor: loads the models once, then cleans and analyses whole ingest chunks."""

    def __init__(self, cfg_json: str, known_ids=None) -> None:
        from voc.engine.stages import load_models

        self.cfg = PipelineConfig.model_validate_json(cfg_json)
        self.models = load_models(self.cfg)
        if known_ids is not None and not isinstance(known_ids, list):
            import ray

            known_ids = ray.get(known_ids)  # an ObjectRef: one copy in the object store for every actor
        self.known: set[str] = set(known_ids or [])

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        """One row per chunk in, one row per chunk out: the pickled cleaned rows, rejects and analysis."""
        out = [_analyse_chunk(pickle.loads(p), self.cfg, self.models, self.known) for p in batch["payload"]]
        return pd.DataFrame({"chunk": batch["chunk"].to_numpy(), "payload": [pickle.dumps(o) for o in out]})


def _analyse_chunk(frame: pd.DataFrame, cfg: PipelineConfig, models, known: set[str]) -> dict:
    """Clean a chunk and analyse its documents that are new to this chunk and to the store at run start."""
    import time

    from voc.clean import clean_batch
    from voc.engine.stages import analyse_batch

    t0 = time.perf_counter()
    cleaned, rejects = clean_batch(frame, cfg.clean)
    t1 = time.perf_counter()
    todo = cleaned[~cleaned["doc_id"].duplicated() & ~cleaned["doc_id"].isin(known)].reset_index(drop=True)
    analysed = analyse_batch(todo, models) if len(todo) else None
    return {
        "cleaned": cleaned,
        "rejects": rejects,
        "analysed": analysed,
        "versions": dict(models.versions),
        "seconds": {"clean": t1 - t0, **(analysed.seconds if analysed is not None else {})},
    }


def connect(address: str | None = None) -> bool:
    """Connect to a Ray cluster (address) or start a local one; True when this call started/joined Ray."""
    try:
        import ray
    except ImportError:
        raise RayUnavailableError(
            "The Ray engine needs Ray: install it with `pip install 'voc[ray]'` (or `pip install 'ray[data]'`)."
        ) from None
    if not log.isEnabledFor(logging.DEBUG):
        # no per-dataset INFO lines between voc's progress bars
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    if ray.is_initialized():
        return False
    ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
    return True


def run_pipeline_ray(
    cfg: PipelineConfig,
    progress: Progress | None = None,
    address: str | None = None,
    workers: int | None = None,
) -> RunResult:
    """Run a pipeline through Ray Data into its store (same results as voc.engine.local.run_pipeline)."""
    from voc.ingest import open_source
    from voc.store import Store

    if not cfg.inputs:
        raise InputError("No input given: pass --input FILE or list `inputs:` in the pipeline YAML.")
    started = connect(address or os.environ.get("RAY_ADDRESS"))
    progress = progress or Progress(enabled=False)
    timer = _Timer()
    try:
        with timer.stage("open"):
            sources = [open_source(inp) for inp in cfg.inputs]
        detections = [f"{s.path.name}: {s.describe()}" for s in sources]
        store = Store(cfg.store.path)
        run_id = store.begin_run(
            cfg.config_hash(), cfg.model_dump_json(), [file_fingerprint(Path(s.path)) for s in sources]
        )
        counts = Counts()
        versions: dict[str, str] = {}
        try:
            encoder = None
            if "themes" in cfg.lenses and cfg.themes.enabled:
                from voc.encode import get_encoder

                encoder = get_encoder(cfg.encoder)  # the driver fits themes; it needs the encoder only
            size = max(1, workers or _default_workers())
            versions = _run_chunks(sources, cfg, store, run_id, counts, timer, progress, size, encoder)
            themes = pd.DataFrame()
            if encoder is not None:
                from voc.engine.ray_themes import refresh_themes_ray

                with timer.stage("themes"):
                    themes = refresh_themes_ray(store, encoder, cfg, run_id, size, progress)
            rss = peak_rss_mb()
            store.finish_run(run_id, "done", dict(timer.seconds), versions, rss)
        except BaseException as exc:
            store.finish_run(run_id, "failed", dict(timer.seconds), {}, peak_rss_mb(), error=repr(exc)[:2000])
            raise
    finally:
        if started:
            import ray

            ray.shutdown()
    return RunResult(run_id, counts, dict(timer.seconds), detections, Path(cfg.store.path), rss, themes)


def _put_chunks(sources) -> tuple[list[tuple[int, SimpleNamespace]], list]:
    """Read the inputs chunk by chunk into Ray's object store (which spills to disk), so the driver holds one
    chunk at a time; return each chunk's (input index, row accounting) and the object refs, in input order."""
    import ray

    chunks, refs = [], []
    for idx, source in enumerate(sources):
        for batch in source.batches():
            frame = pd.DataFrame({"chunk": [len(chunks)], "payload": [pickle.dumps(batch.frame)]})
            refs.append(ray.put(frame))
            chunks.append((idx, SimpleNamespace(read=batch.read, rejects=batch.rejects)))
    return chunks, refs


def _run_chunks(sources, cfg, store, run_id, counts, timer, progress, workers, encoder) -> dict[str, str]:
    """Ship every ingest chunk through the actor pool and write the results back chunk by chunk, in order."""
    import ray

    with timer.stage("read"):
        chunks, refs = _put_chunks(sources)
    for idx, source in enumerate(sources):  # inputs without data rows are finished already
        if not any(i == idx for i, _ in chunks):
            store.set_progress(run_id, **Checkpoint(idx, source.name, finished=True).as_kwargs())
    if not chunks:
        return {}
    with timer.stage("dedupe"):
        known = _stored_ids(store)
    size = min(workers, len(chunks))
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # chunks come back, and are written, in input order
    ctx.enable_progress_bars = False  # voc's own progress bars report the rows
    ds = ray.data.from_pandas_refs(refs).map_batches(
        ChunkAnalyser,
        fn_constructor_kwargs={"cfg_json": cfg.model_dump_json(), "known_ids": ray.put(sorted(known))},
        compute=ray.data.ActorPoolStrategy(size=size),
        batch_size=1,
        batch_format="pandas",
        num_cpus=1,
    )
    task = progress.task(f"ray ({size} workers)", total=None)
    versions: dict[str, str] = {}
    points = {i: Checkpoint(i, s.name) for i, s in enumerate(sources)}
    last = {idx: i for i, (idx, _) in enumerate(chunks)}  # each input's last chunk marks it finished
    for row in ds.iter_rows():
        i = int(row["chunk"])
        idx, batch = chunks[i]
        result = pickle.loads(row["payload"])
        versions = versions or result["versions"]
        for stage, seconds in result["seconds"].items():
            timer.seconds[f"{stage} (workers)"] += seconds
        points[idx] = points[idx].advance(batch.read)
        points[idx].finished = last[idx] == i
        _write_chunk(batch, result, store, run_id, counts, timer, points[idx])
        if encoder is not None and result["analysed"] is not None:
            _seed_cache(encoder, result)
        progress.advance(task, batch.read)
    progress.finish(task)
    return versions


def _default_workers() -> int:
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _stored_ids(store) -> list[str]:
    """Every doc_id already in the store (actors skip analysing them)."""
    if not store.exists():
        return []
    with store.reader() as r:
        return r.con.execute("SELECT doc_id FROM documents").df()["doc_id"].tolist()


def _write_chunk(batch, result: dict, store, run_id: str, counts: Counts, timer, checkpoint) -> None:
    """Dedupe one analysed chunk against the store and write it in one transaction, as the local engine does."""
    cleaned, analysed = result["cleaned"], result["analysed"]
    rejects = batch_rejects(batch, result["rejects"])
    with timer.stage("dedupe"):
        in_batch_dup = cleaned["doc_id"].duplicated()
        existing = store.existing_doc_ids(cleaned["doc_id"].tolist())
        dup = in_batch_dup | cleaned["doc_id"].isin(existing)
        fresh = cleaned[~dup].reset_index(drop=True)
    if len(fresh) and (analysed is None or not fresh["doc_id"].isin(analysed.predictions["doc_id"]).all()):
        raise VocError(
            "Ray engine: new documents came back unanalysed from the workers; re-run the pipeline."
        )
    reasons = rejects["reason"].value_counts().to_dict() if len(rejects) else {}
    with timer.stage("store"):
        accepted, n_dup = write_analysed_batch(
            store, run_id, fresh, analysed, rejects, batch.read, int(dup.sum()), checkpoint
        )
    counts.add(batch.read, accepted, n_dup, reasons)


def _seed_cache(encoder, result: dict) -> None:
    """Put the workers' document vectors into the driver's embedding cache (a no-op on one machine)."""
    analysed = result["analysed"]
    if encoder.cache is None or not len(analysed.predictions):
        return
    from voc.encode.cache import text_key

    texts = dict(zip(result["cleaned"]["doc_id"], result["cleaned"]["text"]))
    keys = [text_key(texts[d]) for d in analysed.predictions["doc_id"]]
    try:
        encoder.cache.put_many(zip(keys, np.asarray(analysed.vectors, dtype=np.float32)))
    except Exception as exc:  # noqa: BLE001 - a cache miss later only costs a re-encode
        log.warning("Could not seed the embedding cache with the workers' vectors: %s", exc)
