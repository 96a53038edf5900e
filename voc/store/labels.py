"""Reviewers' labels: an append-only log (sentiment, causes, theme per document, who and when)."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

DDL = (
    "CREATE TABLE IF NOT EXISTS labels (label_id BIGINT, doc_id VARCHAR, sentiment VARCHAR, causes VARCHAR[], "
    'theme_id INTEGER, reviewer VARCHAR, "at" TIMESTAMPTZ DEFAULT now(), source VARCHAR, '
    "model_sentiment VARCHAR, model_causes VARCHAR[], model_theme_id INTEGER)"
)
COLUMNS = ("doc_id", "sentiment", "causes", "theme_id", "reviewer", "source", "model_sentiment",
           "model_causes", "model_theme_id")  # fmt: skip


def append_labels(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> int:
    """Append labels (missing keys stay NULL: a NULL column means "not labelled"); return rows appended."""
    con.execute(DDL).fetchall()
    if not rows:
        return 0
    start = con.execute("SELECT coalesce(max(label_id), 0) FROM labels").fetchall()[0][0]
    frame = pd.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], columns=list(COLUMNS))
    frame.insert(0, "label_id", range(int(start) + 1, int(start) + 1 + len(frame)))
    for col in ("causes", "model_causes"):  # lists travel as JSON text so NULL and [] stay distinct
        frame[col] = [None if v is None else json.dumps(list(v)) for v in frame[col]]
    for col in ("theme_id", "model_theme_id"):
        frame[col] = pd.array(
            [None if v is None or pd.isna(v) else int(v) for v in frame[col]], dtype="Int64"
        )
    con.register("_labels_in", frame)
    try:
        con.execute(
            "INSERT INTO labels (label_id, doc_id, sentiment, causes, theme_id, reviewer, source, model_sentiment, "
            "model_causes, model_theme_id) SELECT label_id, doc_id, sentiment, "
            "CAST(causes AS JSON)::VARCHAR[], theme_id, reviewer, source, model_sentiment, "
            "CAST(model_causes AS JSON)::VARCHAR[], model_theme_id FROM _labels_in"
        )
    finally:
        con.unregister("_labels_in")
    return len(frame)


LATEST_COLUMNS = ["doc_id", "sentiment", "causes", "theme_id", "reviewer", "at", "changed", "theme_changed"]
# a label moves a document to another theme when it names a theme other than the one the model gave (incl. none)
_MOVED = "(theme_id IS NOT NULL AND theme_id IS DISTINCT FROM model_theme_id)"


def _exists(con: duckdb.DuckDBPyConnection) -> bool:
    sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'labels'"
    return bool(con.execute(sql).fetchall()[0][0])


def all_labels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every label in the order appended (an empty frame before the first label)."""
    if not _exists(con):
        return pd.DataFrame(columns=["label_id", *COLUMNS, "at"])
    return con.execute("SELECT * FROM labels ORDER BY label_id").df()


def latest_labels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per document, the latest non-NULL answer of each field (sentiment, causes, theme_id) and its reviewer."""
    if not _exists(con):
        return pd.DataFrame(columns=LATEST_COLUMNS)
    return con.execute(
        "SELECT doc_id, arg_max(sentiment, label_id) FILTER (WHERE sentiment IS NOT NULL) AS sentiment, "
        "arg_max(causes, label_id) FILTER (WHERE causes IS NOT NULL) AS causes, "
        "arg_max(theme_id, label_id) FILTER (WHERE theme_id IS NOT NULL) AS theme_id, "
        'arg_max(reviewer, label_id) AS reviewer, max("at") AS at, '
        "bool_or(coalesce(sentiment <> model_sentiment, false) OR coalesce(list_sort(causes) <> "
        f"list_sort(model_causes), false) OR {_MOVED}) AS changed, bool_or({_MOVED}) AS theme_changed "
        "FROM labels GROUP BY doc_id ORDER BY min(label_id)"
    ).df()
