"""Benchmark the clean stage on the airline tweets: clean_batch docs/s with names on/off, and the name pass.

Run: python -m bench.clean [--rows N]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import pandas as pd

from voc.clean import clean_batch
from voc.clean.names import find_names_batch, has_name_candidate, load_ner
from voc.clean.normalize import normalize_text
from voc.clean.vocab import common_words
from voc.config import CleanConfig
from voc.paths import shared_data_dir

RESULTS = Path(__file__).resolve().parent / "results"


def _frame(rows: int) -> pd.DataFrame:
    path = shared_data_dir() / "airline_tweets" / "Tweets.csv"
    if not path.is_file():
        raise SystemExit(f"{path} not found: the airline tweets dataset is needed for this benchmark.")
    df = pd.read_csv(path).head(rows)
    return pd.DataFrame(
        {
            "source": "Tweets.csv",
            "row_number": range(1, len(df) + 1),
            "source_id": df["tweet_id"].astype(str),
            "text": df["text"],
            "date": pd.to_datetime(df["tweet_created"], utc=True, errors="coerce"),
        }
    )


def _timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def main() -> None:
    """Run the benchmark, print a table and write bench/results/clean.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=14640, help="tweets to use (default: all 14,640)")
    parser.add_argument(
        "--ner-rows", type=int, default=3000, help="tweets for the NER with/without prefilter"
    )
    args = parser.parse_args()

    frame = _frame(args.rows)
    n = len(frame)
    # warm-up: load the spaCy NER, py3langid and the word lists once, outside the timings
    load_ner()
    common_words()
    clean_batch(frame.head(50), CleanConfig())

    t_off, _ = _timed(clean_batch, frame, CleanConfig(redact_names=False))
    t_on, _ = _timed(clean_batch, frame, CleanConfig())
    t_nopii, _ = _timed(clean_batch, frame, CleanConfig(redact_pii=False))

    texts = [normalize_text(t) for t in frame["text"].head(args.ner_rows).fillna("")]
    m = len(texts)
    t_pre, flags = _timed(lambda: [has_name_candidate(t) for t in texts])
    t_ner_pre, spans_pre = _timed(find_names_batch, texts, prefilter=True)
    t_ner_all, spans_all = _timed(find_names_batch, texts, prefilter=False)
    found_all = sum(len(s) for s in spans_all)
    found_pre = sum(len(s) for s in spans_pre)

    rows = [
        ("clean_batch, names off", n, t_off),
        ("clean_batch, names on (prefilter)", n, t_on),
        ("clean_batch, no PII redaction", n, t_nopii),
        ("name prefilter only", m, t_pre),
        ("name pass: prefilter + NER", m, t_ner_pre),
        ("name pass: NER on every text", m, t_ner_all),
    ]
    print(
        f"Clean-stage throughput on airline tweets ({platform.processor() or platform.machine()}, 1 process)"
    )
    print("Each row: one call over the first N tweets, after a warm-up that loads the models.")
    print(f"{'measurement':40} {'N':>7} {'seconds':>8} {'docs/s':>9}")
    for name, count, secs in rows:
        print(f"{name:40} {count:>7} {secs:>8.2f} {count / secs:>9.0f}")
    print(f"prefilter pass rate: {sum(flags) / m:.1%} of {m} tweets go to NER")
    print(
        f"PERSON spans kept: {found_pre} with prefilter vs {found_all} with NER on every text "
        f"({found_pre / max(found_all, 1):.1%} of the unfiltered pass)"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "dataset": "airline_tweets/Tweets.csv",
        "rows": {
            name: {"n": count, "seconds": secs, "docs_per_s": count / secs} for name, count, secs in rows
        },
        "prefilter_pass_rate": sum(flags) / m,
        "person_spans_prefilter": found_pre,
        "person_spans_all": found_all,
    }
    (RESULTS / "clean.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
