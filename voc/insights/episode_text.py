"""Words and JSON for alert episodes: "Log-in failures: volume 29x since the week of 2026-10-05, ongoing"."""

from __future__ import annotations

import math

import pandas as pd

WHAT = {
    "volume": "volume",
    "new": "new theme",
    "negative_share": "negative share",
    "drop": "volume",
    "improvement": "improving,",
}


def ratio_text(ratio: float) -> str:
    """A rate ratio for people: 29x, 1.8x, or down 83% below 1."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "?"
    if ratio < 1:
        return f"down {100 * (1 - ratio):.0f}%"
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def period_text(period: pd.Timestamp, freq: str) -> str:
    """'the week of 2026-10-05', 'October 2026' or '2026-10-05'."""
    period = pd.Timestamp(period)
    if freq == "week":
        return f"the week of {period:%Y-%m-%d}"
    if freq == "month":
        return f"{period:%B %Y}"
    return f"{period:%Y-%m-%d}"


def describe(episode, freq: str = "week") -> str:
    """One line per episode, e.g. 'Log-in failures: volume 29x since the week of 2026-10-05, ongoing'."""
    ep = (
        episode
        if isinstance(episode, dict)
        else episode._asdict()
        if hasattr(episode, "_asdict")
        else dict(episode)
    )
    ratio = ep["last_ratio"] if ep.get("ongoing") else ep["peak_ratio"]
    what = WHAT.get(ep["kind"], ep["kind"])
    text = f"{ep['theme']}: {what}" if ep["kind"] == "new" else f"{ep['theme']}: {what} {ratio_text(ratio)}"
    if ep.get("ongoing"):
        return f"{text} since {period_text(ep['start'], freq)}, ongoing"
    if pd.Timestamp(ep["start"]) == pd.Timestamp(ep["last"]):
        return f"{text} in {period_text(ep['start'], freq)}"
    return f"{text} from {period_text(ep['start'], freq)} to {period_text(ep['last'], freq)}"


def episode_records(episodes: pd.DataFrame, freq: str = "week") -> list[dict]:
    """JSON-ready episodes: theme_id, theme, kind, start, last (ISO dates), ongoing, ratios, q_value, text."""
    out = []
    for ep in episodes.to_dict("records"):
        out.append(
            {
                "theme_id": int(ep["theme_id"]),
                "theme": str(ep["theme"]),
                "kind": ep["kind"],
                "start": pd.Timestamp(ep["start"]).date().isoformat(),
                "last": pd.Timestamp(ep["last"]).date().isoformat(),
                "ongoing": bool(ep["ongoing"]),
                "periods": int(ep["periods"]),
                "freq": freq,
                "peak_ratio": _num(ep["peak_ratio"]),
                "last_ratio": _num(ep["last_ratio"]),
                "q_value": _num(ep["q_value"]),
                "text": describe(ep, freq),
            }
        )
    return out


def _num(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value
