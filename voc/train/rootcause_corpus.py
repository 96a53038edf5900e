"""Training/evaluation corpora for the root-cause lens: the dev set, weak labels, and cached encoding.

Only voc train / voc eval use this module; the lens itself never encodes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from voc.paths import SHIPPED, cache_dir
from voc.train.dev_jsonl import read_dev_jsonl

log = logging.getLogger(__name__)

DEV_SET = SHIPPED / "data" / "rootcause" / "dev.jsonl"
BASE_LABELS = ("people", "process", "technology")
# Airline `negativereason` values that map clearly to one cause (others are mixed and unused).
AIRLINE_MAP = {
    "Flight Attendant Complaints": "people",
    "Late Flight": "process",
    "Cancelled Flight": "process",
    "Lost Luggage": "process",
    "Damaged Luggage": "process",
    "longlines": "process",
    "Flight Booking Problems": "technology",
}
MAMS_NONE_CATEGORIES = {"food", "ambience", "menu", "place", "miscellaneous"}


def is_test_id(doc_id: int) -> bool:
    """The dev set's fixed held-out part: id % 4 == 0 (never used for training or tuning)."""
    return int(doc_id) % 4 == 0


def load_dev(path: Path | None = None, part: str = "all") -> pd.DataFrame:
    """The hand-labelled dev set (id, text, channel, industry, causes); part is all, train or test."""
    path = Path(path) if path is not None else DEV_SET
    df = read_dev_jsonl(path, ("id", "text", "channel", "industry", "causes"), "Root-cause dev set")
    if part == "train":
        df = df[~df["id"].map(is_test_id)]
    elif part == "test":
        df = df[df["id"].map(is_test_id)]
    elif part != "all":
        raise ValueError(f"part must be all, train or test, got {part!r}")
    return df.reset_index(drop=True)


def airline_mapped(split: str, cap_per_reason: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Airline tweets whose negative reason maps clearly to a cause: text, reason, cause."""
    from voc import datasets

    df = datasets.airline(split)
    df = df[df["reason"].isin(AIRLINE_MAP)].copy()
    df["cause"] = df["reason"].map(AIRLINE_MAP)
    if cap_per_reason:
        df = df.sample(frac=1.0, random_state=seed).groupby("reason").head(cap_per_reason)
        df = df.sort_values("tweet_id", kind="stable")
    return df[["tweet_id", "text", "reason", "cause"]].reset_index(drop=True)


def mams_sentences(split: str) -> pd.DataFrame:
    """MAMS sentences with their category set: text, categories, staff (bool), none (no service aspect)."""
    from voc import datasets

    df = datasets.mams(split)
    grouped = df.groupby("sentence_id").agg(text=("text", "first"), categories=("category", lambda c: set(c)))
    grouped["staff"] = grouped["categories"].map(lambda c: "staff" in c)
    grouped["none"] = grouped["categories"].map(lambda c: c <= MAMS_NONE_CATEGORIES)
    return grouped.reset_index()


@dataclass
class Encoded:
    """Texts with their sentence spans, doc vectors and per-text sentence vectors."""

    texts: list[str]
    spans: list[list[tuple[int, int]]]
    doc_vecs: np.ndarray
    sent_vecs: list[np.ndarray]


def split_spans(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """Sentence spans of each text, as the clean stage splits them."""
    from voc.clean.sentences import split_sentences

    return [list(split_sentences(t)) for t in texts]


def encode_texts(texts: Sequence[str], tag: str = "rootcause", use_cache: bool = True) -> Encoded:
    """Encode texts and their sentences in one pass of the shared encoder; cached as .npz by content hash."""
    from voc.config import encoder_settings
    from voc.encode import get_encoder

    texts = [str(t) for t in texts]
    spans = split_spans(texts)
    encoder = get_encoder(encoder_settings())
    digest = hashlib.sha256(encoder.version.encode())
    for t in texts:
        digest.update(t.encode("utf-8", "surrogatepass") + b"\x00")
    path = cache_dir() / "rootcause" / f"{tag}-{digest.hexdigest()[:20]}.npz"
    if use_cache and path.is_file():
        data = np.load(path)
        offsets = data["offsets"]
        flat = data["sent"]
        sent_vecs = [flat[offsets[i] : offsets[i + 1]] for i in range(len(texts))]
        return Encoded(texts, spans, data["doc"], sent_vecs)
    doc_vecs, sent_vecs = encoder.encode_spans(texts, spans)
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        offsets = np.cumsum([0] + [len(s) for s in sent_vecs])
        flat = np.concatenate(sent_vecs) if sent_vecs else np.zeros((0, doc_vecs.shape[1]), np.float32)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, doc=doc_vecs, sent=flat, offsets=offsets)
        tmp.replace(path)
    return Encoded(
        texts, spans, np.asarray(doc_vecs, np.float32), [np.asarray(s, np.float32) for s in sent_vecs]
    )


def encode_short(texts: Sequence[str], tag: str = "rootcause-ex") -> np.ndarray:
    """Doc vectors of short texts (taxonomy examples, descriptions) from the shared encoder."""
    from voc.config import encoder_settings
    from voc.encode import get_encoder

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.asarray(get_encoder(encoder_settings()).encode(list(texts)), dtype=np.float32)
