r"""Benchmark the clean stage on the airline tweets: clean_batch docs/s with names on/off, and the name pass.

Run: python -m bench.clean [--rows N] [--repeat 3] [--baseline DIR:MODULE]

--baseline compares with another copy of the voc.clean package side by side in the same process
(runs interleaved, median of --repeat each), e.g. a copy of the old code whose imports were renamed:
    cp -r voc/clean /tmp/base/clean_orig && sed -i 's/voc\.clean\./clean_orig./g' /tmp/base/clean_orig/*.py
    python -m bench.clean --baseline /tmp/base:clean_orig
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import statistics
import sys
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


def _median_runs(fns: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """Median (wall s, CPU s) per function, running the functions interleaved `repeat` times."""
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in fns}
    for _ in range(repeat):
        for key, fn in fns.items():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            times[key].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {
        k: (statistics.median(t[0] for t in v), statistics.median(t[1] for t in v)) for k, v in times.items()
    }


def _baseline(spec: str):
    """clean_batch of another copy of the package, given as DIR:MODULE."""
    folder, _, module = spec.rpartition(":")
    sys.path.insert(0, folder)
    return importlib.import_module(module).clean_batch


def compare(frame: pd.DataFrame, spec: str, repeat: int) -> dict:
    """Current vs baseline clean_batch (default config) on the same frame, interleaved; checks equality."""
    base = _baseline(spec)
    cfg = CleanConfig()
    base(frame.head(50), cfg)  # warm-up: the baseline loads its own models
    new_out, base_out = clean_batch(frame, cfg), base(frame, cfg)
    identical = all(a.equals(b) for a, b in zip(new_out, base_out))
    runs = _median_runs(
        {"baseline": lambda: base(frame, cfg), "current": lambda: clean_batch(frame, cfg)}, repeat
    )
    n = len(frame)
    print(f"\nclean_batch (default config), {n} tweets, median of {repeat} interleaved runs each")
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'code':10} {'wall s':>8} {'rows/s':>8} {'CPU s':>8} {'rows/CPU-s':>11}")
    for key, (wall, cpu) in runs.items():
        print(f"{key:10} {wall:>8.2f} {n / wall:>8.0f} {cpu:>8.2f} {n / cpu:>11.0f}")
    speed = runs["baseline"][0] / runs["current"][0]
    speed_cpu = runs["baseline"][1] / runs["current"][1]
    print(f"speed-up: {speed:.2f}x wall, {speed_cpu:.2f}x CPU; outputs identical: {identical}")
    return {
        "baseline": spec, "repeat": repeat, "identical": identical, "speedup_wall": speed,
        "speedup_cpu": speed_cpu,
        **{f"{k}_{m}": v for k, (w, c) in runs.items() for m, v in (("wall_s", w), ("cpu_s", c))},
    }  # fmt: skip


def main() -> None:
    """Run the benchmark, print a table and write bench/results/clean.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=14640, help="tweets to use (default: all 14,640)")
    parser.add_argument(
        "--ner-rows", type=int, default=3000, help="tweets for the NER with/without prefilter"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement (median)")
    parser.add_argument("--baseline", help="DIR:MODULE of another voc.clean copy to compare with")
    args = parser.parse_args()

    frame = _frame(args.rows)
    n = len(frame)
    # warm-up: load the spaCy NER, py3langid and the word lists once, outside the timings
    load_ner()
    common_words()
    clean_batch(frame.head(50), CleanConfig())

    timed = _median_runs(
        {
            "off": lambda: clean_batch(frame, CleanConfig(redact_names=False)),
            "on": lambda: clean_batch(frame, CleanConfig()),
            "nopii": lambda: clean_batch(frame, CleanConfig(redact_pii=False)),
        },
        args.repeat,
    )
    t_off, t_on, t_nopii = (timed[k][0] for k in ("off", "on", "nopii"))

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
    print(
        f"clean_batch rows: median of {args.repeat} calls over the first N tweets; the rest: one call; "
        "all after a warm-up that loads the models."
    )
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
        "repeat": args.repeat,
    }
    if args.baseline:
        result["comparison"] = compare(frame, args.baseline, args.repeat)
    (RESULTS / "clean.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
