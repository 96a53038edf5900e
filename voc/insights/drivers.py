"""Drivers: each theme's impact on the overall score, with a bootstrap confidence interval.

Impact (Thematic-style): the overall mean score minus the mean score without that theme's documents. A theme
that drags the score down has a negative impact. The score is the normalised rating (0-1; stars, NPS, CSAT and
CES all map there) where documents carry one. The interval is a percentile Poisson bootstrap over documents
(each document's weight ~ Poisson(1)), which matches the multinomial bootstrap and scales to millions of rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _impacts(theme_idx: np.ndarray, score: np.ndarray, n_themes: int, weights: np.ndarray | None = None) -> np.ndarray:
    w = np.ones_like(score) if weights is None else weights
    total, count = float(np.sum(w * score)), float(np.sum(w))
    sums = np.bincount(theme_idx, weights=w * score, minlength=n_themes)
    counts = np.bincount(theme_idx, weights=w, minlength=n_themes)
    rest = count - counts
    with np.errstate(invalid="ignore", divide="ignore"):
        without = (total - sums) / rest
    return total / count - without


def theme_impact(
    frame: pd.DataFrame, score: str = "rating_norm", n_boot: int = 500, ci: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """Per theme: impact on the mean score, its bootstrap CI and rank (most negative impact first)."""
    data = frame[["theme_id", score]].dropna()
    if data.empty or data[score].nunique() < 2:
        return pd.DataFrame(columns=["theme_id", "impact", "ci_low", "ci_high", "n_scored", "rank"])
    codes, themes = pd.factorize(data["theme_id"])
    values = data[score].to_numpy(float)
    point = _impacts(codes, values, len(themes))
    rng = np.random.default_rng(seed)
    boots = np.empty((n_boot, len(themes)))
    for b in range(n_boot):
        weights = rng.poisson(1.0, len(values)).astype(float)
        boots[b] = _impacts(codes, values, len(themes), weights)
    tail = (1 - ci) / 2 * 100
    low, high = np.nanpercentile(boots, [tail, 100 - tail], axis=0)
    out = pd.DataFrame(
        {
            "theme_id": themes,
            "impact": point,
            "ci_low": low,
            "ci_high": high,
            "n_scored": np.bincount(codes, minlength=len(themes)),
        }
    )
    out = out.sort_values("impact", ignore_index=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out
