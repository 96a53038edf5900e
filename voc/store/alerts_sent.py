"""Which alert episodes were already sent to the webhook: a small table, created when first needed."""

from __future__ import annotations

import duckdb
import pandas as pd

DDL = (
    "CREATE TABLE IF NOT EXISTS alerts_sent (theme_id INTEGER, kind VARCHAR, start DATE, "
    "sent_at TIMESTAMPTZ DEFAULT now(), target VARCHAR, text VARCHAR, PRIMARY KEY (theme_id, kind, start))"
)


def sent_keys(con: duckdb.DuckDBPyConnection) -> set[tuple[int, str, str]]:
    """(theme_id, kind, ISO start) of every episode already sent."""
    con.execute(DDL)
    rows = con.execute("SELECT theme_id, kind, strftime(start, '%Y-%m-%d') FROM alerts_sent").fetchall()
    return {(int(t), str(k), str(s)) for t, k, s in rows}


def record_sent(con: duckdb.DuckDBPyConnection, records: list[dict], target: str) -> int:
    """Remember episodes as sent (theme_id, kind, start); already-known keys are left as they are."""
    con.execute(DDL)
    for r in records:
        con.execute(
            "INSERT OR IGNORE INTO alerts_sent (theme_id, kind, start, target, text) VALUES (?, ?, ?::DATE, ?, ?)",
            [r["theme_id"], r["kind"], r["start"], target, r.get("text")],
        )
    return len(records)


def sent(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The sent-episodes log."""
    con.execute(DDL)
    return con.execute("SELECT * FROM alerts_sent ORDER BY sent_at").df()
