"""End to end: voc (all three lenses) against the peer stack, on the same airline tweets, each in a fresh process.

Run: python -m bench.peer [--n 10000] [--zs-sample 500] [--repeats 1] [--out bench/results/peer.json]
Corpus: the FIRST n rows of ../shared/data/airline_tweets/Tweets.csv (file order; all columns), written as
one CSV that every contender reads. Each contender is a fresh Python subprocess; its wall time runs from
spawn to exit (imports, model loading, numba compilation and inference all count), and its peak RSS is that
child's ru_maxrss (os.wait4). With --repeats > 1 the median wall time is used.
  peer A  sentence-transformers all-MiniLM-L6-v2 (torch, batch 32) encode + BERTopic() defaults fit_transform
  peer B  transformers pipeline("sentiment-analysis"), DistilBERT-base SST-2 architecture, RANDOM weights
          (with --sent-sample, run on that many tweets and extrapolated like peer C)
  peer C  transformers pipeline("zero-shot-classification"), nli-distilroberta-base architecture, RANDOM
          weights, labels people/process/technology (multi_label); run on the first --zs-sample tweets and
          extrapolated: wall(10k) = wall - inference + inference * n / sample
  voc     `voc run --input <csv> --preset social --store <tmp>` with an EMPTY embedding cache (VOC_CACHE_DIR is
          a fresh temp dir holding only copies of the ONNX export and numba cache from ~/.cache/voc), under
          --profile (default: the default profile; `--profile fast` measures the fast profile's ratio)
Stack docs/s = n / (sum of the stack's wall times); stack peak RSS = the largest of its processes.
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

from bench.peer_models import build_distilbert_sst2, build_nli_distilroberta, minilm_path
from bench.peer_proc import (
    VENV_BIN,
    check_ok,
    describe_machine,
    fresh_voc_cache,
    machine_info,
    read_runs,
    run_measured,
    write_json,
)


def write_corpus(n: int, out: Path) -> int:
    """The first n rows of the airline tweets as a CSV; returns the row count."""
    from voc.paths import shared_data_dir

    src = shared_data_dir() / "airline_tweets" / "Tweets.csv"
    if not src.is_file():
        sys.exit(f"{src} is missing; set VOC_SHARED_DATA to the shared data folder.")
    df = pd.read_csv(src, dtype=str, nrows=n)
    df.to_csv(out, index=False)
    return len(df)


THREAD_ENV: dict[str, str] = {}  # filled by --threads, passed to every child


def thread_env(threads: int | None) -> dict[str, str]:
    """Environment that caps every contender's intra-op threads (torch/OpenMP/MKL/numba and voc's ONNX)."""
    if not threads:
        return {}
    n = str(threads)
    return {"OMP_NUM_THREADS": n, "MKL_NUM_THREADS": n, "NUMBA_NUM_THREADS": n, "VOC_ENCODER__THREADS": n}


def run_peer(
    kind: str, csv: Path, model: Path, work: Path, limit: int | None, batch_size: int | None
) -> dict:
    """One peer contender in a fresh process: outer wall/RSS plus its own phase timings."""
    out = work / f"{kind}.json"
    cmd = [
        sys.executable,
        "-m",
        "bench.peer_worker",
        kind,
        "--csv",
        str(csv),
        "--model",
        str(model),
        "--out",
        str(out),
    ]
    if limit:
        cmd += ["--limit", str(limit)]
    if batch_size:
        cmd += ["--batch-size", str(batch_size)]
    log = work / f"{kind}.log"
    res = run_measured(
        cmd, env={"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", **THREAD_ENV}, log_path=log
    )
    check_ok(res, log)
    res["phases"] = {
        k: (round(v, 2) if isinstance(v, float) else v) for k, v in json.loads(out.read_text()).items()
    }
    return res


def run_voc(csv: Path, work: Path, tag: str, profile: str = "default") -> dict:
    """voc run (under `profile`) in a fresh process with an empty embedding cache; outer wall/RSS plus the runs row."""
    cache = work / f"voc_cache_{tag}"
    store = work / f"voc_{tag}.duckdb"
    warm = fresh_voc_cache(cache)
    cmd = [
        str(VENV_BIN / "voc"),
        "run",
        "--input",
        str(csv),
        "--preset",
        "social",
        "--store",
        str(store),
        "--quiet",
        "--profile",
        profile,
    ]
    log = work / f"voc_{tag}.log"
    res = run_measured(cmd, env={"VOC_CACHE_DIR": str(cache), **THREAD_ENV}, log_path=log)
    check_ok(res, log)
    run = read_runs(store)[-1]
    res.update(cache=warm, run_id=run["run_id"], stage_s={k: round(v, 2) for k, v in (run["timings"] or {}).items()},
               store_peak_rss_mb=run["peak_rss_mb"], model_versions=run["model_versions"],
               counts={k: run[k] for k in ("read", "accepted", "duplicates", "rejected")})  # fmt: skip
    shutil.rmtree(cache, ignore_errors=True)
    return res


def _median_run(fn, repeats: int) -> dict:
    runs = [fn(i) for i in range(repeats)]
    walls = [r["wall_s"] for r in runs]
    best = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
    return {**best, "wall_s": round(statistics.median(walls), 2), "walls": walls}


def reuse(args, res: dict, n: int) -> dict:
    """Fill skipped contenders from --reuse-from (same n); return {contender: file} for the report."""
    if not args.reuse_from:
        return {}
    old = json.loads(Path(args.reuse_from).read_text(encoding="utf-8"))
    if old.get("n") != n:
        sys.exit(f"--reuse-from {args.reuse_from} has n={old.get('n')}, not {n}")
    taken = {}
    for key, value in old.get("contenders", {}).items():
        if key not in res:
            res[key] = value
            taken[key] = f"{args.reuse_from} ({old.get('machine', {}).get('time_utc', '?')} UTC)"
    return taken


def _extrapolate(res: dict, measured: int, n: int) -> dict:
    """Wall time for n docs from a run on `measured` docs: wall - inference + inference * n / measured."""
    infer = res["phases"]["infer_s"]
    res["measured_docs"] = measured
    res["wall_s_measured"] = res["wall_s"]
    res["wall_s"] = round(res["wall_s"] - infer + infer * n / measured, 2)
    return res


def main() -> None:
    """Build the stand-in models, run every contender, print the table and write JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="tweets (first n rows of Tweets.csv)")
    ap.add_argument("--zs-sample", type=int, default=500, help="tweets the zero-shot peer really runs on")
    ap.add_argument(
        "--sent-sample", type=int, default=None, help="tweets the sentiment peer runs on (default all n)"
    )
    ap.add_argument("--repeats", type=int, default=1, help="runs per contender; the median wall time is used")
    ap.add_argument(
        "--peer-batch-size", type=int, default=None, help="pipeline batch_size (default: pipeline's)"
    )
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="cap every contender's intra-op threads (default: each library's own, 2 on this box); "
        "1 is fairer on a machine busy with other work, where 2 spinning threads starve",
    )
    ap.add_argument("--skip", nargs="*", default=[], choices=["topics", "sentiment", "zeroshot", "voc"])
    ap.add_argument(
        "--reuse-from",
        default=None,
        help="take the --skip'ped contenders from an earlier JSON of the same --n (to re-run one)",
    )
    ap.add_argument("--workdir", default=None, help="keep models, corpus and logs here (default: a temp dir)")
    ap.add_argument("--out", default="bench/results/peer.json")
    ap.add_argument(
        "--profile",
        default="default",
        choices=["default", "fast"],
        help="the profile voc runs under (voc run --profile)",
    )
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    t_start = time.time()
    THREAD_ENV.update(thread_env(args.threads))
    machine = machine_info()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="voc_bench_peer_"))
    work.mkdir(parents=True, exist_ok=True)
    csv = work / "tweets.csv"
    n = write_corpus(args.n, csv)
    zs_n = min(args.zs_sample, n)
    from voc.paths import shared_data_dir

    t = time.perf_counter()
    if "sentiment" not in args.skip:
        sst2 = build_distilbert_sst2(work / "distilbert-sst2-random")
    if "zeroshot" not in args.skip:
        nli = build_nli_distilroberta(work / "nli-distilroberta-random", shared_data_dir())
    print(f"built the random-weight stand-ins in {time.perf_counter() - t:.0f} s (not counted)", flush=True)

    res: dict = {}
    bs = args.peer_batch_size
    if "topics" not in args.skip:
        res["A"] = _median_run(
            lambda i: run_peer("topics", csv, minilm_path(), work, None, None), args.repeats
        )
        print(f"peer A done: {res['A']['wall_s']} s", flush=True)
    if "sentiment" not in args.skip:
        sent_n = min(args.sent_sample or n, n)
        res["B"] = _extrapolate(
            _median_run(lambda i: run_peer("sentiment", csv, sst2, work, sent_n, bs), args.repeats), sent_n, n
        )
        print(
            f"peer B done: {res['B']['wall_s_measured']} s on {sent_n}, {res['B']['wall_s']} s for {n}",
            flush=True,
        )
    if "zeroshot" not in args.skip:
        res["C"] = _extrapolate(
            _median_run(lambda i: run_peer("zeroshot", csv, nli, work, zs_n, bs), args.repeats), zs_n, n
        )
        c = res["C"]
        print(f"peer C done: {c['wall_s_measured']} s on {zs_n}, {c['wall_s']} s for {n}", flush=True)
    if "voc" not in args.skip:
        res["voc"] = _median_run(lambda i: run_voc(csv, work, str(i), args.profile), args.repeats)
        print(f"voc done: {res['voc']['wall_s']} s", flush=True)

    reused = reuse(args, res, n)
    rows = summary_rows(res, n, args.profile)
    print_report(args, machine, work, n, zs_n, res, rows)
    for key, src in reused.items():
        print(f"  ({key} reused from {src})")
    payload = {"n": n, "corpus": f"first {n} rows of airline_tweets/Tweets.csv", "zs_sample": zs_n,
               "repeats": args.repeats, "profile": args.profile, "threads": args.threads, "machine": machine, "machine_end_loadavg": machine_info()["loadavg"],
               "contenders": res, "reused_from": reused, "table": rows, "seconds": round(time.time() - t_start, 1)}  # fmt: skip
    write_json(Path(args.out), payload)
    print(f"\nwrote {args.out}; work dir {work}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


def summary_rows(res: dict, n: int, profile: str = "default") -> list[dict]:
    """The table: each contender and stack with wall, docs/s, peak RSS, and voc's speed ratio."""
    rows = []

    def add(name: str, keys: list[str]) -> None:
        if all(k in res for k in keys):
            wall = sum(res[k]["wall_s"] for k in keys)
            rss = max(res[k]["peak_rss_mb"] for k in keys)
            rows.append(
                {
                    "contender": name,
                    "wall_s": round(wall, 1),
                    "docs_per_s": round(n / wall, 1),
                    "peak_rss_mb": rss,
                }
            )

    add("peer A: MiniLM torch + BERTopic", ["A"])
    add(
        "peer B: DistilBERT SST-2 pipeline"
        + (" (extrapolated)" if res.get("B", {}).get("measured_docs", n) < n else ""),
        ["B"],
    )
    add("peer C: zero-shot NLI (extrapolated)", ["C"])
    add("peer A+B (emb + BERTopic + sentiment)", ["A", "B"])
    add("peer A+B+C (full stack)", ["A", "B", "C"])
    add(f"voc run (all three lenses, {profile} profile)", ["voc"])
    voc = next((r for r in rows if r["contender"].startswith("voc")), None)
    for r in rows:
        r["voc_speedup"] = round(voc["docs_per_s"] / r["docs_per_s"], 1) if voc else None
    return rows


def print_report(args, machine: dict, work: Path, n: int, zs_n: int, res: dict, rows: list[dict]) -> None:
    """The how-it-was-measured header, the table, the targets and voc's own stage timings."""
    print("\n" + __doc__)
    print(describe_machine(machine))
    print(f"  load average at the end: {machine_info()['loadavg']}")
    sent = (
        f"sentiment measured on the first {res['B']['measured_docs']} and extrapolated; "
        if "B" in res and res["B"]["measured_docs"] < n
        else ""
    )
    print(
        f"corpus: first {n} rows of Tweets.csv; {sent}zero-shot measured on the first {zs_n} and extrapolated; repeats: {args.repeats}"
    )
    print("stand-in models: random weights (architecture-identical); DistilBERT tokenizer = MiniLM's BERT-uncased"
          " WordPiece files; RoBERTa tokenizer = byte-level BPE trained locally on tweets + clothing reviews")  # fmt: skip
    if "voc" in res:
        print(f"voc cache: warm = {res['voc']['cache']['warm']}; cold = {res['voc']['cache']['cold']}")
    print(f"threads: {args.threads or 'library defaults'} (env {THREAD_ENV or 'unchanged'})")
    print(
        "peer numba cache: whatever numba keeps in site-packages __pycache__ (its default), as for any user\n"
    )
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(df.to_string(index=False))
    by = {r["contender"]: r for r in rows}
    ab, abc = by.get("peer A+B (emb + BERTopic + sentiment)"), by.get("peer A+B+C (full stack)")
    low, high = (10, 30) if args.profile == "fast" else (8, 26)  # issue 19's targets per profile
    if ab and ab["voc_speedup"] is not None:
        print(f"\nvoc / (A+B)   = {ab['voc_speedup']}x  (target >= {low}x, {args.profile} profile)")
    if abc and abc["voc_speedup"] is not None:
        print(f"voc / (A+B+C) = {abc['voc_speedup']}x  (target >= {high}x, {args.profile} profile)")
    print("\nphases inside each process (s):")
    for key, r in res.items():
        if key == "voc":
            print(f"  voc   stages from the store's runs table: {r['stage_s']}; counts {r['counts']}")
        else:
            print(f"  {key:5} {r['phases']}")


if __name__ == "__main__":
    main()
