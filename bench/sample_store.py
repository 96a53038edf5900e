"""A small synthetic store (themes, dates, channels, segments, causes) for the app's tests and benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from voc.schema import CAUSE_LABELS

THEMES = (
    # theme_id, label, parent_id, keywords, sentence templates
    (
        1,
        "Billing errors",
        10,
        ["invoice", "charge", "refund"],
        "I was charged twice on my invoice and the refund took weeks.",
    ),
    (
        2,
        "Login problems",
        11,
        ["login", "password", "2fa"],
        "The app will not let me log in, the password reset link fails.",
    ),
    (
        3,
        "Friendly support staff",
        12,
        ["agent", "helpful", "friendly"],
        "The support agent was friendly and solved it quickly.",
    ),
    (
        4,
        "Slow delivery",
        13,
        ["delivery", "late", "courier"],
        "My parcel arrived ten days late and the courier never called.",
    ),
    (
        5,
        "App crashes",
        11,
        ["crash", "freeze", "update"],
        "Since the last update the app keeps crashing on start.",
    ),
    (6, "Pricing", 10, ["price", "expensive", "plan"], "The new plan is too expensive for what it offers."),
)
PARENTS = ((10, "Money"), (11, "Product"), (12, "Service"), (13, "Logistics"))
CHANNELS = ("reviews", "tickets", "survey", "social")
INJECTION_TEXT = "<script>alert('x')</script> **bold** [link](http://x) $x$ :smile: #1"


def sample_frames(n: int = 200, seed: int = 0, start: str = "2024-01-01", days: int = 119):
    """(documents, predictions, themes) DataFrames of `n` synthetic feedback rows."""
    rng = np.random.default_rng(seed)
    theme_idx = rng.choice(len(THEMES), n, p=[0.25, 0.2, 0.15, 0.15, 0.15, 0.10])
    ids = [f"doc{i:06d}" for i in range(n)]
    texts = [f"{THEMES[t][4]} (note {i})" for i, t in zip(range(n), theme_idx)]
    if n > 3:
        texts[3] = INJECTION_TEXT
    day = rng.integers(0, days, n)
    # a late spike of theme index 4 (app crashes) in the last five days (the last full week)
    late = (theme_idx == 4) & (rng.random(n) < 0.7)
    day[late] = days - 1 - rng.integers(0, 5, late.sum())
    channel = rng.choice(CHANNELS, n)
    scale = np.where(channel == "survey", "nps", np.where(channel == "reviews", "stars", None))
    rating = np.where(
        scale == "nps", rng.integers(0, 11, n), np.where(scale == "stars", rng.integers(1, 6, n), np.nan)
    )
    rating_norm = np.where(scale == "nps", rating / 10, np.where(scale == "stars", (rating - 1) / 4, np.nan))
    plans = rng.choice(["free", "pro", "enterprise"], n)
    regions = rng.choice(["EU", "US", "APAC"], n)
    docs = pd.DataFrame(
        {
            "doc_id": ids,
            "source": np.where(channel == "tickets", "tickets.jsonl", channel + ".csv"),
            "row_number": np.arange(1, n + 1),
            "text": texts,
            "language": "en",
            "date": pd.Timestamp(start, tz="UTC")
            + pd.to_timedelta(day, "D")
            + pd.to_timedelta(rng.integers(0, 86400, n), "s"),
            "channel": channel,
            "rating": rating.astype(float),
            "rating_scale": scale,
            "rating_norm": rating_norm.astype(float),
            "segments": [json.dumps({"plan": p, "region": r}) for p, r in zip(plans, regions)],
        }
    )
    if n > 3:  # the injection text is the newest document, so it heads its theme's quotes
        newest = pd.Timestamp(start, tz="UTC") + pd.Timedelta(days=days) - pd.Timedelta(seconds=1)
        docs["date"] = docs["date"].clip(upper=newest - pd.Timedelta(seconds=1))
        docs.loc[3, "date"] = newest
    positive_theme = np.array([t == 2 for t in theme_idx])
    u = rng.random(n)
    sentiment = np.where(
        positive_theme,
        np.where(u < 0.8, "positive", "neutral"),
        np.where(u < 0.65, "negative", np.where(u < 0.85, "neutral", "positive")),
    )
    score = np.select([sentiment == "positive", sentiment == "negative"], [0.7, -0.7], 0.0) + rng.normal(
        0, 0.1, n
    )
    causes, scores, evidence = [], [], []
    for i, t in enumerate(theme_idx):
        main = CAUSE_LABELS[[1, 2, 0, 1, 2, 1][t]]
        labels = [main] + ([c for c in CAUSE_LABELS if c != main][:1] if rng.random() < 0.2 else [])
        if rng.random() < 0.1:
            labels = []
        causes.append(labels)
        scores.append({c: (0.9 if c in labels else 0.1) for c in CAUSE_LABELS})
        evidence.append({c: [0, min(20, len(texts[i]))] for c in labels})
    theme_id = np.array([THEMES[t][0] for t in theme_idx])
    theme_id[rng.random(n) < 0.08] = -1  # unthemed outliers
    preds = pd.DataFrame(
        {
            "doc_id": ids,
            "sentiment": sentiment,
            "sentiment_score": np.clip(score, -1, 1),
            "p_negative": np.where(sentiment == "negative", 0.8, 0.1),
            "p_neutral": np.where(sentiment == "neutral", 0.8, 0.1),
            "p_positive": np.where(sentiment == "positive", 0.8, 0.1),
            "theme_id": theme_id,
            "causes": causes,
            "cause_scores": scores,
            "cause_evidence": evidence,
        }
    )
    rows = [
        {
            "theme_id": tid,
            "label": label,
            "keywords": kw,
            "parent_id": parent,
            "level": 1,
            "size": int((theme_id == tid).sum()),
            "status": "active",
        }
        for tid, label, parent, kw, _ in THEMES
    ]
    rows += [
        {
            "theme_id": tid,
            "label": label,
            "keywords": [],
            "parent_id": None,
            "level": 2,
            "size": 0,
            "status": "active",
        }
        for tid, label in PARENTS
    ]
    return docs, preds, pd.DataFrame(rows)


def build_sample_store(path: str | Path, n: int = 200, seed: int = 0) -> Path:
    """Write a synthetic store of `n` documents at `path` through the Store write API; return the path."""
    from voc.store import Store

    docs, preds, themes = sample_frames(n, seed)
    store = Store(path)
    run_id = store.begin_run("sample", None, [{"source": "bench.sample_store"}], run_id="sample-run")
    store.write_documents(docs, run_id=run_id)
    store.write_predictions(preds, run_id=run_id)
    store.write_themes(themes)
    store.add_run_counts(run_id, read=n, accepted=n)
    store.finish_run(run_id, "done")
    return Path(path)
