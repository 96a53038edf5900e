"""The demo's planted stories at their journey stages, and the planted churn wave in the At-risk view."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from voc.insights.load import INSIGHT_COLUMNS, load_documents
from voc.paths import PROJECT_ROOT


def _with_truth(store) -> pd.DataFrame:
    docs = load_documents(store, columns=(*INSIGHT_COLUMNS, "source_id", "journey_stage", "churn_intent"))
    truth = pd.read_csv(PROJECT_ROOT / "data" / "demo" / "truth.csv", dtype=str)
    truth["primary"] = truth["themes"].fillna("").str.split(";").str[0]
    merged = docs.merge(truth, left_on=["source", "source_id"], right_on=["file", "id"])
    return merged[merged["language"] == "en"]


def test_planted_stories_sit_at_their_stages_and_the_wave_is_churn(demo_store):
    merged = _with_truth(demo_store)
    login = merged[merged["primary"] == "app_login"]["journey_stage"]
    assert login.isin(["usage", "onboarding"]).mean() >= 0.85, login.value_counts()
    hold = merged[merged["primary"] == "hold_times"]["journey_stage"]
    assert (hold == "support").mean() >= 0.75, hold.value_counts()
    wave = merged[merged["planted"] == "price_churn"]
    assert len(wave) == 40
    assert wave["churn_intent"].mean() >= 0.8, wave[["text", "churn_intent"]]
    others = merged[merged["planted"] != "price_churn"]
    assert others["churn_intent"].mean() < 0.15


def test_churn_wave_shows_in_the_at_risk_view(demo_store, monkeypatch):
    monkeypatch.setenv("VOC_STORE", str(demo_store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["page"] = "atrisk"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    rows = at.dataframe[0].value
    assert pd.to_datetime(rows["date"]).is_monotonic_decreasing
    wave = _with_truth(demo_store).query("planted == 'price_churn'")
    shown = set(rows["text"])
    assert wave["text"].isin(shown).mean() >= 0.8  # the planted churn wave leads the At-risk view
