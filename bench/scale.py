"""Scaling: `voc run` end to end on 10k, 100k (and 1M) resampled, perturbed documents, one fresh process per size.

Run: python -m bench.scale [--sizes 10000 100000] [--repeats 1] [--threads N] [--out bench/results/scale.json]
Corpus: see bench.scale_corpus (shared corpora resampled with replacement; word dropout 0.1, an adjacent
swap with p 0.5 and a random 6-letter suffix token per document, so the embedding cache and dedupe cannot
skip work), written as CSV in a temp dir (generation not timed). Each size runs `voc run --input <csv>
--preset social --store <tmp>` through bench.scale_worker (the voc CLI plus timers on the two transformer
passes) in a fresh process with an EMPTY embedding cache: VOC_CACHE_DIR is a new temp dir holding only
copies of the ONNX export and numba cache from ~/.cache/voc. Wall = spawn to exit (imports, model load and
numba included); peak RSS = that child's ru_maxrss (os.wait4); stages from the store's runs table.
Encoder share = the shared MiniLM encoder's time (tokenise + ONNX + pooling) / wall; "outside encoder" is
the rest, and "outside both" also leaves out the sentiment lens's own transformer pass.
With --repeats > 1 each size is run that many times and the median-wall run is reported.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.peer import thread_env
from bench.peer_proc import (
    check_ok,
    describe_machine,
    fresh_voc_cache,
    machine_info,
    read_runs,
    run_measured,
    write_json,
)
from bench.scale_corpus import load_pool, write_corpus

STAGES = ("open", "load_models", "clean", "dedupe", "encode", "sentiment", "rootcause", "store", "themes")


def run_size(csv: Path, work: Path, tag: str, env: dict[str, str]) -> dict:
    """One `voc run` on csv in a fresh process with an empty embedding cache."""
    cache, store = work / f"cache_{tag}", work / f"store_{tag}.duckdb"
    warm = fresh_voc_cache(cache)
    timers = work / f"timers_{tag}.json"
    cmd = [sys.executable, "-m", "bench.scale_worker", str(timers), "--", "run", "--input", str(csv),
           "--preset", "social", "--store", str(store), "--quiet"]  # fmt: skip
    log = work / f"voc_{tag}.log"
    res = run_measured(cmd, env={"VOC_CACHE_DIR": str(cache), **env}, log_path=log)
    check_ok(res, log)
    run = read_runs(store)[-1]
    t = json.loads(timers.read_text())
    wall = res["wall_s"]
    enc, sent = t["seconds"].get("encoder", 0.0), t["seconds"].get("sentiment_model", 0.0)
    res.update(
        cache=warm,
        run_id=run["run_id"],
        stage_s={k: round(v, 2) for k, v in (run["timings"] or {}).items()},
        store_peak_rss_mb=run["peak_rss_mb"],
        counts={k: run[k] for k in ("read", "accepted", "duplicates", "rejected")},
        encoder_s=round(enc, 2),
        sentiment_model_s=round(sent, 2),
        encoder_share=round(enc / wall, 3),
        outside_encoder_share=round(1 - enc / wall, 3),
        outside_both_share=round(1 - (enc + sent) / wall, 3),
        store_mb=round(store.stat().st_size / 2**20, 1),
    )
    shutil.rmtree(cache, ignore_errors=True)
    store.unlink(missing_ok=True)
    return res


def main() -> None:
    """Generate each corpus, run voc on it in a fresh process, print the table and write JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--threads", type=int, default=None, help="cap voc's intra-op threads (default: cpu count)"
    )
    ap.add_argument("--workdir", default=None, help="keep corpora and logs here (default: a temp dir)")
    ap.add_argument("--out", default="bench/results/scale.json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from voc.paths import shared_data_dir

    t_start = time.time()
    machine = machine_info()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="voc_bench_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    pool = load_pool(shared_data_dir())
    env = thread_env(args.threads)
    rows, details = [], {}
    for size in args.sizes:
        csv = work / f"corpus_{size}.csv"
        t = time.perf_counter()
        written = write_corpus(pool, size, csv, seed=args.seed)
        print(f"wrote {written} rows to {csv} in {time.perf_counter() - t:.0f} s (not timed)", flush=True)
        runs = [run_size(csv, work, f"{size}_{i}", env) for i in range(args.repeats)]
        walls = [r["wall_s"] for r in runs]
        res = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
        res["walls"] = walls
        details[size] = res
        rows.append(_row(size, res, statistics.median(walls)))
        print(f"size {size}: {rows[-1]['wall_s']} s, {rows[-1]['docs_per_s']} docs/s", flush=True)
        csv.unlink(missing_ok=True)
    _print(args, machine, pool, rows, details)
    payload = {"sizes": args.sizes, "repeats": args.repeats, "threads": args.threads, "seed": args.seed,
               "pool_docs": len(pool), "pool_by_corpus": pool["corpus"].value_counts().to_dict(), "machine": machine,
               "machine_end_loadavg": machine_info()["loadavg"], "table": rows, "runs": details,
               "seconds": round(time.time() - t_start, 1)}  # fmt: skip
    write_json(Path(args.out), payload)
    print(f"\nwrote {args.out}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


def _row(size: int, res: dict, wall: float) -> dict:
    row = {"docs": size, "wall_s": round(wall, 1), "docs_per_s": round(size / wall, 1),
           "ms_per_doc": round(1000 * wall / size, 2), "peak_rss_mb": res["peak_rss_mb"],
           "encoder_s": res["encoder_s"], "sentiment_model_s": res["sentiment_model_s"],
           "encoder_share": res["encoder_share"], "outside_encoder": res["outside_encoder_share"],
           "outside_both": res["outside_both_share"]}  # fmt: skip
    row.update({f"{k}_s": res["stage_s"].get(k) for k in STAGES})
    return row


def _print(args, machine: dict, pool: pd.DataFrame, rows: list[dict], details: dict) -> None:
    print("\n" + __doc__)
    print(describe_machine(machine))
    print(f"  load average at the end: {machine_info()['loadavg']}")
    print(f"pool: {len(pool)} texts {pool['corpus'].value_counts().to_dict()}; seed {args.seed}; repeats {args.repeats};"
          f" threads: {args.threads or 'defaults'}")  # fmt: skip
    first = next(iter(details.values()))
    print(f"voc cache: warm = {first['cache']['warm']}; cold = {first['cache']['cold']}\n")
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 250)
    main_cols = [
        "docs",
        "wall_s",
        "docs_per_s",
        "ms_per_doc",
        "peak_rss_mb",
        "encoder_share",
        "outside_encoder",
        "outside_both",
    ]
    print(df[main_cols].to_string(index=False))
    print("\nper-stage seconds (store runs table; encoder/sentiment_model from the worker's timers):")
    print(df[["docs", "encoder_s", "sentiment_model_s", *[f"{k}_s" for k in STAGES]]].to_string(index=False))
    if len(rows) > 1:
        base = rows[0]["ms_per_doc"]
        print("\nlinearity (cost per document relative to the smallest size; 1.0 = perfectly linear):")
        for r in rows:
            print(f"  {r['docs']:>9}: {r['ms_per_doc'] / base:.2f}x ms/doc, {r['docs_per_s']} docs/s")
    print("\ntargets: >= 300 docs/s end to end; peak RSS <= 6 GB at 1M; outside the encoder < 20% of wall")
    for size, res in details.items():
        print(f"  {size}: counts {res['counts']}")


if __name__ == "__main__":
    main()
