"""What filling the pooled sentiment-state cache costs `voc run`: `python -m bench.run_pooled_cache --docs 2000`.

Writes an N-document corpus (bench.scale_corpus, seed 1: shared-corpus texts resampled and perturbed), then
runs `voc run` on it twice, each into a fresh store and a fresh voc cache (the ONNX exports and numba cache
linked in, the embedding caches empty, so both runs encode everything): once with
VOC_SENTIMENT__CACHE_POOLED=false (no cache writes) and once with it on (the default: the sentiment runner
pools through voc.lenses.sentiment_pooled and writes every document's and sentence's state). Then
`voc rescore` on the second store, whose first rescore should find every state cached. Prints seconds and
load averages: on a shared machine the seconds are noisy. Writes bench/results/run_pooled_cache.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from voc.paths import cache_dir, results_dir


def _fresh_cache(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("onnx", "numba"):  # exports and compiled code only: the embedding caches start empty
        if (cache_dir() / name).exists() and not (root / name).exists():
            (root / name).symlink_to(cache_dir() / name)
    return root


def _timed(args: list[str], env: dict, log: Path) -> float:
    t0 = time.perf_counter()
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"\n$ voc {' '.join(args)}\n")
        fh.flush()
        subprocess.run([sys.executable, "-m", "voc.cli", *args], stdout=fh, stderr=subprocess.STDOUT,
                       check=True, env=env)  # fmt: skip
    return round(time.perf_counter() - t0, 1)


def main() -> None:
    from bench.scale_corpus import load_pool, write_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/voc-run-pooled"))
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    corpus, log = args.work / "corpus.csv", args.work / "log.txt"
    write_corpus(load_pool(args.shared), args.docs, corpus, seed=1)
    out: dict = {"docs": args.docs, "corpus": "bench.scale_corpus seed 1", "load_before": os.getloadavg()}
    for flag in ("false", "true"):
        env = {**os.environ, "VOC_CACHE_DIR": str(_fresh_cache(args.work / f"cache-{flag}")),
               "VOC_SENTIMENT__CACHE_POOLED": flag}  # fmt: skip
        store = args.work / f"store-{flag}.duckdb"
        out[f"run_cache_pooled_{flag}_seconds"] = _timed(
            ["run", "--input", str(corpus), "--store", str(store), "--quiet"], env, log
        )
        out[f"load_after_run_{flag}"] = os.getloadavg()
    env["VOC_SENTIMENT__CACHE_POOLED"] = "true"
    out["first_rescore_after_run_seconds"] = _timed(["rescore", "--store", str(store), "--quiet"], env, log)
    out["load_after_rescore"] = os.getloadavg()
    out["run_overhead"] = round(
        out["run_cache_pooled_true_seconds"] / out["run_cache_pooled_false_seconds"] - 1, 3
    )
    path = results_dir() / "run_pooled_cache.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(json.dumps(out, indent=1))
    print(f"log: {log}")


if __name__ == "__main__":
    main()
