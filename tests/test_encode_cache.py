"""The embedding cache: no re-encoding of known texts, persistence, isolation and concurrency."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import uuid

import numpy as np

from voc.config import EncoderConfig
from voc.encode.cache import EmbeddingCache, text_key

pytest_plugins = ["test_encode_support"]  # shared fixtures: one ONNX export per test run


def _texts(n: int) -> list[str]:
    tag = uuid.uuid4().hex[:8]
    return [f"Order {i} arrived {'late ' * (i % 5)}and the box was damaged ({tag})." for i in range(n)]


def test_second_call_and_new_instance_do_not_run_the_model(cache_root):
    from voc.encode import Encoder

    texts = _texts(40)
    a = Encoder(EncoderConfig(batch_size=16))
    first = a.encode(texts)
    assert a.model_calls == 3
    again = a.encode(texts[::-1])
    assert a.model_calls == 3
    assert np.array_equal(again, first[::-1])
    b = Encoder(EncoderConfig(batch_size=16))  # a new instance reads the persisted file
    assert np.array_equal(b.encode(texts), first)
    assert b.model_calls == 0
    b.encode(texts + ["one new text " + uuid.uuid4().hex])
    assert b.model_calls == 1
    nocache = Encoder(EncoderConfig(batch_size=16, cache=False))
    assert np.allclose(nocache.encode(texts), first, atol=1e-5)
    assert nocache.model_calls == 3


def test_duplicates_in_one_call_are_encoded_once(cache_root):
    from voc.encode import Encoder

    enc = Encoder(EncoderConfig(batch_size=8, cache=False))
    out = enc.encode(["same text"] * 50 + ["other text"])
    assert enc.model_calls == 1
    assert np.allclose(out[:50], out[0]) and not np.allclose(out[50], out[0])


def test_precision_has_its_own_cache_and_spans_fill_it(cache_root):
    from voc.encode import Encoder

    texts = _texts(5)
    fp32 = Encoder(EncoderConfig())
    docs, _ = fp32.encode_spans(texts, [[(0, 5)]] * len(texts))
    calls = fp32.model_calls
    assert np.array_equal(fp32.encode(texts), docs) and fp32.model_calls == calls
    int8 = Encoder(EncoderConfig(precision="int8"))
    int8.encode(texts)
    assert int8.model_calls == 1  # fp32 vectors are not served to the int8 encoder
    assert fp32.cache.path != int8.cache.path


def test_cache_store_chunked_lookup_and_concurrent_writers(tmp_path):
    path = tmp_path / "emb.sqlite"
    cache = EmbeddingCache(path, dim=4)
    keys = [text_key(f"t{i}") for i in range(1200)]
    cache.put_many((k, np.full(4, i, np.float32)) for i, k in enumerate(keys))
    got = cache.get_many(keys + [text_key("missing")])
    assert len(got) == 1200 and got[keys[777]][0] == 777.0
    script = textwrap.dedent(f"""
        import numpy as np, sys
        from voc.encode.cache import EmbeddingCache, text_key
        c = EmbeddingCache({str(path)!r}, dim=4)
        w = int(sys.argv[1])
        for rep in range(5):
            c.put_many((text_key(f"w{{w}}-{{i}}"), np.full(4, w, np.float32)) for i in range(rep * 400, rep * 400 + 400))
            assert len(c.get_many([text_key("t5")])) == 1
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(w)]) for w in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    assert len(cache) == 1200 + 3 * 2000
    got = cache.get_many([text_key(f"w2-{i}") for i in range(2000)])
    assert len(got) == 2000 and all(v[0] == 2.0 for v in got.values())


def test_encode_spans_reuses_cached_span_vectors(cache_root):
    """A re-analysis of the same documents and sentences runs the model zero times."""
    from voc.encode import Encoder

    tag = uuid.uuid4().hex[:8]
    texts = ["The app crashed. Support was lovely though! " + tag, "Refund took six weeks " + tag]
    spans = [[(0, 16), (17, len(texts[0]))], [(0, len(texts[1]))]]
    enc = Encoder(EncoderConfig())
    docs, sents = enc.encode_spans(texts, spans)
    calls = enc.model_calls
    docs2, sents2 = enc.encode_spans(texts, spans)
    assert enc.model_calls == calls
    np.testing.assert_allclose(docs, docs2, atol=1e-6)
    for a, b in zip(sents, sents2):
        np.testing.assert_allclose(a, b, atol=1e-6)
    enc.encode_spans(["The app crashed."], [[(0, 16)]])
    assert enc.model_calls > calls, "a sentence on its own is a different text, not a cache hit"


def test_cache_file_holds_a_vector_in_under_2kb(tmp_path):
    """384-d float32 vectors stay in their pages (the old 4 KiB WITHOUT ROWID layout took 4.7 KB each)."""
    path = tmp_path / "emb.sqlite"
    cache = EmbeddingCache(path, dim=384)
    rng = np.random.default_rng(0)
    cache.put_many((text_key(f"t{i}"), rng.standard_normal(384).astype(np.float32)) for i in range(3000))
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, page_size = con.execute("PRAGMA page_count").fetchone()[0], con.execute("PRAGMA page_size").fetchone()[0]
    assert pages * page_size / 3000 < 2000


def test_cache_file_in_the_old_layout_is_still_read_and_written(tmp_path):
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE emb (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID")
    con.execute("INSERT INTO emb VALUES (?, ?)", (text_key("old"), np.ones(4, np.float32).tobytes()))
    con.commit()
    con.close()
    cache = EmbeddingCache(path, dim=4)
    cache.put_many([(text_key("new"), np.full(4, 2.0, np.float32))])
    got = cache.get_many([text_key("old"), text_key("new")])
    assert got[text_key("old")][0] == 1.0 and got[text_key("new")][0] == 2.0
