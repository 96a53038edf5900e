"""Sub-cause lens speed: predict over already-encoded documents (no encoder pass), best of 3.

Run: python -m bench.subcause [--docs 20000]
Docs are the training part of the hand-written sub-cause dev set (data/rootcause/subcause_dev.jsonl) resampled
to --docs, encoded once by the shared encoder (cached); only the lens is timed, with the root-cause lens
beside it for reference. Results go to bench/results/subcause.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from voc.evaluate.subcause import throughput
from voc.lenses.rootcause import RootCauseLens
from voc.lenses.subcause_model import SubCauseModel
from voc.train.rootcause_corpus import encode_texts
from voc.train.subcause_corpus import load_subcause_dev

RESULTS = Path(__file__).resolve().parent / "results" / "subcause.json"


def main(argv: list[str] | None = None) -> int:
    """Print and save docs/s of the sub-cause and root-cause lenses over encoded documents."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20000)
    args = ap.parse_args(argv)
    enc = encode_texts(load_subcause_dev(part="train")["text"].tolist(), tag="sc-dev")
    out = {
        "docs": args.docs,
        "subcause_docs_per_s": round(throughput(SubCauseModel.load(), enc, args.docs)),
        "rootcause_docs_per_s": round(throughput(RootCauseLens.load(), enc, args.docs)),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print("| lens | docs/s over encoded docs |\n|---|---|")
    print(f"| subcause | {out['subcause_docs_per_s']:,} |\n| rootcause | {out['rootcause_docs_per_s']:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
