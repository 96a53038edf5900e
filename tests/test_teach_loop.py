"""Done-when for issue 15: label in the app and by import, adapt both heads from the store, rescore, see it in the app."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from bench.sample_store import build_sample_store
from voc.cli import app
from voc.paths import PROJECT_ROOT
from voc.store import Store

APP = str(PROJECT_ROOT / "app.py")


def _app(store, monkeypatch) -> AppTest:
    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = "review"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.slow
def test_label_adapt_rescore_show(tmp_path, monkeypatch):
    store = build_sample_store(tmp_path / "loop.duckdb", n=120)
    at = _app(store, monkeypatch)
    for i in range(
        20
    ):  # 20 labels in the app: the reviewer calls every document negative, with a people cause
        at.radio(key="review_sentiment").set_value("negative")
        at.multiselect(key="review_causes").set_value(["people"])
        next(b for b in at.button if b.label == "Save and next").click()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    monkeypatch.delenv("VOC_STORE")  # the CLI's pipeline config would read VOC_STORE as its `store` section
    labelled = set(Store(store, read_only=True).labels()["doc_id"])
    docs = Store(store, read_only=True).documents_with_predictions(columns=["doc_id"])
    rest = [d for d in docs["doc_id"] if d not in labelled][:20]
    src = tmp_path / "more.csv"
    pd.DataFrame({"doc_id": rest, "sentiment": "negative", "causes": "people"}).to_csv(src, index=False)
    runner = CliRunner()
    res = runner.invoke(app, ["labels", "import", str(src), "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert len(Store(store, read_only=True).labels()) == 40

    sent, cause = tmp_path / "sent", tmp_path / "cause"
    res = runner.invoke(app, ["train", "sentiment", "--from-store", str(store), "--out", str(sent)])
    assert res.exit_code == 0, res.output
    meta = json.loads((sent / "meta.json").read_text())
    assert meta["adapted"]["labels"] == 40 and "+adapted@" in meta["version"]
    assert (sent / "MODEL_CARD.md").is_file() and "adapted_accuracy" in meta["adapted"]["cv"]
    res = runner.invoke(app, ["train", "rootcause", "--from-store", str(store), "--out", str(cause)])
    assert res.exit_code == 0, res.output
    assert json.loads((cause / "head.json").read_text())["adapted"]["labels"] == 40
    res = runner.invoke(
        app, ["train", "sentiment", "--from-store", str(store), "--out", str(PROJECT_ROOT / "models" / "x")]
    )
    assert res.exit_code != 0  # never into the package's models/

    before = Store(store, read_only=True).documents_with_predictions(
        columns=["doc_id", "p_negative", "cause_scores"]
    )
    monkeypatch.setenv("VOC_SENTIMENT__MODEL", str(sent))
    monkeypatch.setenv("VOC_ROOTCAUSE__MODEL", str(cause))
    res = runner.invoke(app, ["rescore", "--store", str(store), "--quiet"])
    assert res.exit_code == 0, res.output
    after = Store(store, read_only=True).documents_with_predictions(
        columns=["doc_id", "p_negative", "cause_scores"]
    )
    merged = before.merge(after, on="doc_id", suffixes=("_0", "_1"))
    moved = np.abs(merged["p_negative_1"] - merged["p_negative_0"]) > 1e-3
    assert moved.mean() > 0.5  # the adapted head changed the stored probabilities
    assert (merged["p_negative_1"] > merged["p_negative_0"]).mean() > 0.5  # towards the reviewer's "negative"
    runs = Store(store, read_only=True).runs()
    last = runs.iloc[-1]
    assert last["run_id"].startswith("rescore-") and last["status"] == "done"
    assert "+adapted@" in json.loads(last["model_versions"])["sentiment"]

    at = _app(store, monkeypatch)  # the app shows the rescored store and the adapted model's figures
    assert any(m.label == "Adapted sentiment: accuracy (CV)" for m in at.metric)
    assert any(m.label == "Adapted root cause: exact match (CV)" for m in at.metric)
    shown = at.session_state["review_queue"][0]
    p = after.set_index("doc_id").loc[shown, "p_negative"]
    assert any(f"negative {p:.0%}" in c.value for c in at.caption)
