"""The statistics under the alerts: a quasi-Poisson two-sample rate test, and Benjamini-Hochberg q-values.

A count k out of n trials in the tested periods (a theme's documents out of all feedback, or a theme's negative
documents out of its documents) is compared with the count k_b out of n_b in the baseline periods. Under "same
rate", given both counts, k follows Binomial(k + k_b, n / (n + n_b)): the exact conditional test for two Poisson
rates. It needs no plug-in baseline rate, so a short or empty baseline (a new theme) is tested honestly, where a
test against a fixed baseline rate would treat an estimate from 40 documents as known and raise false alarms.
When the pooled rate is above one half, the complement counts are tested (with the direction swapped), so the
Poisson view stays close to the binomial one and errs on the conservative side. Real feedback varies more than
that from period to period: the baseline's over-dispersion phi (Pearson chi-square / degrees of freedom, at least
1) scales the counts (k / phi, the usual quasi-likelihood device), and the tails are computed exactly through the
regularised incomplete beta function, which accepts the scaled, non-integer counts. The sequential use of these
tests (each period against earlier ones) is in `voc.insights.episodes`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betainc
from scipy.stats import false_discovery_control


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """BH-adjusted q-values for an array of p-values (NaN kept as NaN)."""
    p = np.asarray(p, dtype=float)
    q = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        q[ok] = false_discovery_control(np.clip(p[ok], 0.0, 1.0), method="bh")
    return q


def binomial_tail(k: np.ndarray, n: np.ndarray, p0: np.ndarray, upper: bool) -> np.ndarray:
    """P(X >= k) (upper) or P(X <= k) for X ~ Binomial(n, p0), continuous in k and n (scaled counts)."""
    k, n, p0 = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (k, n, p0)))
    out = np.ones(k.shape)
    if upper:
        ok = (k > 0) & (n > 0)
        out[ok] = betainc(k[ok], np.maximum(n[ok] - k[ok], 0) + 1, p0[ok])
    else:
        ok = (k < n) & (n > 0)
        out[ok] = betainc(n[ok] - k[ok], k[ok] + 1, 1 - p0[ok])
    return np.clip(out, 0.0, 1.0)


def dispersion(k: np.ndarray, n: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Per row of (series, periods) counts: over-dispersion against the row's pooled rate (Pearson chi2/dof, >= 1)."""
    k, n = np.atleast_2d(np.asarray(k, float)), np.atleast_2d(np.asarray(n, float))
    mask = (n > 0) if mask is None else (np.atleast_2d(mask) & (n > 0))
    p0 = ((k * mask).sum(axis=1) + 0.5) / ((n * mask).sum(axis=1) + 1.0)
    expected = n * p0[:, None]
    chi2 = (mask * (k - expected) ** 2 / np.maximum(expected * (1 - p0[:, None]), 1e-12)).sum(axis=1)
    return np.maximum(1.0, chi2 / np.maximum(mask.sum(axis=1) - 1, 1))


def rate_test(k, n, k_base, n_base, phi=1.0, upper: bool = True) -> np.ndarray:
    """One-sided p-values that the rate k/n is above (upper) or below the baseline rate k_base/n_base."""
    k, n, kb, nb, phi = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (k, n, k_base, n_base, phi))
    )
    flip = (k + kb) > 0.5 * (n + nb)  # test the complement when the rate is above one half
    k, kb = np.where(flip, n - k, k), np.where(flip, nb - kb, kb)
    upper_ = np.where(flip, not upper, upper)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = n / (n + nb)
    total = (k + kb) / phi
    p_up = binomial_tail(k / phi, total, share, upper=True)
    p_down = binomial_tail(k / phi, total, share, upper=False)
    out = np.where(upper_, p_up, p_down)
    return np.where((n > 0) & (nb > 0), out, np.nan)
