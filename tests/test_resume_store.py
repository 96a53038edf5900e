"""The pieces of crash-safe resume without models: schema v2, checkpoints, the one-transaction chunk write."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from voc.config import InputConfig, PipelineConfig
from voc.engine.local import file_fingerprint, write_analysed_batch
from voc.engine.resume import Checkpoint, find_resumable
from voc.engine.stages import Analysed
from voc.errors import InputError, StoreError
from voc.ingest import open_source
from voc.store import Store, schema


def _docs(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"doc_id": ids, "source": "a.csv", "row_number": np.arange(1, len(ids) + 1), "text": ids}
    )


def _analysed(ids: list[str]) -> Analysed:
    preds = pd.DataFrame({"doc_id": ids, "sentiment": "negative", "sentiment_score": -0.5})
    sentences = pd.DataFrame({"doc_id": ids, "idx": 0, "start_char": 0, "end_char": 3})
    return Analysed(predictions=preds, sentences=sentences, vectors=np.zeros((len(ids), 2)))


def _rejects(rows: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"source": "a.csv", "row_number": rows, "reason": "empty_text", "detail": ""})


def test_v1_store_migrates_with_run_progress_and_keeps_its_rows(tmp_path, monkeypatch):
    path = tmp_path / "v1.duckdb"
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        old = Store(path)
        run_id = old.begin_run("h", {}, [])
        old.write_documents(_docs(["a", "b"]), run_id=run_id)
        assert old.schema_version() == 1
    with pytest.raises(StoreError, match="older than this voc"):
        Store(path, read_only=True).count("documents")
    store = Store(path)
    assert store.ensure() == schema.SCHEMA_VERSION  # through v2 (run progress) and every later step
    assert store.count("documents") == 2 and store.runs()["run_id"].tolist() == [run_id]
    assert store.run_progress(run_id).empty
    store.set_progress(run_id, 0, "a.csv", rows_done=50, chunks_done=1)
    store.set_progress(run_id, 0, "a.csv", rows_done=100, chunks_done=2)  # a checkpoint replaces the last
    progress = store.run_progress(run_id)
    assert progress[["input_idx", "rows_done", "chunks_done", "finished"]].values.tolist() == [
        [0, 100, 2, False]
    ]


def test_chunk_write_commits_rows_counts_and_checkpoint_together(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    run_id = store.begin_run("h", {}, [])
    point = Checkpoint(0, "a.csv").advance(5)
    accepted, dups = write_analysed_batch(
        store, run_id, _docs(["a", "b", "c"]), _analysed(["a", "b", "c"]), _rejects([4, 5]), 5, 0, point
    )
    assert (accepted, dups) == (3, 0)
    assert {t: store.count(t) for t in ("documents", "predictions", "sentences", "rejects")} == {
        "documents": 3, "predictions": 3, "sentences": 3, "rejects": 2,
    }  # fmt: skip
    run = store.runs().iloc[0]
    assert (run["read"], run["accepted"], run["duplicates"], run["rejected"]) == (5, 3, 0, 2)
    assert store.run_progress(run_id)["rows_done"].tolist() == [5]

    # Documents another writer stored meanwhile become duplicates inside the transaction (no double insert).
    accepted, dups = write_analysed_batch(
        store, run_id, _docs(["c", "d"]), _analysed(["c", "d"]), _rejects([]), 3, 1, point.advance(3)
    )
    assert (accepted, dups) == (1, 2)
    assert store.count("documents") == 4 and store.count("predictions") == 4
    assert store.reject_reasons(run_id) == {"empty_text": 2}

    # A failing write rolls back everything, the checkpoint included.
    bad = _analysed(["e"])
    bad.predictions["sentiment_score"] = "not a number"
    with pytest.raises(StoreError):
        write_analysed_batch(
            store, run_id, _docs(["e"]), bad, _rejects([9]), 2, 0, point.advance(3).advance(2)
        )
    assert store.count("documents") == 4 and store.count("rejects") == 2
    assert store.run_progress(run_id)["rows_done"].tolist() == [8]
    run = store.runs().iloc[0]
    assert (run["read"], run["accepted"], run["duplicates"], run["rejected"]) == (8, 4, 2, 2)


def _csv(tmp_path, n: int):
    path = tmp_path / "in.csv"
    pd.DataFrame(
        {"id": [f"R{i}" for i in range(n)], "text": [f"review number {i}" for i in range(n)]}
    ).to_csv(path, index=False)
    return path


def test_source_skips_whole_chunks_and_refuses_a_mid_chunk_resume(tmp_path):
    path = _csv(tmp_path, 25)
    source = open_source(InputConfig(path=path, chunk_size=10))
    full = list(source.batches())
    rest = list(source.batches(skip_rows=10))
    assert [b.read for b in full] == [10, 10, 5] and [b.read for b in rest] == [10, 5]
    pd.testing.assert_frame_equal(rest[0].frame, full[1].frame)
    assert list(source.batches(skip_rows=25)) == []
    with pytest.raises(InputError, match="not at a chunk boundary"):
        list(source.batches(skip_rows=15))


def test_find_resumable_needs_same_config_inputs_and_chunking(tmp_path):
    path = _csv(tmp_path, 25)
    store = Store(tmp_path / "s.duckdb")
    cfg = PipelineConfig(inputs=[InputConfig(path=path, chunk_size=10)], store={"path": store.path})
    assert find_resumable(store, cfg, [file_fingerprint(path)]) is None  # no store yet
    run_id = store.begin_run(cfg.config_hash(), cfg.model_dump_json(), [file_fingerprint(path)])
    store.set_progress(run_id, 0, "in.csv", 10, 1)
    state = find_resumable(store, cfg, [file_fingerprint(path)])
    assert state.run_id == run_id and state.status == "running"
    assert state.checkpoint(0, "in.csv").rows_done == 10 and state.checkpoint(1, "x").rows_done == 0
    other_chunks = cfg.model_copy(update={"inputs": [InputConfig(path=path, chunk_size=7)]})
    assert find_resumable(store, other_chunks, [file_fingerprint(path)]) is None
    other_lenses = cfg.model_copy(update={"lenses": ["sentiment"]})
    assert find_resumable(store, other_lenses, [file_fingerprint(path)]) is None
    path.write_text(path.read_text() + "R99,one more\n")
    assert find_resumable(store, cfg, [file_fingerprint(path)]) is None  # the input changed


def test_run_without_matching_checkpoints_is_not_resumed(tmp_path):
    path = _csv(tmp_path, 25)
    store = Store(tmp_path / "s.duckdb")
    cfg = PipelineConfig(inputs=[InputConfig(path=path, chunk_size=10)], store={"path": store.path})
    run_id = store.begin_run(cfg.config_hash(), cfg.model_dump_json(), [file_fingerprint(path)])
    store.add_run_counts(run_id, read=10, accepted=10)  # counted rows but no checkpoint (e.g. another engine)
    state = find_resumable(store, cfg, [file_fingerprint(path)])
    assert state.run_id == run_id and not state.consistent
    store.set_progress(run_id, 0, "in.csv", 10, 1)
    assert find_resumable(store, cfg, [file_fingerprint(path)]).consistent
