"""Statistics of the insights layer on synthetic series with known answers."""

import numpy as np
import pandas as pd

from voc.insights.drivers import theme_impact
from voc.insights.metrics import theme_metrics
from voc.insights.trends import period_comparison


def _corpus(weekly: dict[int, list[int]], neg_rate: dict[int, list[float]] | None = None, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2026-01-05", tz="UTC")
    for theme, counts in weekly.items():
        for week, n in enumerate(counts):
            rate = neg_rate[theme][week] if neg_rate else 0.3
            for _ in range(n):
                rows.append(
                    {
                        "theme_id": theme,
                        "theme_label": f"theme {theme}",
                        "date": start + pd.Timedelta(days=7 * week + int(rng.integers(0, 7))),
                        "sentiment": "negative" if rng.random() < rate else "positive",
                    }
                )
    return pd.DataFrame(rows)


def test_bootstrap_interval_covers_true_impact():
    rng = np.random.default_rng(7)
    n = 6000
    theme = rng.integers(0, 5, n)
    base = rng.normal(0.7, 0.1, n)
    base[theme == 3] -= 0.3
    frame = pd.DataFrame({"theme_id": theme, "rating_norm": base})
    # The population impact of theme 3: overall mean minus mean without it, by construction.
    share = 1 / 5
    true_impact = (0.7 - 0.3 * share) - 0.7
    out = theme_impact(frame, n_boot=300).set_index("theme_id")
    assert out.loc[3, "ci_low"] <= true_impact <= out.loc[3, "ci_high"]
    assert out.loc[3, "rank"] == 1
    # Theme 0 lifts the score a little (removing it raises theme 3's weight): 0.64 - 0.625.
    assert out.loc[0, "ci_low"] <= 0.015 <= out.loc[0, "ci_high"]


def test_theme_metrics_and_period_comparison():
    frame = _corpus({1: [10, 10, 30], 2: [5, 5, 5]})
    frame["sentiment_score"] = np.where(frame["sentiment"] == "positive", 0.8, -0.8)
    frame["causes"] = [["process"]] * len(frame)
    frame["rating_scale"] = "nps"
    frame["rating"] = 10
    metrics = theme_metrics(frame).set_index("theme_id")
    assert metrics.loc[1, "volume"] == 50 and metrics.loc[2, "volume"] == 15
    assert abs(metrics["share"].sum() - 1) < 1e-9
    assert metrics.loc[1, "cause_process"] == 1.0 and metrics.loc[1, "nps"] == 100.0
    frame["date"] = frame["date"].dt.tz_convert(None).dt.to_period("M").dt.start_time.dt.tz_localize("UTC")
    comparison = period_comparison(frame)
    assert set(comparison.columns) >= {"current", "previous", "change"}
