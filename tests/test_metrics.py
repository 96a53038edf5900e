"""voc.metrics: one definition per metric, missing values left out, the same numbers in SQL and over pandas."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from voc.metrics import aggregate_sql, cause_shares_sql, frame_metrics, metric_sql


@pytest.fixture
def frame() -> pd.DataFrame:
    ts = pd.Timestamp("2026-01-01", tz="UTC")
    return pd.DataFrame(
        {
            "theme_id": [1, 1, 1, 2, 2],
            "sentiment": ["positive", "negative", None, "neutral", "positive"],
            "sentiment_score": [0.8, -0.6, None, 0.0, 0.4],
            "rating_scale": ["nps", "nps", "csat", "stars", None],
            "rating": [10.0, 3.0, 5.0, 4.0, None],
            "causes": [["process"], [], None, ["people", "policy: pricing"], ["process"]],
            "created_at": [ts, ts, ts, None, None],
            "resolved_at": [ts + pd.Timedelta(hours=2), ts + pd.Timedelta(hours=6), None, None, None],
        }
    )


def test_missing_values_are_left_out(frame):
    row = frame_metrics(frame, labels=["process", "people", "policy: pricing", "never"]).iloc[0]
    assert row["volume"] == 5
    assert row["net_sentiment"] == pytest.approx(100 * (2 - 1) / 4)  # the unscored document is left out
    assert row["sentiment_score"] == pytest.approx((0.8 - 0.6 + 0.0 + 0.4) / 4)
    assert row["nps"] == pytest.approx(0.0)  # one promoter, one detractor; other scales do not count
    assert row["csat"] == pytest.approx(100.0) and row["stars"] == pytest.approx(4.0)
    assert pd.isna(row["ces"])  # nobody rated effort: missing, not 0
    assert row["ttr_hours"] == pytest.approx(4.0)  # median of 2 h and 6 h; open tickets left out
    assert row["cause_process"] == pytest.approx(2 / 4)  # no root-cause prediction: left out; [] counts
    assert row["cause_policy: pricing"] == pytest.approx(1 / 4) and row["cause_never"] == 0


def test_grouped_and_sql_over_a_table_agree(frame):
    grouped = frame_metrics(frame, by=["theme_id"], labels=["process", "people"]).set_index("theme_id")
    assert grouped.loc[1, "net_sentiment"] == pytest.approx(0.0) and grouped.loc[2, "net_sentiment"] == 50
    con = duckdb.connect()
    con.execute("CREATE TABLE store AS SELECT * FROM frame")
    sql = f"SELECT theme_id, {aggregate_sql(('net_sentiment', 'nps'), ['process', 'people'])} FROM store GROUP BY 1 ORDER BY 1"
    table = con.execute(sql).df().set_index("theme_id")
    for col in ("volume", "net_sentiment", "nps", "cause_process", "cause_people"):
        pd.testing.assert_series_equal(table[col], grouped[col], check_dtype=False, check_names=False)


def test_filtered_aggregates_render():
    assert metric_sql("net_sentiment", where="date >= ?").endswith("FILTER (WHERE date >= ?)")
    assert "'it''s'" in cause_shares_sql(["it's"])  # labels are quoted as SQL literals
