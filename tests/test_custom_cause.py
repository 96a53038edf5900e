"""A custom root-cause label (voc train rootcause --examples) reaches analyze, the store, the app and the theme exports."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

import voc
from voc.cli import app as cli
from voc.paths import PROJECT_ROOT
from voc.store import Store

pytestmark = pytest.mark.slow  # trains a head, then runs every lens and the app (minutes on a busy machine)

LABEL = "policy: pricing"
EXAMPLES = PROJECT_ROOT / "tests" / "fixtures" / "pricing_examples.yaml"  # a new label, "policy: pricing"
PRICING = [
    "Honestly the price is ridiculous now, it went up 40% and I pay more than anywhere else.",
    "The subscription is far too expensive since the last price increase.",
    "You raised the monthly fee again, it is overpriced for what it does.",
    "Way too expensive compared to the competition, I am paying double.",
    "The new pricing plan costs twice as much, I can't afford it anymore.",
    "Prices keep going up every year with no new features.",
    "Too pricey, the premium plan is not worth the money.",
    "I cancelled because the price doubled after the promotion.",
]
CRASHES = [
    "The app crashes every time I log in.",
    "The app keeps crashing when I open my account page.",
    "Login fails with an error and the app crashes.",
    "The app froze and crashed twice during checkout.",
    "Every update makes the app crash on startup.",
    "The mobile app crashes whenever I upload a photo.",
    "The app crashed and logged me out again.",
    "Crashes constantly on my phone since the update.",
]
AGENTS = [
    "The agent was rude and hung up on me.",
    "The support agent was very rude and unhelpful.",
    "A rude staff member refused to help me at the desk.",
    "The representative was dismissive and impolite.",
    "The agent on the phone was rude and arrogant.",
    "Staff were rude when I asked a simple question.",
    "The call center agent was condescending and rude.",
    "Rude employee at the counter ignored me.",
]
TEXTS = (PRICING + CRASHES + AGENTS) * 2  # twice, on other dates: 48 documents, enough for themes (>= 30)


@pytest.fixture(scope="module")
def custom(tmp_path_factory):
    """(store, model folder) after `voc train rootcause --examples` and `voc run` with VOC_ROOTCAUSE__MODEL."""
    folder = tmp_path_factory.mktemp("custom")
    pd.DataFrame({"text": TEXTS, "date": pd.date_range("2025-01-01", periods=len(TEXTS), freq="D")}).to_csv(
        folder / "feedback.csv", index=False
    )
    model, store = folder / "model", folder / "store.duckdb"
    runner = CliRunner()
    trained = runner.invoke(
        cli, ["train", "rootcause", "--examples", str(EXAMPLES), "--out", str(model), "--no-weak"]
    )
    assert trained.exit_code == 0, trained.output
    env = {"VOC_ROOTCAUSE__MODEL": str(model)}
    ran = runner.invoke(
        cli, ["run", "--input", str(folder / "feedback.csv"), "--preset", "reviews", "--store", str(store), "-q"], env=env
    )
    assert ran.exit_code == 0, ran.output
    return store, model


def test_custom_label_in_analyze(custom, monkeypatch):
    monkeypatch.setenv("VOC_ROOTCAUSE__MODEL", str(custom[1]))
    out = voc.analyze(PRICING[:3] + CRASHES[:1], config={"lenses": ["rootcause"]})
    assert all(LABEL in causes for causes in out["causes"].iloc[:3])
    assert LABEL in out["cause_scores"].iloc[0] and LABEL in out["cause_evidence"].iloc[0]
    assert LABEL not in out["causes"].iloc[3]


def test_custom_label_in_the_store(custom):
    store = Store(custom[0], read_only=True)
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


def test_custom_label_on_the_root_causes_page(custom, monkeypatch):
    at = _app(custom[0], monkeypatch, "causes")
    share = next(m.value for m in at.metric if m.label == LABEL.title())
    assert int(share.rstrip("%")) >= 25  # a third of the documents are about pricing
    tab = next(t for t in at.tabs if t.label == LABEL.title())
    evidence = " ".join(m.value for m in tab.markdown)
    assert any(text[:30].replace("%", "") in evidence.replace("&#37;", "") for text in PRICING[:1] + PRICING[1:])
    assert "<mark" in evidence and LABEL.replace(":", "&#58;") in evidence  # the evidence span is highlighted


def test_custom_label_in_the_themes_page_cause_mix(custom, monkeypatch):
    at = _app(custom[0], monkeypatch, "themes")
    assert LABEL in " ".join(df.value.astype(str).to_string() for df in at.dataframe)


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "jira"])
def test_custom_label_in_theme_exports(custom, tmp_path, fmt):
    out = tmp_path / f"themes.{fmt}"
    result = CliRunner().invoke(
        cli, ["export", "--store", str(custom[0]), "--format", fmt, "--out", str(out), "--level", "themes"]
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
