"""Insights on the analysed demo store: the planted login spike is flagged, stable themes are not."""

import pandas as pd

from voc.insights.load import INSIGHT_COLUMNS, load_documents
from voc.insights.spikes import detect_spikes
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
    spikes = detect_spikes(docs, freq="month")
    flagged = spikes[spikes["flagged"]]
    login = _main_theme(merged, "app_login")
    hit = flagged[(flagged["theme_id"] == login) & (flagged["test"] == "volume")]
    assert len(hit) == 1, f"login theme {login} not flagged:\n{spikes.head()}"
    assert hit.iloc[0]["rate_ratio"] >= 5 and hit.iloc[0]["q_value"] < 1e-6
    for stable in ("billing_error", "network_coverage", "praise"):
        assert _main_theme(merged, stable) not in set(flagged["theme_id"]), stable
