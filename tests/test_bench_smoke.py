"""Fast checks of the benchmark plumbing: the scale corpus generator, child measurement and the fresh cache."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from bench.peer_proc import fresh_voc_cache, run_measured
from bench.scale_corpus import SUFFIX_LEN, load_pool, perturb, write_corpus
from tests.conftest import shared_data

SOURCE = [
    "the flight was delayed for three hours and nobody at the gate told us anything",
    "my card payment was declined twice today",
    "love this dress the fabric is soft and the fit is great",
    "app crashes",
]
POOL = pd.DataFrame({"text": SOURCE, "corpus": ["airline", "banking77", "clothing", "alexa"]})


def test_perturb_drops_swaps_and_suffixes_but_keeps_the_source_words():
    rng = np.random.default_rng(1)
    src = SOURCE[0]
    outs = [perturb(src, rng) for _ in range(400)]
    for out in outs:
        *words, suffix = out.split()
        assert len(suffix) == SUFFIX_LEN and suffix.isalpha() and suffix.islower()
        assert set(words) <= set(src.split())
        assert 1 <= len(words) <= len(src.split())
    kept = np.mean([len(o.split()) - 1 for o in outs]) / len(src.split())
    assert 0.85 < kept < 0.95  # word dropout 0.1
    bodies = [" ".join(o.split()[:-1]) for o in outs]
    assert sum(b == src for b in bodies) < 80  # about 9% expected unchanged (no drop, no swap)
    assert len(set(outs)) == len(outs)


def test_perturb_keeps_short_texts_whole_apart_from_order():
    rng = np.random.default_rng(2)
    for _ in range(50):
        *words, _suffix = perturb("app crashes", rng).split()
        assert sorted(words) == ["app", "crashes"]


def test_write_corpus_row_counts_columns_and_seed(tmp_path):
    out = tmp_path / "c.csv"
    assert write_corpus(POOL, 2_500, out, seed=7) == 2_500
    df = pd.read_csv(out)
    assert len(df) == 2_500 and list(df.columns) == ["text", "corpus", "date"]
    assert df["text"].is_unique  # the suffix defeats the embedding cache and dedupe
    assert set(df["corpus"]) == set(POOL["corpus"])
    assert df["date"].str.startswith("2025-").all()
    again = tmp_path / "d.csv"
    write_corpus(POOL, 2_500, again, seed=7)
    assert out.read_bytes() == again.read_bytes()
    write_corpus(POOL, 2_500, again, seed=8)
    assert out.read_bytes() != again.read_bytes()


def test_load_pool_reads_the_shared_corpora():
    pool = load_pool(shared_data())
    assert {"airline", "clothing", "banking77"} <= set(pool["corpus"])
    assert (pool["text"].str.strip() != "").all()
    assert (pool["corpus"] == "airline").sum() == 14_640


def test_run_measured_reports_the_childs_own_peak_rss(tmp_path):
    code = "import numpy as np; a = np.ones(300 * 2**20 // 8); print(a.sum())"
    res = run_measured([sys.executable, "-c", code], log_path=tmp_path / "log")
    assert res["returncode"] == 0
    assert res["peak_rss_mb"] > 300
    big_parent = np.ones(400 * 2**20 // 8)  # the parent's RSS must not leak into the child's figure
    small = run_measured([sys.executable, "-S", "-c", "pass"])
    assert big_parent.sum() > 0
    assert small["returncode"] == 0 and small["peak_rss_mb"] < 100


def test_fresh_voc_cache_copies_only_the_onnx_export_and_numba_cache(tmp_path):
    src = tmp_path / "src"
    for part in ("onnx/m", "numba", "embeddings"):
        (src / part).mkdir(parents=True)
    (src / "onnx/m/model.onnx").write_bytes(b"x")
    (src / "embeddings/cache.sqlite").write_bytes(b"y")
    info = fresh_voc_cache(tmp_path / "dst", src)
    assert (tmp_path / "dst/onnx/m/model.onnx").read_bytes() == b"x"
    assert not (tmp_path / "dst/embeddings").exists()
    assert info["warm"] == ["onnx", "numba"]
