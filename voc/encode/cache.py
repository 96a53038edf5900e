"""A persistent embedding cache: text hash -> float32 vector, one SQLite file per model version.

SQLite in WAL mode: many concurrent readers (threads or processes), one writer at a time (others wait
up to 60 s), millions of rows with bounded memory (lookups and writes go in chunks). Keys are 16-byte
BLAKE2b digests of the UTF-8 text; the model key, precision and windowing settings pick the file, so a
different model never reads another's vectors. Delete the file (or the whole cache dir) to clear it.

Rows live in a rowid table with 8 KiB pages: a 1.5 KB vector then fits in its page. (A WITHOUT ROWID
table with 4 KiB pages, the layout before, spills every vector into an overflow page: 4.7 KB a vector on
disk and 6x slower writes. Files in that layout are still read and written as they are.)
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_CHUNK = 500  # keys per SELECT ... IN (...); under SQLite's variable limit
_PAGE_SIZE = 8192  # applies when a file is created; SQLite ignores it for an existing file


def text_key(text: str) -> bytes:
    """The cache key of a text: 16-byte BLAKE2b of its UTF-8 bytes."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def span_key(text: str, span: tuple[int, int]) -> bytes:
    """The cache key of a span's in-context vector: the text plus the span's offsets (never a plain text's key)."""
    start, end = span
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass") + f"\x00span:{start}:{end}".encode(), digest_size=16, person=b"voc-span"
    ).digest()


def cache_file_name(namespace: str) -> str:
    """A filesystem-safe file name for a cache namespace."""
    safe = re.sub(r"[^A-Za-z0-9._@-]+", "_", namespace)
    return f"{safe}.sqlite"


class EmbeddingCache:
    """Get/put float32 vectors by text key in a SQLite file; safe across threads and processes."""

    def __init__(self, path: str | os.PathLike[str], dim: int):
        self.path = Path(path)
        self.dim = dim
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con().execute(
            "CREATE TABLE IF NOT EXISTS emb (k BLOB PRIMARY KEY, v BLOB NOT NULL)"
        )

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None or getattr(self._local, "pid", None) != os.getpid():
            con = sqlite3.connect(str(self.path), timeout=60.0, isolation_level=None, check_same_thread=False)
            con.execute(f"PRAGMA page_size={_PAGE_SIZE}")  # before WAL mode, which fixes the page size
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA busy_timeout=60000")
            self._local.con, self._local.pid = con, os.getpid()
        return con

    def __getstate__(self) -> dict:
        return {"path": self.path, "dim": self.dim}

    def __setstate__(self, state: dict) -> None:
        self.path, self.dim = state["path"], state["dim"]
        self._local = threading.local()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """Vectors found for the given keys (missing keys are absent from the result)."""
        found: dict[bytes, np.ndarray] = {}
        con = self._con()
        for i in range(0, len(keys), _CHUNK):
            chunk = list(keys[i : i + _CHUNK])
            marks = ",".join("?" * len(chunk))
            for k, v in con.execute(f"SELECT k, v FROM emb WHERE k IN ({marks})", chunk):
                vec = np.frombuffer(v, dtype=np.float32)
                if vec.shape[0] == self.dim:
                    found[bytes(k)] = vec
        return found

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]]) -> int:
        """Store vectors (existing keys are kept); returns how many rows were offered."""
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items]
        if not rows:
            return 0
        con = self._con()
        for i in range(0, len(rows), 10_000):
            con.execute("BEGIN IMMEDIATE")  # one write transaction per chunk
            try:
                con.executemany("INSERT OR IGNORE INTO emb (k, v) VALUES (?, ?)", rows[i : i + 10_000])
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        return len(rows)

    def __len__(self) -> int:
        return int(self._con().execute("SELECT count(*) FROM emb").fetchone()[0])

    def close(self) -> None:
        """Close this thread's connection."""
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None
