"""Themes benchmark: voc themes vs BERTopic defaults, each on the MiniLM vectors it fits on in use.

voc fits on the theme view (span pooling without @handles, URLs, greetings: voc.lenses.themes.view), as the
themes stage and voc.evaluate.themes_cx do; BERTopic on the whole text's mean-pooled vector, as its default does.

Run: python -m bench.themes [--sizes 20000 200000] [--out bench/results/themes.json]
Quality rows: BANKING77 test (NMI/ARI vs the 77 intents, every outlier counted as its own cluster),
airline negative tweets of the eval split (reasons as gold, "Can't Tell" left out), women's clothing eval
reviews (NPMI over the corpus itself, topic diversity over top-10 words). Scale rows: documents resampled
with replacement from those three corpora, whole-text embeddings jittered (Gaussian sigma 0.01, re-normalised);
fit + assign time excludes encoding; peak RSS is the fresh subprocess's ru_maxrss.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from pathlib import Path

import pandas as pd

from voc.evaluate.themes import evaluate_themes

COLUMNS = ["method", "corpus", "docs", "themes", "coverage", "nmi", "nmi_themed", "ari", "npmi", "diversity", "fit_s",
           "peak_rss_mb"]  # fmt: skip


def main() -> None:
    """Run the evaluation, print the table and write JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[20_000, 200_000])
    ap.add_argument(
        "--bertopic-max", type=int, default=20_000, help="largest scale run for BERTopic defaults"
    )
    ap.add_argument("--out", default="bench/results/themes.json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    t0 = time.time()
    df = evaluate_themes(None, scale_sizes=args.sizes, bertopic_scale_max=args.bertopic_max)
    pd.set_option("display.width", 220)
    pd.set_option("display.max_colwidth", 90)
    cols = [c for c in COLUMNS if c in df.columns]
    print(__doc__)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; load average {os.getloadavg()}")
    print(df[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if "examples" in df:
        print("\nexample labels:")
        for _, r in df.dropna(subset=["examples"]).iterrows():
            print(f"  {r['method']:>17} {r['corpus']:>9}: {r['examples']}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    payload = {"rows": json.loads(df.to_json(orient="records")), "seconds": round(time.time() - t0, 1)}
    Path(args.out).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    print(f"\nwrote {args.out} ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
