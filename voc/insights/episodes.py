"""Alert episodes: every period tested against earlier periods only, like a control chart; runs of flags are episodes.

Method. For each period t (from the `min_history`-th on) and each theme, four one-sided rate tests
(`voc.insights.spikes`) compare the period with the theme's baseline:
- the theme's share of all feedback, up (a spike, or a new theme) and down (a drop, or an improvement when the
  theme is mostly negative);
- the share of the theme's documents that are negative, up (negative_share) and down (an improvement).
Each runs at several scales (`scales`): the period alone and pooled recent periods (4 and 13 weeks by default), so
slow, sustained moves such as a gradual improvement are seen; a pooled move starts at its most significant suffix.

The baseline is the last `window` periods before the tested ones that are not already flagged for the theme and
measure, so a long spike neither inflates its own dispersion nor becomes the new normal. Documents of themes
flagged as spiking are left out of the other themes' denominators, so one theme's spike does not read as a drop
everywhere else (iterated to a fixed point within the period). The p-values of all themes and tests of a period
are adjusted together (Benjamini-Hochberg); a test flags when q < alpha and its rate ratio is at least
`min_ratio` (at most 1/min_ratio for downward tests) on at least `min_count` documents.

Consecutive flagged periods of one theme and direction (gaps of up to `gap` periods allowed) form an episode:
theme, kind, start and last period, ongoing (its last period is the latest one), peak rate ratio and q-value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from voc.insights.spikes import benjamini_hochberg, dispersion, rate_test

KINDS = ("volume", "new", "negative_share", "drop", "improvement")
EPISODE_COLUMNS = [
    "theme_id", "theme", "kind", "start", "last", "ongoing", "periods", "peak_ratio", "last_ratio", "q_value",
]  # fmt: skip
FLAG_COLUMNS = [
    "theme_id",
    "family",
    "period",
    "start",
    "scale",
    "ratio",
    "p_value",
    "q_value",
    "count",
    "expected",
]
GRID = {"week": "W-MON", "month": "MS", "day": "D"}
SCALES = {"week": (1, 4, 13), "month": (1, 3), "day": (1, 7, 28)}
# family -> (measure, upward?)
FAMILIES = {
    "up": ("volume", True),
    "down": ("volume", False),
    "neg_up": ("negative", True),
    "neg_down": ("negative", False),
}


@dataclass(frozen=True)
class AlertRules:
    """Thresholds of the episode detector (see the module docstring)."""

    alpha: float = 0.01
    min_ratio: float = 1.5
    window: int = 26
    min_history: int = 4
    scales: tuple[int, ...] | None = None  # periods pooled per test; None = by freq (see SCALES)
    gap: int = 1
    min_count: int = 5
    max_rounds: int = 5

    def scales_for(self, freq: str) -> tuple[int, ...]:
        """The pooled window lengths tested at a granularity."""
        return tuple(sorted(set(self.scales or SCALES.get(freq, (1,)))))


@dataclass
class _Matrices:
    ids: np.ndarray
    names: dict
    periods: pd.DatetimeIndex
    volume: np.ndarray  # (themes, periods)
    negatives: np.ndarray
    totals: np.ndarray  # (periods,)


def _matrices(series: pd.DataFrame, freq: str) -> _Matrices:
    period = pd.to_datetime(series["period"])
    if getattr(period.dt, "tz", None) is not None:
        period = period.dt.tz_convert(None)
    work = series.assign(period=period)
    grid = pd.date_range(period.min(), period.max(), freq=GRID[freq]) if len(work) else pd.DatetimeIndex([])
    if not set(period.unique()) <= set(grid):
        grid = pd.DatetimeIndex(sorted(period.unique()))
    if "period_total" in work:
        totals = work.groupby("period")["period_total"].max()
    else:
        totals = work.groupby("period")["volume"].sum()
    real = work[work["theme_id"] >= 0]
    names = real.groupby("theme_id")["theme"].last().to_dict() if "theme" in real else {}
    wide = real.pivot_table(index="theme_id", columns="period", values=["volume", "negatives"], aggfunc="sum")
    vol = (
        wide["volume"].reindex(columns=grid, fill_value=0).fillna(0)
        if len(real)
        else pd.DataFrame(columns=grid)
    )
    neg = wide["negatives"].reindex(columns=grid, fill_value=0).fillna(0) if len(real) else vol
    return _Matrices(
        ids=vol.index.to_numpy(),
        names=names,
        periods=grid,
        volume=vol.to_numpy(float),
        negatives=neg.reindex(vol.index).to_numpy(float),
        totals=totals.reindex(grid, fill_value=0).to_numpy(float),
    )


def _baseline(x: np.ndarray, d: np.ndarray, excluded: np.ndarray, t0: int, rules: AlertRules):
    """Per theme, over the last `window` usable periods before t0: counts, trials, dispersion, enough history."""
    x, d = x[:, :t0], d[:, :t0]
    usable = ~excluded[:, :t0] & (d > 0)
    rank = np.cumsum(usable[:, ::-1], axis=1)[:, ::-1]
    base = usable & (rank <= rules.window)
    k_base, n_base = (x * base).sum(axis=1), (d * base).sum(axis=1)
    return k_base, n_base, dispersion(x, d, base), base.sum(axis=1) >= rules.min_history


class _Detector:
    """The sequential tests over one set of matrices (one instance per call)."""

    def __init__(self, mx: _Matrices, rules: AlertRules, freq: str) -> None:
        self.mx, self.rules, self.scales = mx, rules, rules.scales_for(freq)
        shape = mx.volume.shape
        self.excluded = {"volume": np.zeros(shape, bool), "negative": np.zeros(shape, bool)}
        self.spiking = np.zeros(shape, bool)  # theme in an upward volume flag at that period
        self.events: list[tuple] = []

    def _denominators(self, t: int, up_now: np.ndarray) -> np.ndarray:
        """Per theme and period: all feedback minus the documents of other themes that spike then."""
        vol = self.mx.volume
        spiking = self.spiking.copy()
        spiking[:, t] = up_now
        spike_vol = (vol * spiking).sum(axis=0)
        return self.mx.totals[None, :] - spike_vol[None, :] + vol * spiking

    def _tests(self, t: int, d_vol: np.ndarray, cache: dict) -> list[dict]:
        """All tests of period t, per measure, scale and direction: arrays over themes."""
        out = []
        rules, n_themes = self.rules, len(self.mx.ids)
        measures = {"volume": (self.mx.volume, d_vol), "negative": (self.mx.negatives, self.mx.volume)}
        for measure, (x, d) in measures.items():
            for scale in self.scales:
                t0 = t - scale + 1
                if t0 < rules.min_history:
                    continue
                if (measure, t0) not in cache:  # periods before t0 do not change between rounds
                    cache[measure, t0] = _baseline(x, d, self.excluded[measure], t0, rules)
                k_base, n_base, phi, enough = cache[measure, t0]
                p0 = (k_base + 0.5) / (n_base + 1.0)
                k, n = x[:, t0 : t + 1].sum(axis=1), d[:, t0 : t + 1].sum(axis=1)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = (k / n) / p0
                for family, (fam_measure, upward) in FAMILIES.items():
                    if fam_measure != measure:
                        continue
                    size = n if measure == "negative" else k if upward else n * p0
                    valid = enough & (n > 0) & (size >= rules.min_count)
                    p = np.full(n_themes, np.nan)
                    p[valid] = rate_test(k[valid], n[valid], k_base[valid], n_base[valid], phi[valid], upward)
                    effect = ratio >= rules.min_ratio if upward else ratio <= 1 / rules.min_ratio
                    out.append(
                        {"family": family, "measure": measure, "upward": upward, "scale": scale, "p": p,
                         "ratio": ratio, "effect": effect & valid, "k": k, "expected": n * p0, "x": x, "d": d,
                         "base": (k_base, n_base, phi)}
                    )  # fmt: skip
        return out

    def _flag_period(self, t: int) -> list[dict]:
        up_now = np.zeros(len(self.mx.ids), bool)
        cache: dict = {}
        for _ in range(self.rules.max_rounds):
            tests = self._tests(t, self._denominators(t, up_now), cache)
            q = benjamini_hochberg(np.concatenate([r["p"] for r in tests])) if tests else np.array([])
            offset = 0
            for r in tests:
                r["q"] = q[offset : offset + len(r["p"])]
                r["flag"] = r["effect"] & (r["q"] < self.rules.alpha)
                offset += len(r["p"])
            new_up = np.zeros_like(up_now)
            for r in tests:
                if r["family"] == "up":
                    new_up |= r["flag"]
            if (new_up == up_now).all():
                return tests
            up_now = new_up
        return tests

    @staticmethod
    def _start(r: dict, j: int, t: int) -> int:
        """Where a pooled move starts: the most significant suffix of the pooled window."""
        if r["scale"] == 1:
            return t
        k_base, n_base, phi = (a[j] for a in r["base"])
        suffixes = range(t - r["scale"] + 1, t + 1)
        k = np.array([r["x"][j, s : t + 1].sum() for s in suffixes])
        n = np.array([r["d"][j, s : t + 1].sum() for s in suffixes])
        p = np.nan_to_num(rate_test(k, n, k_base, n_base, phi, r["upward"]), nan=1.0)
        return suffixes[int(np.argmin(p))]

    def run(self) -> pd.DataFrame:
        """Flag every period in order; return one row per flag."""
        for t in range(self.rules.min_history, len(self.mx.periods)):
            for r in self._flag_period(t):
                for j in np.flatnonzero(r["flag"]):
                    start = self._start(r, j, t)
                    self.excluded[r["measure"]][j, start : t + 1] = True
                    if r["family"] == "up":
                        self.spiking[j, start : t + 1] = True
                    self.events.append(
                        (self.mx.ids[j], r["family"], t, start, r["scale"], float(r["ratio"][j]),
                         float(r["p"][j]), float(r["q"][j]), float(r["k"][j]), float(r["expected"][j]))
                    )  # fmt: skip
        return pd.DataFrame(self.events, columns=FLAG_COLUMNS)


def detect_flags(series: pd.DataFrame, freq: str = "week", rules: AlertRules | None = None) -> pd.DataFrame:
    """Every flagged (theme, test, period) of the sequential tests, with its start period, ratio and q-value."""
    rules = rules or AlertRules()
    mx = _matrices(series, freq)
    flags = _Detector(mx, rules, freq).run() if mx.volume.size else pd.DataFrame(columns=FLAG_COLUMNS)
    flags.attrs.update(matrices=mx)
    return flags


def detect_episodes(
    series: pd.DataFrame, freq: str = "week", rules: AlertRules | None = None
) -> pd.DataFrame:
    """Alert episodes from per-period aggregates (theme_id, period, volume, negatives[, theme, period_total])."""
    rules = rules or AlertRules()
    if freq not in GRID:
        raise ValueError(f"freq must be one of {list(GRID)}, got {freq!r}")
    flags = detect_flags(series, freq, rules)
    mx = flags.attrs["matrices"]
    episodes = _episodes(flags, mx, rules)
    episodes.attrs.update(freq=freq, latest=mx.periods[-1] if len(mx.periods) else None)
    return episodes


def _runs(covered: list[int], gap: int) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in sorted(set(covered)):
        if runs and i - runs[-1][-1] <= gap + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _kind(family: str, j: int, start: int, mx: _Matrices) -> str:
    if family == "up":
        return "new" if mx.volume[j, :start].sum() == 0 else "volume"
    if family == "neg_up":
        return "negative_share"
    if family == "neg_down":
        return "improvement"
    vol, neg = mx.volume[j, :start].sum(), mx.negatives[j, :start].sum()
    return "improvement" if vol > 0 and neg / vol >= 0.5 else "drop"


def _episodes(flags: pd.DataFrame, mx: _Matrices, rules: AlertRules) -> pd.DataFrame:
    if flags.empty:
        return pd.DataFrame(columns=EPISODE_COLUMNS)
    row_of = {tid: j for j, tid in enumerate(mx.ids)}
    pieces = []
    for (theme_id, family), g in flags.groupby(["theme_id", "family"], sort=False):
        covered = [i for r in g.itertuples() for i in range(r.start, r.period + 1)]
        for run in _runs(covered, rules.gap):
            kind = _kind(family, row_of[theme_id], run[0], mx)
            pieces.append((theme_id, kind, run[0], run[-1], g[(g.period >= run[0]) & (g.period <= run[-1])]))
    merged: dict[tuple, list] = {}
    for theme_id, kind, lo, hi, g in sorted(pieces, key=lambda p: (str(p[0]), p[1], p[2])):
        same = merged.setdefault((theme_id, kind), [])
        if same and lo - same[-1][1] <= rules.gap + 1:
            same[-1] = (same[-1][0], max(hi, same[-1][1]), pd.concat([same[-1][2], g]))
        else:
            same.append((lo, hi, g))
    latest = len(mx.periods) - 1
    rows = []
    for (theme_id, kind), items in merged.items():
        upward = kind in ("volume", "new", "negative_share")
        for lo, hi, g in items:
            g = g.sort_values(["period", "q_value"])
            last = g[g["period"] == g["period"].max()]
            rows.append(
                (theme_id, mx.names.get(theme_id, str(theme_id)), kind, mx.periods[lo], mx.periods[hi], hi == latest,
                 hi - lo + 1, g["ratio"].max() if upward else g["ratio"].min(),
                 last["ratio"].max() if upward else last["ratio"].min(), g["q_value"].min())
            )  # fmt: skip
    out = pd.DataFrame(rows, columns=EPISODE_COLUMNS)
    return out.sort_values(["ongoing", "last", "q_value"], ascending=[False, False, True], ignore_index=True)
