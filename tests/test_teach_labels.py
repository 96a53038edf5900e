"""`voc labels import|export`: CSV/JSONL round trip, matching by doc_id or source id, counted rejections."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from bench.sample_store import build_sample_store
from voc.cli import app
from voc.store import Store
from voc.teach.labels_io import import_labels


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    return build_sample_store(tmp_path_factory.mktemp("labels") / "sample.duckdb", n=60)


@pytest.fixture
def store(base_store, tmp_path):
    path = tmp_path / "s.duckdb"
    shutil.copy(base_store, path)
    return path


def _ids(path, n):
    return Store(path, read_only=True).documents_with_predictions(columns=["doc_id", "sentiment"]).head(n)


def test_csv_import_counts_and_names_bad_rows(store, tmp_path):
    docs = _ids(store, 5)
    rows = [{"doc_id": d, "sentiment": "negative", "causes": "people;process"} for d in docs["doc_id"][:3]]
    rows += [
        {"doc_id": "nope", "sentiment": "negative", "causes": ""},
        {"doc_id": docs["doc_id"][3], "sentiment": "furious", "causes": ""},
        {"doc_id": docs["doc_id"][4], "sentiment": "positive", "causes": "weather"},
    ]
    csv = tmp_path / "l.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    report = import_labels(csv, Store(store), reviewer="ana@example.com")
    assert (report.read, report.imported) == (6, 3)
    assert report.reasons() == {"unknown id": 1, "bad value": 1, "unknown label": 1}
    assert [r["row"] for r in report.rejected] == [5, 6, 7]  # file lines (header is line 1)
    assert "furious" in report.rejected[1]["detail"] and "weather" in report.rejected[2]["detail"]
    latest = Store(store, read_only=True).labels()
    assert len(latest) == 3 and set(latest["reviewer"]) == {"ana@example.com"}
    assert all(sorted(c) == ["people", "process"] for c in latest["causes"])


def test_empty_causes_cell_means_no_cause_and_missing_column_means_unlabelled(store, tmp_path):
    docs = _ids(store, 2)
    a = tmp_path / "a.csv"
    pd.DataFrame({"doc_id": [docs["doc_id"][0]], "causes": [""]}).to_csv(a, index=False)
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"doc_id": docs["doc_id"][1], "sentiment": "neutral"}) + "\n")
    assert import_labels(a, Store(store)).imported == 1
    assert import_labels(b, Store(store)).imported == 1
    latest = Store(store, read_only=True).labels().set_index("doc_id")
    assert list(latest.loc[docs["doc_id"][0], "causes"]) == []
    assert pd.isna(latest.loc[docs["doc_id"][0], "sentiment"])
    assert latest.loc[docs["doc_id"][1], "causes"] is None or pd.isna(latest.loc[docs["doc_id"][1], "causes"])


def test_cli_export_then_import_round_trip(store, tmp_path):
    docs = _ids(store, 4)
    src = tmp_path / "in.csv"
    pd.DataFrame(
        {"doc_id": docs["doc_id"], "sentiment": ["negative", "neutral", "positive", "negative"]}
    ).to_csv(src, index=False)
    runner = CliRunner()
    res = runner.invoke(
        app, ["labels", "import", str(src), "--store", str(store), "--reviewer", "bo@example.com"]
    )
    assert res.exit_code == 0, res.output
    assert "imported 4, rejected 0" in " ".join(res.output.split())
    for suffix in ("csv", "jsonl"):
        out = tmp_path / f"out.{suffix}"
        res = runner.invoke(app, ["labels", "export", "--store", str(store), "--out", str(out)])
        assert res.exit_code == 0, res.output
        assert "Wrote 4 labelled documents" in " ".join(res.output.split())
    back = pd.read_csv(tmp_path / "out.csv")
    assert back.set_index("doc_id")["sentiment"].to_dict() == dict(
        zip(docs["doc_id"], ["negative", "neutral", "positive", "negative"])
    )
    res = runner.invoke(app, ["labels", "import", str(tmp_path / "out.jsonl"), "--store", str(store)])
    assert res.exit_code == 0 and "imported 4" in " ".join(res.output.split())
    assert len(Store(store, read_only=True).labels(latest=False)) == 8  # append-only: nothing rewritten


def test_queue_puts_unsure_documents_first_and_takes_turns_over_themes():
    from voc.app.review_queue import diversify, uncertainty

    frame = pd.DataFrame(
        {
            "doc_id": ["sure", "split", "near", "a2", "b2"],
            "theme_id": [1, 1, 2, 1, 2],
            "p_negative": [0.98, 0.45, 0.9, 0.6, 0.7],
            "p_neutral": [0.01, 0.1, 0.05, 0.2, 0.2],
            "p_positive": [0.01, 0.45, 0.05, 0.2, 0.1],
            "cause_scores": ['{"people": 0.01}', '{"people": 0.01}', '{"people": 0.49}', "{}", "{}"],
        }
    )
    u = uncertainty(frame, {"people": 0.5})
    assert u[1] > u[0] and u[2] > u[0]  # a tie in sentiment, a cause at its threshold
    order = diversify(frame, u)
    assert order[:2] == ["split", "near"] or order[:2] == ["near", "split"]
    assert {frame.set_index("doc_id").loc[d, "theme_id"] for d in order[:2]} == {1, 2}
    assert order[-1] == "sure"


def test_import_matches_themes_after_the_logs_merges_as_the_app_shows_them(store, tmp_path):
    """A label naming a merged-away theme counts as the survivor; the model's theme is compared after merges."""
    docs = Store(store, read_only=True).documents_with_predictions(columns=["doc_id", "theme_id"])
    counts = docs["theme_id"].dropna().astype(int).value_counts()
    keep, gone = (int(t) for t in counts.index[:2])
    Store(store).append_edit("merge", {"theme_ids": [gone], "into": keep}, actor="lead@example.com")
    doc_gone = docs.loc[docs["theme_id"] == gone, "doc_id"].iloc[0]
    doc_keep = docs.loc[docs["theme_id"] == keep, "doc_id"].iloc[0]
    csv = tmp_path / "t.csv"
    pd.DataFrame({"doc_id": [doc_gone, doc_keep], "theme": [str(keep), str(gone)]}).to_csv(csv, index=False)
    assert import_labels(csv, Store(store)).imported == 2
    latest = Store(store, read_only=True).labels().set_index("doc_id")
    assert list(latest.loc[[doc_gone, doc_keep], "theme_id"]) == [keep, keep]
    assert not latest.loc[[doc_gone, doc_keep], "theme_changed"].any()  # the app would show no move either
