"""Theme-view pooling variants on TRAIN splits: which token spans, weighted how, make the theme vector.

One encoder pass per corpus gives in-context vectors of the theme view's sentence pieces and of every word
inside them (`Encoder.encode_spans` pools arbitrary char spans). Each variant pools those into a document
vector, which is clustered as the themes lens does (bench.themes_frontier.score, default ThemesConfig).
Corpora as in bench.themes_frontier (airline negative train in 3 parts, BANKING77 train sample, clothing
train sample). Variants: base (the pieces' length-weighted mean, view_pooling "pieces"), idf, content, soft
(as voc.lenses.themes.word_pool), idf2 / idfs / idfc / contentdf / sif (other word weightings), "V@S" (share
S of base mixed in), "V+c" (corpus mean subtracted). Vectors are stored as float16, so "base" differs from
bench.themes_frontier's by rounding: that alone moves airline NMI by about 0.02 (the fit is that chaotic),
hence --seeds. Run: python -m bench.themes_view_frontier [--variants base soft] [--corpora ...] [--seeds 42 1 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re

import numpy as np

from voc.config import ThemesConfig, encoder_settings
from voc.paths import cache_dir

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def word_spans(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every word (letters, an inner apostrophe) inside the theme view's pieces."""
    return [(m.start(), m.end()) for a, b in pieces for m in _WORD.finditer(text, a, b)]


def encode_words(texts: list[str], tag: str):
    """(piece vecs, piece spans, word vecs, words) per text from one encoder pass; cached as float16."""
    from voc.encode import get_encoder
    from voc.lenses.themes.view import VIEW_VERSION, theme_spans

    key = hashlib.sha256("\x1f".join([VIEW_VERSION, encoder_settings().model_dump_json(), *texts]).encode())
    path = cache_dir() / "themes_eval" / f"aview-{tag}-{key.hexdigest()[:16]}.npz"
    pieces = [theme_spans(t) for t in texts]
    words = [word_spans(t, p) for t, p in zip(texts, pieces)]
    if not path.exists():
        enc = get_encoder(encoder_settings())
        _, vecs = enc._run(texts, [p + w for p, w in zip(pieces, words)])  # no cache: word spans are many
        np.savez(path, vecs=np.concatenate(vecs).astype(np.float16))
    flat = np.load(path)["vecs"].astype(np.float32)
    out, pos = [], 0
    for t, p, w in zip(texts, pieces, words):
        pv, wv = flat[pos : pos + len(p)], flat[pos + len(p) : pos + len(p) + len(w)]
        pos += len(p) + len(w)
        out.append((pv, p, wv, [t[a:b].lower() for a, b in w]))
    return out


def _norm(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)).astype(np.float32)


def _df(docs) -> dict[str, float]:
    from collections import Counter

    c = Counter(w for _, _, _, ws in docs for w in set(ws))
    return {w: k / len(docs) for w, k in c.items()}


def pool(docs, variant: str) -> np.ndarray:
    """Document vectors of one variant ("base", "content", "idf", "idfc", "sif", "mixA" (A = piece share), "+c")."""
    from voc.lenses.themes.labels import stopwords
    from voc.lenses.themes.view import pool_view

    centre = variant.endswith("+c")
    v = variant.removesuffix("+c")
    stops, df = stopwords(), _df(docs)
    base = pool_view([d[0] for d in docs], [d[1] for d in docs])

    def weights(ws: list[str], kind: str) -> np.ndarray:
        if kind == "content":
            return np.asarray([0.0 if w in stops or len(w) < 3 else 1.0 for w in ws])
        if kind == "soft":  # function words at 0.3
            return np.asarray([0.3 if w in stops or len(w) < 3 else 1.0 for w in ws])
        if kind == "contentdf":  # content words that are not corpus-ubiquitous (df > 10%)
            return np.asarray([0.0 if w in stops or len(w) < 3 or df[w] > 0.1 else 1.0 for w in ws])
        if kind == "idf":
            return np.asarray([np.log(1 / df[w]) + 1 for w in ws])
        if kind == "idf2":
            return np.asarray([(np.log(1 / df[w]) + 1) ** 2 for w in ws])
        if kind == "idfs":  # idf, stopwords at a quarter
            return np.asarray([(np.log(1 / df[w]) + 1) * (0.25 if w in stops else 1.0) for w in ws])
        if kind == "idfc":
            return np.asarray([0.0 if w in stops or len(w) < 3 else np.log(1 / df[w]) for w in ws])
        if kind == "sif":
            return np.asarray([1e-3 / (1e-3 + df[w] / 20) for w in ws])
        raise ValueError(kind)

    if v == "base":
        out = base
    else:
        kind, share = (v.split("@") + ["0"])[:2]
        rows = []
        for i, (_, _, wv, ws) in enumerate(docs):
            w = weights(ws, kind) if ws else np.zeros(0)
            rows.append(_norm(w @ wv) if w.sum() > 0 else base[i])
        out = np.asarray(rows, np.float32)
        if float(share) > 0:
            out = _norm(float(share) * base + (1 - float(share)) * out)
    if centre:
        out = _norm(out - out.mean(axis=0))
    return out


def main() -> None:
    from bench.themes_frontier import corpora, score

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="*", default=["base", "content", "idf", "idfc", "sif"])
    ap.add_argument("--corpora", nargs="*", default=["airline", "banking", "clothing"])
    ap.add_argument("--config", default="{}", help="JSON dict of ThemesConfig fields")
    ap.add_argument("--seeds", nargs="*", type=int, default=[42], help="UMAP seeds to average over (fit noise)")
    args = ap.parse_args()
    parts = [(n, t, g, encode_words(t, n)) for n, t, g in corpora(args.corpora)]
    for variant in args.variants:
        rows: dict[str, list[dict]] = {}
        for name, texts, gold, docs in parts:
            emb = pool(docs, variant)
            for seed in args.seeds:
                cfg = ThemesConfig(**{**json.loads(args.config), "seed": seed})
                rows.setdefault(name.rstrip("012"), []).append(score(texts, emb, gold, cfg))
        for corpus, rs in rows.items():
            mean = {k: round(float(np.mean([r[k] for r in rs])), 3) for k in rs[0]}
            print(variant, args.config, corpus, json.dumps(mean), [r["themes"] for r in rs], flush=True)


if __name__ == "__main__":
    main()
