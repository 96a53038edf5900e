"""Insights on the analysed demo store: the planted login spike is flagged, stable themes are not."""

import pandas as pd

from voc.insights.episodes import detect_episodes
from voc.insights.load import INSIGHT_COLUMNS, load_documents
from voc.insights.trends import theme_series
from voc.paths import PROJECT_ROOT


def _with_truth(store):
    docs = load_documents(store, columns=(*INSIGHT_COLUMNS, "source_id"))
    truth = pd.read_csv(PROJECT_ROOT / "data" / "demo" / "truth.csv", dtype=str)
    truth["truth_themes"] = truth["themes"].fillna("").str.split(";")
    merged = docs.merge(truth[["file", "id", "truth_themes"]], left_on=["source", "source_id"], right_on=["file", "id"])
    return docs, merged


def _main_theme(merged: pd.DataFrame, truth_theme: str) -> int:
    members = merged[merged["truth_themes"].map(lambda ts: truth_theme in ts)]
    return int(members["theme_id"].value_counts().idxmax())


def test_planted_login_spike_is_flagged_and_stable_themes_are_not(demo_store):
    docs, merged = _with_truth(demo_store)
    # The pandas path (theme_series over loaded documents), monthly: the SQL path, weekly, is in test_alerts.py.
    episodes = detect_episodes(theme_series(docs, "month"), "month")
    login = _main_theme(merged, "app_login")
    hit = episodes[(episodes["theme_id"] == login) & episodes["kind"].isin(["volume", "new"])]
    assert len(hit) == 1, f"login theme {login} not flagged:\n{episodes}"
    assert hit.iloc[0]["peak_ratio"] >= 5 and hit.iloc[0]["q_value"] < 1e-6 and hit.iloc[0]["ongoing"]
    assert hit.iloc[0]["start"] == pd.Timestamp("2026-10-01")
    for stable in ("billing_error", "network_coverage", "praise"):
        assert _main_theme(merged, stable) not in set(episodes["theme_id"]), stable
