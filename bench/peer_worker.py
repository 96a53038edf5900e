"""One peer contender in a fresh process: `python -m bench.peer_worker {topics|sentiment|zeroshot} ...`.

Times its own phases (imports, model load, inference) with perf_counter and writes them as JSON;
bench.peer measures the whole process (wall and peak RSS) from outside.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse
import json
import os
from pathlib import Path

ZS_LABELS = ["people", "process", "technology"]


def _texts(csv: str, limit: int | None) -> list[str]:
    import pandas as pd

    texts = pd.read_csv(csv, usecols=["text"])["text"].fillna("").astype(str).tolist()
    return texts[:limit] if limit else texts


def topics(args) -> dict:
    """Peer A: sentence-transformers all-MiniLM-L6-v2 (torch) encode, then BERTopic defaults."""
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    t_import = time.perf_counter()
    texts = _texts(args.csv, args.limit)
    model = SentenceTransformer(args.model, device="cpu")
    t_load = time.perf_counter()
    emb = model.encode(texts, batch_size=32, show_progress_bar=False)
    t_enc = time.perf_counter()
    topic_ids, _ = BERTopic().fit_transform(texts, emb)
    t_fit = time.perf_counter()
    n_topics = len(set(topic_ids) - {-1})
    outliers = sum(1 for t in topic_ids if t == -1) / max(1, len(topic_ids))
    return {
        "docs": len(texts),
        "import_s": t_import - T0,
        "load_s": t_load - t_import,
        "encode_s": t_enc - t_load,
        "topics_fit_s": t_fit - t_enc,
        "infer_s": t_fit - t_load,
        "topics": n_topics,
        "outlier_share": round(outliers, 3),
    }


def _pipeline_run(task: str, args, call) -> dict:
    from transformers import pipeline

    t_import = time.perf_counter()
    texts = _texts(args.csv, args.limit)
    kwargs = {"batch_size": args.batch_size} if args.batch_size else {}
    clf = pipeline(task, model=args.model, tokenizer=args.model, device=-1, **kwargs)
    t_load = time.perf_counter()
    out = call(clf, texts)
    t_inf = time.perf_counter()
    return {
        "docs": len(texts),
        "import_s": t_import - T0,
        "load_s": t_load - t_import,
        "infer_s": t_inf - t_load,
        "batch_size": args.batch_size or "pipeline default",
        "example": out[0] if out else None,
    }


def sentiment(args) -> dict:
    """Peer B: transformers pipeline("sentiment-analysis") over the DistilBERT SST-2 architecture."""
    return _pipeline_run("sentiment-analysis", args, lambda clf, texts: clf(texts, truncation=True))


def zeroshot(args) -> dict:
    """Peer C: pipeline("zero-shot-classification"), nli-distilroberta-base architecture, 3 labels."""

    def call(clf, texts):
        return clf(texts, candidate_labels=ZS_LABELS, multi_label=True)

    return _pipeline_run("zero-shot-classification", args, call)


def main() -> None:
    """Run one contender and write its phase timings as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=["topics", "sentiment", "zeroshot"])
    ap.add_argument("--csv", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = {"topics": topics, "sentiment": sentiment, "zeroshot": zeroshot}[args.kind](args)
    result["process_s"] = time.perf_counter() - T0
    Path(args.out).write_text(json.dumps(result, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
