"""Per-theme, per-period counts straight from the store (one GROUP BY), the input of the alert episodes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TRUNC = {"week": "week", "month": "month", "day": "day"}


def store_series(store_path: str | Path, freq: str = "week") -> pd.DataFrame:
    """theme_id, theme, period, volume, negatives and period_total (all dated documents) from a store."""
    from voc.store import Store

    if freq not in TRUNC:
        raise ValueError(f"freq must be one of {list(TRUNC)}, got {freq!r}")
    sql = (
        f"SELECT coalesce(p.theme_id, -1) AS theme_id, any_value(coalesce(t.user_label, t.label)) AS theme, "
        f"date_trunc('{TRUNC[freq]}', d.date AT TIME ZONE 'UTC')::TIMESTAMP AS period, count(*) AS volume, "
        "count(*) FILTER (WHERE p.sentiment = 'negative') AS negatives "
        "FROM documents d LEFT JOIN predictions p USING (doc_id) LEFT JOIN themes t ON t.theme_id = p.theme_id "
        "WHERE d.date IS NOT NULL GROUP BY ALL ORDER BY period, theme_id"
    )
    with Store(store_path, read_only=True).reader() as session:
        df = session.con.execute(sql).df()
    df["period_total"] = df.groupby("period")["volume"].transform("sum")
    return df
