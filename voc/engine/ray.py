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

import numpy as np
import pandas as pd

from voc.config import PipelineConfig
from voc.engine.accounting import Counts
from voc.engine.chunks import Chunk, ChunkRunner, Processed, Timer, iter_chunks, process_chunk
from voc.engine.local import RunResult, file_fingerprint, peak_rss_mb
from voc.engine.progress import Progress
from voc.errors import InputError, VocError

log = logging.getLogger(__name__)


class RayUnavailableError(VocError):
    """Ray is not installed (it is an optional extra)."""


class ChunkAnalyser:
    """A Ray Data actor: loads the models once, then cleans and analyses whole ingest chunks."""

    def __init__(self, cfg_json: str, known_ids=None) -> None:
        from voc.engine.stages import load_models
        from voc.lenses.sentiment_pooled import attach as attach_pooled_cache

        self.cfg = PipelineConfig.model_validate_json(cfg_json)
        self.models = load_models(self.cfg)
        if self.cfg.sentiment.cache_pooled:  # as the local engine: states a later rescore (or run) reuses
            attach_pooled_cache(self.models.sentiment)
        if known_ids is not None and not isinstance(known_ids, list):
            import ray

            known_ids = ray.get(known_ids)  # an ObjectRef: one copy in the object store for every actor
        self.known: set[str] = set(known_ids or [])

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        """One row per chunk in, one row per chunk out: the pickled chunk result (voc.engine.chunks.Processed)."""
        out = [
            process_chunk(pickle.loads(p), self.cfg, self.models, lambda ids: self.known.intersection(ids))
            for p in batch["payload"]
        ]
        return pd.DataFrame({"chunk": batch["chunk"].to_numpy(), "payload": [pickle.dumps(o) for o in out]})


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
    timer = Timer()
    try:
        with timer.stage("open"):
            sources = [open_source(inp) for inp in cfg.inputs]
        detections = [f"{s.path.name}: {s.describe()}" for s in sources]
        store = Store.from_config(cfg.store)
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


def _put_chunks(sources) -> list[Chunk]:
    """Read the inputs chunk by chunk into Ray's object store (which spills to disk), so the driver holds one
    chunk at a time; each chunk's frame becomes the ref of a one-row block (its number and pickled rows)."""
    import ray

    chunks, n = [], 0
    for chunk in iter_chunks(sources, {}):
        if chunk.frame is not None:
            chunk.frame = ray.put(pd.DataFrame({"chunk": [n], "payload": [pickle.dumps(chunk.frame)]}))
            n += 1
        chunks.append(chunk)
    return chunks


def _run_chunks(sources, cfg, store, run_id, counts, timer, progress, workers, encoder) -> dict[str, str]:
    """Ship every ingest chunk through the actor pool and commit the results chunk by chunk, in input order."""
    task = progress.task(f"ray ({workers} workers)", total=None)

    def after(chunk: Chunk, processed: Processed | None) -> None:
        if encoder is not None and processed is not None and processed.analysed is not None:
            _seed_cache(encoder, processed)
        progress.advance(task, chunk.read)

    runner = ChunkRunner(store, run_id, counts, timer, worker_suffix=" (workers)")
    with timer.stage("read"):
        chunks = _put_chunks(sources)
    versions = runner.run(chunks, ray_executor(cfg, store, workers), after)
    progress.finish(task)
    return versions


def ray_executor(cfg: PipelineConfig, store, workers: int):
    """Process chunks on a Ray Data actor pool (models loaded once per actor); results come back in order."""

    def execute(chunks):
        import ray

        chunks = list(chunks)
        yield from ((c, None) for c in chunks if c.frame is None)  # inputs without data rows
        todo = [c for c in chunks if c.frame is not None]
        if not todo:
            return
        known = _stored_ids(store)
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True  # chunks come back, and are written, in input order
        ctx.enable_progress_bars = False  # voc's own progress bars report the rows
        ds = ray.data.from_pandas_refs([c.frame for c in todo]).map_batches(
            ChunkAnalyser,
            fn_constructor_kwargs={"cfg_json": cfg.model_dump_json(), "known_ids": ray.put(sorted(known))},
            compute=ray.data.ActorPoolStrategy(size=min(workers, len(todo))),
            batch_size=1,
            batch_format="pandas",
            num_cpus=1,
        )
        for row in ds.iter_rows():
            yield todo[int(row["chunk"])], pickle.loads(row["payload"])

    return execute


def _default_workers() -> int:
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _stored_ids(store) -> list[str]:
    """Every doc_id already in the store (actors skip analysing them)."""
    if not store.exists():
        return []
    with store.reader() as r:
        return r.con.execute("SELECT doc_id FROM documents").df()["doc_id"].tolist()


def _seed_cache(encoder, processed: Processed) -> None:
    """Put the workers' document vectors into the driver's embedding cache (a no-op on one machine)."""
    analysed = processed.analysed
    if encoder.cache is None or not len(analysed.predictions):
        return
    from voc.encode.cache import text_key

    texts = dict(zip(processed.cleaned["doc_id"], processed.cleaned["text"]))
    keys = [text_key(texts[d]) for d in analysed.predictions["doc_id"]]
    try:
        encoder.cache.put_many(zip(keys, np.asarray(analysed.vectors, dtype=np.float32)))
    except Exception as exc:  # noqa: BLE001 - a cache miss later only costs a re-encode
        log.warning("Could not seed the embedding cache with the workers' vectors: %s", exc)
