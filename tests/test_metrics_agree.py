"""Metrics agree: the CLI run summary, `voc export --level themes`, insights and the app show the same numbers.

One store (the analysed demo corpus), two filters (the whole store, and the last 30 days), and for each the
volume, net sentiment, NPS and cause shares read from the four places users see them.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from voc.cli import app as cli_app
from voc.cli import store_summary
from voc.console import console, run_summary
from voc.export import theme_summaries
from voc.insights.filters import Filter
from voc.insights.load import load_documents
from voc.insights.metrics import theme_metrics
from voc.insights.totals import store_totals, theme_totals
from voc.metrics import cause_column, frame_metrics
from voc.paths import PROJECT_ROOT
from voc.schema import CAUSE_LABELS
from voc.store import Store

APP = str(PROJECT_ROOT / "app.py")


def close(a, b, tol: float = 1e-9) -> bool:
    """Equal numbers, or both missing."""
    a_missing = a is None or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or (isinstance(b, float) and math.isnan(b))
    return a_missing and b_missing or (not a_missing and not b_missing and abs(float(a) - float(b)) <= tol)


def run_app(store, monkeypatch, page: str = "overview", **params) -> AppTest:
    """Run the app once on `store` with query parameters."""
    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = page
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tile(at: AppTest, label: str) -> str:
    """The displayed value of a metric tile."""
    return next(m.value for m in at.metric if m.label == label)


def frame_with(at: AppTest, columns: set[str]) -> pd.DataFrame:
    """The first dataframe on the page that has these columns."""
    return next(df.value for df in at.dataframe if columns <= set(df.value.columns))


def check_themes(store, flt: Filter | None, exported: list[dict]) -> pd.DataFrame:
    """Per theme, CLI summary == export == insights; returns the insights table keyed by theme label."""
    cli_top = store_summary(store, n=1000)[1] if flt is None else None
    cli = theme_totals(store, flt).set_index("theme_id")
    docs = load_documents(store, flt)
    insights = theme_metrics(docs).set_index("theme_id")
    export = {s["theme_id"]: s for s in exported}
    assert set(export) == set(insights.index) == set(cli.index)
    for tid, s in export.items():
        row, c = insights.loc[tid], cli.loc[tid]
        assert s["volume"] == row["volume"] == c["volume"], tid
        assert close(s["share"], row["share"]) and close(s["share"], c["share"]), tid
        for key in ("net_sentiment", "nps"):
            assert close(s[key], row[key]) and close(s[key], c[key]), (tid, key)
        for label in CAUSE_LABELS:
            col = cause_column(label)
            assert close(s["cause_mix"][label], row[col]) and close(s["cause_mix"][label], c[col]), (
                tid,
                label,
            )
    if cli_top is not None:  # what `voc run` prints: the same figures, rounded
        for r in cli_top.itertuples():
            c = cli[cli["theme"] == r.theme].iloc[0]
            assert r.documents == c["volume"] and r.share_pct == round(100 * c["share"], 1)
    return insights.reset_index().set_index("theme_label")


def check_app_themes(at: AppTest, insights: pd.DataFrame) -> None:
    """The Overview's largest themes: volume, share and net sentiment as in insights."""
    shown = frame_with(at, {"theme", "volume", "share", "net_sentiment"})
    assert len(shown)
    for r in shown.itertuples():
        row = insights.loc[r.theme]
        assert (
            r.volume == row["volume"]
            and close(r.share, row["share"])
            and close(r.net_sentiment, row["net_sentiment"])
        )


def check_app_causes(at: AppTest, totals: pd.Series) -> None:
    """The Root causes tiles: each cause's share of the filtered feedback."""
    for label in CAUSE_LABELS:
        assert tile(at, label.title()) == f"{100 * totals[cause_column(label)]:.0f}%", label


@pytest.fixture(scope="module")
def exported(demo_store, tmp_path_factory) -> list[dict]:
    """`voc export --level themes --format json` on the demo store."""
    out = tmp_path_factory.mktemp("agree") / "themes.json"
    result = CliRunner().invoke(
        cli_app,
        ["export", "--store", str(demo_store), "--format", "json", "--level", "themes", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))["themes"]


def test_whole_store_agrees(demo_run, demo_store, exported, monkeypatch):
    totals, top = store_summary(demo_store)
    docs = load_documents(demo_store)
    overall = frame_metrics(docs).iloc[0]
    assert totals["volume"] == overall["volume"] == sum(s["volume"] for s in exported) == len(docs)
    for key in ("net_sentiment", "nps", *(cause_column(c) for c in CAUSE_LABELS)):
        assert close(totals[key], overall[key]), key
    with console.capture() as printed:  # the run summary shows these totals
        run_summary(demo_run[1], top, totals)
    text = printed.get()
    assert f"{totals['net_sentiment']:+.0f}" in text and f"{totals['nps']:+.0f}" in text
    insights = check_themes(demo_store, None, exported)
    check_app_themes(run_app(demo_store, monkeypatch, "overview"), insights)
    check_app_causes(run_app(demo_store, monkeypatch, "causes"), totals)


def test_last_30_days_agree(demo_store, monkeypatch):
    with Store(demo_store, read_only=True).reader() as s:
        last = s.con.execute("SELECT max(timezone('UTC', date))::DATE FROM documents").fetchone()[0]
    start = last - timedelta(days=29)
    flt = Filter(date_from=start)
    totals = store_totals(demo_store, flt)
    overall = frame_metrics(load_documents(demo_store, flt)).iloc[0]
    assert 0 < totals["volume"] == overall["volume"]
    for key in ("net_sentiment", "nps", *(cause_column(c) for c in CAUSE_LABELS)):
        assert close(totals[key], overall[key]), key
    exported = theme_summaries(demo_store, flt)  # what `voc export --level themes` writes, under the filter
    check_themes(demo_store, flt, exported)
    # The Overview's KPI tiles cover the last 30 days of the filtered range: the whole filter here.
    at = run_app(demo_store, monkeypatch, "overview", **{"from": start.isoformat()})
    assert tile(at, "Volume") == f"{totals['volume']:,.0f}"
    assert tile(at, "Net sentiment") == f"{totals['net_sentiment']:+.0f}"
    if not pd.isna(totals["nps"]):
        assert tile(at, "NPS") == f"{totals['nps']:+.0f}"
    check_app_causes(run_app(demo_store, monkeypatch, "causes", **{"from": start.isoformat()}), totals)
