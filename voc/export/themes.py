"""Per-theme issue summaries as CSV, XLSX (one sheet per view), Markdown, JSON and a Jira-ready CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from voc.export.safety import neutralise_frame
from voc.insights.priority import PRIORITY_COLUMNS

THEME_FORMATS = ("csv", "xlsx", "md", "json", "jira")
SCHEMA_PATH = Path(__file__).with_name("theme_summary.schema.json")


def summary_table(summaries: list[dict]) -> pd.DataFrame:
    """One flat row per theme (the CSV and the first XLSX sheet)."""
    rows = []
    for s in summaries:
        rows.append(
            {
                "theme_id": s["theme_id"],
                "theme": s["label"],
                "volume": s["volume"],
                "share_pct": round(100 * s["share"], 1),
                "net_sentiment": _round(s["net_sentiment"]),
                "nps": _round(s.get("nps")),
                "csat": _round(s.get("csat")),
                "change_pct": (s["trend"] or {}).get("change_pct"),
                "alerts": "; ".join(f"{a['text']} (q={a['q_value']:.2g})" for a in s["alerts"]),
                **{f"{c}_pct": None if v is None else round(100 * v, 1) for c, v in s["cause_mix"].items()},
                "impact": (s["impact"] or {}).get("value"),
                "suggested_owner": s["suggested_owner"],
                **{k: s.get(k) for k in ("stage_mix", "churn_share", *PRIORITY_COLUMNS)},
                "keywords": ", ".join(s["keywords"]),
                "summary": " ".join(s["summary"]),
            }
        )
    return pd.DataFrame(rows)


def jira_table(summaries: list[dict], top: int = 10) -> pd.DataFrame:
    """Summary, Description, Labels and Priority for the top issues (priority from impact x volume trend)."""

    def urgency(s: dict) -> float:
        impact = -min((s["impact"] or {}).get("value") or 0.0, 0.0)
        growth = 1 + max(((s["trend"] or {}).get("change_pct") or 0.0) / 100, 0.0)
        negativity = max(-(s["net_sentiment"] or 0.0), 0.0) / 100
        return (impact * 100 + negativity) * growth * s["share"] + (1.0 if _rising(s) else 0.0)

    ranked = sorted(summaries, key=urgency, reverse=True)[:top]
    scores = [urgency(s) for s in ranked]
    cut = sorted(scores, reverse=True)
    rows = []
    for s, score in zip(ranked, scores):
        priority = (
            "Highest"
            if score >= cut[0] and _rising(s)
            else "High"
            if score >= cut[min(2, len(cut) - 1)]
            else "Medium"
        )
        rows.append(
            {
                "Summary": f"{s['label']}: {s['volume']} customer reports ({100 * s['share']:.0f}%)",
                "Description": _jira_description(s),
                "Labels": " ".join(["voc", *(c for c, v in s["cause_mix"].items() if (v or 0) >= 0.3)]),
                "Priority": priority,
            }
        )
    return pd.DataFrame(rows)


def _jira_description(s: dict) -> str:
    lines = [
        " ".join(s["summary"]),
        "",
        f"Net sentiment {_signed(s['net_sentiment'])}; owner: {s['suggested_owner']}.",
    ]
    if (s.get("blame") or {}).get("line"):
        lines.append(s["blame"]["line"][0].upper() + s["blame"]["line"][1:] + ".")
    if s["impact"]:
        i = s["impact"]
        lines.append(
            f"Impact on score: {i['value']:+.3f} (95% CI {i['ci_low']:+.3f} to {i['ci_high']:+.3f})."
        )
    if s.get("effort"):
        lines.append(priority_line(s) + ".")
    lines += ["", "Customer quotes:"] + [f"- {q['text'][:300]}" for q in s["quotes"][:3]]
    return "\n".join(lines)


def markdown_report(
    summaries: list[dict], title: str = "Voice of the customer: top issues", top: int = 15
) -> str:
    """A readable Markdown report: alerts first, then the largest themes, one section each."""
    total = sum(s["volume"] for s in summaries)
    out = [f"# {title}", "", f"{total:,} feedback items in {len(summaries)} themes.", ""]
    alerts = sorted(
        ((s, a) for s in summaries for a in s["alerts"]),
        key=lambda sa: (not sa[1]["ongoing"], sa[1]["q_value"]),
    )
    if alerts:
        out += ["## Alerts", ""]
        for s, a in alerts:
            out.append(f"- {_md_escape(a['text'])} ({_q(a['q_value'])}); owner: {s['suggested_owner']}.")
        out.append("")
    shown = summaries[:top]
    table = pd.DataFrame(
        {
            "theme": [s["label"] for s in shown],
            "items": [s["volume"] for s in shown],
            "share": [f"{100 * s['share']:.1f}%" for s in shown],
            "net sentiment": [_signed(s["net_sentiment"]) for s in shown],
            "vs last month": [_pct((s["trend"] or {}).get("change_pct")) for s in shown],
            "owner": [s["suggested_owner"] for s in shown],
        }
    )
    out += ["## Largest themes", "", _md_table(table), ""]
    if len(summaries) > top:
        out += [f"{len(summaries) - top} smaller themes are in the CSV, XLSX and JSON exports.", ""]
    for s in shown:
        out += [f"## {_md_escape(s['label'])}", ""]
        out.append(
            f"**{s['volume']} items** ({100 * s['share']:.1f}%), {_pct((s['trend'] or {}).get('change_pct'))} vs last month; "
            f"net sentiment {_signed(s['net_sentiment'])}; suggested owner: **{s['suggested_owner']}**."
        )
        if s["summary"]:
            out += ["", " ".join(_md_escape(x) for x in s["summary"])]
        mix = ", ".join(f"{c} {100 * v:.0f}%" for c, v in s["cause_mix"].items() if v)
        if mix:
            out += ["", f"Causes: {mix}."]
        if (s.get("blame") or {}).get("line"):
            out += ["", _md_escape(s["blame"]["line"][0].upper() + s["blame"]["line"][1:]) + "."]
        if s.get("effort"):
            out += ["", _md_escape(priority_line(s)) + "."]
        if s["impact"]:
            i = s["impact"]
            out += [
                "",
                f"Impact on the rating: {i['value']:+.3f} (95% CI {i['ci_low']:+.3f} to {i['ci_high']:+.3f}).",
            ]
        if s["keywords"]:
            out += ["", "Keywords: " + ", ".join(_md_escape(k) for k in s["keywords"])]
        if s["quotes"]:
            out += ["", "Quotes:"] + [
                f"- “{_md_escape(q['text'][:280])}” ({q.get('channel') or '—'}, {str(q.get('date') or '')[:10]})"
                for q in s["quotes"][:5]
            ]
        out.append("")
    return "\n".join(out)


def priority_line(s: dict) -> str:
    """'Priority: severity 0.62, effort small (set; note), quick win' for a summary with priority fields."""
    how = "; ".join(x for x in (s.get("effort_source"), s.get("effort_note")) if x)
    severity = f"severity {s['severity']:.2f}, " if s.get("severity") is not None else ""
    quadrant = f", {s['quadrant']}" if s.get("quadrant") else ""
    return f"Priority: {severity}effort {s['effort']}" + (f" ({how})" if how else "") + quadrant


def _rising(s: dict) -> bool:
    """Whether the theme has an ongoing upward alert (a spike, a new theme or more negative feedback)."""
    return any(a["ongoing"] and a["kind"] in ("volume", "new", "negative_share") for a in s["alerts"])


def _q(q: float) -> str:
    return "q < 1e-6" if q < 1e-6 else f"q = {q:.2g}"


def _round(value, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _signed(value) -> str:
    return "—" if value is None else f"{value:+.0f}"


def _pct(value) -> str:
    return "new" if value is None else f"{value:+.0f}%"


def _md_escape(text: str) -> str:
    text = " ".join(str(text).split())
    for ch in "\\`*_{}[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def _md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |"
    sep = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = [
        "| " + " | ".join("—" if pd.isna(v) else _md_escape(v) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, sep, *body])


def write_themes(summaries: list[dict], fmt: str, out: Path) -> Path:
    """Write theme summaries to `out` in one of THEME_FORMATS."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        out.write_text(
            json.dumps({"$schema": SCHEMA_PATH.name, "themes": summaries}, indent=2, default=str),
            encoding="utf-8",
        )
    elif fmt == "md":
        out.write_text(markdown_report(summaries), encoding="utf-8")
    elif fmt == "csv":
        neutralise_frame(summary_table(summaries)).to_csv(out, index=False)
    elif fmt == "jira":
        neutralise_frame(jira_table(summaries)).to_csv(out, index=False)
    else:
        quotes = pd.DataFrame([{"theme": s["label"], **q} for s in summaries for q in s["quotes"]])
        with pd.ExcelWriter(out, engine="openpyxl") as xl:
            neutralise_frame(summary_table(summaries)).to_excel(xl, sheet_name="themes", index=False)
            neutralise_frame(jira_table(summaries)).to_excel(xl, sheet_name="top issues", index=False)
            neutralise_frame(quotes.astype(str)).to_excel(xl, sheet_name="quotes", index=False)
    return out
