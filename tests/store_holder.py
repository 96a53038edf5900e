"""Test helper: another process holds a voc store open (writer or reader) while a test tries to open it."""

from __future__ import annotations

import multiprocessing as mp
from contextlib import contextmanager

import pandas as pd

from voc.store import Store


def hold_writer(path: str, held, release) -> None:
    """Open a writer on the store, write one row, signal `held`, keep the lock until `release`."""
    store = Store(path, lock_timeout=30)
    with store.writer() as w:
        w.write_documents(pd.DataFrame({"doc_id": ["held"], "text": ["x"]}))
        held.set()
        release.wait(60)


def hold_reader(path: str, held, release) -> None:
    """Open a reader on the store, signal `held`, keep it open until `release`."""
    store = Store(path, read_only=True, lock_timeout=30)
    with store.reader() as r:
        r.count("documents")
        held.set()
        release.wait(60)


@contextmanager
def held_store(path, hold=hold_writer):
    """Another process holds the store (hold_writer or hold_reader) until the block ends or `release` is set."""
    ctx = mp.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=hold, args=(str(path), held, release))
    holder.start()
    try:
        assert held.wait(60)
        yield release
    finally:
        release.set()
        holder.join(30)
    assert holder.exitcode == 0
