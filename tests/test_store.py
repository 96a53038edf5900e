"""The DuckDB store: idempotent writes, round-trips of every column type, reads, runs, themes, errors."""

from __future__ import annotations

import json
import time

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import voc
from voc.errors import StoreError, VocError
from voc.schema import CLEAN_COLUMNS, INGEST_COLUMNS, PREDICTION_COLUMNS
from voc.store import SCHEMA_VERSION, Store


def make_docs(ids: list[str], source: str = "reviews.csv") -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "doc_id": ids,
            "source": source,
            "row_number": np.arange(1, n + 1),
            "source_id": [None] * n,
            "text": [f"text of {i}" for i in ids],
            "language": "en",
            "date": pd.Timestamp("2024-03-01", tz="UTC") + pd.to_timedelta(np.arange(n), "h"),
            "channel": "reviews",
            "rating": 4.0,
            "rating_scale": "stars",
            "rating_norm": 0.75,
            "segments": ['{"product": "app"}'] * n,
            "role": [None] * n,
            "status": [None] * n,
            "created_at": pd.NaT,
            "resolved_at": pd.NaT,
            "pii": ["[]"] * n,
        }
    )


def make_preds(ids: list[str], sentiment: str = "negative") -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "doc_id": ids,
            "sentiment": sentiment,
            "sentiment_score": -0.5,
            "p_negative": 0.7,
            "p_neutral": 0.2,
            "p_positive": 0.1,
            "theme_id": 1,
            "causes": [["technology"]] * n,
            "cause_scores": [{"people": 0.1, "process": 0.2, "technology": 0.9}] * n,
            "cause_evidence": [{"technology": [0, 4]}] * n,
        }
    )


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "voc.duckdb", lock_timeout=5)


def test_document_columns_match_the_schema_contract(store):
    store.ensure()
    with store.reader() as s:
        columns = [
            r[0]
            for r in s.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name='documents'"
            ).fetchall()
        ]
        pred = [
            r[0]
            for r in s.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name='predictions'"
            ).fetchall()
        ]
    assert set(INGEST_COLUMNS) | set(CLEAN_COLUMNS) | {"run_id"} == set(columns)
    assert set(PREDICTION_COLUMNS) - {"theme_label"} | {"doc_id", "run_id"} == set(pred)
    assert store.schema_version() == SCHEMA_VERSION


def test_write_documents_is_idempotent(store):
    ids = [f"d{i}" for i in range(100)]
    assert store.write_documents(make_docs(ids), run_id="r1") == 100
    assert store.write_documents(make_docs(ids), run_id="r2") == 0
    assert store.count("documents") == 100
    overlap = [f"d{i}" for i in range(90, 110)]
    assert store.write_documents(make_docs(overlap), run_id="r2") == 10
    assert store.count("documents") == 110
    # The first run that saw a document keeps it.
    runs = store.documents_with_predictions(columns=["doc_id", "run_id"]).set_index("doc_id")["run_id"]
    assert runs["d95"] == "r1" and runs["d105"] == "r2"


def test_duplicate_ids_inside_one_batch_keep_one_row(store):
    df = make_docs(["a", "b", "a"])
    assert store.write_documents(df) == 2
    assert store.count("documents") == 2


def test_existing_doc_ids(store):
    store.write_documents(make_docs(["a", "b", "c"]))
    assert store.existing_doc_ids(["a", "c", "zz"]) == {"a", "c"}
    assert store.existing_doc_ids([]) == set()


def test_rows_without_doc_id_are_refused(store):
    df = make_docs(["a", "b"])
    df.loc[1, "doc_id"] = None
    with pytest.raises(StoreError, match="doc_id"):
        store.write_documents(df)
    with pytest.raises(StoreError, match="no 'doc_id' column"):
        store.write_documents(df.drop(columns="doc_id"))


def test_predictions_upsert_by_doc_id(store):
    ids = ["a", "b", "c"]
    store.write_documents(make_docs(ids))
    assert store.write_predictions(make_preds(ids), run_id="r1") == 3
    assert store.write_predictions(make_preds(["a"], sentiment="positive"), run_id="r2") == 1
    assert store.count("predictions") == 3
    out = store.documents_with_predictions(columns=["doc_id", "sentiment"]).set_index("doc_id")["sentiment"]
    assert out.to_dict() == {"a": "positive", "b": "negative", "c": "negative"}
    # A partial batch only changes its own columns.
    store.write_predictions(pd.DataFrame({"doc_id": ["b"], "sentiment_score": [0.25]}))
    row = store.documents_with_predictions(where="doc_id = ?", params=["b"]).iloc[0]
    assert (
        row["sentiment_score"] == 0.25
        and row["sentiment"] == "negative"
        and list(row["causes"]) == ["technology"]
    )


