"""The Ray engine gives the local engine's results on a demo-corpus subset (local 2-CPU Ray cluster)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time

import numpy as np
import pandas as pd
import pytest

from voc.config import PipelineConfig
from voc.paths import PROJECT_ROOT
from voc.store import Store

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'voc[ray]'")
pytestmark = pytest.mark.ray

DEMO = PROJECT_ROOT / "data" / "demo"
ROWS = 120  # per demo file: about 450 documents in all, enough for themes


@pytest.fixture(scope="module")
def ray_cluster():
    """A local 2-CPU Ray with auth off and a short temp dir (unix socket paths are limited); always shut down."""
    os.environ["RAY_AUTH_MODE"] = "disabled"
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    ray.init(num_cpus=2, _temp_dir=temp, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def subset(tmp_path_factory) -> list[dict]:
    """The first ROWS rows of each demo file, plus the reviews again (every row a duplicate)."""
    folder = tmp_path_factory.mktemp("demo_subset")
    inputs = []
    for name, preset in [
        ("reviews.csv", "reviews"),
        ("tickets.jsonl", "tickets"),
        ("social.csv", "social"),
        ("survey.csv", "survey"),
    ]:
        out = folder / name
        if name.endswith(".csv"):
            pd.read_csv(DEMO / name, nrows=ROWS).to_csv(out, index=False)
        else:
            out.write_text(
                "".join((DEMO / name).read_text(encoding="utf-8").splitlines(True)[:ROWS]), encoding="utf-8"
            )
        inputs.append({"path": str(out), "preset": preset, "chunk_size": 70})
    inputs.append(dict(inputs[0]))
    return inputs


def _config(inputs: list[dict], store) -> PipelineConfig:
    # a theme sample smaller than the corpus, so most documents are assigned by the fitted model (on Ray actors)
    return PipelineConfig(inputs=inputs, store={"path": str(store)}, themes={"sample_size": 200})


def _docs(store) -> pd.DataFrame:
    return (
        Store(store, read_only=True).documents_with_predictions().sort_values("doc_id").reset_index(drop=True)
    )


def _sentences(store) -> pd.DataFrame:
    with Store(store, read_only=True).reader() as r:
        return r.con.execute(
            "SELECT doc_id, idx, theme_id, sentiment FROM sentences ORDER BY doc_id, idx"
        ).df()


def _counts(result) -> tuple:
    c = result.counts
    return c.read, c.accepted, c.duplicates, c.rejected, dict(sorted(c.reasons.items()))


def test_ray_engine_matches_local(ray_cluster, subset, tmp_path, monkeypatch):
    from voc.engine import ray_themes
    from voc.engine.local import run_pipeline
    from voc.engine.ray import run_pipeline_ray

    pages = []
    put = ray_themes.page_refs
    monkeypatch.setattr(ray_themes, "ASSIGN_BATCH", 100)  # several pages, streamed to the actors
    monkeypatch.setattr(ray_themes, "page_refs", lambda p: (pages.append(r) or r for r in put(p)))
    local = run_pipeline(_config(subset, tmp_path / "local.duckdb"))
    distributed = run_pipeline_ray(_config(subset, tmp_path / "ray.duckdb"), workers=2)
    assert len(pages) >= 4  # ~450 documents in pages of 100, each put into Ray's object store on its own

    assert _counts(distributed) == _counts(local)
    assert local.counts.duplicates >= ROWS - 5, "the repeated reviews file must count as duplicates"
    a, b = _docs(local.store_path), _docs(distributed.store_path)
    assert len(a) > 350
    assert a["doc_id"].tolist() == b["doc_id"].tolist()
    assert a["text"].tolist() == b["text"].tolist()
    assert a["sentiment"].tolist() == b["sentiment"].tolist()
    np.testing.assert_allclose(b["sentiment_score"], a["sentiment_score"], atol=1e-3)
    as_set = lambda v: sorted(v) if isinstance(v, (list, tuple, np.ndarray)) else []  # null: not analysed
    assert a["causes"].map(as_set).tolist() == b["causes"].map(as_set).tolist()
    assert a["theme_id"].notna().all()
    assert a["theme_id"].tolist() == b["theme_id"].tolist()
    assert a["theme_label"].tolist() == b["theme_label"].tolist()
    sa, sb = _sentences(local.store_path), _sentences(distributed.store_path)
    assert len(sa) > len(a)
    assert sa[["doc_id", "idx", "theme_id", "sentiment"]].equals(
        sb[["doc_id", "idx", "theme_id", "sentiment"]]
    )
    runs = Store(distributed.store_path, read_only=True).runs().iloc[-1]
    assert runs["status"] == "done"
    assert (runs["read"], runs["accepted"], runs["duplicates"], runs["rejected"]) == _counts(local)[:4]
    assert Store(distributed.store_path, read_only=True).count("rejects") == local.counts.rejected

    again = run_pipeline_ray(_config(subset, tmp_path / "ray.duckdb"), workers=2)
    assert again.counts.accepted == 0
    assert again.counts.duplicates == local.counts.accepted + local.counts.duplicates
    assert len(_docs(distributed.store_path)) == len(b)


def test_cli_engine_ray_dispatches_to_ray(ray_cluster, subset, tmp_path):
    from typer.testing import CliRunner

    from voc.cli import app

    store = tmp_path / "cli.duckdb"
    args = [
        "run",
        "--input",
        subset[0]["path"],
        "--preset",
        "reviews",
        "--store",
        str(store),
        "--no-themes",
        "-q",
    ]
    result = CliRunner().invoke(app, [*args, "--engine", "ray"])
    assert result.exit_code == 0, result.output
    runs = Store(store, read_only=True).runs()
    assert runs["status"].tolist() == ["done"]
    assert int(runs["accepted"].iloc[0]) == Store(store, read_only=True).count("documents") > 80
    assert "(workers)" in str(runs["timings"].iloc[0]), "the per-chunk stages must have run on Ray workers"
    bad = CliRunner().invoke(app, [*args, "--engine", "spark"])
    assert bad.exit_code != 0 and "local or ray" in bad.output


def test_ray_engine_waits_store_lock_timeout(ray_cluster, tmp_path):
    """The Ray engine opens the store with the config's `store.lock_timeout`, not the 30 s default."""
    from store_holder import held_store

    from voc.engine.ray import run_pipeline_ray
    from voc.errors import StoreError

    path = tmp_path / "voc.duckdb"
    Store(path).ensure()
    feedback = tmp_path / "feedback.csv"
    pd.DataFrame({"text": ["The app crashes on login.", "Great service!"]}).to_csv(feedback, index=False)
    cfg = PipelineConfig(inputs=[{"path": str(feedback)}], store={"path": str(path), "lock_timeout": 1.0})
    with held_store(path):
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="another voc process") as info:
            run_pipeline_ray(cfg, workers=1)
        assert 0.9 <= time.monotonic() - t0 < 5
        assert str(path) in str(info.value)


def test_text_pages_go_to_the_object_store_one_at_a_time(ray_cluster):
    """The driver puts each store page into Ray as it reads it, so it never holds a list of every text."""
    from voc.engine.ray_themes import page_refs

    read = []

    def pages():
        for i in range(3):
            read.append(i)
            yield pd.DataFrame(
                {"doc_id": [f"d{i}a", f"d{i}b"], "text": [f"t{i}", "u"], "language": ["en", None], "x": 1}
            )

    refs = page_refs(pages())
    first = next(refs)
    assert read == [0]  # a generator: the next page is read only when the previous one is in the object store
    back = [ray.get(first), *(ray.get(r) for r in refs)]
    assert read == [0, 1, 2] and [len(b) for b in back] == [2, 2, 2]
    assert back[0].columns.tolist() == ["doc_id", "text", "language"]
    assert pd.concat(back)["doc_id"].tolist() == ["d0a", "d0b", "d1a", "d1b", "d2a", "d2b"]
