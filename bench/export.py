"""Benchmark exports on a large store: per-document CSV and Parquet (streamed), and the theme report.

Run: python -m bench.export [--docs 1000000] [--store PATH]
The store is the app benchmark's resampled store (bench/app.py builds it inside DuckDB from a base store:
each copy gets a new doc_id, a shifted date and a suffix on its text). Each export runs in a fresh child
process so its peak RSS (ru_maxrss) is its own; wall time includes imports and the store read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
CHILD = """
import resource, sys, time
from pathlib import Path
from voc.export import export
t = time.perf_counter()
out = export(Path(sys.argv[1]), format=sys.argv[2], out=Path(sys.argv[3]), level=sys.argv[4])
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, Path(out).stat().st_size)
"""


def run_export(store: Path, fmt: str, level: str, out_dir: Path) -> dict:
    """Export in a child process; wall seconds, in-process seconds, peak RSS and output size."""
    out = out_dir / f"export_{level}.{fmt}"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(store), fmt, str(out), level], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"export {fmt} failed:\n{proc.stderr[-2000:]}")
    seconds, rss, size = proc.stdout.split()[-3:]
    return {"format": fmt, "level": level, "wall_s": round(wall, 1), "export_s": round(float(seconds), 1),
            "peak_rss_mb": round(float(rss)), "output_mb": round(int(size) / 2**20, 1)}  # fmt: skip


def main() -> None:
    """Print the export timing table and write bench/results/export.json."""
    from bench.app import build_store
    from voc.paths import cache_dir
    from voc.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, default=None)
    args = parser.parse_args()
    store = args.store or cache_dir() / "bench" / f"app_{args.docs}.duckdb"
    if not store.exists():
        build_store(store, args.docs, None)
    Store(store).ensure()  # migrate a store built by an older voc
    n = Store(store, read_only=True).count("documents")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, level in (("csv", "documents"), ("parquet", "documents"), ("md", "themes")):
            rows.append(run_export(store, fmt, level, Path(tmp)))
    print(f"Exports of a {n:,}-document store (resampled; see bench/app.py), load average {os.getloadavg()[0]:.1f}")
    print(f"{'format':8} {'level':10} {'wall s':>7} {'export s':>9} {'peak RSS MB':>12} {'output MB':>10}")
    for r in rows:
        print(f"{r['format']:8} {r['level']:10} {r['wall_s']:7} {r['export_s']:9} {r['peak_rss_mb']:12} {r['output_mb']:10}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "export.json").write_text(json.dumps({"documents": n, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
