"""The local engine end to end on the bundled demo corpus: accounting, predictions, idempotent re-runs."""

import json

import pandas as pd

from voc.engine.local import run_pipeline
from voc.store import Store


def test_every_row_is_accounted_for(demo_run):
    _, result = demo_run
    c = result.counts
    assert c.read == c.accepted + c.duplicates + c.rejected
    assert c.read >= 2400
    assert c.accepted >= 2000
    assert c.reasons.get("not_customer_turn", 0) > 0, "agent turns in tickets must be counted as skipped"
    runs = Store(result.store_path, read_only=True).runs()
    row = runs[runs["run_id"] == result.run_id].iloc[0]
    assert (row["read"], row["accepted"], row["duplicates"], row["rejected"]) == (c.read, c.accepted, c.duplicates, c.rejected)
    assert row["status"] == "done"
    assert Store(result.store_path, read_only=True).count("rejects") == c.rejected


def test_documents_carry_predictions_and_no_raw_pii(demo_store):
    docs = Store(demo_store, read_only=True).documents_with_predictions()
    analysed = docs["not_analysed_reason"].isna()  # the demo's Spanish texts are kept, not analysed
    assert analysed.mean() > 0.95
    assert docs.loc[analysed, "sentiment"].isin(["negative", "neutral", "positive"]).all()
    assert docs.loc[analysed, "sentiment_score"].between(-1, 1).all()
    assert docs.loc[~analysed, "sentiment"].isna().all() and docs.loc[~analysed, "sentiment_score"].isna().all()
    assert docs["theme_id"].notna().mean() == 1.0
    assert docs["theme_label"].notna().all()
    assert docs["text"].str.contains("[EMAIL]", regex=False).any()
    assert not docs["text"].str.contains(r"[\w.]+@example\.com", regex=True).any()
    assert docs.loc[~analysed, "causes"].isna().all() and docs.loc[~analysed, "cause_evidence"].isna().all()
    evidence = docs.loc[analysed, "cause_evidence"].map(lambda v: json.loads(v) if isinstance(v, str) else v)
    for causes, ev in zip(docs.loc[analysed, "causes"], evidence):
        assert set([] if causes is None else list(causes)) == set((ev or {}).keys())


def test_rerun_adds_nothing(demo_run):
    cfg, first = demo_run
    store = Store(first.store_path, read_only=True)
    before = {t: store.count(t) for t in ("documents", "predictions", "rejects")}
    second = run_pipeline(cfg.model_copy(update={"lenses": ["sentiment", "rootcause"]}))
    after = {t: store.count(t) for t in ("documents", "predictions")}
    assert second.counts.accepted == 0
    assert second.counts.duplicates == first.counts.accepted + first.counts.duplicates
    assert after == {k: before[k] for k in after}


def test_themes_table_is_readable(demo_store):
    themes = Store(demo_store, read_only=True).themes()
    assert len(themes) >= 5
    labels = themes["label"].dropna()
    assert labels.is_unique
    assert not labels.str.match(r"^-?\d+_").any(), "labels must be phrases, not BERTopic ids"
    assert pd.Series([len(label.split()) for label in labels]).median() <= 5
