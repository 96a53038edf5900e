"""Root causes page: the cause -> sub-cause drill-down with evidence quotes and the misattributed-blame view."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from voc.config import PipelineConfig
from voc.paths import PROJECT_ROOT

OPT_OUT = [
    "I unsubscribed in May and your sales staff still call me every week.",
    "Told your agent to stop calling after I opted out. Your people called twice more.",
    "Your reps keep emailing me offers even though I unsubscribed months ago. Do they not listen?",
    "After I opted out your sales team texted me five times. Train your staff.",
]
OTHER = [
    "The app crashes every time I open my bill.",
    "On hold for 70 minutes again, this is ridiculous.",
    "The login code never arrives so I cannot sign in.",
    "Priya on the phone was lovely and sorted everything.",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from voc.engine.local import run_pipeline

    folder = tmp_path_factory.mktemp("subcause_app")
    csv = folder / "feedback.csv"
    texts = OPT_OUT + OTHER
    pd.DataFrame({"text": texts, "date": pd.date_range("2026-01-01", periods=len(texts))}).to_csv(
        csv, index=False
    )
    cfg = PipelineConfig.load(None, lenses=["rootcause", "subcause"], store={"path": str(folder / "a.duckdb")},
                              inputs=[{"path": str(csv), "preset": "reviews"}])  # fmt: skip
    run_pipeline(cfg)
    return folder / "a.duckdb"


def _causes_page(store, monkeypatch) -> AppTest:
    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    at.query_params["page"] = "causes"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_drilldown_cause_to_subcause_with_evidence(store, monkeypatch):
    at = _causes_page(store, monkeypatch)
    assert any(s.value == "Failure points (sub-causes)" for s in at.subheader)
    at.radio(key="subcause_cause").set_value("technology").run()
    pick = at.selectbox(key="subcause_pick")
    assert "records crm" in pick.options  # shown with spaces; the value stays records_crm
    pick.set_value("records_crm").run()
    assert not at.exception, [e.value for e in at.exception]
    quotes = [m.value for m in at.markdown if "voc-subcause-evidence" in m.value]
    assert quotes and all("<mark" in q for q in quotes)
    assert any("unsubscribed" in q or "opted out" in q for q in quotes)


def test_misattributed_blame_view(store, monkeypatch):
    at = _causes_page(store, monkeypatch)
    assert any(s.value == "Misattributed blame" for s in at.subheader)
    table = next(df.value for df in at.dataframe if "customers_blame" in df.value.columns)
    top = table.iloc[0]
    assert top["misattributed"] >= 3 and top["customers_blame"] == "people"
    assert top["points_to"] == "technology: records crm"