def test_sentences_replace_by_doc_id(store):
    first = pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "idx": [0, 1, 2, 0], "start_char": [0, 5, 9, 0],
                          "end_char": [4, 8, 12, 3], "sentiment": "neutral", "sentiment_score": 0.0, "theme_id": 3})  # fmt: skip
    assert store.write_sentences(first) == 4
    second = pd.DataFrame({"doc_id": ["a", "a"], "idx": [0, 1], "start_char": [0, 6], "end_char": [5, 12],
                           "sentiment": "positive", "sentiment_score": 0.8, "theme_id": None})  # fmt: skip
    assert store.write_sentences(second) == 2
    assert store.write_sentences(second) == 2
    with store.reader() as s:
        rows = s.execute(
            "SELECT doc_id, idx, end_char, sentiment FROM sentences ORDER BY doc_id, idx"
        ).fetchall()
    assert rows == [("a", 0, 5, "positive"), ("a", 1, 12, "positive"), ("b", 0, 3, "neutral")]


def test_round_trip_of_every_column_type(store):
    docs = make_docs(["a", "b"])
    docs["date"] = [pd.Timestamp("2024-05-01 12:30", tz="Europe/Paris"), pd.NaT]
    docs["created_at"] = pd.to_datetime(
        ["2024-05-01T08:00:00Z", "2024-05-02T09:15:30.250Z"], format="ISO8601"
    )
    docs["segments"] = [{"product": "app", "region": "EU"}, None]  # dicts are JSON-encoded
    docs["pii"] = [[{"type": "EMAIL", "start": 3, "end": 10}], []]
    docs["text"] = ["naïve café ✓", "b"]
    store.write_documents(docs)
    store.write_predictions(make_preds(["a", "b"]).assign(causes=[["people", "technology"], []]))
    centroid = np.linspace(-1, 1, 384, dtype=np.float32)
    store.write_themes(pd.DataFrame({"theme_id": [1], "label": ["login failures"], "keywords": [["login", "otp"]],
                                     "parent_id": [None], "level": [1], "size": [2], "centroid": [centroid],
                                     "created_run": ["r1"], "updated_run": ["r1"]}))  # fmt: skip
    df = store.documents_with_predictions(decode_json=True).set_index("doc_id")
    a, b = df.loc["a"], df.loc["b"]
    assert a["date"] == pd.Timestamp("2024-05-01 10:30", tz="UTC") and str(df["date"].dt.tz) == "UTC"
    assert pd.isna(b["date"])
    assert b["created_at"] == pd.Timestamp("2024-05-02 09:15:30.250", tz="UTC")
    assert a["segments"] == {"product": "app", "region": "EU"} and b["segments"] is None
    assert a["pii"] == [{"type": "EMAIL", "start": 3, "end": 10}] and b["pii"] == []
    assert a["text"] == "naïve café ✓"
    assert list(a["causes"]) == ["people", "technology"] and list(b["causes"]) == []
    assert a["cause_scores"] == {"people": 0.1, "process": 0.2, "technology": 0.9}
    assert a["cause_evidence"] == {"technology": [0, 4]}
    assert a["theme_label"] == "login failures" and a["row_number"] == 1
    theme = store.themes().iloc[0]
    assert theme["centroid"].dtype == np.float32 and np.array_equal(theme["centroid"], centroid)
    assert list(theme["keywords"]) == ["login", "otp"]
    assert theme["status"] == "active" and not theme["pinned"] and pd.isna(theme["parent_id"])
    raw = store.documents_with_predictions(columns=["segments"], where="doc_id = 'a'").iloc[0, 0]
    assert json.loads(raw) == {"product": "app", "region": "EU"}


def test_arrow_tables_are_accepted(store):
    table = pa.Table.from_pandas(make_docs(["x", "y"]), preserve_index=False)
    assert store.write_documents(table) == 2
    assert store.write_documents(table.to_batches()[0]) == 0


