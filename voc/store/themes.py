"""Theme rows (upsert by theme_id) and the ordered log of user edits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from voc.errors import StoreError
from voc.store.frames import Frame, result_df, to_json
from voc.store.writes import upsert

EDIT_OPS = ("rename", "merge", "split", "pin", "effort", "cause", "retire")  # effort: voc.insights.priority; cause: a confirmed root cause
# retire: written by a re-run, where a theme it retired went (voc.lenses.themes.succession)


def write_themes(con: duckdb.DuckDBPyConnection, frame: Frame, types: dict[str, str]) -> int:
    """Insert themes, or update the given columns of existing theme_ids; return rows written."""
    return upsert(con, "themes", frame, types, ("theme_id",))


def themes(con: duckdb.DuckDBPyConnection, include_retired: bool = False) -> pd.DataFrame:
    """Themes ordered by theme_id (active only unless include_retired); centroid as float32 arrays."""
    where = "" if include_retired else "WHERE coalesce(status, 'active') <> 'retired'"
    return result_df(con.execute(f"SELECT * FROM themes {where} ORDER BY theme_id"))


def append_edit(
    con: duckdb.DuckDBPyConnection, op: str, payload: dict[str, Any], actor: str | None = None
) -> int:
    """Append a user edit (made by `actor`, e.g. an e-mail) to the log; return its edit_id (increasing)."""
    if op not in EDIT_OPS:
        raise StoreError(f"theme edit op must be one of {', '.join(EDIT_OPS)}, got {op!r}")
    row = con.execute("SELECT coalesce(max(edit_id), 0) + 1 FROM theme_edits").fetchone()
    edit_id = int(row[0])
    con.execute(
        'INSERT INTO theme_edits (edit_id, "at", op, payload, actor) VALUES (?, ?, ?, CAST(? AS JSON), ?)',
        [edit_id, datetime.now(UTC), op, to_json(payload), actor],
    )
    return edit_id


def edits(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The edit log in replay order; payload decoded to Python objects."""
    df = result_df(con.execute('SELECT edit_id, "at", op, payload, actor FROM theme_edits ORDER BY edit_id'))
    df["payload"] = pd.Series(
        [json.loads(p) if isinstance(p, str) else None for p in df["payload"]], dtype=object
    )
    return df
