"""A custom root-cause label (voc train rootcause --examples) reaches analyze, the store, the app and the theme exports."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from custom_cause import CRASHES, LABEL, PRICING
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

import voc
from voc.cli import app as cli
from voc.paths import PROJECT_ROOT
from voc.store import Store

pytestmark = pytest.mark.slow  # trains a head, then runs every lens and the app (minutes on a busy machine)


def test_custom_label_in_analyze(custom_cause, monkeypatch):
    monkeypatch.setenv("VOC_ROOTCAUSE__MODEL", str(custom_cause[1]))
    out = voc.analyze(PRICING[:3] + CRASHES[:1], config={"lenses": ["rootcause"]})
    assert all(LABEL in causes for causes in out["causes"].iloc[:3])
    assert LABEL in out["cause_scores"].iloc[0] and LABEL in out["cause_evidence"].iloc[0]
    assert LABEL not in out["causes"].iloc[3]


def test_custom_label_in_the_store(custom_cause):
    store = Store(custom_cause[0], read_only=True)
    assert store.label_set("causes") == ["people", "process", "technology", LABEL]
    frame = store.documents_with_predictions(columns=["text", "causes"])
    tagged = {t for t, c in zip(frame["text"], frame["causes"]) if LABEL in list(c)}
    assert len(tagged & set(PRICING)) >= 6 and not tagged & set(CRASHES)


def _app(store, monkeypatch, page: str) -> AppTest:
    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["page"] = page
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_custom_label_on_the_root_causes_page(custom_cause, monkeypatch):
    at = _app(custom_cause[0], monkeypatch, "causes")
    share = next(m.value for m in at.metric if m.label == LABEL.title())
    assert int(share.rstrip("%")) >= 25  # a third of the documents are about pricing
    tab = next(t for t in at.tabs if t.label == LABEL.title())
    evidence = " ".join(m.value for m in tab.markdown)
    assert any(
        text[:30].replace("%", "") in evidence.replace("&#37;", "") for text in PRICING[:1] + PRICING[1:]
    )
    assert "<mark" in evidence and LABEL.replace(":", "&#58;") in evidence  # the evidence span is highlighted


def test_custom_label_in_the_themes_page_cause_mix(custom_cause, monkeypatch):
    at = _app(custom_cause[0], monkeypatch, "themes")
    assert LABEL in " ".join(df.value.astype(str).to_string() for df in at.dataframe)


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "jira"])
def test_custom_label_in_theme_exports(custom_cause, tmp_path, fmt):
    out = tmp_path / f"themes.{fmt}"
    result = CliRunner().invoke(
        cli,
        ["export", "--store", str(custom_cause[0]), "--format", fmt, "--out", str(out), "--level", "themes"],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        themes = json.loads(text)
        themes = themes["themes"] if isinstance(themes, dict) else themes
        assert all(LABEL in t["cause_mix"] for t in themes)
        assert any((t["cause_mix"][LABEL] or 0) > 0.5 for t in themes)
    elif fmt == "csv":
        frame = pd.read_csv(out)
        assert f"{LABEL}_pct" in frame.columns and frame[f"{LABEL}_pct"].max() > 50
    else:
        assert LABEL in text
