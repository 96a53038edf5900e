"""The real airline tweets file ingests with the social preset: every one of its 14,640 rows is accounted for."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from voc.config import InputConfig
from voc.ingest import open_source
from voc.paths import shared_data_dir

TWEETS = shared_data_dir() / "airline_tweets" / "Tweets.csv"


@pytest.mark.skipif(not TWEETS.is_file(), reason=f"airline dataset not present at {TWEETS}")
def test_airline_tweets_social_preset() -> None:
    source = open_source(InputConfig(path=TWEETS, preset="social"))
    m = source.mapping
    assert (m.text, m.date, m.id, m.rating) == ("text", "tweet_created", "tweet_id", None)
    assert "airline" in (m.segments or [])
    batches = list(source.batches())
    frame = pd.concat([b.frame for b in batches], ignore_index=True)
    rejects = pd.concat([b.rejects for b in batches], ignore_index=True)
    read = sum(b.read for b in batches)
    assert read == 14_640
    assert len(frame) + len(rejects) == read
    assert sorted(frame["row_number"].tolist() + rejects["row_number"].tolist()) == list(range(1, read + 1))
    assert (frame["channel"] == "social").all()
    assert frame["date"].notna().all()
    assert frame["date"].min() >= pd.Timestamp("2015-02-16", tz="UTC")
    assert frame["date"].max() <= pd.Timestamp("2015-02-25", tz="UTC")
    assert frame["source_id"].iloc[0] == "570306133677760513"
    assert json.loads(frame["segments"].iloc[0])["airline"] == "Virgin America"
