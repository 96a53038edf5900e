"""Themes evaluation: voc themes next to BERTopic defaults on the same precomputed embeddings."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from voc import datasets
from voc.config import ThemesConfig, encoder_settings
from voc.paths import cache_dir

log = logging.getLogger(__name__)

CORPORA = ("banking77", "airline", "clothing")


@lru_cache(maxsize=1)
def _encoder():
    from voc.encode import get_encoder

    return get_encoder(encoder_settings())


def _encode_uncached(texts: list[str]) -> np.ndarray:
    """Encode with the shared encoder (its own embedding cache still applies)."""
    return np.asarray(_encoder().encode(texts), dtype=np.float32)


def encode_cached(texts: Sequence[str], tag: str = "eval") -> np.ndarray:
    """Embeddings of `texts`, cached as .npy under the voc cache (keyed by the encoder settings and the texts)."""

    texts = [str(t) for t in texts]
    payload = "\x1e".join([encoder_settings().model_dump_json(), "\x1f".join(texts)])
    key = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    folder = cache_dir() / "themes_eval"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{tag}-{key}.npy"
    if path.exists():
        return np.load(path)
    emb = _encode_uncached(texts)
    np.save(path, emb)
    return emb


def load_corpus(name: str) -> tuple[list[str], np.ndarray | None, np.ndarray]:
    """Texts, gold labels (or None) and embeddings of an evaluation corpus (eval splits only)."""
    if name == "banking77":
        df = datasets.banking77("eval")
        gold = df["category"].to_numpy()
    elif name == "airline":
        df = datasets.airline("eval")
        df = df[(df["sentiment"] == "negative") & (df["reason"] != "Can't Tell")]
        gold = df["reason"].to_numpy()
    elif name == "clothing":
        df = datasets.womens_clothing("eval")
        gold = None
    else:
        raise ValueError(f"unknown corpus {name!r}; choose from {CORPORA}")
    texts = df["text"].astype(str).tolist()
    return texts, gold, encode_cached(texts, tag=name)


def encode_phrases_cached() -> Callable[[list[str]], np.ndarray]:
    """A phrase encoder for labels (uncached; phrases are few)."""
    return lambda phrases: _encode_uncached(list(phrases)) if phrases else np.zeros((0, 384), np.float32)


# ---- metrics -------------------------------------------------------------------------------------
def outliers_as_singletons(labels: np.ndarray, outlier: int) -> np.ndarray:
    """Give every outlier doc its own cluster id, so outliers are counted, not dropped."""
    lab = np.asarray(labels, dtype=np.int64).copy()
    m = lab == outlier
    lab[m] = lab.max() + 1 + np.arange(m.sum())
    return lab


def _doc_words(texts: Sequence[str]):
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(binary=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    return vec.fit_transform(texts).tocsc(), vec.vocabulary_


def top_words(keywords: list[str], n: int = 10) -> list[str]:
    """The first n distinct words of a keyword list (bigrams split into words)."""
    out: list[str] = []
    for k in keywords:
        for w in str(k).lower().split():
            if w not in out:
                out.append(w)
    return out[:n]


def npmi_coherence(topics: list[list[str]], texts: Sequence[str]) -> float:
    """Mean NPMI over word pairs of each topic's top words, document co-occurrence in `texts` itself."""
    X, vocab = _doc_words(texts)
    n_docs = X.shape[0]
    scores = []
    for words in topics:
        ids = [vocab[w] for w in words if w in vocab]
        pairs = []
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                ca, cb = X[:, ids[a]], X[:, ids[b]]
                pa, pb = ca.sum() / n_docs, cb.sum() / n_docs
                pab = ca.multiply(cb).sum() / n_docs
                pairs.append(
                    -1.0 if pab == 0 else (np.log(pab / (pa * pb)) / -np.log(pab) if pab < 1 else 1.0)
                )
        if pairs:
            scores.append(float(np.mean(pairs)))
    return float(np.mean(scores)) if scores else float("nan")


def topic_diversity(topics: list[list[str]]) -> float:
    """Share of unique words among all topics' top words."""
    words = [w for t in topics for w in t]
    return len(set(words)) / len(words) if words else float("nan")


# ---- runners -------------------------------------------------------------------------------------
def run_voc(texts: list[str], emb: np.ndarray, cfg=None) -> dict:
    """Fit voc's themes; labels per doc (Other = -1), top words per theme, fit time."""
    from voc.lenses.themes import OTHER_ID, ThemeModel

    t0 = time.perf_counter()
    model = ThemeModel.fit(texts, emb, cfg or ThemesConfig(), encode_phrases_cached())
    secs = time.perf_counter() - t0
    lab = np.where(model.labels_ == OTHER_ID, -1, model.labels_)
    kids = model.themes[(model.themes["level"] == 1) & (model.themes["theme_id"] != OTHER_ID)]
    return {"labels": lab, "topics": [top_words(k) for k in kids["keywords"]], "fit_s": secs,
            "examples": kids["label"].head(8).tolist(), "timings": model.timings}  # fmt: skip


