"""Store-wide figures for the run summary: totals and the largest themes under a filter, from voc.metrics."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from voc.clean.coverage import REASON_COLUMN, models_of_reason, summary_line
from voc.insights.filters import Filter
from voc.lenses.themes.languages import UNTHEMED_SQL
from voc.metrics import aggregate_sql, cause_column
from voc.schema import CAUSE_LABELS
from voc.store import Store

VIEW_SQL = (
    "SELECT d.doc_id, d.date, d.channel, d.source, d.segments, d.rating, d.rating_scale, d.rating_norm, "
    "d.created_at, d.resolved_at, p.sentiment, p.sentiment_score, p.causes, "
    f"CASE WHEN {UNTHEMED_SQL} THEN -1 ELSE p.theme_id END AS theme_id, "
    f"CASE WHEN {UNTHEMED_SQL} THEN 'Unthemed' "
    "ELSE coalesce(t.user_label, t.label, 'Theme ' || p.theme_id) END AS theme_label "
    "FROM documents d LEFT JOIN predictions p ON p.doc_id = d.doc_id LEFT JOIN themes t ON t.theme_id = p.theme_id"
)
METRIC_NAMES = ("net_sentiment", "sentiment_score", "nps", "csat")


def _query(store_path: str | Path, flt: Filter | None, select: str) -> pd.DataFrame:
    where, params = (flt or Filter()).to_sql()
    sql = f"WITH b AS (SELECT * FROM ({VIEW_SQL}) v WHERE {where}) {select}"
    with Store(store_path, read_only=True).reader() as session:
        return session.con.execute(sql, params).df()


def store_totals(
    store_path: str | Path, flt: Filter | None = None, labels: Sequence[str] = CAUSE_LABELS
) -> pd.Series:
    """Volume, net sentiment, sentiment score, NPS, CSAT and each cause's share of the filtered documents."""
    return _query(store_path, flt, f"SELECT {aggregate_sql(METRIC_NAMES, labels)} FROM b").iloc[0]


def theme_totals(
    store_path: str | Path,
    flt: Filter | None = None,
    labels: Sequence[str] = CAUSE_LABELS,
    n: int | None = None,
) -> pd.DataFrame:
    """Per theme (largest first): volume, share of all filtered documents, the metrics and the cause shares."""
    select = (
        f"SELECT theme_id, any_value(theme_label) AS theme, {aggregate_sql(METRIC_NAMES, labels)}, "
        "count(*) / sum(count(*)) OVER () AS share FROM b GROUP BY theme_id ORDER BY volume DESC, theme_id"
    )
    frame = _query(store_path, flt, select)
    return frame if n is None else frame.head(n)


def not_analysed_summary(store_path: str | Path) -> list[str]:
    """'58 documents in Spanish (es) are not analysed by the English models', one line per language stored."""
    with Store(store_path, read_only=True).reader() as session:
        if REASON_COLUMN not in session.con.execute("SELECT * FROM predictions LIMIT 0").df().columns:
            return []  # a store written before language coverage
        rows = session.con.execute(
            f"SELECT coalesce(d.language, 'und'), count(*) AS n, min(p.{REASON_COLUMN}) FROM documents d "
            f"JOIN predictions p ON p.doc_id = d.doc_id WHERE p.{REASON_COLUMN} IS NOT NULL "
            "GROUP BY 1 ORDER BY n DESC, 1"
        ).fetchall()
    return [summary_line(lang, int(n), models_of_reason(reason)) for lang, n, reason in rows]


def summary_table(themes: pd.DataFrame, labels: Sequence[str] = CAUSE_LABELS) -> pd.DataFrame:
    """The run summary's table: theme, documents, share %, net sentiment, NPS and cause shares in %."""
    out = pd.DataFrame(
        {
            "theme": themes["theme"],
            "documents": themes["volume"],
            "share_pct": (100 * themes["share"]).round(1),
            "net_sentiment": themes["net_sentiment"].round(),
            "nps": themes["nps"].round(),
        }
    )
    for label in labels:
        out[f"{label}_pct"] = (100 * themes[cause_column(label)]).round()
    return out