def test_run_bookkeeping(store):
    inputs = [{"path": "/data/reviews.csv", "sha256": "ab" * 32, "bytes": 1234}]
    run_id = store.begin_run("cafe1234", {"seed": 42}, inputs)
    other = store.begin_run("cafe1234", '{"seed": 1}', [])
    assert run_id != other
    store.add_run_counts(run_id, read=10, accepted=7, duplicates=2, rejected=1)
    store.add_run_counts(run_id, read=5, accepted=5)
    store.finish_run(
        run_id, "done", timings={"encode": 1.5}, model_versions={"encoder": "minilm"}, peak_rss_mb=512.5
    )
    runs = store.runs().set_index("run_id")
    row = runs.loc[run_id]
    assert (row["read"], row["accepted"], row["duplicates"], row["rejected"]) == (15, 12, 2, 1)
    assert row["read"] == row["accepted"] + row["duplicates"] + row["rejected"]
    assert row["status"] == "done" and row["finished_at"] >= row["started_at"]
    assert json.loads(row["inputs"]) == inputs and json.loads(row["config"]) == {"seed": 42}
    assert json.loads(row["timings"]) == {"encode": 1.5} and row["peak_rss_mb"] == 512.5
    assert json.loads(row["model_versions"]) == {"voc": voc.__version__, "encoder": "minilm"}
    assert runs.loc[other, "status"] == "running" and pd.isna(runs.loc[other, "finished_at"])
    store.finish_run(other, "failed", error="boom")
    assert store.runs().set_index("run_id").loc[other, "error"] == "boom"
    with pytest.raises(StoreError, match="status"):
        store.finish_run(run_id, "finished")
    with pytest.raises(StoreError, match="unknown run"):
        store.add_run_counts("nope", read=1)


def test_rejects_are_kept_per_run_without_duplicates(store):
    rej = pd.DataFrame({"source": ["f.csv", "f.csv"], "row_number": [3, 9], "reason": ["empty_text", "malformed_row"],
                        "detail": [None, "7 fields, expected 5"]})  # fmt: skip
    assert store.write_rejects("r1", rej) == 2
    assert store.write_rejects("r1", rej) == 0
    assert store.write_rejects("r2", rej.iloc[:1]) == 1
    assert len(store.rejects()) == 3
    r1 = store.rejects("r1")
    assert list(r1["row_number"]) == [3, 9] and r1.loc[1, "detail"] == "7 fields, expected 5"


def test_themes_upsert_retire_and_labels(store):
    store.write_documents(make_docs(["a", "b"]))
    store.write_predictions(make_preds(["a", "b"]))
    themes = pd.DataFrame(
        {"theme_id": [1, 2], "label": ["login", "billing"], "level": [1, 1], "size": [1, 1]}
    )
    assert store.write_themes(themes) == 2
    store.write_themes(pd.DataFrame({"theme_id": [1], "user_label": ["Sign-in problems"], "pinned": [True]}))
    store.write_themes(pd.DataFrame({"theme_id": [2], "status": ["retired"]}))
    active = store.themes()
    assert list(active["theme_id"]) == [1] and active.loc[0, "label"] == "login" and active.loc[0, "pinned"]
    assert list(store.themes(include_retired=True)["theme_id"]) == [1, 2]
    with pytest.raises(StoreError, match="length 10 to array with length 384"):
        store.write_themes(pd.DataFrame({"theme_id": [3], "centroid": [np.ones(10, dtype=np.float32)]}))
    assert store.set_document_themes(pd.DataFrame({"doc_id": ["b"], "theme_id": [2]})) == 1
    labels = store.documents_with_predictions(columns=["doc_id", "theme_id", "theme_label"]).set_index(
        "doc_id"
    )
    assert labels.loc["a", "theme_label"] == "Sign-in problems"  # the user's label wins
    assert labels.loc["b", "theme_id"] == 2 and labels.loc["b", "theme_label"] == "billing"


def test_edit_log_is_ordered(store):
    ids = [store.append_edit("rename", {"theme_id": 1, "label": "Login"}),
           store.append_edit("merge", {"from": [2, 3], "into": 1}),
           store.append_edit("pin", {"theme_id": 1})]  # fmt: skip
    assert ids == sorted(ids) and len(set(ids)) == 3
    edits = store.edits()
    assert list(edits["op"]) == ["rename", "merge", "pin"]
    assert edits.loc[1, "payload"] == {"from": [2, 3], "into": 1}
    with pytest.raises(StoreError, match="op"):
        store.append_edit("delete", {})


def test_queries_filters_and_streaming(store):
    ids = [f"d{i:04d}" for i in range(2500)]
    store.write_documents(make_docs(ids))
    store.write_predictions(make_preds(ids[:1000], "positive"))
    pos = store.documents_with_predictions(where="sentiment = ?", params=["positive"], columns=["doc_id"])
    assert len(pos) == 1000 and list(pos.columns) == ["doc_id"]
    assert store.documents_with_predictions(where="sentiment IS NULL").shape[0] == 1500
    batches = list(store.iter_documents(batch_size=1000, columns=["doc_id", "sentiment"]))
    assert all(isinstance(b, pa.RecordBatch) and b.num_rows <= 1000 for b in batches)
    streamed = [x for b in batches for x in b.column("doc_id").to_pylist()]
    assert streamed == ids  # in source/row order
    with pytest.raises(StoreError, match="invalid store query"):
        store.documents_with_predictions(columns=["no_such_column"])
    with pytest.raises(StoreError, match="unknown store table"):
        store.count("documents; DROP TABLE runs")


