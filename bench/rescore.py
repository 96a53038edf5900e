"""Time `voc rescore` on a large store: `python -m bench.rescore --store S [--build N]`.

`--build N` first writes N synthetic documents (bench.scale_corpus: shared-corpus texts resampled and
perturbed, said in the output) and stores them with `voc run` (timed too, so the two compare on the same
machine state), unless the store already exists. Then `voc rescore --fresh` runs twice in a child process,
timed end to end (model loading included): cold (the sentiment encoder runs and its pooled states are
cached) and warm (cached states; a re-adapted head on the same encoder costs the same). The load average is
printed after each step: on a shared machine the seconds are noisy. `voc run` fills the pooled-state cache
itself (sentiment.cache_pooled, on by default), so to time a cold rescore build with
VOC_SENTIMENT__CACHE_POOLED=false. `--warm-only` skips the cold rescore (a replicated store repeats its texts).
Writes bench/results/rescore-<store name>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from voc.paths import results_dir


def _voc(*args: str, log: Path) -> float:
    """Seconds to run `python -m voc.cli ARGS` (output appended to log); raises if it fails."""
    t0 = time.perf_counter()
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"\n$ voc {' '.join(args)}\n")
        fh.flush()
        subprocess.run(
            [sys.executable, "-m", "voc.cli", *args], stdout=fh, stderr=subprocess.STDOUT, check=True
        )
    return time.perf_counter() - t0


def replicate(src: Path, dest: Path, times: int) -> dict:
    """dest = src with its documents, predictions and sentences copied `times` times under new doc_ids.

    The copies repeat the texts, so both caches (embeddings, pooled sentiment states) hit for every copy: a
    rescore of dest measures the warm path on times x as many stored documents (said in the output). The
    copies' ids sort after the originals', copy by copy, so each rescore page still holds distinct texts.
    """
    import shutil

    import duckdb

    shutil.copyfile(src, dest)
    con = duckdb.connect(str(dest))
    for k in range(1, times):
        for table in ("documents", "predictions", "sentences"):
            con.execute(
                f"INSERT INTO {table} SELECT * REPLACE ('zz{k:03d}~' || doc_id AS doc_id) FROM {table} "
                "WHERE doc_id NOT LIKE 'zz%~%'"
            )
    n = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    con.close()
    return {"from": str(src), "times": times, "documents": int(n), "note": "texts repeat: warm caches"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument(
        "--build", type=int, default=0, help="build the store with N synthetic documents if absent"
    )
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--log", type=Path, default=None)
    parser.add_argument(
        "--replicate-from", type=Path, default=None, help="build --store as K copies of this store"
    )
    parser.add_argument("--times", type=int, default=5, help="K for --replicate-from")
    parser.add_argument(
        "--warm-only", action="store_true", help="skip the cold rescore (caches already warm)"
    )
    args = parser.parse_args()
    log = args.log or args.store.with_suffix(".log")
    out: dict = {"store": str(args.store), "load_before": os.getloadavg()}
    if args.replicate_from is not None and not args.store.exists():
        out["replicated"] = replicate(args.replicate_from, args.store, args.times)
    if args.build and not args.store.exists():
        from bench.scale_corpus import load_pool, write_corpus

        corpus = args.store.with_suffix(".csv")
        if not corpus.is_file():  # else written by an earlier --build (same size, seed 0)
            write_corpus(load_pool(args.shared), args.build, corpus)
        out["build"] = {"rows": args.build, "corpus": "bench.scale_corpus (shared texts resampled and perturbed)",
                        "run_seconds": round(_voc("run", "--input", str(corpus), "--store", str(args.store),
                                                        "--quiet", log=log), 1)}  # fmt: skip
        out["load_after_build"] = os.getloadavg()
    from voc.store import Store

    out["documents"] = Store(args.store, read_only=True).count("documents")
    out["voc_sentiment__cache_pooled"] = os.environ.get("VOC_SENTIMENT__CACHE_POOLED", "default (true)")
    for name in (
        ("warm",) if args.warm_only else ("cold", "warm")
    ):  # cold: the sentiment encoder runs, its states are cached
        out[f"rescore_{name}_seconds"] = round(
            _voc("rescore", "--store", str(args.store), "--fresh", "--quiet", log=log), 1
        )
        out[f"rescore_{name}_docs_per_s"] = round(out["documents"] / out[f"rescore_{name}_seconds"], 1)
        out[f"load_after_{name}"] = os.getloadavg()
    if "build" in out:
        for name in ("cold", "warm"):
            if f"rescore_{name}_seconds" in out:
                out[f"ratio_rescore_{name}_to_run"] = round(
                    out[f"rescore_{name}_seconds"] / out["build"]["run_seconds"], 3
                )
    path = results_dir() / f"rescore-{args.store.stem}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
