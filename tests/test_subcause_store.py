"""The sub-cause lens's columns reach the store (declared outputs), the document exports and the app's filters."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from voc.config import PipelineConfig
from voc.store import Store

TEXTS = [
    "I unsubscribed in May and your sales staff still call me every week.",
    "The app crashes every time I open my statement.",
    "On hold for 70 minutes again.",
    "The agent could not see my order and was useless.",
    "Lovely view from the room.",
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    from voc.engine.local import run_pipeline

    folder = tmp_path_factory.mktemp("subcause")
    csv = folder / "feedback.csv"
    pd.DataFrame({"text": TEXTS, "date": pd.date_range("2025-01-01", periods=len(TEXTS))}).to_csv(
        csv, index=False
    )
    cfg = PipelineConfig.load(None, lenses=["subcause"], store={"path": str(folder / "s.duckdb")},
                              inputs=[{"path": str(csv), "preset": "reviews"}])  # fmt: skip
    run_pipeline(cfg)
    return folder / "s.duckdb"


def test_columns_in_store(store_path):
    with Store(store_path, read_only=True).reader() as r:
        df = r.con.execute(
            "SELECT d.text, p.subcauses, p.blamed, p.likely_cause, p.likely_subcause, p.subcause_evidence "
            "FROM documents d JOIN predictions p USING (doc_id)"
        ).df()
    rows = {t: row for t, row in zip(df["text"], df.itertuples())}
    opt_out = rows[TEXTS[0]]
    assert opt_out.likely_cause == "technology" and opt_out.likely_subcause == "records_crm"
    assert "people" in list(opt_out.blamed)
    assert "records_crm" in json.loads(opt_out.subcause_evidence)
    assert rows[TEXTS[2]].likely_subcause == "waiting"
    declared = {o["name"]: o for o in Store(store_path, read_only=True).lens_outputs()}
    assert declared["blamed"]["labels"] == ["people", "process", "technology"]
    assert (
        "records_crm" in declared["subcauses"]["labels"]
        and "records_crm" in declared["likely_subcause"]["labels"]
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_columns_in_document_exports(store_path, tmp_path, fmt):
    from voc.export import export

    path = export(store_path, format=fmt, out=tmp_path / f"docs.{fmt}", level="documents")
    frame = pd.read_csv(path) if fmt == "csv" else pq.read_table(path).to_pandas()
    for col in (
        "subcauses",
        "subcause_scores",
        "subcause_evidence",
        "blamed",
        "likely_cause",
        "likely_subcause",
    ):
        assert col in frame.columns
    by_text = dict(zip(frame["text"], frame["likely_subcause"]))
    assert by_text[TEXTS[0]] == "records_crm"


@pytest.mark.slow
def test_demo_opt_out_story_is_the_top_misattributed_theme(demo_store):
    """Planted pattern 4: calls after opting out, blamed on staff, surface with likely cause records/CRM."""
    with Store(demo_store, read_only=True).reader() as r:
        top = (
            r.con.execute(
                "SELECT theme_id, count(*) AS mis, mode(blamed[1]) AS blame, mode(likely_cause) AS cause, "
                "mode(likely_subcause) AS sub FROM predictions WHERE likely_cause IS NOT NULL AND len(blamed) > 0 "
                "AND NOT list_contains(blamed, likely_cause) AND theme_id >= 0 GROUP BY theme_id ORDER BY mis DESC LIMIT 1"
            )
            .df()
            .iloc[0]
        )
        texts = r.con.execute(
            "SELECT d.text FROM documents d JOIN predictions p USING (doc_id) WHERE p.theme_id = ?",
            [int(top.theme_id)],
        ).df()["text"]
    assert (top["blame"], top["cause"], top["sub"]) == ("people", "technology", "records_crm") and top["mis"] >= 40
    assert texts.str.contains("opted out|unsubscribed", case=False).mean() > 0.5
