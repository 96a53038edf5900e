"""Journey-stage + churn lens speed over already-encoded documents (no encoder in the timing).

Run: python -m bench.journey [--docs 20000]
Docs are the two hand-written dev sets (data/journey, data/churn; 1,370 texts) resampled to --docs and
encoded once by the shared encoder (cached); both lenses' predict calls are timed together.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from voc.lenses.churn import ChurnLens
from voc.lenses.journey import JourneyLens
from voc.train.journey import churn_dev, journey_dev
from voc.train.rootcause_corpus import encode_texts


def main() -> None:
    """Print docs/s of journey + churn over encoded documents (best of 3)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=20000)
    args = parser.parse_args()
    texts = journey_dev()["text"].tolist() + churn_dev()["text"].tolist()
    enc = encode_texts(texts, tag="journey-bench")
    idx = np.arange(args.docs) % len(texts)
    t = [enc.texts[i] for i in idx]
    sp = [enc.spans[i] for i in idx]
    sv = [enc.sent_vecs[i] for i in idx]
    dv = enc.doc_vecs[idx]
    journey, churn = JourneyLens.load(), ChurnLens.load()
    journey.predict(t[:200], sp[:200], dv[:200], sv[:200])
    times = []
    for _ in range(3):
        start = time.perf_counter()
        journey.predict(t, sp, dv, sv)
        churn.predict(t, sp, dv, sv)
        times.append(time.perf_counter() - start)
    print(json.dumps({"docs": args.docs, "journey_plus_churn_docs_per_s": round(args.docs / min(times))}))


if __name__ == "__main__":
    main()
