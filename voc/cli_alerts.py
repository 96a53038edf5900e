"""The body of `voc alerts` (the Typer command itself is registered in voc/cli.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from voc.alerts import episodes_table, notify, rules_for, store_episodes
from voc.config import PipelineConfig
from voc.console import console, frame_table
from voc.errors import VocError
from voc.insights.episode_text import describe, episode_records

FORMATS = ("table", "json")


def alerts_command(
    store: Path,
    since: date | None,
    fmt: str,
    freq: str | None,
    notify_now: bool,
    config: Path | None,
    webhook: str | None,
) -> None:
    """List episodes as a table or JSON; with notify_now, send new ongoing ones to the webhook."""
    if fmt not in FORMATS:
        raise VocError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    if not Path(store).exists():
        raise VocError(f"No store at {store}; run `voc run` or `voc demo` first, or pass --store.")
    cfg = PipelineConfig.load(config).alerts
    freq = freq or cfg.freq
    if freq not in ("week", "month", "day"):
        raise VocError(f"--freq must be week, month or day, not {freq!r}.")
    episodes = store_episodes(store, freq, since, rules_for(cfg))
    if fmt == "json":
        print(json.dumps(episode_records(episodes, freq), indent=2))
    elif episodes.empty:
        console.print(f"No alert episodes in {store}" + (f" since {since}." if since else "."))
    else:
        console.print(
            frame_table(
                episodes_table(episodes), title=f"Alert episodes in {store} (per {freq})", floatfmt="{:.3g}"
            )
        )
        for row in episodes.itertuples(index=False):
            console.print(f"- {describe(row, freq)}", highlight=False)
    if notify_now:
        url = webhook or cfg.webhook
        if not url:
            raise VocError(
                "--notify needs a webhook: pass --webhook URL, or --config with alerts.webhook set."
            )
        sent = notify(store, url, freq, rules_for(cfg), cfg.timeout)
        target = console if fmt == "table" else None
        if target is not None:
            console.print(f"Sent {len(sent)} new episode(s) to the webhook.")
