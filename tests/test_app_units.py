"""Pure parts of the app: edit replay, escaping, SQL-side spikes vs voc.insights, filtered exports."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from bench.sample_store import INJECTION_TEXT, build_sample_store, sample_frames
from voc.app.alerts import compare_periods, theme_episodes
from voc.app.exports import document_bytes, theme_bytes
from voc.app.render import escape, highlight
from voc.insights.episodes import detect_episodes
from voc.insights.filters import Filter
from voc.insights.theme_map import display_map
from voc.insights.trends import period_comparison, theme_series


def themes_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme_id": [1, 2, 3, 10],
            "label": ["billing", "login", "crash", "Product"],
            "user_label": [None, "Sign-in", None, None],
            "parent_id": [10, 10, 10, None],
            "level": [1, 1, 1, 2],
            "status": ["active"] * 4,
            "pinned": [False] * 4,
        }
    )


def edits_frame(*edits) -> pd.DataFrame:
    return pd.DataFrame(
        {"edit_id": range(1, len(edits) + 1), "op": [e[0] for e in edits], "payload": [e[1] for e in edits]}
    )


def test_labels_prefer_user_label():
    out = display_map(themes_frame()).set_index("theme_id")
    assert out.loc[2, "display_label"] == "Sign-in" and out.loc[1, "display_label"] == "billing"
    assert out.loc[1, "parent_label"] == "Product" and (out["canonical_id"] == out.index).all()


def test_rename_merge_pin_replay_in_order():
    edits = edits_frame(
        ("rename", {"theme_id": 1, "label": "Billing"}),
        ("merge", {"theme_ids": [2, 3], "into": 2, "label": "Access"}),
        ("rename", {"theme_id": 3, "label": "Access & crashes"}),  # 3 now lives in 2
        ("pin", {"theme_id": 10, "label": "Our product"}),
        ("split", {"theme_id": 1, "k": 2}),  # left to the engine
        ("merge", {"theme_ids": [9], "into": 77}),  # unknown themes are ignored
        ("rename", {"label": "no id"}),  # malformed is skipped
    )
    out = display_map(themes_frame(), edits).set_index("theme_id")
    assert out.loc[1, "display_label"] == "Billing"
    assert out.loc[3, "canonical_id"] == 2 and out.loc[3, "display_label"] == "Access & crashes"
    assert out.loc[2, "display_label"] == "Access & crashes"
    assert out.loc[10, "pinned"] and out.loc[1, "parent_label"] == "Our product"


def test_replay_is_idempotent_when_engine_already_applied():
    themes = themes_frame()
    edits = edits_frame(("rename", {"theme_id": 1, "label": "Billing"}))
    applied = themes.assign(user_label=themes["user_label"].where(themes["theme_id"] != 1, "Billing"))
    assert display_map(applied, edits).equals(display_map(themes, edits))


def test_merge_cycles_do_not_hang():
    edits = edits_frame(("merge", {"theme_ids": [1], "into": 2}), ("merge", {"theme_ids": [2], "into": 1}))
    out = display_map(themes_frame(), edits).set_index("theme_id")
    assert out.loc[1, "canonical_id"] == out.loc[2, "canonical_id"]


def test_escape_neutralises_markup():
    out = escape(INJECTION_TEXT + "\nline2")
    for bad in ("<script", "**", "[link](", "$x$", ":smile:", "#1"):
        assert bad not in out
    assert out.endswith("<br>line2") and "&#60;script&#62;" in out


def test_highlight_wraps_evidence_and_escapes():
    text = "a <b>bad</b> login"
    out = highlight(text, json.dumps({"technology": [2, 12], "people": [100, 120]}))
    assert out.count("<mark") == 1 and "&#60;b&#62;bad" in out and "<b>" not in out
    assert highlight(text, {"people": [0, 5], "process": [3, 8]}).count("<mark") == 2  # overlap trimmed


def _doc_frame(n=3000, seed=1):
    docs, preds, _ = sample_frames(n, seed)
    return docs.merge(preds, on="doc_id")


def _series(frame, freq):
    s = theme_series(frame, freq).rename(columns={"theme_id": "theme_id"})
    s["theme"] = s["theme_id"].astype(str)
    return s


def test_app_episodes_match_insights_episodes():
    frame = _doc_frame()
    frame = frame[frame["theme_id"] >= 0]
    mine = theme_episodes(_series(frame, "week"))
    ref = detect_episodes(theme_series(frame, "week"))
    cols = ["theme_id", "kind", "start", "last", "ongoing"]
    assert mine[cols].equals(ref[cols])
    np.testing.assert_allclose(mine["q_value"], ref["q_value"], rtol=1e-9)
    crash = mine[(mine.theme_id == 5) & (mine.kind == "volume")]
    assert len(crash) == 1 and crash["ongoing"].all()  # the sample's late crash spike


def test_compare_periods_matches_insights():
    frame = _doc_frame()
    frame = frame[frame["theme_id"] >= 0]
    mine = compare_periods(_series(frame, "month")).set_index("theme_id").sort_index()
    ref = period_comparison(frame).set_index("theme_id").sort_index()
    assert mine["current"].tolist() == ref["current"].tolist()
    assert mine["previous"].tolist() == ref["previous"].tolist()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_sample_store(tmp_path_factory.mktemp("exp") / "s.duckdb", n=200)


def test_document_exports_respect_the_filter(store):
    flt = Filter(channels=["tickets"], sentiments=["negative"])
    csv = pd.read_csv(io.BytesIO(document_bytes(store, "csv", flt)))
    assert len(csv) > 0 and set(csv["channel"]) == {"tickets"} and set(csv["sentiment"]) == {"negative"}
    parquet = pd.read_parquet(io.BytesIO(document_bytes(store, "parquet", flt)))
    xlsx = pd.read_excel(io.BytesIO(document_bytes(store, "xlsx", flt)))
    assert len(parquet) == len(xlsx) == len(csv)
    assert len(pd.read_csv(io.BytesIO(document_bytes(store, "csv")))) == 200


def test_theme_export_markdown_with_pending_edits(store):
    md = theme_bytes(store, "md", Filter(channels=["reviews"])).decode()
    assert "Billing errors" in md and "App crashes" in md and "<script>" not in md
    md = theme_bytes(
        store, "md", Filter(channels=["reviews"]), labels={1: "Double charges", 2: "Access"}, canonical={5: 2}
    ).decode()
    assert "Double charges" in md and "Billing errors" not in md and "App crashes" not in md
