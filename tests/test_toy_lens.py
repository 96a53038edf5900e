"""A lens in one file: registered here, it reaches the store, voc.analyze, the document exports and the app's filters."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

import voc
from voc.config import PipelineConfig
from voc.lenses.registry import LensResult, Output, SharedPass, lenses
from voc.paths import PROJECT_ROOT
from voc.store import Store


@lenses.register("asks_question")
class AsksQuestion:
    """Does the customer ask a question? A boolean per document and per sentence."""

    name = "asks_question"
    needs = frozenset({"text", "sentence_spans"})
    outputs = (Output("asks_question", "BOOLEAN"), Output("asks_question", "BOOLEAN", level="sentence"))
    version = "asks-question-1"

    @classmethod
    def from_config(cls, cfg) -> AsksQuestion:
        return cls()

    def declared_outputs(self) -> tuple[Output, ...]:
        return self.outputs

    def predict_pass(self, shared: SharedPass) -> LensResult:
        docs = ["?" in t for t in shared.texts]
        sentences = ["?" in t[s:e] for t, spans in zip(shared.texts, shared.spans) for s, e in spans]
        return LensResult(pd.DataFrame({"asks_question": docs}), pd.DataFrame({"asks_question": sentences}))


TEXTS = [
    "Where is my refund? I asked twice.",
    "The app crashed again at checkout.",
    "Can someone call me back? Thanks.",
    "Great service, the agent was lovely.",
    "Delivery was late. Why does this keep happening?",
    "Billing charged me twice this month.",
]
LENSES = ["asks_question"]  # only the toy lens (plus the shared encoder): the test stays fast


@pytest.fixture(scope="module")
def toy_store(tmp_path_factory):
    from voc.engine.local import run_pipeline

    folder = tmp_path_factory.mktemp("toy")
    csv = folder / "feedback.csv"
    pd.DataFrame({"text": TEXTS, "date": pd.date_range("2025-01-01", periods=len(TEXTS), freq="D")}).to_csv(
        csv, index=False
    )
    cfg = PipelineConfig.load(
        None, lenses=LENSES, store={"path": str(folder / "toy.duckdb")}, inputs=[{"path": str(csv), "preset": "reviews"}]
    )
    run_pipeline(cfg)
    return folder / "toy.duckdb"


def test_unknown_lens_is_a_clear_config_error():
    from voc.errors import ConfigError

    with pytest.raises(ConfigError, match="Unknown lens 'asks_questions'.*asks_question"):
        PipelineConfig.load(None, lenses=["asks_questions"])


def test_toy_lens_columns_reach_the_store(toy_store):
    with Store(toy_store, read_only=True).reader() as r:
        docs = r.con.execute(
            "SELECT d.text, p.asks_question FROM documents d JOIN predictions p USING (doc_id)"
        ).df()
        sents = r.con.execute("SELECT d.text, s.start_char, s.end_char, s.asks_question FROM sentences s "
                              "JOIN documents d USING (doc_id)").df()  # fmt: skip
    assert dict(zip(docs["text"], docs["asks_question"])) == {t: "?" in t for t in TEXTS}
    assert len(sents) > len(TEXTS)
    for text, s, e, flag in sents.itertuples(index=False):
        assert flag == ("?" in text[s:e])
    declared = Store(toy_store, read_only=True).lens_outputs()
    assert {"name": "asks_question", "dtype": "BOOLEAN", "level": "sentence", "labels": None, "stored": True} in declared


def test_toy_lens_in_analyze():
    out = voc.analyze(TEXTS + [""], config={"lenses": LENSES})
    assert "asks_question" in out.columns
    assert out["asks_question"].iloc[: len(TEXTS)].tolist() == ["?" in t for t in TEXTS]
    assert out["reject_reason"].iloc[-1] == "empty_text" and pd.isna(out["asks_question"].iloc[-1])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_toy_lens_in_document_exports(toy_store, tmp_path, fmt):
    from voc.export import export

    path = export(toy_store, format=fmt, out=tmp_path / f"docs.{fmt}", level="documents")
    frame = pd.read_csv(path) if fmt == "csv" else pq.read_table(path).to_pandas()
    assert dict(zip(frame["text"], frame["asks_question"].astype(bool))) == {t: "?" in t for t in TEXTS}


def test_toy_lens_is_an_app_filter(toy_store, monkeypatch):
    monkeypatch.setenv("VOC_STORE", str(toy_store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.sidebar.multiselect(key="f_lens_asks_question")
    assert box.label == "Asks question" and box.options == ["yes", "no"]
    volume = lambda: next(m.value for m in at.metric if m.label == "Volume")  # noqa: E731
    assert volume() == str(len(TEXTS))
    box.set_value(["yes"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert volume() == str(sum("?" in t for t in TEXTS))
    assert at.query_params["lens_asks_question"] in ("yes", ["yes"])  # shareable as a link
