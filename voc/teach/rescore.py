"""`voc rescore`: re-apply the sentiment and root-cause lenses to every stored document, no re-ingest.

Texts come from the store and vectors from the embedding cache (the shared pass is recomputed only for
texts the cache lacks). Each page of documents is written with its checkpoint in one transaction, as a run
of its own (run_id `rescore-...`), so a killed rescore resumes at the next page and `voc runs` lists it.
Only the two lenses' columns change: themes, other lenses and the reviewers' labels stay as they are.
The sentiment encoder's pooled states are cached (voc.lenses.sentiment_pooled): an adapted head keeps the
shipped encoder, so once a rescore has cached a store's states, the next rescore with a newer head skips
the encoder for every document it has seen.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import pandas as pd

from voc.config import PipelineConfig
from voc.engine.progress import Progress
from voc.engine.stages import Models, analyse_batch, load_models
from voc.lenses.sentiment_pooled import attach
from voc.store import Store
from voc.store.frames import registered

log = logging.getLogger(__name__)

LENSES = ("sentiment", "rootcause")
SOURCE = "rescore"


def _models(cfg: PipelineConfig, cache_pooled: bool = True) -> tuple[Models, object | None]:
    cfg = cfg.model_copy(deep=True)
    cfg.lenses = [n for n in cfg.lenses if n in LENSES]
    models = load_models(cfg)
    # cached pooled states: a later rescore with another head on the same encoder skips the encoder
    cache = attach(models.sentiment) if cache_pooled else None
    return models, cache


def _unfinished(store: Store) -> str | None:
    runs = store.runs()
    mine = runs[runs["run_id"].astype(str).str.startswith("rescore-") & (runs["status"] != "done")]
    return None if mine.empty else str(mine["run_id"].iloc[-1])


def _write_sentences(session, frame: pd.DataFrame, columns: list[str]) -> None:
    if frame.empty or not columns:
        return
    sets = ", ".join(f'"{c}" = s."{c}"' for c in columns)
    with registered(session.con, frame[["doc_id", "idx", *columns]]) as src:
        session.con.execute(
            f"UPDATE sentences SET {sets} FROM {src} s "
            "WHERE sentences.doc_id = s.doc_id AND sentences.idx = CAST(s.idx AS INTEGER)"
        )


def rescore(
    store: Store,
    cfg: PipelineConfig | None = None,
    page_size: int = 2000,
    progress: bool = True,
    resume: bool = True,
    cache_pooled: bool = True,
) -> dict:
    """Rescore every stored document with the configured models; returns counts, seconds and model versions."""
    cfg = cfg or PipelineConfig.load(None)
    t0 = time.perf_counter()
    models, cache = _models(cfg, cache_pooled)
    run_id = _unfinished(store) if resume else None
    done = 0
    if run_id is not None:
        prog = store.run_progress(run_id)
        done = int(prog["rows_done"].iloc[0]) if len(prog) else 0
        store.reopen_run(run_id)
        log.info("Resuming %s after %d documents", run_id, done)
    else:
        run_id = f"rescore-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
        store.begin_run("rescore", cfg.model_dump(mode="json"), [{"rescore": str(store.path)}], run_id=run_id)
    total = store.count("documents")
    doc_cols = [o.name for o in models.outputs() if o.level == "document" and o.stored
                and any(o in lens.declared_outputs() for lens in models.lenses)]  # fmt: skip
    sent_cols = [o.name for lens in models.lenses for o in lens.declared_outputs() if o.level == "sentence"]
    changed = 0
    try:
        with Progress(enabled=progress) as bar:
            task = bar.task("rescore")
            bar.advance(task, done)
            after = None
            if done:
                after = store._call(
                    False,
                    lambda s: s.con.execute(
                        "SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1 OFFSET ?", [done - 1]
                    ).fetchall()[0][0],
                )
            while True:
                page = store._call(False, lambda s, after=after: _page(s.con, after, page_size))
                if page.empty:
                    break
                analysed = analyse_batch(page, models)
                preds = analysed.predictions[["doc_id", *doc_cols]]
                sents = analysed.sentences
                done += len(page)

                def write(s, preds=preds, sents=sents, done=done) -> int:
                    ids = preds["doc_id"].tolist()
                    old = s.con.execute(
                        "SELECT doc_id, sentiment FROM predictions WHERE doc_id IN (SELECT unnest(?))", [ids]
                    ).df()
                    s.write_predictions(preds)
                    _write_sentences(s, sents, [c for c in sent_cols if c in sents.columns])
                    s.set_progress(run_id, 0, SOURCE, done, 0)
                    if "sentiment" not in preds:
                        return 0
                    merged = preds[["doc_id", "sentiment"]].merge(
                        old, on="doc_id", how="left", suffixes=("", "_old")
                    )
                    new, before = merged["sentiment"], merged["sentiment_old"]
                    return int(((new != before) & ~(new.isna() & before.isna())).sum())

                with store.writer() as session:
                    changed += write(session)
                bar.advance(task, len(page))
                after = str(page["doc_id"].iloc[-1])
            bar.finish(task)
    except BaseException as exc:
        store.finish_run(run_id, "failed", error=f"{type(exc).__name__}: {exc}")
        raise
    seconds = time.perf_counter() - t0
    store.set_progress(run_id, 0, SOURCE, done, 0, finished=True)
    store.finish_run(run_id, "done", {"rescore": round(seconds, 2)}, models.versions)
    return {"run_id": run_id, "documents": done, "total": total, "sentiment_changed": changed,
            "seconds": round(seconds, 2), "model_versions": models.versions,
            "pooled_cache": None if cache is None else {"hits": cache.hits, "misses": cache.misses}}  # fmt: skip


def _page(con, after: str | None, limit: int) -> pd.DataFrame:
    if after is None:
        return con.execute(
            "SELECT doc_id, text, language FROM documents ORDER BY doc_id LIMIT ?", [limit]
        ).df()
    sql = "SELECT doc_id, text, language FROM documents WHERE doc_id > ? ORDER BY doc_id LIMIT ?"
    return con.execute(sql, [after, limit]).df()
