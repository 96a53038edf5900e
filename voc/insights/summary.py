"""Issue summaries: per theme, what it is, how big and how it moves, why it happens and who should act."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from voc.insights.blame import theme_blame
from voc.insights.causes import labels_of
from voc.insights.drivers import theme_impact
from voc.insights.episode_text import episode_records
from voc.insights.episodes import detect_episodes
from voc.insights.metrics import dominant_cause, theme_metrics
from voc.insights.quotes import mmr
from voc.insights.trends import period_comparison, theme_series
from voc.metrics import cause_column

OWNERS = {"people": "CX / training", "process": "Operations", "technology": "Product / engineering"}
QUOTE_FIELDS = ("doc_id", "date", "channel", "rating", "rating_scale", "segments", "sentiment")
MAX_DOCS_PER_THEME = 400

Encode = Callable[[list[str]], np.ndarray]


def _evidence_example(docs: pd.DataFrame, cause: str) -> str | None:
    for text, evidence in zip(docs["text"], docs.get("cause_evidence", pd.Series(dtype=object))):
        ev = json.loads(evidence) if isinstance(evidence, str) else evidence
        if isinstance(ev, dict) and cause in ev:
            start, end = ev[cause]
            return text[start:end]
    return None


def _summary_sentences(texts: list[str], encode: Encode, k: int) -> list[str]:
    from voc.clean.sentences import split_sentences

    sentences = list(dict.fromkeys(t[s:e].strip() for t in texts for s, e in split_sentences(t)))
    sentences = [s for s in sentences if 20 <= len(s) <= 300][:300]
    if not sentences:
        return []
    vecs = encode(sentences)
    return [sentences[i] for i in mmr(vecs, vecs.mean(axis=0), k, diversity=0.6)]


def issue_summaries(
    docs: pd.DataFrame,
    themes: pd.DataFrame,
    encode: Encode,
    n_quotes: int = 5,
    n_sentences: int = 3,
    seed: int = 0,
    labels: list[str] | None = None,
    confirmed: dict[int, dict] | None = None,
) -> list[dict]:
    """One summary per theme (largest first) from documents with predictions and the themes table.

    `labels` are the cause labels to report (the store's, see voc.insights.causes; default the shipped ones).
    With the sub-cause lens's columns, `blame` says whom customers blame and the confirmed (`confirmed`:
    theme_id -> {cause, subcause, note}) or likely cause, and the owner is that cause's."""
    metrics = theme_metrics(docs, labels)
    labels = labels_of(metrics)
    comparison = period_comparison(docs).set_index("theme_id") if docs["date"].notna().any() else pd.DataFrame()
    episodes = _theme_alerts(docs)
    impact = theme_impact(docs).set_index("theme_id")
    keywords = themes.set_index("theme_id")["keywords"].to_dict() if "keywords" in themes else {}
    out = []
    for record in metrics.to_dict("records"):  # not itertuples: it renames columns like "cause_policy: pricing"
        row = pd.Series(record, dtype=object)
        members = docs[docs["theme_id"] == row["theme_id"]]
        if len(members) > MAX_DOCS_PER_THEME:
            members = members.sample(MAX_DOCS_PER_THEME, random_state=seed)
        vecs = encode(members["text"].tolist())
        picks = mmr(vecs, vecs.mean(axis=0), n_quotes)
        quotes = [
            {"text": members.iloc[i]["text"], **{f: _plain(members.iloc[i].get(f)) for f in QUOTE_FIELDS}} for i in picks
        ]
        cause = dominant_cause(row, labels)
        blame = theme_blame(members, (confirmed or {}).get(_plain(row["theme_id"])))
        trend = comparison.loc[row["theme_id"]] if row["theme_id"] in comparison.index else None
        imp = impact.loc[row["theme_id"]] if row["theme_id"] in impact.index else None
        out.append(
            {
                "theme_id": _plain(row["theme_id"]),
                "label": row["theme_label"],
                "summary": _summary_sentences(members["text"].tolist(), encode, n_sentences),
                "keywords": _keywords(keywords.get(row["theme_id"])),
                "volume": int(row["volume"]),
                "share": float(row["share"]),
                "trend": None if trend is None else {
                    "current": int(trend["current"]), "previous": int(trend["previous"]),
                    "change_pct": _plain(trend["change_pct"]),
                },
                "alerts": episodes.get(_plain(row["theme_id"]), []),
                "net_sentiment": _plain(row["net_sentiment"]),
                "mean_sentiment_score": _plain(row["mean_score"]),
                "nps": _plain(row["nps"]),
                "csat": _plain(row["csat"]),
                "cause_mix": {c: _plain(row.get(cause_column(c))) for c in labels},
                "cause_examples": {c: _evidence_example(members, c) for c in labels},
                "impact": None if imp is None else {
                    "value": float(imp["impact"]), "ci_low": float(imp["ci_low"]), "ci_high": float(imp["ci_high"]),
                },
                "quotes": quotes,
                "suggested_owner": (blame or {}).get("owner")
                or (OWNERS.get(cause, f"Owner of {cause}") if cause else "Triage (no dominant cause)"),
                "blame": blame,
            }
        )
    return out


def _theme_alerts(docs: pd.DataFrame, freq: str = "week") -> dict[int, list[dict]]:
    """Alert episodes (voc.insights.episodes) per theme id, as JSON-ready records."""
    if not docs["date"].notna().any():
        return {}
    series = theme_series(docs, freq)
    series["theme"] = series["theme_id"].map(docs.groupby("theme_id")["theme_label"].first())
    out: dict[int, list[dict]] = {}
    for record in episode_records(detect_episodes(series, freq), freq):
        out.setdefault(record["theme_id"], []).append(record)
    return out


def _keywords(value) -> list[str]:
    return [] if value is None or (isinstance(value, float) and np.isnan(value)) else [str(k) for k in value][:10]


def _plain(value):
    """JSON-friendly scalars: numpy to Python, NaN/NaT to None, timestamps to ISO strings."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