def run_bertopic_default(texts: list[str], emb: np.ndarray, seed: int = 42) -> dict:
    """BERTopic with its default blocks on the same embeddings (UMAP seeded for repeatability)."""
    from bertopic import BERTopic
    from umap import UMAP

    umap = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", low_memory=False, random_state=seed
    )
    t0 = time.perf_counter()
    model = BERTopic(umap_model=umap, calculate_probabilities=False)
    topics, _ = model.fit_transform(texts, embeddings=emb)
    secs = time.perf_counter() - t0
    info = model.get_topic_info()
    ids = [t for t in info["Topic"] if t != -1]
    return {"labels": np.asarray(topics), "topics": [top_words([w for w, _ in model.get_topic(t)]) for t in ids],
            "fit_s": secs, "examples": info.loc[info["Topic"] != -1, "Name"].head(8).tolist()}  # fmt: skip


def _row(method: str, corpus: str, res: dict, texts: list[str], gold: np.ndarray | None) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    lab = res["labels"]
    row = {"method": method, "corpus": corpus, "docs": len(texts), "themes": len(res["topics"]),
           "coverage": float((lab != -1).mean()), "fit_s": round(res["fit_s"], 1)}  # fmt: skip
    if gold is not None:
        full = outliers_as_singletons(lab, -1)
        row["nmi"] = float(normalized_mutual_info_score(gold, full))
        row["ari"] = float(adjusted_rand_score(gold, full))
        covered = lab != -1  # NMI over themed docs only: outlier singletons inflate NMI
        row["nmi_themed"] = float(normalized_mutual_info_score(gold[covered], lab[covered]))
    if corpus in ("airline", "clothing"):
        row["npmi"] = npmi_coherence(res["topics"], texts)
        row["diversity"] = topic_diversity(res["topics"])
    row["examples"] = " | ".join(res["examples"][:5])
    return row


def resampled(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """n docs resampled with replacement from the three eval corpora; embeddings jittered (sigma 0.01)."""
    texts, embs = [], []
    for name in CORPORA:
        t, _, e = load_corpus(name)
        texts += t
        embs.append(e)
    pool = np.concatenate(embs)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(pool), size=n)
    emb = pool[idx] + rng.normal(0, 0.01, size=(n, pool.shape[1])).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return [texts[i] for i in idx], emb.astype(np.float32)


def scale_run(method: str, n: int) -> dict:
    """Fit (and assign) on n resampled docs in this process; fit time and peak RSS (encoding excluded)."""
    import resource

    texts, emb = resampled(n)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res = run_voc(texts, emb) if method == "voc" else run_bertopic_default(texts, emb)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"method": method, "corpus": f"resampled-{n // 1000}k", "docs": n, "themes": len(res["topics"]),
            "coverage": float((res["labels"] != -1).mean()), "fit_s": round(res["fit_s"], 1),
            "peak_rss_mb": round(peak), "rss_before_fit_mb": round(base_rss)}  # fmt: skip


def _scale_subprocess(method: str, n: int, timeout: int = 1800) -> dict:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "voc.evaluate.themes", "--scale", method, str(n)]
    out = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        log.error("scale run %s %d failed: %s", method, n, out.stderr[-2000:])
        return {"method": method, "corpus": f"resampled-{n // 1000}k", "docs": n, "error": out.stderr[-300:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def evaluate_themes(out_json: str | Path | None = None, scale_sizes: Sequence[int] = (20_000,),
                    bertopic_scale_max: int = 20_000) -> pd.DataFrame:  # fmt: skip
    """One table: voc themes vs BERTopic defaults on BANKING77, airline, clothing and resampled scale runs."""
    from voc.evaluate.themes_cx import view_vectors

    rows = []
    for corpus in CORPORA:
        texts, gold, emb = load_corpus(corpus)
        view = view_vectors(texts, corpus)  # what the themes lens fits on; BERTopic embeds the whole text
        for method, fn, vecs in (("voc", run_voc, view), ("bertopic-default", run_bertopic_default, emb)):
            res = fn(texts, vecs)
            rows.append(_row(method, corpus, res, texts, gold))
            log.info("%s", rows[-1])
    for n in scale_sizes:
        rows.append(_scale_subprocess("voc", n))
        if n <= bertopic_scale_max:
            rows.append(_scale_subprocess("bertopic-default", n))
    df = pd.DataFrame(rows)
    if out_json:
        Path(out_json).parent.mkdir(parents=True, exist_ok=True)
        Path(out_json).write_text(df.to_json(orient="records", indent=1), encoding="utf-8")
    return df


if __name__ == "__main__":  # the fresh-process worker of _scale_subprocess: --scale METHOD N
    import sys

    logging.basicConfig(level=logging.WARNING)
    print(json.dumps(scale_run(sys.argv[2], int(sys.argv[3]))))  # noqa: T201 - read by the parent process
