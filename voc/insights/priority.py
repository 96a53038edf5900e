"""Priority: a severity per theme from measured quantities, an effort to fix, and where each theme sits.

severity = (w_v * volume + w_n * negativity + w_i * impact + w_c * churn) / (w_v + w_n + w_i + w_c), where
- volume     = the theme's share of the feedback / the largest theme's share (0..1);
- negativity = max(0, -net sentiment) / 100 (0 when net sentiment is 0 or positive, 1 at -100);
- impact     = the theme's negative driver impact on the normalised rating / the most negative one (0..1;
               0 when it raises the score or nothing is rated; voc.insights.drivers);
- churn      = the theme's churn-intent share / the largest theme's churn share (0..1; 0 without the churn lens).
Weights come from the pipeline config (`priority:`; PriorityConfig), as recorded by the store's latest run.
Effort is small / medium / large: a team sets it per theme (an `effort` edit, carried through merges and
splits by voc.insights.theme_settings: effort_source set / merged / inherited). Otherwise it is a default
(effort_source `default`) from the theme's confirmed root cause if an editor confirmed one, else its dominant
cause: people -> training, medium; process -> policy or process change, large; technology -> by sub-cause
(SUBCAUSE_EFFORT; medium for a sub-cause not listed). effort_note says where a value came from.
Quadrants: high severity is at or above the median of the themes shown; "quick win" = high severity and
small effort, "big bet" = high severity and large effort.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from voc.insights.theme_settings import Setting, describe

EFFORTS = ("small", "medium", "large")
EFFORT_COST = {"small": 1, "medium": 2, "large": 3}
PRIORITY_COLUMNS = ("severity", "effort", "effort_source", "effort_note", "priority", "quadrant")
CAUSE_EFFORT = {"people": "medium", "process": "large", "technology": "medium"}
# Default effort per technology sub-cause (models/subcause/taxonomy.yaml); the one place to change them.
SUBCAUSE_EFFORT = {
    "app_errors": "small",  # a broken link, a copy fix, a form that rejects valid input: a small release
    "self_service": "small",  # a bot or help-flow dead end: add the missing answer or a route to a person
    "login": "medium",  # sign-in, password reset, codes: an auth-flow change
    "payments": "medium",  # checkout or payment-provider integration
    "records_crm": "medium",  # data not synced between systems (opt-outs, history): an integration fix
    "outage": "large",  # network or platform reliability: capacity and infrastructure work
}


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
    # PriorityConfig's field names (volume_weight, ...) or the bare part names
    w = {k: float(weights.get(f"{k}_weight", weights.get(k, 0.0))) for k in parts}
    total = sum(w.values())
    if total <= 0:
        return pd.Series(0.0, index=frame.index)
    return sum(w[k] * v for k, v in parts.items()) / total


def default_effort_basis(
    cause_shares: dict[str, float | None], subcause: str | None = None, confirmed: dict | None = None
) -> tuple[str, str]:
    """(effort, why) by default: the confirmed cause if any, else the dominant cause; technology by sub-cause.

    `subcause` is the theme's most common technology sub-cause; `confirmed` is {cause, subcause} from the edit log.
    """
    if confirmed and confirmed.get("cause") in CAUSE_EFFORT:
        cause, sub, how = confirmed["cause"], confirmed.get("subcause"), "confirmed cause"
    else:
        known = {
            c: v for c, v in cause_shares.items() if v is not None and not pd.isna(v) and c in CAUSE_EFFORT
        }
        if not known or max(known.values()) <= 0:
            return "medium", "no dominant cause"
        cause, sub, how = max(known, key=known.get), subcause, "cause"
    if cause == "technology" and sub in SUBCAUSE_EFFORT:
        return SUBCAUSE_EFFORT[sub], f"from {how} technology, sub-cause {sub.replace('_', ' ')}"
    return CAUSE_EFFORT[cause], f"from {how} {cause}"


def default_effort(cause_shares: dict[str, float | None], subcause: str | None = None) -> str:
    """The effort a theme's dominant cause (technology: its sub-cause) suggests; medium when no cause dominates."""
    return default_effort_basis(cause_shares, subcause)[0]


