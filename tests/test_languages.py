"""Other languages, honestly: uncovered documents are kept and counted, with null predictions and a reason,
out of the English theme fit, in their own language group, and named in the run summary and the app."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tiny_bert import save_tiny_classifier

import voc
from voc.clean.coverage import REASON_COLUMN
from voc.config import EncoderConfig, PipelineConfig, SentimentConfig
from voc.engine.stages import Models, analyse_batch
from voc.errors import ConfigError
from voc.lenses.registry import LensResult, Output, SharedPass
from voc.lenses.themes.languages import (
    is_language_theme,
    language_of_theme,
    language_theme_id,
    without_language_groups,
)
from voc.store import Store

SPANISH_REASON = "language Spanish (es) is not analysed by the English models"


class _Encoder:
    """A deterministic stand-in for the shared encoder: one vector per document and per span."""

    def encode_spans(self, texts, spans):
        doc = np.array([[len(t), t.count(" ")] for t in texts], dtype=np.float32)
        return doc, [np.array([[e - s, s] for s, e in doc_spans], dtype=np.float32) for doc_spans in spans]


class _Length:
    """A per-document lens that records what it was given: text length per document and per sentence."""

    name = "length"
    outputs = (
        Output("length", "DOUBLE"),
        Output("loud", "BOOLEAN"),
        Output("length", "DOUBLE", level="sentence"),
    )

    def __init__(self):
        self.seen: list[str] = []

    def declared_outputs(self):
        return self.outputs

    def predict_pass(self, shared: SharedPass) -> LensResult:
        self.seen += shared.texts
        docs = pd.DataFrame(
            {"length": [float(len(t)) for t in shared.texts], "loud": ["!" in t for t in shared.texts]}
        )
        sentences = [float(e - s) for spans in shared.spans for s, e in spans]
        return LensResult(docs, pd.DataFrame({"length": sentences}))


DOCS = pd.DataFrame({
    "doc_id": ["a", "b", "c", "d"],
    "text": ["The app crashed. Again!", "La aplicación se cierra sola. Otra vez.", "ok", "Refund please."],
    "language": ["en", "es", "und", "en"],
})  # fmt: skip


def _run(covered: list[str]):
    lens = _Length()
    models = Models(encoder=_Encoder(), lenses=[lens], coverage={"length": covered})
    return lens, analyse_batch(DOCS.copy(), models)


def test_analyse_batch_runs_lenses_on_covered_documents_only():
    lens, out = _run(["en"])
    assert lens.seen == [
        "The app crashed. Again!",
        "ok",
        "Refund please.",
    ]  # the Spanish row is never computed
    preds = out.predictions.set_index("doc_id")
    assert preds.loc[["a", "c", "d"], "length"].tolist() == [23.0, 2.0, 14.0]
    assert np.isnan(preds.loc["b", "length"]) and pd.isna(preds.loc["b", "loud"])
    assert preds.loc["a", "loud"] and not preds.loc["d", "loud"]
    assert [r if isinstance(r, str) else None for r in preds[REASON_COLUMN]] == [
        None,
        SPANISH_REASON,
        None,
        None,
    ]
    sentences = out.sentences
    spanish = sentences["doc_id"] == "b"
    assert spanish.sum() == 2 and sentences.loc[spanish, "length"].isna().all()
    assert sentences.loc[~spanish, "length"].notna().all()
    assert len(out.vectors) == 4  # every document is still encoded and stored


def test_covered_documents_get_the_same_outputs_as_without_masking():
    _, masked = _run(["en"])
    _, full = _run(["en", "es"])
    english = masked.predictions["doc_id"] != "b"
    pd.testing.assert_frame_equal(
        masked.predictions.loc[english, ["doc_id", "length", "loud"]].reset_index(drop=True),
        full.predictions.loc[english, ["doc_id", "length", "loud"]]
        .astype({"loud": "boolean"})
        .reset_index(drop=True),
        check_dtype=False,
    )
    assert full.predictions[REASON_COLUMN].isna().all()


def test_languages_are_config_and_change_the_hash():
    base = PipelineConfig()
    assert base.encoder.languages == ["en"] and base.sentiment.languages == ["en"]
    multi = PipelineConfig.load(None, sentiment={"languages": ["EN", "es"]})
    assert multi.sentiment.languages == ["en", "es"]
    assert multi.config_hash() != base.config_hash()
    with pytest.raises(ConfigError, match="sentiment.languages"):
        PipelineConfig.load(None, sentiment={"languages": ["spanish!"]})


def test_language_group_ids_are_reserved_and_stable():
    assert language_theme_id("es") == language_theme_id("ES") < -1000
    assert (
        language_of_theme(language_theme_id("es")) == "es"
        and language_of_theme(language_theme_id("fil")) == "fil"
    )
    assert len({language_theme_id(c) for c in ("es", "fr", "de", "pt", "it")}) == 5
    assert not is_language_theme(0) and not is_language_theme(-1) and not is_language_theme(12)
    table = pd.DataFrame({"theme_id": [language_theme_id("es"), 0, 3]})
    assert without_language_groups(table)["theme_id"].tolist() == [0, 3]


def test_multilingual_sentiment_model_covers_spanish(tmp_path):
    """A sentiment model named by local path with `sentiment.languages: [en, es]` scores the Spanish rows."""
    from voc.lenses.sentiment import SentimentLens

    folder = save_tiny_classifier(tmp_path / "multi", {0: "negative", 1: "neutral", 2: "positive"})
    texts = [
        "The app keeps crashing every time I log in.",
        "La aplicación se cierra sola cada vez que la abro.",
    ]
    section = {"model": str(folder), "languages": ["en", "es"]}
    scored = voc.analyze(texts, config={"lenses": ["sentiment"], "sentiment": section})
    assert scored["language"].tolist() == ["en", "es"]
    assert scored["sentiment"].notna().all() and scored[REASON_COLUMN].isna().all()
    reference = SentimentLens.load(SentimentConfig(model=str(folder)), EncoderConfig(threads=1)).predict(
        texts
    )
    np.testing.assert_allclose(scored["p_negative"], reference["p_negative"], atol=1e-5)
    english_only = voc.analyze(texts, config={"lenses": ["sentiment"], "sentiment": {"model": str(folder)}})
    assert english_only["sentiment"].tolist()[0] == scored["sentiment"].tolist()[0]
    assert (
        pd.isna(english_only["sentiment"].iloc[1]) and english_only[REASON_COLUMN].iloc[1] == SPANISH_REASON
    )


# ---- the demo store: 59 Spanish texts (data/README.md) -------------------------------------------------------


def _demo_frame(store_path) -> pd.DataFrame:
    with Store(store_path, read_only=True).reader() as r:
        return r.con.execute(
            f"SELECT d.doc_id, d.language, p.sentiment, p.p_negative, p.causes, p.cause_scores, p.theme_id, "
            f"p.{REASON_COLUMN} FROM documents d JOIN predictions p USING (doc_id)"
        ).df()


def test_demo_spanish_documents_are_kept_with_null_predictions_and_a_reason(demo_store):
    frame = _demo_frame(demo_store)
    spanish = frame[frame["language"] == "es"]
    assert len(spanish) == 59
    assert spanish["sentiment"].isna().all() and spanish["p_negative"].isna().all()
    assert spanish["causes"].isna().all() and spanish["cause_scores"].isna().all()
    assert (spanish[REASON_COLUMN] == SPANISH_REASON).all()
    others = frame[frame["language"] != "es"]
    assert others[REASON_COLUMN].isna().all() and others["sentiment"].notna().all()


def test_demo_spanish_documents_form_their_own_language_group(demo_store):
    frame = _demo_frame(demo_store)
    group = language_theme_id("es")
    assert (frame.loc[frame["language"] == "es", "theme_id"] == group).all()
    assert (frame.loc[frame["language"] != "es", "theme_id"] != group).all()  # no English document in it
    themes = Store(demo_store, read_only=True).themes()
    row = themes[themes["theme_id"] == group].iloc[0]
    assert row["label"] == "Spanish (es) — not analysed" and row["size"] == 59 and row["level"] == 1
    assert not themes["label"].str.contains("Muy", case=False).any()  # no theme named after Spanish words
    with Store(demo_store, read_only=True).reader() as r:
        sentence_themes = r.con.execute(
            "SELECT DISTINCT s.theme_id FROM sentences s JOIN documents d USING (doc_id) WHERE d.language = 'es'"
        ).fetchall()
    assert sentence_themes == [(group,)]


def test_demo_summary_names_the_spanish_documents(demo_store):
    from voc.insights.totals import not_analysed_summary, theme_totals

    assert not_analysed_summary(demo_store) == [
        "59 documents in Spanish (es) are not analysed by the English models"
    ]
    totals = theme_totals(demo_store)
    spanish = totals[totals["theme_id"] == language_theme_id("es")]
    assert spanish["theme"].tolist() == ["Spanish (es) — not analysed"] and spanish["volume"].tolist() == [59]


def test_run_summary_prints_the_not_analysed_line(tmp_path):
    from typer.testing import CliRunner

    from voc.cli import app

    csv = tmp_path / "mixed.csv"
    pd.DataFrame({"text": [
        "The app keeps crashing every time I log in.", "My refund has still not arrived after two weeks.",
        "La aplicación se cierra sola cada vez que la abro.", "Todavía no me han devuelto el dinero del pedido.",
    ]}).to_csv(csv, index=False)  # fmt: skip
    result = CliRunner().invoke(
        app,
        ["run", "--input", str(csv), "--store", str(tmp_path / "s.duckdb"), "--quiet"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "2 documents in Spanish (es) are not analysed by the English models" in " ".join(
        result.output.split()
    )


def test_app_overview_names_the_spanish_documents_and_their_group(demo_store, monkeypatch):
    """The Overview says how many documents are not analysed; the Themes page lists the Spanish group."""
    from streamlit.testing.v1 import AppTest

    from voc.paths import PROJECT_ROOT

    monkeypatch.setenv("VOC_STORE", str(demo_store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["page"] = "overview"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(
        "59 documents in Spanish (es) are not analysed by the English models" in i.value for i in at.info
    )


def test_encoder_and_sentiment_languages_apply_to_their_own_lenses(tmp_path):
    """sentiment.languages covers the sentiment lens only; encoder.languages the lenses over the shared pass."""
    folder = save_tiny_classifier(tmp_path / "multi", {0: "negative", 1: "neutral", 2: "positive"})
    texts = ["My refund has still not arrived.", "Todavía no me han devuelto el dinero del pedido."]
    lenses = ["sentiment", "rootcause"]
    partial = voc.analyze(
        texts, config={"lenses": lenses, "sentiment": {"model": str(folder), "languages": ["en", "es"]}}
    )
    assert partial["sentiment"].notna().all()
    assert partial["cause_scores"].iloc[0] is not None and partial["cause_scores"].iloc[1] is None
    assert partial[REASON_COLUMN].iloc[1] == SPANISH_REASON + " (for rootcause)"
    both = voc.analyze(
        texts,
        config={
            "lenses": lenses,
            "sentiment": {"model": str(folder), "languages": ["en", "es"]},
            "encoder": {"languages": ["en", "es"]},
        },
    )
    assert both["cause_scores"].notna().all() and both[REASON_COLUMN].isna().all()
