"""Loaders for the shared public datasets with the project's fixed train/dev/eval splits.

Each loader returns a DataFrame with a `text` column and its label columns; `split` is one of
"train", "dev" or "eval" as fixed in ../shared/data/README.md. Eval splits are never for training.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from voc.errors import InputError
from voc.paths import shared_data_dir

SENTIMENT3 = ("negative", "neutral", "positive")


def available(name: str = "") -> bool:
    """Whether the shared data folder (or one dataset in it) is present."""
    return (shared_data_dir() / name).exists()


def _path(*parts: str) -> Path:
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        raise InputError(f"Shared dataset file {path} is missing; set VOC_SHARED_DATA to the shared data folder.")
    return path


def _check_split(split: str, allowed: tuple[str, ...]) -> None:
    if split not in allowed:
        raise ValueError(f"split must be one of {allowed}, got {split!r}")


def sst2(split: str) -> pd.DataFrame:
    """SST-2 phrases: text, label (0 negative, 1 positive); eval is test.tsv (GLUE dev)."""
    _check_split(split, ("train", "dev", "eval"))
    name = {"train": "train.tsv", "dev": "dev.tsv", "eval": "test.tsv"}[split]
    df = pd.read_csv(_path("sst2", name), sep="\t", quoting=csv.QUOTE_NONE, encoding="utf-8")
    return df.rename(columns={"sentence": "text"})[["text", "label"]]


def airline(split: str | None = None) -> pd.DataFrame:
    """Airline tweets: text, sentiment (3 classes), reason, airline, date; eval is tweet_id % 5 == 0."""
    df = pd.read_csv(_path("airline_tweets", "Tweets.csv"), dtype={"tweet_id": "int64"})
    df = df.rename(columns={"airline_sentiment": "sentiment", "negativereason": "reason", "tweet_created": "date"})
    if split is not None:
        _check_split(split, ("train", "eval"))
        held_out = df["tweet_id"] % 5 == 0
        df = df[held_out if split == "eval" else ~held_out]
    return df[["tweet_id", "text", "sentiment", "reason", "airline", "date"]].reset_index(drop=True)


def tweeteval(split: str) -> pd.DataFrame:
    """TweetEval sentiment: text, sentiment; dev is val_*, eval is test_* (no train split here)."""
    _check_split(split, ("dev", "eval"))
    prefix = {"dev": "val", "eval": "test"}[split]
    texts = _path("tweeteval_sentiment", f"{prefix}_text.txt").read_text(encoding="utf-8").split("\n")
    labels = _path("tweeteval_sentiment", f"{prefix}_labels.txt").read_text(encoding="utf-8").split()
    texts = texts[: len(labels)]
    return pd.DataFrame({"text": texts, "sentiment": [SENTIMENT3[int(x)] for x in labels]})


def uci(domain: str) -> pd.DataFrame:
    """UCI sentiment labelled sentences for amazon, yelp or imdb: text, label (0/1); all rows are eval."""
    _check_split(domain, ("amazon", "yelp", "imdb"))
    name = {"amazon": "amazon_cells_labelled.txt", "yelp": "yelp_labelled.txt", "imdb": "imdb_labelled.txt"}[domain]
    rows = []
    for line in _path("uci_sentiment_labelled", name).read_text(encoding="utf-8").split("\n"):
        if line.strip():
            text, _, label = line.rstrip().rpartition("\t")
            rows.append((text.strip(), int(label)))
    return pd.DataFrame(rows, columns=["text", "label"])


def _rating_to_sentiment(rating: pd.Series) -> pd.Series:
    return pd.cut(rating, bins=[0, 2, 3, 5], labels=list(SENTIMENT3)).astype(str)


def alexa() -> pd.DataFrame:
    """Amazon Alexa reviews (all rows eval): text, rating, sentiment from rating (1-2, 3, 4-5)."""
    df = pd.read_csv(_path("amazon_alexa_reviews", "amazon_alexa.tsv"), sep="\t", encoding="utf-8-sig")
    df = df.rename(columns={"verified_reviews": "text"})
    df = df[df["text"].fillna("").str.strip() != ""]
    df["sentiment"] = _rating_to_sentiment(df["rating"])
    return df[["text", "rating", "sentiment", "variation", "date"]].reset_index(drop=True)


def womens_clothing(split: str) -> pd.DataFrame:
    """Women's clothing reviews: text, rating, sentiment, class; eval is index % 5 == 0, empty text skipped."""
    _check_split(split, ("train", "eval"))
    df = pd.read_csv(_path("womens_clothing_reviews", "Womens Clothing E-Commerce Reviews.csv"))
    index = df.columns[0]
    held_out = df[index] % 5 == 0
    df = df[held_out if split == "eval" else ~held_out]
    df = df.rename(columns={"Review Text": "text", "Rating": "rating", "Class Name": "class_name"})
    df = df[df["text"].fillna("").str.strip() != ""].copy()
    df["sentiment"] = _rating_to_sentiment(df["rating"])
    return df[["text", "rating", "sentiment", "class_name", "Department Name"]].reset_index(drop=True)


def mams(split: str) -> pd.DataFrame:
    """MAMS aspect-category sentences: one row per (sentence, category) with text, category, polarity."""
    _check_split(split, ("train", "dev", "eval"))
    name = {"train": "train.xml", "dev": "val.xml", "eval": "test.xml"}[split]
    rows = []
    for sid, sentence in enumerate(ET.parse(_path("mams_acsa", name)).getroot().iter("sentence")):
        text = (sentence.findtext("text") or "").strip()
        for cat in sentence.iter("aspectCategory"):
            rows.append((sid, text, cat.get("category"), cat.get("polarity")))
    return pd.DataFrame(rows, columns=["sentence_id", "text", "category", "polarity"])


def banking77(split: str) -> pd.DataFrame:
    """BANKING77 queries: text, category (77 intents); train or eval (test.csv)."""
    _check_split(split, ("train", "eval"))
    return pd.read_csv(_path("banking77", "train.csv" if split == "train" else "test.csv"))
