"""Priority: a severity per theme from measured quantities, an effort to fix, and where each theme sits.

severity = (w_v * volume + w_n * negativity + w_i * impact + w_c * churn) / (w_v + w_n + w_i + w_c), where
- volume     = the theme's share of the feedback / the largest theme's share (0..1);
- negativity = max(0, -net sentiment) / 100 (0 when net sentiment is 0 or positive, 1 at -100);
- impact     = the theme's negative driver impact on the normalised rating / the most negative one (0..1;
               0 when it raises the score or nothing is rated; voc.insights.drivers);
- churn      = the theme's churn-intent share / the largest theme's churn share (0..1; 0 without the churn lens).
Weights come from the pipeline config (`priority:`; PriorityConfig). Effort is small / medium / large: a
team sets it per theme; otherwise a default comes from the theme's dominant cause (people: training,
medium; process: policy or process change, large; technology: medium until a sub-cause says e.g. a broken
link or copy fix is small). Quadrants: high severity is at or above the median of the themes shown;
"quick win" = high severity and small effort, "big bet" = high severity and large effort.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EFFORTS = ("small", "medium", "large")
EFFORT_COST = {"small": 1, "medium": 2, "large": 3}
CAUSE_EFFORT = {"people": "medium", "process": "large", "technology": "medium"}


def _relative(values: pd.Series) -> pd.Series:
    values = pd.to_numeric(values, errors="coerce").fillna(0.0).clip(lower=0.0)
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else values * 0.0


def severity(frame: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Severity (0..1) per row of a theme frame with share, net_sentiment and optional impact, churn_share."""
    parts = {
        "volume": _relative(frame["share"]),
        "negativity": (-pd.to_numeric(frame["net_sentiment"], errors="coerce").fillna(0.0) / 100).clip(0, 1),
        "impact": _relative(
            -pd.to_numeric(frame.get("impact", pd.Series(np.nan, index=frame.index)), errors="coerce")
        ),
        "churn": _relative(frame.get("churn_share", pd.Series(0.0, index=frame.index))),
    }
    w = {k: float(weights.get(f"{k}_weight", weights.get(k, 0.0))) for k in parts}  # PriorityConfig's field names
    total = sum(w.values())
    if total <= 0:
        return pd.Series(0.0, index=frame.index)
    return sum(w[k] * v for k, v in parts.items()) / total


def default_effort(cause_shares: dict[str, float | None]) -> str:
    """The effort a theme's dominant cause suggests (medium when no cause dominates)."""
    known = {c: v for c, v in cause_shares.items() if v is not None and not pd.isna(v) and c in CAUSE_EFFORT}
    if not known or max(known.values()) <= 0:
        return "medium"
    return CAUSE_EFFORT[max(known, key=known.get)]


def prioritise(
    frame: pd.DataFrame, weights: dict[str, float], efforts: dict[int, str] | None = None
) -> pd.DataFrame:
    """The frame with severity, effort, effort_source (set / default), priority and quadrant columns.

    `frame` needs theme_id, share, net_sentiment and cause_<label> shares; impact and churn_share are optional.
    """
    out = frame.copy()
    out["severity"] = severity(out, weights).round(4)
    cause_cols = [c for c in out.columns if c.startswith("cause_")]
    set_efforts = efforts or {}
    chosen, source = [], []
    for row in out.to_dict("records"):
        tid = int(row["theme_id"])
        if set_efforts.get(tid) in EFFORTS:
            chosen.append(set_efforts[tid]), source.append("set")
        else:
            chosen.append(default_effort({c[6:]: row[c] for c in cause_cols})), source.append("default")
    out["effort"], out["effort_source"] = chosen, source
    out["priority"] = (out["severity"] / out["effort"].map(EFFORT_COST)).round(4)
    high = out["severity"] >= out["severity"].median() if len(out) else out["severity"]
    out["quadrant"] = np.select(
        [high & (out["effort"] == "small"), high & (out["effort"] == "large"), high],
        ["quick win", "big bet", "high severity"],
        "lower severity",
    )
    return out


def stage_mix(docs: pd.DataFrame, top: int = 3) -> dict:
    """Per theme id: its top journey stages as 'stage 45%, stage 30%' (empty without the journey lens)."""
    if "journey_stage" not in docs.columns:
        return {}
    shares = (
        docs.dropna(subset=["journey_stage"])
        .groupby("theme_id")["journey_stage"]
        .value_counts(normalize=True)
    )
    return {
        tid: ", ".join(f"{stage} {100 * v:.0f}%" for stage, v in grp.droplevel(0).head(top).items())
        for tid, grp in shares.groupby(level=0)
    }


def with_priority(
    summaries: list[dict],
    docs: pd.DataFrame,
    weights: dict[str, float],
    efforts: dict[int, str] | None = None,
) -> list[dict]:
    """Issue summaries with stage_mix, churn_share, severity, effort, effort_source, priority and quadrant added."""
    if not summaries:
        return summaries
    churn = (
        docs.dropna(subset=["churn_intent"]).groupby("theme_id")["churn_intent"].mean().to_dict()
        if "churn_intent" in docs.columns
        else {}
    )
    frame = pd.DataFrame(
        {
            "theme_id": [s["theme_id"] for s in summaries],
            "share": [s["share"] for s in summaries],
            "net_sentiment": [s["net_sentiment"] for s in summaries],
            "impact": [(s.get("impact") or {}).get("value") for s in summaries],
            "churn_share": [churn.get(s["theme_id"]) for s in summaries],
            **{f"cause_{c}": [s["cause_mix"].get(c) for s in summaries] for c in summaries[0]["cause_mix"]},
        }
    )
    ranked = prioritise(frame, weights, efforts).set_index("theme_id")
    mix = stage_mix(docs)
    out = []
    for s in summaries:
        r = ranked.loc[s["theme_id"]]
        share = churn.get(s["theme_id"])
        out.append({
            **s,
            "stage_mix": mix.get(s["theme_id"], ""),
            "churn_share": None if share is None or pd.isna(share) else float(share),
            "severity": float(r["severity"]), "effort": str(r["effort"]), "effort_source": str(r["effort_source"]),
            "priority": float(r["priority"]), "quadrant": str(r["quadrant"]),
        })  # fmt: skip
    return out
