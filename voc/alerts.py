"""`voc alerts`: a store's alert episodes as a table or JSON, and each new episode announced once to a webhook.

When the webhook fires: at the end of `voc run` when the pipeline YAML sets `alerts.webhook`, and on
`voc alerts --notify`. It sends the episodes that are ongoing at the latest period and were never sent before,
one JSON POST each in the Slack-compatible shape {"text": "..."}. A sent episode is recorded in the store's
`alerts_sent` table, keyed by (theme_id, kind, start), so it is never sent again, however long it lasts; a failed
POST is not recorded and is retried next time.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pandas as pd

from voc.config import AlertsConfig
from voc.errors import VocError
from voc.insights.episode_text import episode_records
from voc.insights.episodes import AlertRules, detect_episodes
from voc.insights.history import store_series

log = logging.getLogger(__name__)
TABLE_COLUMNS = ["theme_id", "theme", "kind", "start", "last", "ongoing", "peak_ratio", "q_value"]


def rules_for(cfg: AlertsConfig | None = None) -> AlertRules:
    """Detector thresholds from the pipeline's `alerts` section."""
    cfg = cfg or AlertsConfig()
    return AlertRules(alpha=cfg.alpha, min_ratio=cfg.min_ratio)


def store_episodes(
    store_path: str | Path, freq: str = "week", since: date | None = None, rules: AlertRules | None = None
) -> pd.DataFrame:
    """The store's alert episodes, newest and ongoing first; `since` keeps those whose last period is on or after it."""
    episodes = detect_episodes(store_series(store_path, freq), freq, rules)
    if since is not None and len(episodes):
        episodes = episodes[pd.to_datetime(episodes["last"]) >= pd.Timestamp(since)].reset_index(drop=True)
    return episodes


def episodes_table(episodes: pd.DataFrame) -> pd.DataFrame:
    """The columns `voc alerts --format table` shows, dates as ISO strings."""
    out = episodes[TABLE_COLUMNS].copy()
    for col in ("start", "last"):
        out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
    return out


def post_json(url: str, payload: dict, timeout: float = 10.0) -> None:
    """POST a JSON body; raise VocError naming the URL when it fails or answers with an error status."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise VocError(
            f"Alert webhook {url} failed: {exc}. Check alerts.webhook in the pipeline YAML."
        ) from None


def notify(
    store_path: str | Path,
    webhook: str,
    freq: str = "week",
    rules: AlertRules | None = None,
    timeout: float = 10.0,
) -> list[dict]:
    """Send every ongoing episode not sent before to the webhook, record it in the store; return what was sent."""
    from voc.store import Store
    from voc.store.alerts_sent import record_sent, sent_keys

    episodes = store_episodes(store_path, freq, rules=rules)
    records = [r for r in episode_records(episodes, freq) if r["ongoing"]]
    store = Store(store_path)
    with store.writer() as session:
        known = sent_keys(session.con)
    fresh = [r for r in records if (r["theme_id"], r["kind"], r["start"]) not in known]
    sent: list[dict] = []
    try:
        for r in fresh:
            post_json(webhook, {"text": f"voc alert: {r['text']} (q = {r['q_value']:.2g})"}, timeout)
            sent.append(r)
    finally:
        if sent:
            with store.writer() as session:
                record_sent(session.con, sent, webhook)
    return sent


def notify_after_run(cfg, store_path: str | Path) -> list[dict]:
    """The end-of-run hook: notify when the pipeline sets alerts.webhook; a failing webhook only warns."""
    alerts = cfg.alerts
    if not alerts.webhook:
        return []
    try:
        return notify(store_path, alerts.webhook, alerts.freq, rules_for(alerts), alerts.timeout)
    except VocError as exc:
        log.warning("%s", exc)
        return []
