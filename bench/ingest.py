"""Benchmark the ingest stage (and ingest + clean when voc.clean is there) on the airline tweets.

Run: python -m bench.ingest [--repeat 3] [--no-clean]
     python -m bench.ingest --big [--size-gb 1.0] [--keep]   # builds a ~1 GB CSV in a temp dir, reports peak RSS
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from voc.config import InputConfig
from voc.ingest import open_source
from voc.paths import shared_data_dir

RESULTS = Path(__file__).resolve().parent / "results"
TWEETS = shared_data_dir() / "airline_tweets" / "Tweets.csv"
WORDS = (
    "again",
    "today",
    "seriously",
    "thanks",
    "ugh",
    "flight",
    "gate",
    "crew",
    "bags",
    "delay",
    "wifi",
    "seat",
)


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _ingest(path: Path, chunk_size: int = 20_000) -> tuple[int, int, int, float]:
    """Ingest a file once: (read, accepted, rejected, seconds)."""
    start = time.perf_counter()
    source = open_source(InputConfig(path=path, preset="social", chunk_size=chunk_size))
    read = accepted = 0
    for batch in source.batches():
        read += batch.read
        accepted += len(batch.frame)
    return read, accepted, read - accepted, time.perf_counter() - start


def _clean_rate(path: Path) -> dict[str, float] | None:
    try:
        from voc.clean import clean_batch
    except ImportError:
        return None
    from voc.config import CleanConfig

    cfg = CleanConfig()
    batches = list(open_source(InputConfig(path=path, preset="social")).batches())
    clean_batch(batches[0].frame.head(50), cfg)  # warm-up: models and word lists load outside the timing
    start = time.perf_counter()
    rows = 0
    for batch in batches:
        clean_batch(batch.frame, cfg)
        rows += len(batch.frame)
    seconds = time.perf_counter() - start
    return {"rows": rows, "clean_s": round(seconds, 3), "clean_rows_per_s": round(rows / seconds, 1)}


def airline(repeat: int, clean: bool) -> dict:
    """Ingest the airline file `repeat` times (and clean it once); return the figures."""
    if not TWEETS.is_file():
        raise SystemExit(f"{TWEETS} not found: the airline tweets dataset is needed for this benchmark.")
    _ingest(TWEETS)  # warm-up (imports, page cache)
    runs = [_ingest(TWEETS) for _ in range(repeat)]
    read, accepted, rejected, _ = runs[0]
    seconds = statistics.median(r[3] for r in runs)
    out = {"file": TWEETS.name, "read": read, "accepted": accepted, "rejected": rejected, "runs": repeat,
           "ingest_s_median": round(seconds, 3), "ingest_s_best": round(min(r[3] for r in runs), 3),
           "ingest_rows_per_s": round(read / seconds, 1)}  # fmt: skip
    if clean:
        rate = _clean_rate(TWEETS)
        if rate:
            out.update(rate)
            out["ingest_plus_clean_rows_per_s"] = round(read / (seconds + rate["clean_s"]), 1)
    out["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    return out


def build_big(folder: Path, size_gb: float) -> tuple[Path, int]:
    """Write a CSV of about size_gb by resampling airline rows with a light perturbation (text suffix, new ids)."""
    base = pd.read_csv(TWEETS, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(0)
    path = folder / "airline_big.csv"
    target = int(size_gb * 2**30)
    rows, block = 0, 50_000
    with path.open("w", encoding="utf-8", newline="") as fh:
        base.head(0).to_csv(fh, index=False)
        while fh.tell() < target:
            part = base.iloc[rng.integers(0, len(base), block)].copy()
            words = np.array(WORDS)[rng.integers(0, len(WORDS), block)]
            part["text"] = (
                part["text"].to_numpy() + " " + words + " #" + (rows + np.arange(block)).astype(str)
            )
            part["tweet_id"] = (10**17 + rows + np.arange(block)).astype(str)
            part.to_csv(fh, index=False, header=False)
            rows += block
    return path, rows


def big(size_gb: float, keep: bool) -> dict:
    """Build the big CSV in a temp dir, ingest it in a fresh child process and report time and peak RSS."""
    folder = Path(tempfile.mkdtemp(prefix="voc-bench-ingest-"))
    try:
        print(
            f"building a ~{size_gb} GB CSV in {folder} by resampling airline rows (text suffix, new ids)..."
        )
        t0 = time.perf_counter()
        path, rows = build_big(folder, size_gb)
        build_s = time.perf_counter() - t0
        size = path.stat().st_size
        print(
            f"built {size / 2**30:.2f} GB, {rows:,} rows in {build_s:.0f} s; ingesting in a child process..."
        )
        child = subprocess.run([sys.executable, "-m", "bench.ingest", "--child", str(path)],
                               capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
        result = json.loads(child.stdout.strip().splitlines()[-1])
        result.update({"file_gb": round(size / 2**30, 3), "rows_written": rows, "build_s": round(build_s, 1),
                       "temp_dir": str(folder), "kept": keep})  # fmt: skip
        return result
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def child(path: Path) -> None:
    """Ingest one file and print read/seconds/peak RSS as JSON (run in a fresh process by --big)."""
    read, accepted, rejected, seconds = _ingest(path)
    print(json.dumps({"read": read, "accepted": accepted, "rejected": rejected, "ingest_s": round(seconds, 1),
                      "ingest_rows_per_s": round(read / seconds, 1), "peak_rss_mb": round(_peak_rss_mb(), 1)}))  # fmt: skip


def _table(title: str, figures: dict, how: str) -> None:
    print(f"\n{title}\n" + "-" * len(title))
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        print(f"{key:<{width}}  {value:,}" if numeric else f"{key:<{width}}  {value}")
    print(f"\nHow: {how}")


def main() -> None:
    """Parse arguments, run the benchmark, print a table and write bench/results/ingest[_big].json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed ingests of the airline file (median)")
    parser.add_argument("--no-clean", action="store_true", help="skip the ingest + clean figure")
    parser.add_argument(
        "--big", action="store_true", help="build a ~1 GB CSV and measure peak RSS while ingesting"
    )
    parser.add_argument("--size-gb", type=float, default=1.0, help="size of the --big file")
    parser.add_argument("--keep", action="store_true", help="keep the --big file (default: delete it)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    env = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    if args.big:
        figures = big(args.size_gb, args.keep)
        how = ("resampled airline rows written to a temp CSV, ingested once with preset social and chunk_size "
               "20,000 in a fresh child process; peak RSS = the child's ru_maxrss (whole process, incl. imports).")  # fmt: skip
        name = "ingest_big"
    else:
        figures = airline(args.repeat, not args.no_clean)
        how = (f"open_source + all batches of {TWEETS.name} (preset social), median of {args.repeat} warm runs; "
               "clean = voc.clean.clean_batch over the accepted batches after a 50-row warm-up.")  # fmt: skip
        name = "ingest"
    figures.update(env)
    _table(f"voc ingest benchmark ({name})", figures, how)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(
        json.dumps({"figures": figures, "how": how}, indent=2), encoding="utf-8"
    )
    print(f"wrote {RESULTS / (name + '.json')}")


if __name__ == "__main__":
    main()
