"""Rich rendering of run summaries and tables for the CLI."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def frame_table(
    frame: pd.DataFrame, title: str | None = None, floatfmt: str = "{:.3f}", formats: dict[str, str] | None = None
) -> Table:
    """A rich Table of a small DataFrame (floats formatted, per column where `formats` says; None as a dash)."""
    table = Table(title=title, show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    fmts = [(formats or {}).get(str(col), floatfmt) for col in frame.columns]
    for row in frame.itertuples(index=False):
        table.add_row(*(_fmt(v, f) for v, f in zip(row, fmts)))
    return table


def _fmt(value, floatfmt: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return floatfmt.format(value)
    return str(value)


def totals_table(totals: pd.Series) -> Table:
    """One row: documents, net sentiment, sentiment score, NPS, CSAT and each cause's share (in %)."""
    row = {"documents": totals["volume"]}
    for key, name in (("net_sentiment", "net sentiment"), ("sentiment_score", "sentiment score"), ("nps", "NPS"), ("csat", "CSAT %")):
        row[name] = totals.get(key)
    for key in totals.index:
        if key.startswith("cause_"):
            row[f"{key[6:]} %"] = None if pd.isna(totals[key]) else 100 * totals[key]
    frame = pd.DataFrame([row])
    frame["documents"] = frame["documents"].astype(int)
    formats = {"sentiment score": "{:+.2f}", "CSAT %": "{:.0f}"}
    formats.update({c: "{:.0f}" for c in frame.columns if c.endswith(" %")})
    return frame_table(frame, title="All documents (missing values left out, see voc.metrics)", floatfmt="{:+.0f}", formats=formats)


def run_summary(result, top_themes: pd.DataFrame | None = None, totals: pd.Series | None = None) -> None:
    """Print the end-of-run summary: row accounting, stage timings, totals and top themes."""
    c = result.counts
    counts = Table(title=f"Run {result.run_id} → {result.store_path}")
    for col in ("read", "accepted", "duplicates", "rejected"):
        counts.add_column(col, justify="right")
    counts.add_row(f"{c.read:,}", f"{c.accepted:,}", f"{c.duplicates:,}", f"{c.rejected:,}")
    console.print(counts)
    console.print(f"read = accepted + duplicates + rejected: {c.read:,} = {c.accepted:,} + {c.duplicates:,} + {c.rejected:,}")
    if c.reasons:
        console.print(frame_table(pd.DataFrame(sorted(c.reasons.items()), columns=["reject reason", "rows"]),
                                  title="Rejected rows (see the rejects table)"))
    total = sum(result.timings.values()) or 1.0
    timings = pd.DataFrame(
        [(k, v, 100 * v / total) for k, v in result.timings.items()], columns=["stage", "seconds", "% of time"]
    )
    console.print(frame_table(timings, title=f"Timings (peak RSS {result.peak_rss_mb:,.0f} MB)", floatfmt="{:.2f}"))
    if c.accepted and "encode" in result.timings:
        console.print(f"throughput: {c.read / total:,.0f} rows/s end to end")
    if totals is not None and totals["volume"]:
        console.print(totals_table(totals))
    if top_themes is not None and len(top_themes):
        console.print(frame_table(top_themes, title="Top themes", floatfmt="{:.0f}", formats={"share_pct": "{:.1f}", "net_sentiment": "{:+.0f}", "nps": "{:+.0f}"}))
