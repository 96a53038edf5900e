"""The Journey and At-risk pages over a small store built with the rootcause, journey and churn lenses."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from voc.paths import PROJECT_ROOT

ROWS = [
    ("After the price rise I'm switching to another provider.", 2, "2025-03-01"),
    ("Love the product but the new prices mean I'm leaving for a competitor next month.", 5, "2025-03-05"),
    ("My parcel never arrived and the courier left no card.", 1, "2025-02-01"),
    ("I was on hold for an hour and nobody answered.", 1, "2025-02-02"),
    ("I'm not switching, just fix the app. It crashes every time I log in.", 2, "2025-02-03"),
    ("How do I switch to the annual plan?", 4, "2025-02-04"),
    ("Cancel my order, I'll reorder the right size.", 4, "2025-02-05"),
    ("The checkout page failed three times when I tried to pay.", 2, "2025-02-06"),
    ("My bill is higher than last month for no reason.", 2, "2025-02-07"),
    ("Signing up took ages, the verification email never came.", 2, "2025-02-08"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from voc.config import PipelineConfig
    from voc.engine.local import run_pipeline

    folder = tmp_path_factory.mktemp("journey_app")
    csv = folder / "reviews.csv"
    pd.DataFrame(ROWS, columns=["text", "rating", "date"]).to_csv(csv, index=False)
    cfg = PipelineConfig.load(None, lenses=["rootcause", "journey", "churn"], store={"path": str(folder / "j.duckdb")},
                              inputs=[{"path": str(csv), "preset": "reviews"}])  # fmt: skip
    run_pipeline(cfg)
    return folder / "j.duckdb"


def _app(store, monkeypatch, page: str) -> AppTest:
    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    at.query_params["page"] = page
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_journey_page_shows_stages_causes_and_churn(store, monkeypatch):
    at = _app(store, monkeypatch, "journey")
    assert at.title[0].value == "Journey"
    table = at.dataframe[0].value
    assert table["volume"].sum() == len(ROWS)
    assert {"delivery", "support", "billing"} <= set(table["stage"])
    assert "churn_share" in table.columns
    assert next(m.value for m in at.metric if m.label == "Satisfied but at risk") == "1"
    themes = at.dataframe[1].value
    assert themes["volume"].sum() == table["volume"].iloc[0]
    at.selectbox(key="journey_stage_pick").set_value("delivery").run()
    assert not at.exception
    assert at.dataframe[1].value["volume"].sum() == int(
        table.loc[table["stage"] == "delivery", "volume"].iloc[0]
    )


def test_at_risk_view_lists_churn_newest_first_and_filters_satisfied(store, monkeypatch):
    at = _app(store, monkeypatch, "atrisk")
    rows = at.dataframe[0].value
    assert rows["text"].tolist() == [ROWS[1][0], ROWS[0][0]]  # newest first; hard negatives left out
    assert set(rows.columns) >= {"theme", "journey_stage", "causes", "asks_for"}
    at.toggle(key="atrisk_satisfied").set_value(True).run()
    assert not at.exception
    assert at.dataframe[0].value["text"].tolist() == [ROWS[1][0]]  # 5 stars, leaving
    data = at.get("download_button")[0].proto.url if at.get("download_button") else None
    assert data is not None


def test_at_risk_csv_has_the_win_back_columns(store):
    from voc.app import journey_data as jd
    from voc.app.fact import store_content_version
    from voc.insights.filters import Filter

    ver = store_content_version(store)
    frame = jd.at_risk(str(store), ver, (), Filter().model_dump_json(), False)
    csv = pd.read_csv(io.StringIO(frame.to_csv(index=False)))
    assert {"date", "theme", "journey_stage", "causes", "asks_for", "text"} <= set(csv.columns)
    assert len(csv) == 2
