"""Test helper: a store holding a custom root-cause label, trained by `voc train rootcause --examples` and run with it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from voc.cli import app as cli
from voc.paths import PROJECT_ROOT

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


def build_custom_store(folder: Path) -> tuple[Path, Path]:
    """(store, model folder) after `voc train rootcause --examples` and `voc run` with VOC_ROOTCAUSE__MODEL."""
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
        cli,
        ["run", "--input", str(folder / "feedback.csv"), "--preset", "reviews", "--store", str(store), "-q"],
        env=env,
    )
    assert ran.exit_code == 0, ran.output
    return store, model