def test_text_pages_cover_every_document_once_in_id_order(store):
    ids = [f"d{i:04d}" for i in range(2500)]
    store.write_documents(make_docs(ids[::-1]))  # inserted in reverse: pages follow doc_id, not insert order
    pages = list(store.text_pages(1000))
    assert [len(p) for p in pages] == [1000, 1000, 500]
    assert [d for p in pages for d in p["doc_id"]] == ids
    assert pages[2]["text"].iloc[-1] == "text of d2499"
    assert list(store.text_pages(5000))[0].columns.tolist() == ["doc_id", "text", "language"]
    assert list(store.text_pages(5000))[0].shape == (2500, 3)
    with pytest.raises(StoreError, match="page size"):
        next(store.text_pages(0))


def test_writer_is_one_transaction(store):
    store.ensure()
    with pytest.raises(RuntimeError):
        with store.writer() as w:
            w.write_documents(make_docs(["a", "b"]))
            w.add_run_counts  # the session exposes every store operation
            raise RuntimeError("crash mid-chunk")
    assert store.count("documents") == 0
    with store.writer() as w:
        run_id = w.begin_run("h", {}, [])
        assert w.write_documents(make_docs(["a"]), run_id=run_id) == 1
        w.add_run_counts(run_id, read=1, accepted=1)
        assert w.execute("SELECT count(*) FROM documents").fetchone()[0] == 1  # a DuckDB connection too
    assert store.runs().loc[0, "accepted"] == 1


def test_read_only_store_refuses_writes(store):
    store.write_documents(make_docs(["a"]))
    ro = Store(store.path, read_only=True)
    assert ro.count("documents") == 1
    with pytest.raises(StoreError, match="read-only"):
        ro.write_documents(make_docs(["b"]))
    with pytest.raises(StoreError, match="read-only"):
        with ro.writer():
            pass
    with ro.reader() as s:
        with pytest.raises(StoreError, match="read-only"):
            s.append_edit("pin", {"theme_id": 1})
        with pytest.raises(duckdb.Error):
            s.execute("DELETE FROM documents")
    assert store.count("documents") == 1


def test_missing_store_read_only(tmp_path):
    path = tmp_path / "nothing.duckdb"
    with pytest.raises(StoreError, match=r"no store at .*nothing\.duckdb; run `voc run` or `voc demo` first"):
        Store(path, read_only=True).count("documents")
    assert not path.exists()


def test_bad_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("id,text\n1,hello\n" * 200)
    for read_only in (False, True):
        with pytest.raises(StoreError, match="not a DuckDB database file") as info:
            Store(bad, read_only=read_only).count("documents")
        assert str(bad) in str(info.value) and isinstance(info.value, VocError)
    assert bad.read_text().startswith("id,text")  # untouched


def test_foreign_duckdb_file_is_not_taken_over(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE documents (id INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a voc store"):
        Store(path).ensure()


def test_bulk_write_speed(store):
    ids = [f"doc-{i}" for i in range(50_000)]
    docs, preds = make_docs(ids), make_preds(ids)
    store.ensure()
    t0 = time.perf_counter()
    assert store.write_documents(docs) == 50_000
    t1 = time.perf_counter()
    assert store.write_predictions(preds) == 50_000
    t2 = time.perf_counter()
    assert store.write_documents(docs) == 0
    t3 = time.perf_counter()
    # Generous bounds: the machine is shared; typical figures are ~0.4 s / ~0.9 s / ~0.15 s.
    assert t1 - t0 < 5 and t2 - t1 < 8 and t3 - t2 < 5, (t1 - t0, t2 - t1, t3 - t2)


def test_bad_values_roll_back_the_whole_chunk(store):
    store.ensure()
    docs = make_docs(["a", "b"]).assign(date=["2024-01-01", "not a date"])
    with pytest.raises(StoreError, match="not a date") as info:
        with store.writer() as w:
            w.begin_run("h", {}, [])
            w.write_documents(docs)
    assert str(store.path) in str(info.value)
    assert store.count("documents") == 0 and store.count("runs") == 0


def test_from_config_and_run_id_fill(tmp_path):
    from voc.config import StoreConfig

    store = Store.from_config(StoreConfig(path=tmp_path / "x.duckdb", lock_timeout=2))
    assert store.lock_timeout == 2 and not store.read_only
    docs = make_docs(["a", "b"]).assign(run_id=["r0", None])
    store.write_documents(docs, run_id="r1")
    runs = store.documents_with_predictions(columns=["doc_id", "run_id"])
    assert list(runs["run_id"]) == ["r0", "r1"]