def _effort_of(row: dict, cause_cols: list[str], given: str | Setting | None, confirmed: dict | None):
    if isinstance(given, Setting) and given.value in EFFORTS:
        return given.value, given.source, describe(given)
    if given in EFFORTS:
        return given, "set", ""
    sub = row.get("tech_subcause")
    effort, why = default_effort_basis(
        {c[6:]: row[c] for c in cause_cols}, sub if isinstance(sub, str) else None, confirmed
    )
    return effort, "default", why


def prioritise(
    frame: pd.DataFrame,
    weights: dict[str, float],
    efforts: Mapping[int, str | Setting] | None = None,
    confirmed: Mapping[int, dict] | None = None,
) -> pd.DataFrame:
    """The frame with severity, effort, effort_source (set / merged / inherited / default), effort_note,
    priority and quadrant columns.

    `frame` needs theme_id, share, net_sentiment and cause_<label> shares; impact, churn_share and tech_subcause
    (the theme's most common technology sub-cause) are optional. `confirmed`: theme_id -> {cause, subcause}.
    """
    out = frame.copy()
    out["severity"] = severity(out, weights).round(4)
    cause_cols = [c for c in out.columns if c.startswith("cause_")]
    efforts, confirmed = efforts or {}, confirmed or {}
    rows = [
        _effort_of(row, cause_cols, efforts.get(int(row["theme_id"])), confirmed.get(int(row["theme_id"])))
        for row in out.to_dict("records")
    ]
    out["effort"] = [r[0] for r in rows]
    out["effort_source"] = [r[1] for r in rows]
    out["effort_note"] = [r[2] for r in rows]
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


def tech_subcauses(docs: pd.DataFrame) -> dict:
    """Per theme id: its most common technology sub-cause (likely_subcause in SUBCAUSE_EFFORT), if any."""
    if "likely_subcause" not in docs.columns:
        return {}
    tech = docs[docs["likely_subcause"].isin(list(SUBCAUSE_EFFORT))]
    counts = tech.groupby(["theme_id", "likely_subcause"]).size().reset_index(name="n")
    counts = counts.sort_values(["theme_id", "n", "likely_subcause"], ascending=[True, False, True])
    return counts.drop_duplicates("theme_id").set_index("theme_id")["likely_subcause"].to_dict()


def with_priority(
    summaries: list[dict],
    docs: pd.DataFrame,
    weights: dict[str, float],
    efforts: Mapping[int, str | Setting] | None = None,
    confirmed: Mapping[int, dict] | None = None,
) -> list[dict]:
    """Issue summaries with stage_mix, churn_share, severity, effort, effort_source, effort_note, priority and
    quadrant added (`confirmed`: theme_id -> confirmed {cause, subcause}, which sets the default effort)."""
    if not summaries:
        return summaries
    churn = (
        docs.dropna(subset=["churn_intent"]).groupby("theme_id")["churn_intent"].mean().to_dict()
        if "churn_intent" in docs.columns
        else {}
    )
    subs = tech_subcauses(docs)
    frame = pd.DataFrame(
        {
            "theme_id": [s["theme_id"] for s in summaries],
            "share": [s["share"] for s in summaries],
            "net_sentiment": [s["net_sentiment"] for s in summaries],
            "impact": [(s.get("impact") or {}).get("value") for s in summaries],
            "churn_share": [churn.get(s["theme_id"]) for s in summaries],
            "tech_subcause": [subs.get(s["theme_id"]) for s in summaries],
            **{f"cause_{c}": [s["cause_mix"].get(c) for s in summaries] for c in summaries[0]["cause_mix"]},
        }
    )
    ranked = prioritise(frame, weights, efforts, confirmed).set_index("theme_id")
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
            "effort_note": str(r["effort_note"]),
            "priority": float(r["priority"]), "quadrant": str(r["quadrant"]),
        })  # fmt: skip
    return out
