"""Rich rendering of run summaries and tables for the CLI."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def frame_table(frame: pd.DataFrame, title: str | None = None, floatfmt: str = "{:.3f}") -> Table:
    """A rich Table of a small DataFrame (floats formatted, None shown as a dash)."""
    table = Table(title=title, show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(_fmt(v, floatfmt) for v in row))
    return table


def _fmt(value, floatfmt: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return floatfmt.format(value)
    return str(value)


def run_summary(result, top_themes: pd.DataFrame | None = None) -> None:
    """Print the end-of-run summary: row accounting, stage timings and top themes."""
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
    if top_themes is not None and len(top_themes):
        console.print(frame_table(top_themes, title="Top themes", floatfmt="{:.2f}"))
