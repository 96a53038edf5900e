"""Emerging themes and spikes: a per-theme test against the theme's own history, with FDR control.

Method. For each theme and the latest period t, compare the theme's share of all feedback (volume test) and
the share of its documents that are negative (negativity test) with the theme's own history (all earlier
periods). Under "nothing new", the count k_t in n_t trials follows the historical rate p0. Week-to-week
variation of real feedback is larger than binomial, so the variance is inflated by a dispersion factor phi
estimated from the history (Pearson chi-square / degrees of freedom, at least 1): a quasi-binomial one-sided
z-test, z = (k_t - n_t p0) / sqrt(phi n_t p0 (1 - p0)). p0 gets a +0.5 pseudo-count so a theme that is new
(p0 = 0) can still be tested. The p-values of all themes and both tests are adjusted together with
Benjamini-Hochberg; a flag needs q < alpha (default 0.01: few false alarms) and an effect (rate ratio) of at least `min_ratio`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from voc.insights.trends import theme_series


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """BH-adjusted q-values for an array of p-values (NaN kept as NaN)."""
    p = np.asarray(p, dtype=float)
    q = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if not ok.any():
        return q
    pv = p[ok]
    order = np.argsort(pv)
    ranked = pv[order] * len(pv) / np.arange(1, len(pv) + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(pv)
    out[order] = np.clip(ranked, 0, 1)
    q[ok] = out
    return q


def quasi_binomial_test(k_hist: np.ndarray, n_hist: np.ndarray, k_t: float, n_t: float) -> tuple[float, float, float]:
    """One-sided p-value that k_t/n_t exceeds the historical rate; returns (p, rate ratio, dispersion)."""
    k_hist, n_hist = np.asarray(k_hist, float), np.asarray(n_hist, float)
    keep = n_hist > 0
    k_hist, n_hist = k_hist[keep], n_hist[keep]
    if n_t <= 0 or n_hist.sum() <= 0:
        return np.nan, np.nan, np.nan
    p0 = (k_hist.sum() + 0.5) / (n_hist.sum() + 1.0)
    expected = n_hist * p0
    dof = max(len(n_hist) - 1, 1)
    chi2 = float(np.sum((k_hist - expected) ** 2 / np.maximum(expected * (1 - p0), 1e-12)))
    phi = max(1.0, chi2 / dof)
    z = (k_t - n_t * p0) / np.sqrt(phi * n_t * p0 * (1 - p0))
    return float(norm.sf(z)), float((k_t / n_t) / p0), phi


SPIKE_COLUMNS = ["theme_id", "theme", "test", "latest", "history_mean", "rate_ratio", "dispersion", "p_value", "q_value", "flagged"]


def detect_spikes(
    frame: pd.DataFrame, freq: str = "week", alpha: float = 0.01, min_ratio: float = 1.5, min_history: int = 4
) -> pd.DataFrame:
    """Test every theme's latest period for a volume or negativity rise; one row per theme and test."""
    return spikes_from_series(theme_series(frame, freq), alpha, min_ratio, min_history)


def spikes_from_series(
    series: pd.DataFrame, alpha: float = 0.01, min_ratio: float = 1.5, min_history: int = 4
) -> pd.DataFrame:
    """The spike tests over per-period aggregates (theme_id, period, volume, negatives, period_total[, theme])."""
    periods = np.sort(series["period"].unique()) if len(series) else []
    if len(periods) < min_history + 1:
        return pd.DataFrame(columns=SPIKE_COLUMNS)
    latest, history = periods[-1], periods[:-1]
    totals = series.drop_duplicates("period").set_index("period")["period_total"].reindex(periods, fill_value=0)
    names = series.groupby("theme_id")["theme"].last() if "theme" in series else None
    rows = []
    for theme_id, g in series.groupby("theme_id"):
        g = g.set_index("period")[["volume", "negatives"]].reindex(periods, fill_value=0)
        volume, negatives = g["volume"].to_numpy(float), g["negatives"].to_numpy(float)
        p, ratio, phi = quasi_binomial_test(volume[:-1], totals[history].to_numpy(float), volume[-1], totals[latest])
        rows.append((theme_id, "volume", volume[-1], volume[:-1].mean(), ratio, phi, p))
        p, ratio, phi = quasi_binomial_test(negatives[:-1], volume[:-1], negatives[-1], volume[-1])
        rows.append((theme_id, "negative_share", negatives[-1], negatives[:-1].mean(), ratio, phi, p))
    out = pd.DataFrame(rows, columns=["theme_id", "test", "latest", "history_mean", "rate_ratio", "dispersion", "p_value"])
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy())
    out["flagged"] = (out["q_value"] < alpha) & (out["rate_ratio"] >= min_ratio)
    out["theme"] = out["theme_id"].map(names) if names is not None else out["theme_id"].astype(str)
    out.attrs["period"] = pd.Timestamp(latest)
    return out[SPIKE_COLUMNS].sort_values(["flagged", "q_value"], ascending=[False, True], ignore_index=True)
