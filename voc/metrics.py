"""One definition of every feedback metric, as DuckDB SQL over the store's columns (or over a pandas frame).

The CLI run summary, the insights, the theme exports and the app all aggregate with these expressions, so
they show the same numbers for the same documents. The columns they read are the store's: `sentiment`
(negative / neutral / positive), `sentiment_score` (-1..1), `rating` with its `rating_scale`
(stars / nps / csat / ces), `created_at` / `resolved_at` and `causes` (a list of root-cause labels).

Metrics and scales:
- volume: documents, `count(*)`.
- net sentiment, -100..100: % positive minus % negative.
- sentiment score, -1..1: the mean of the documents' scores.
- NPS, -100..100: % promoters (9-10) minus % detractors (0-6) among NPS ratings.
- CSAT, 0..100: % of CSAT ratings (1-5) that are 4 or 5.
- CES, 1..7: the mean Customer Effort Score (lower is better); stars, 1..5: the mean star rating.
- normalised rating, 0..1: the mean of `rating_norm` (every scale mapped to 0..1, higher is better).
- time to resolution: median hours from `created_at` to `resolved_at`.
- cause share of a label, 0..1: the fraction of documents whose causes list the label.

How missing values count (the one rule): a document that lacks what a metric measures is left out of that
metric's denominator, never counted as zero.
- A document without a sentiment prediction (a language the model does not cover, or not scored yet) is left
  out of net sentiment and sentiment score; it still counts in volume.
- A document without a rating on a scale is left out of that scale's score: NPS is over NPS ratings only,
  CSAT over CSAT ratings only, and so on. A rating on another scale does not count.
- A document without a root-cause prediction (`causes` NULL) is left out of cause shares; a document with a
  prediction and an empty list counts, with none of the causes.
- Time to resolution is over documents with both timestamps.
- When no document qualifies, the metric is NULL (NaN in pandas), not 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from voc.schema import CAUSE_LABELS

__all__ = [
    "METRICS",
    "Metric",
    "aggregate_sql",
    "cause_column",
    "cause_share",
    "cause_shares_sql",
    "frame_metrics",
    "metric_sql",
]


@dataclass(frozen=True)
class Metric:
    """A metric: a per-document value (NULL where the document is left out) and how values are aggregated."""

    name: str
    value: str
    agg: str = "avg"
    scale: float = 1.0


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("net_sentiment", "CASE sentiment WHEN 'positive' THEN 1 WHEN 'negative' THEN -1 WHEN 'neutral' THEN 0 END", scale=100),
        Metric("sentiment_score", "sentiment_score"),
        Metric("nps", "CASE WHEN rating_scale = 'nps' THEN CASE WHEN rating >= 9 THEN 1 WHEN rating <= 6 THEN -1 ELSE 0 END END", scale=100),
        Metric("csat", "CASE WHEN rating_scale = 'csat' THEN (rating >= 4)::INT END", scale=100),
        Metric("ces", "CASE WHEN rating_scale = 'ces' THEN rating END"),
        Metric("stars", "CASE WHEN rating_scale = 'stars' THEN rating END"),
        Metric("rating_norm", "rating_norm"),
        Metric("ttr_hours", "date_diff('second', created_at::TIMESTAMPTZ, resolved_at::TIMESTAMPTZ) / 3600.0", agg="median"),
    )
}  # fmt: skip


def metric_sql(name: str, where: str | None = None) -> str:
    """The aggregate SQL of one metric (e.g. `100 * avg(...)`), optionally restricted by a FILTER clause."""
    m = METRICS[name]
    expr = f"{m.agg}({m.value})" + (f" FILTER (WHERE {where})" if where else "")
    return f"{m.scale:g} * {expr}" if m.scale != 1 else expr


def _literal(label: str) -> str:
    return "'" + str(label).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def cause_column(label: str) -> str:
    """The output column of a cause's share: `cause_<label>`."""
    return f"cause_{label}"


def cause_share(label: str, where: str | None = None) -> str:
    """Aggregate SQL: the share (0..1) of documents with a root-cause prediction whose causes list `label`."""
    value = f"CASE WHEN causes IS NOT NULL THEN list_contains(causes::VARCHAR[], {_literal(label)})::INT END"
    return f"avg({value})" + (f" FILTER (WHERE {where})" if where else "")


def cause_shares_sql(labels: Iterable[str] = CAUSE_LABELS, where: str | None = None) -> str:
    """`<share> AS "cause_<label>", ...` for every label (any label set: the taxonomy's, custom ones too)."""
    return ", ".join(f"{cause_share(label, where)} AS {_ident(cause_column(label))}" for label in labels)


def aggregate_sql(
    names: Sequence[str] = ("net_sentiment", "sentiment_score", "nps", "csat"),
    labels: Iterable[str] | None = None,
) -> str:
    """`count(*) AS volume` then each named metric AS its name, then the cause shares of `labels` (if given)."""
    parts = ["count(*) AS volume", *(f"{metric_sql(n)} AS {n}" for n in names)]
    if labels is not None:
        parts.append(cause_shares_sql(labels))
    return ", ".join(p for p in parts if p)


_FRAME_DEFAULTS = {
    "sentiment": "VARCHAR",
    "sentiment_score": "DOUBLE",
    "rating": "DOUBLE",
    "rating_scale": "VARCHAR",
    "rating_norm": "DOUBLE",
    "created_at": "TIMESTAMPTZ",
    "resolved_at": "TIMESTAMPTZ",
    "causes": "VARCHAR[]",
}


def frame_metrics(
    frame: pd.DataFrame,
    by: Sequence[str] = (),
    names: Sequence[str] = tuple(METRICS),
    labels: Iterable[str] | None = CAUSE_LABELS,
    extra: str = "",
) -> pd.DataFrame:
    """The same metrics over a pandas frame (DuckDB scans it): one row per `by` group, or one row in all.

    Columns a metric reads that the frame lacks count as missing for every row. `extra` adds SQL select
    items (aggregates over the frame's own columns).
    """
    have = set(frame.columns)
    fill = ", ".join(f"NULL::{t} AS {c}" for c, t in _FRAME_DEFAULTS.items() if c not in have)
    keys = ", ".join(f'"{k}"' for k in by)
    items = aggregate_sql(names, labels) + (f", {extra}" if extra else "")
    sql = (
        f"WITH b AS (SELECT *{', ' + fill if fill else ''} FROM metrics_frame) "
        f"SELECT {keys + ', ' if keys else ''}{items} FROM b"
        + (f" GROUP BY {keys} ORDER BY {keys}" if keys else "")
    )
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("metrics_frame", frame)
        return con.execute(sql).df()
    finally:
        con.close()


# Churn (the churn lens's churn_intent): outside METRICS so frames and stores without the lens are unaffected.
HIGH_RATING_SQL = "((rating_scale IN ('stars', 'csat') AND rating >= 4) OR (rating_scale = 'nps' AND rating >= 7))"


def churn_share_sql(where: str | None = None) -> str:
    """Aggregate SQL: the share (0..1) of documents with a churn prediction that show churn intent."""
    return "avg(churn_intent::INT)" + (f" FILTER (WHERE {where})" if where else "")


def satisfied_at_risk_sql() -> str:
    """Aggregate SQL: documents rated high (stars/CSAT 4-5, NPS 7-10) that nevertheless show churn intent."""
    return f"count(*) FILTER (WHERE churn_intent AND {HIGH_RATING_SQL})"
