"""Clustering variants of the themes lens on TRAIN splits: NMI, coverage, theme count, NPMI, clustering CPU.

Each variant is a JSON dict of ThemesConfig fields. Corpora: airline negative train tweets ("Can't Tell" left
out) cut into 3 disjoint parts of 1,615 (the eval split's size), a seeded 3,080-query BANKING77 train sample
(the test split's size) and a 6,000-review clothing train sample. Clustering only (no labels): keywords are
c-TF-IDF on the label text, as the lens computes them. With {"units": "span"} the spans are clustered and
each document scored by its primary (most salient span's) theme.
Run: python -m bench.themes_frontier '{}' '{"merge_threshold": 1.0}' [--corpora airline banking clothing]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from voc import datasets
from voc.config import ThemesConfig
from voc.evaluate.themes import npmi_coherence, top_words
from voc.evaluate.themes_cx import view_units, view_vectors
from voc.lenses.themes.spans import document_themes, in_context


def _subset(texts, gold, n: int, seed: int = 0):
    idx = np.sort(np.random.default_rng(seed).choice(len(texts), size=min(n, len(texts)), replace=False))
    return [texts[i] for i in idx], None if gold is None else gold[idx]


def corpora(names: list[str]):
    """(name, texts, gold or None) per part."""
    if "airline" in names:
        df = datasets.airline("train")
        df = df[(df["sentiment"] == "negative") & (df["reason"] != "Can't Tell")]
        texts, gold = df["text"].astype(str).tolist(), df["reason"].to_numpy()
        perm = np.random.default_rng(0).permutation(len(texts))
        for p in range(3):
            idx = np.sort(perm[p * 1615 : (p + 1) * 1615])
            yield f"airline{p}", [texts[i] for i in idx], gold[idx]
    if "banking" in names:
        df = datasets.banking77("train")
        yield "banking", *_subset(df["text"].astype(str).tolist(), df["category"].to_numpy(), 3080)
    if "clothing" in names:
        yield "clothing", *_subset(datasets.womens_clothing("train")["text"].astype(str).tolist(), None, 6000)


def score(texts: list[str], emb: np.ndarray, gold, cfg: ThemesConfig) -> dict:
    """Fit the children as the lens does, apply the Other floor, and score the partition."""
    from sklearn.metrics import normalized_mutual_info_score

    from voc.lenses.themes import fit as F
    from voc.lenses.themes import labels as L
    from voc.lenses.themes.lexical import hybrid, lexical_vectors
    from voc.lenses.themes.view import label_text, view_text

    t0 = time.process_time()
    units = view_units(texts) if cfg.units == "span" else None
    rows = units.texts(texts) if units is not None else texts
    s = F.normalize(emb if units is None else in_context(units, emb))
    space = None
    if cfg.lexical_weight > 0:
        space = hybrid(s, lexical_vectors([view_text(t) for t in rows], seed=cfg.seed), cfg.lexical_weight)
    no_seeds = np.zeros((0, s.shape[1]), np.float32)
    lab, cents, _ = F.fit_children(
        s, cfg.reduction, cfg.clustering, cfg.seed, no_seeds, cfg.seed_threshold, cfg.min_theme_size,
        cfg.merge_threshold, space,
    )  # fmt: skip
    cpu = time.process_time() - t0
    ids = np.arange(1, len(cents) + 1)
    sim = np.einsum("ij,ij->i", s, cents[lab])
    lab = np.where(sim >= cfg.other_threshold, ids[lab], 0)
    if units is not None:  # each document takes its most salient span's theme (spans.py)
        doc = F.normalize(emb)[units.owner]
        salience = np.where(lab == 0, -np.inf, np.einsum("ij,ij->i", doc, cents[np.maximum(lab - 1, 0)]))
        lab = document_themes(units, lab, salience, len(texts))[0]
    kws = L.ctfidf_keywords([label_text(t) for t in texts], lab, ids, 10)
    out = {"themes": len(cents), "coverage": float((lab != 0).mean()), "cpu_s": cpu,
           "npmi": npmi_coherence([top_words(k) for k in kws], texts)}  # fmt: skip
    if gold is not None:
        out["nmi"] = float(normalized_mutual_info_score(gold, lab))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("variants", nargs="*", default=["{}"], help="JSON dicts of ThemesConfig fields")
    ap.add_argument("--corpora", nargs="*", default=["airline", "banking", "clothing"])
    args = ap.parse_args()
    parts = list(corpora(args.corpora))
    for spec in args.variants:
        cfg = ThemesConfig(**json.loads(spec))
        rows: dict[str, list[dict]] = {}
        for name, texts, gold in parts:
            emb = view_vectors(texts, f"frontier-{name}", cfg.view_pooling)
            rows.setdefault(name.rstrip("012"), []).append(score(texts, emb, gold, cfg))
        for corpus, rs in rows.items():
            mean = {k: round(float(np.mean([r[k] for r in rs])), 3) for k in rs[0]}
            print(spec, corpus, json.dumps(mean), "themes per part:", [r["themes"] for r in rs], flush=True)


if __name__ == "__main__":
    main()
