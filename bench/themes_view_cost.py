"""Cost of the theme view's poolings: encoder pass + pooling time, spans per document, cache bytes per document.

Texts: the first N airline tweets (all sentiments, train split). The encoder runs without its cache, so each
row times one full pass (doc vectors, sentence spans are not included) plus the pooling. Cache bytes count the
float32 vectors the shared pass would store per document for the view's spans (keys and SQLite overhead not
included). Run: python -m bench.themes_view_cost [--n 10000] [--poolings pieces idf]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from voc import datasets


def main() -> None:
    from voc.config import encoder_settings
    from voc.encode.encoder import Encoder
    from voc.lenses.themes.view import pass_spans, theme_vectors

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--poolings", nargs="*", default=["pieces", "idf"])
    args = ap.parse_args()
    texts = datasets.airline("train")["text"].astype(str).tolist()[: args.n]
    enc = Encoder(encoder_settings().model_copy(update={"cache": False}))
    enc.encode(texts[:64])  # load and warm the session outside the timing
    print("| pooling | docs | seconds | docs/s | view spans per doc | cache KB per doc |")
    print("|---|---|---|---|---|---|")
    for pooling in args.poolings:
        t0 = time.perf_counter()
        theme_vectors(enc, texts, pooling)
        secs = time.perf_counter() - t0
        spans = float(np.mean([len(pass_spans(t, pooling)) for t in texts]))
        print(f"| {pooling} | {len(texts)} | {secs:.1f} | {len(texts) / secs:.0f} | {spans:.1f} | "
              f"{spans * enc.dim * 4 / 1024:.1f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
