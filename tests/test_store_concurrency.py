"""Two real processes: a pipeline committing chunks while the app reads read-only; lock timeouts."""

from __future__ import annotations

import multiprocessing as mp
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest
from store_holder import held_store, hold_reader

from voc.errors import StoreError
from voc.store import Store

CHUNKS = 8
CHUNK_ROWS = 500


def _chunk(k: int) -> pd.DataFrame:
    ids = [f"c{k:03d}-{i:04d}" for i in range(CHUNK_ROWS)]
    return pd.DataFrame({"doc_id": ids, "text": [f"row {i} of chunk {k}" for i in range(CHUNK_ROWS)]})


def _pipeline(path: str, started, done, out, seen_mid) -> None:
    """Like the engine: one writer (one transaction) per chunk, compute in between.

    Halfway through it waits (up to 30 s) until the reader has seen the half-written store, so the test does
    not depend on the scheduler letting the reader in between two fast commits.
    """
    try:
        store = Store(path, lock_timeout=30)
        run_id = store.begin_run("h", {}, [])
        started.set()
        for k in range(CHUNKS):
            time.sleep(0.05)  # "encoding" the next chunk, lock released
            with store.writer() as w:
                new = w.write_documents(_chunk(k), run_id=run_id)
                w.write_predictions(_chunk(k).assign(sentiment="neutral").drop(columns="text"), run_id=run_id)
                w.add_run_counts(run_id, read=CHUNK_ROWS, accepted=new)
            if k == CHUNKS // 2 - 1:
                seen_mid.wait(30)
        store.finish_run(run_id, "done")
        out.put(("ok", None))
    except Exception as exc:  # reported to the test instead of dying silently
        out.put(("error", repr(exc)))
    finally:
        done.set()


def _app(path: str, started, done, out, seen_mid) -> None:
    """Like the Streamlit app: short read-only opens, counting rows, until the pipeline is done."""
    counts: list[int] = []
    try:
        store = Store(path, read_only=True, lock_timeout=30)
        started.wait(30)
        while True:
            finished = done.is_set()
            with store.reader() as r:
                docs = r.count("documents")
                preds = r.count("predictions")
                assert docs == preds, (docs, preds)  # a chunk commit is all-or-nothing
                counts.append(docs)
            if 0 < docs < CHUNKS * CHUNK_ROWS:
                seen_mid.set()
            if finished:
                break
            time.sleep(0.01)
        out.put(("ok", counts))
    except Exception as exc:
        out.put(("error", f"{exc!r} after counts {counts}"))


def test_readers_share_and_writer_waits_for_them(tmp_path):
    path = tmp_path / "voc.duckdb"
    Store(path).write_documents(pd.DataFrame({"doc_id": ["a"], "text": ["x"]}))
    with held_store(path, hold_reader) as release:
        assert Store(path, read_only=True, lock_timeout=0.2).count("documents") == 1  # readers coexist
        with pytest.raises(StoreError, match="another voc process"):
            Store(path, lock_timeout=0.2).write_documents(pd.DataFrame({"doc_id": ["b"], "text": ["y"]}))
        # The writer gets its turn once the reader closes.
        threading.Timer(0.5, release.set).start()
        assert (
            Store(path, lock_timeout=30).write_documents(pd.DataFrame({"doc_id": ["b"], "text": ["y"]})) == 1
        )


def test_pipeline_and_app_share_the_store(tmp_path):
    path = str(tmp_path / "voc.duckdb")
    Store(path).ensure()
    ctx = mp.get_context("spawn")
    started, done, seen_mid = ctx.Event(), ctx.Event(), ctx.Event()
    writer_out, reader_out = ctx.Queue(), ctx.Queue()
    writer = ctx.Process(target=_pipeline, args=(path, started, done, writer_out, seen_mid))
    reader = ctx.Process(target=_app, args=(path, started, done, reader_out, seen_mid))
    reader.start()
    writer.start()
    w_status, w_detail = writer_out.get(timeout=120)
    r_status, counts = reader_out.get(timeout=120)
    writer.join(30)
    reader.join(30)
    assert w_status == "ok", w_detail
    assert r_status == "ok", counts
    assert counts == sorted(counts), counts  # monotonic
    assert all(c % CHUNK_ROWS == 0 for c in counts), counts  # never half a chunk
    assert counts[-1] == CHUNKS * CHUNK_ROWS
    assert any(0 < c < CHUNKS * CHUNK_ROWS for c in counts), counts  # the reader got in between chunks
    run = Store(path, read_only=True).runs().iloc[0]
    assert (run["status"], run["read"], run["accepted"]) == ("done", CHUNKS * CHUNK_ROWS, CHUNKS * CHUNK_ROWS)


def test_lock_timeout_names_the_file_then_retry_succeeds(tmp_path):
    path = tmp_path / "voc.duckdb"
    Store(path).ensure()
    with held_store(path) as release:
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="another voc process") as info:
            Store(path, read_only=True, lock_timeout=0.5).count("documents")
        assert time.monotonic() - t0 < 2.5
        assert str(path) in str(info.value) and "locked" in str(info.value)
        with pytest.raises(StoreError, match="another voc process"):
            Store(path, lock_timeout=0.3).write_documents(pd.DataFrame({"doc_id": ["w"], "text": ["y"]}))
        # With a longer timeout the open waits for the holder to commit and then sees its row.
        threading.Timer(0.5, release.set).start()
        assert Store(path, read_only=True, lock_timeout=30).count("documents") == 1


CRASHING_PIPELINE = """
import os, sys
import pandas as pd
from voc.store import Store
store = Store(sys.argv[1])
with store.writer() as w:
    w.write_documents(pd.DataFrame({"doc_id": ["a", "b"], "text": ["x", "y"]}))
with store.writer() as w:
    w.write_documents(pd.DataFrame({"doc_id": ["c"], "text": ["z"]}))
    os._exit(3)  # killed in the middle of the second chunk commit
"""


def test_a_crashed_pipeline_leaves_committed_chunks_readable(tmp_path):
    path = tmp_path / "voc.duckdb"
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_PIPELINE, str(path)], capture_output=True, timeout=120
    )
    assert proc.returncode == 3, proc.stderr.decode()
    assert Store(path, read_only=True).existing_doc_ids(["a", "b", "c"]) == {"a", "b"}
    assert Store(path).write_documents(pd.DataFrame({"doc_id": ["b", "c"], "text": ["y", "z"]})) == 1


def test_the_engine_waits_store_lock_timeout_then_names_the_file(tmp_path):
    """`store.lock_timeout` from the pipeline config reaches the engine's store (not the 30 s default)."""
    from voc.config import InputConfig, PipelineConfig
    from voc.engine.local import run_pipeline

    path = tmp_path / "voc.duckdb"
    Store(path).ensure()
    feedback = tmp_path / "feedback.csv"
    pd.DataFrame({"text": ["The app crashes on login.", "Great service, thanks!"]}).to_csv(
        feedback, index=False
    )
    cfg = PipelineConfig(inputs=[InputConfig(path=feedback)], store={"path": str(path), "lock_timeout": 1.0})
    with held_store(path):
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="another voc process") as info:
            run_pipeline(cfg)
        waited = time.monotonic() - t0
        assert 0.9 <= waited < 5, waited  # about lock_timeout, far below the 30 s default
        assert str(path) in str(info.value) and "waited 1 s" in str(info.value)
    assert Store(path, read_only=True).runs().empty  # the failed open began no run
