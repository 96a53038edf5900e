"""Language coverage: which documents the configured models cover, and what the run says about the rest."""

from __future__ import annotations

import pandas as pd

from voc.clean import detect_languages, normalize_text
from voc.clean.coverage import coverage_mask, coverage_summary, language_name, not_analysed_label
from voc.paths import PROJECT_ROOT

DEMO = PROJECT_ROOT / "data" / "demo"


def _demo_texts() -> list[str]:
    texts = (
        pd.read_csv(DEMO / "reviews.csv")["text"].tolist()
        + pd.read_csv(DEMO / "social.csv")["text"].tolist()
        + pd.read_json(DEMO / "tickets.jsonl", lines=True)["text"].tolist()
        + pd.read_csv(DEMO / "survey.csv")["comment"].tolist()
    )
    return [t for t in (normalize_text(str(x)) for x in texts if isinstance(x, str)) if t]


def test_demo_spanish_documents_are_counted_and_named():
    languages = detect_languages(_demo_texts())
    truth = pd.read_csv(DEMO / "truth.csv")
    assert (truth["language"] == "es").sum() == 59
    assert coverage_summary(languages, ["en"]) == [
        "59 documents in Spanish (es) are not analysed by the English models"
    ]
    mask, reasons = coverage_mask(languages, ["en"])
    assert (~mask).sum() == 59 and len(mask) == len(languages)
    assert {r for r, ok in zip(reasons, mask) if not ok} == {
        "language Spanish (es) is not analysed by the English models"
    }
    assert all(r is None for r, ok in zip(reasons, mask) if ok)
    assert coverage_summary(languages, ["en", "es"]) == []  # a multilingual model covers them


def test_undetermined_is_covered_and_labels_read_well():
    mask, reasons = coverage_mask(["en", "und", "", "fr", "xx"], ["EN"])
    assert mask.tolist() == [True, True, True, False, False]
    assert reasons[3] == "language French (fr) is not analysed by the English models"
    assert reasons[4] == "language xx is not analysed by the English models"
    assert coverage_summary(["de"], ["en"]) == [
        "1 document in German (de) is not analysed by the English models"
    ]
    assert language_name("es") == "Spanish (es)"
    assert not_analysed_label("es") == "Spanish (es) — not analysed"


def test_language_is_a_sidebar_filter(tmp_path, monkeypatch):
    """The app offers the stored languages as a filter, shows their names, and the filter changes the numbers."""
    import duckdb
    from streamlit.testing.v1 import AppTest

    from bench.sample_store import build_sample_store

    store = build_sample_store(tmp_path / "s.duckdb", n=200)
    with duckdb.connect(str(store)) as con:
        con.execute(
            "UPDATE documents SET language = 'es' WHERE doc_id IN (SELECT doc_id FROM documents LIMIT 30)"
        )
    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["page"] = "themes"
    at.query_params["language"] = "es"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.sidebar.multiselect(key="f_language")
    assert box.value == ["es"] and set(box.options) == {"English (en)", "Spanish (es)"}
    assert at.dataframe[0].value["volume"].sum() == 30
    box.set_value(["en"]).run()
    assert at.dataframe[0].value["volume"].sum() == 170
    assert at.query_params["language"] in ("en", ["en"])
