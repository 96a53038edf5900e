"""Themes as a CX lead sees them: NMI on noisy feedback, label quality, the largest themes and their parents.

Corpora: airline negative tweets (eval split, reasons as gold, "Can't Tell" left out; train split for
tuning), the whole airline file (labels and the top-15 table), women's clothing reviews (eval split) and the
demo store (documents as the pipeline stored them, joined to data/demo/truth.csv; the primary true theme is
the first listed, "none" when a document has none). Run: python -m voc.evaluate.themes_cx [--store DEMO]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from voc import datasets
from voc.evaluate.themes import encode_cached, encode_phrases_cached, npmi_coherence, top_words
from voc.paths import PROJECT_ROOT, cache_dir

log = logging.getLogger(__name__)


def view_vectors(texts: list[str], tag: str, pooling: str | None = None) -> np.ndarray:
    """Theme-view vectors (span pooling in one encoder pass), cached as .npy next to the eval vectors.

    pooling: ThemesConfig.view_pooling; None = the configured one (with any command-line overrides).
    """
    import hashlib

    from voc.config import ThemesConfig, encoder_settings
    from voc.encode import get_encoder
    from voc.lenses.themes.view import VIEW_VERSION, theme_vectors

    pooling = pooling or ThemesConfig(**OVERRIDES).view_pooling
    payload = "\x1e".join(
        [encoder_settings().model_dump_json(), f"view-v{VIEW_VERSION}-{pooling}", "\x1f".join(texts)]
    )
    path = cache_dir() / "themes_eval" / f"{tag}-view-{hashlib.sha256(payload.encode()).hexdigest()[:16]}.npy"
    if path.exists():
        return np.load(path)
    vecs = theme_vectors(get_encoder(encoder_settings()), texts, pooling)[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


def vectors(texts: list[str], tag: str, view: bool) -> np.ndarray:
    """The vectors the themes lens fits on: the theme view, or (view=False, the old way) doc vectors."""
    return view_vectors(texts, tag) if view else encode_cached(texts, tag=tag)


def demo_frame(store_path: str | Path, languages: list[str] | None = None) -> pd.DataFrame:
    """Demo documents the store's themes stage fits on (text as stored), with their primary true theme.

    Like the stage (voc.engine.themes_stage._sample), documents in a language the encoder does not cover
    (the demo's Spanish ones) are left out: they get their language group, not a fitted theme.
    """
    import duckdb

    from voc.config import encoder_settings

    covered = [*(languages or encoder_settings().languages), "und", ""]
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        docs = con.execute(
            "SELECT source, source_id, text FROM documents WHERE coalesce(language, 'und') IN "
            f"({', '.join('?' for _ in covered)}) ORDER BY doc_id",
            covered,
        ).df()
    finally:
        con.close()
    truth = pd.read_csv(PROJECT_ROOT / "data" / "demo" / "truth.csv", dtype=str)
    truth["primary"] = truth["themes"].fillna("").str.split(";").str[0].replace("", "none")
    docs["file"] = docs["source"].map(lambda s: Path(str(s)).name)
    return docs.merge(
        truth[["file", "id", "primary"]], left_on=["file", "source_id"], right_on=["file", "id"]
    )


OVERRIDES: dict = {}  # ThemesConfig fields set from the command line (--lexical-weight, --set)


def view_units(texts: list[str]):
    """The theme view's span units (spans.py) from the encoder's cached span vectors."""
    from voc.config import encoder_settings
    from voc.encode import get_encoder
    from voc.lenses.themes.spans import span_units
    from voc.lenses.themes.view import theme_vectors

    _, spans, span_vecs = theme_vectors(get_encoder(encoder_settings()), texts)
    return span_units(texts, spans, span_vecs)


def fit(texts: list[str], emb: np.ndarray):
    """Fit the themes lens with its defaults (plus any command-line overrides)."""
    from voc.config import ThemesConfig
    from voc.lenses.themes import ThemeModel

    cfg = ThemesConfig(**OVERRIDES)
    return ThemeModel.fit(texts, emb, cfg, encode_phrases_cached(), view_units(texts))


def top_table(model, n: int = 15) -> pd.DataFrame:
    """The n largest child themes with their share and parent label."""
    t = model.themes
    names = dict(zip(t["theme_id"], t["label"]))
    kids = t[(t["level"] == 1)].sort_values("size", ascending=False).head(n)
    total = int(t.loc[t["level"] == 1, "size"].sum())
    return pd.DataFrame({
        "theme": kids["label"].to_numpy(), "docs": kids["size"].astype(int).to_numpy(),
        "share": (kids["size"] / max(total, 1)).round(3).to_numpy(),
        "parent": [names.get(p, "") if pd.notna(p) else "" for p in kids["parent_id"]],
    })  # fmt: skip


def bad_labels(model, texts: list[str]) -> list[str]:
    """Child and parent labels a CX lead would reject (handle, hashtag, platform word, name, number, empty)."""
    from voc.lenses.themes.label_rules import bad_label, corpus_rules

    rules = corpus_rules(texts)
    t = model.themes
    return [
        str(lab) for lab, tid in zip(t["label"], t["theme_id"]) if tid != 0 and bad_label(str(lab), rules)
    ]


def _stem(word: str) -> str:
    return word.lower()[:5]


def label_match(model, primary: np.ndarray) -> tuple[float, dict[str, str]]:
    """Share of true themes whose best-matching theme (most shared docs) has a label sharing a content word.

    True names are split on anything not a letter ("app_login", "Late Flight"); words match on 5 letters.
    """
    from voc.lenses.themes.labels import stopwords

    names = model.display_labels()
    lab = model.labels_
    out = {}
    for true in sorted(set(primary) - {"none"}):
        members = lab[primary == true]
        members = members[members != 0]
        if not len(members):
            out[true] = ""
            continue
        out[true] = names[int(pd.Series(members).value_counts().idxmax())]
    stops = stopwords()
    hits = [
        bool(
            {_stem(w) for w in re.findall(r"[a-z]+", true.lower())}
            & {_stem(w) for w in re.findall(r"[a-z]+", lab.lower()) if w not in stops}
        )
        for true, lab in out.items()
    ]
    return float(np.mean(hits)) if hits else float("nan"), out


def _matches(model, gold: np.ndarray) -> dict:
    share, matches = label_match(model, np.asarray(gold, dtype=object))
    return {"label_match": round(share, 3), "matches": matches}


def parent_coherence(model) -> float:
    """Size-weighted mean cosine of child centroids to their parent's centroid, parents with 2+ children."""
    t = model.themes
    kids = t[(t["level"] == 1) & t["parent_id"].notna()]
    n_kids = kids["parent_id"].value_counts()
    kids = kids[kids["parent_id"].map(n_kids) > 1]
    if kids.empty:
        return float("nan")
    cents = dict(zip(t["theme_id"], t["centroid"]))
    sims = [float(np.dot(c, cents[int(p)])) for c, p in zip(kids["centroid"], kids["parent_id"])]
    return round(float(np.average(sims, weights=kids["size"].astype(float) + 1e-9)), 3)


def parent_spread(model) -> dict:
    """How parents group: the largest parent's share of themed documents, and the coherence of children to
    their parents after removing what all children share (centred centroids; raw cosine is high for every
    pair in a one-domain corpus, so the raw figure cannot see a lumped hierarchy)."""
    from voc.lenses.themes.hierarchy import centred, parent_coherence as coherence

    t = model.themes
    kids = t[(t["level"] == 1) & t["parent_id"].notna() & (t["theme_id"] != 0)]
    if kids.empty:
        return {"largest_parent_share": float("nan"), "parent_coherence_centred": float("nan")}
    sizes = kids["size"].astype(float).to_numpy()
    groups = pd.factorize(kids["parent_id"])[0]
    cents = centred(np.stack(kids["centroid"].to_list()).astype(np.float64), sizes)
    largest = max(sizes[groups == g].sum() for g in set(groups)) / max(sizes.sum(), 1)
    return {"largest_parent_share": round(float(largest), 3),
            "parent_coherence_centred": round(coherence(cents, sizes, groups), 3)}  # fmt: skip


def _nmi(gold, model) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    lab = model.labels_
    kids = model.themes[(model.themes["level"] == 1) & (model.themes["theme_id"] != 0)]
    return {"themes": len(kids), "coverage": round(float((lab != 0).mean()), 3),
            "nmi": round(float(normalized_mutual_info_score(gold, lab)), 3),
            "parents": int((model.themes["level"] == 0).sum()),
            "parent_coherence": parent_coherence(model), **parent_spread(model)}  # fmt: skip


def _npmi(model, texts) -> float:
    kids = model.themes[(model.themes["level"] == 1) & (model.themes["theme_id"] != 0)]
    return round(npmi_coherence([top_words(k) for k in kids["keywords"]], texts), 3)


def evaluate_cx(view: bool, store: str | None, corpora: tuple[str, ...], report=None) -> dict:
    """Figures and top-15 tables for the chosen corpora."""
    out: dict = {"view": view}
    for name in corpora:
        if name in ("airline-eval", "airline-train"):
            split = name.split("-")[1]
            df = datasets.airline(split)
            df = df[(df["sentiment"] == "negative") & (df["reason"] != "Can't Tell")]
            texts = df["text"].astype(str).tolist()
            model = fit(texts, vectors(texts, f"air{split}neg", view))
            out[name] = {**_nmi(df["reason"].to_numpy(), model), "npmi": _npmi(model, texts),
                         **_matches(model, df["reason"].to_numpy()),
                         "bad_labels": bad_labels(model, texts), "top": top_table(model).to_dict("records")}  # fmt: skip
        elif name in ("banking-eval", "banking-train"):
            split = name.split("-")[1]
            df = datasets.banking77(split)
            texts = df["text"].astype(str).tolist()
            model = fit(texts, vectors(texts, "bank" if split == "eval" else "banktrain", view))
            out[name] = {**_nmi(df["category"].to_numpy(), model), **_matches(model, df["category"].to_numpy())}
        elif name == "airline-full":
            texts = datasets.airline()["text"].astype(str).tolist()
            model = fit(texts, vectors(texts, "airfull", view))
            bad = bad_labels(model, texts)
            out[name] = {"themes": int((model.themes["level"] == 1).sum()) - 1, "bad_labels": bad,
                         "labels": int((model.themes["theme_id"] != 0).sum()),
                         "parent_coherence": parent_coherence(model), **parent_spread(model),
                         "top": top_table(model).to_dict("records")}  # fmt: skip
        elif name in ("clothing-eval", "clothing-train"):
            texts = datasets.womens_clothing(name.split("-")[1])["text"].astype(str).tolist()
            model = fit(texts, vectors(texts, name, view))
            out[name] = {**_nmi(np.zeros(len(texts)), model), "npmi": _npmi(model, texts),
                         "top": top_table(model).to_dict("records")}  # fmt: skip
        elif name == "demo" and store:
            df = demo_frame(store)
            texts = df["text"].astype(str).tolist()
            model = fit(texts, vectors(texts, "demo", view))
            primary = df["primary"].to_numpy()
            share, matches = label_match(model, primary)
            some = primary != "none"
            from sklearn.metrics import normalized_mutual_info_score

            out[name] = {**_nmi(primary, model), "docs": len(texts),
                         "nmi_themed_docs": round(float(normalized_mutual_info_score(primary[some], model.labels_[some])), 3),
                         "label_match": round(share, 3), "matches": matches,
                         "bad_labels": bad_labels(model, texts), "top": top_table(model).to_dict("records")}  # fmt: skip
        if name in out and report is not None:
            report(name, out[name])
    return out


def _print(name: str, row: dict) -> None:
    print(name, json.dumps({k: v for k, v in row.items() if k not in ("top", "matches")}), flush=True)
    if "top" in row:
        print(pd.DataFrame(row["top"]).to_string(index=False), flush=True)
    if "matches" in row:
        print("  true theme -> best-matching label:", json.dumps(row["matches"]), flush=True)


def main() -> None:
    """Print the figures as JSON lines and the top-15 tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="a demo store (voc demo --store PATH --no-app)")
    ap.add_argument("--doc-vectors", action="store_true", help="fit on plain doc vectors (the old way)")
    ap.add_argument("--corpora", nargs="*", default=["airline-eval", "clothing-eval", "airline-full", "demo"])
    ap.add_argument("--out", default=None)
    ap.add_argument("--lexical-weight", type=float, default=None, help="themes.lexical_weight (default: off)")
    ap.add_argument("--set", nargs="*", default=[], metavar="FIELD=JSON",
                    help='ThemesConfig fields, e.g. merge_threshold=1.0 clustering=\'{"min_samples": 5}\'')
    args = ap.parse_args()
    if args.lexical_weight is not None:
        OVERRIDES["lexical_weight"] = args.lexical_weight
    for item in args.set:
        field, sep, value = item.partition("=")
        if not sep:
            ap.error(f"--set {item!r}: write FIELD=JSON")
        OVERRIDES[field] = json.loads(value)
    logging.basicConfig(level=logging.WARNING)
    pd.set_option("display.width", 200)
    res = evaluate_cx(not args.doc_vectors, args.store, tuple(args.corpora), _print)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
