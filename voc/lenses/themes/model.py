"""ThemeModel: fit themes on precomputed embeddings, assign new documents, save and load."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from voc.config import ThemesConfig
from voc.errors import ModelError
from voc.lenses.themes import fit as _fit
from voc.lenses.themes import hierarchy, labels
from voc.lenses.themes.label_rules import corpus_rules
from voc.lenses.themes.lexical import hybrid, lexical_vectors
from voc.lenses.themes.parent_labels import parent_labels
from voc.lenses.themes.phrases import Candidates
from voc.lenses.themes.spans import SpanUnits, closer_themes, document_themes, in_context, unit_themes
from voc.lenses.themes.view import label_text, view_text

log = logging.getLogger(__name__)

OTHER_ID = 0
OTHER_LABEL = "Other"
THEME_COLUMNS = (
    "theme_id", "label", "keywords", "parent_id", "level", "size", "centroid",
    "status", "created_run", "updated_run", "user_label", "pinned",
)  # fmt: skip


def empty_themes() -> pd.DataFrame:
    """An empty themes table with the store's columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in THEME_COLUMNS})


def _row(tid, label, kws, parent, level, size, cent, user_label=None, pinned=False) -> dict:
    return {
        "theme_id": int(tid), "label": label, "keywords": list(kws), "parent_id": parent, "level": level,
        "size": int(size), "centroid": np.asarray(cent, np.float32), "status": "active",
        "created_run": None, "updated_run": None, "user_label": user_label, "pinned": bool(pinned),
    }  # fmt: skip


class ThemeModel:
    """Fitted themes (store `themes` rows with centroids and keywords); assigns documents by centroid."""

    def __init__(self, themes: pd.DataFrame, other_threshold: float = 0.3, labels_: np.ndarray | None = None):
        self.themes = themes.reset_index(drop=True)
        self.other_threshold = float(other_threshold)
        self.labels_ = labels_
        self.secondary_: list[list[int]] | None = None  # per fitted document, its other span themes (span units)
        self.timings: dict[str, float] = {}
        self.parent_coherence = float("nan")  # size-weighted child-to-parent centroid cosine, set by fit

    # ---- fit -------------------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        embeddings: np.ndarray,
        cfg: ThemesConfig,
        encode_phrases: Callable[[list[str]], np.ndarray],
        units: SpanUnits | None = None,
    ) -> ThemeModel:
        """Fit on a seeded sample of at most cfg.sample_size units, then assign the rest by centroid.

        Units are the documents, or with cfg.units == "span" and `units` given, their theme-view spans
        (spans.py): each document then takes its most salient span's theme. Given `units`, the themes of a
        document's other spans are kept as its secondary themes (`secondary_`) in either mode.
        """
        emb = np.asarray(embeddings, dtype=np.float32)
        if len(texts) != len(emb):
            raise ModelError(f"themes: {len(texts)} texts but {len(emb)} embeddings; pass one row per text.")
        by_span = cfg.units == "span" and units is not None
        if by_span:
            emb = in_context(units, emb)
        owner = units.owner if by_span else np.arange(len(texts))
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        idx = _fit.sample_indices(len(emb), cfg.sample_size, cfg.seed)
        s_emb = _fit.normalize(emb[idx])
        s_raw = units.texts(texts, idx) if by_span else [str(texts[i]) for i in idx]
        seed_names, seed_cents = _fit.seed_centroids(cfg.seed_themes, encode_phrases)
        # The clustering sees the theme vectors beside an LSA of the content words (lexical.py); centroids,
        # assignment and labels stay in the encoder's space.
        space = None
        if cfg.lexical_weight > 0:
            lex = lexical_vectors([view_text(t) for t in s_raw], seed=cfg.seed)
            space = hybrid(s_emb, lex, cfg.lexical_weight)
        child_lab, cents, n_seeds = _fit.fit_children(
            s_emb, cfg.reduction, cfg.clustering, cfg.seed, seed_cents, cfg.seed_threshold,
            cfg.min_theme_size, cfg.merge_threshold, space,
        )  # fmt: skip
        timings["cluster_s"] = time.perf_counter() - t0
        # Outlier strategy, step 2: a doc too far from its theme's centroid goes to the explicit Other theme.
        k = len(cents)
        ids = np.arange(1, k + 1)
        all_lab = np.full(len(emb), OTHER_ID, dtype=np.int64)
        if k:
            sims = np.einsum("ij,ij->i", s_emb, cents[child_lab])
            all_lab[idx] = np.where(sims >= cfg.other_threshold, ids[child_lab], OTHER_ID)
            rest = np.ones(len(emb), bool)
            rest[idx] = False
            if rest.any():
                r_idx = np.flatnonzero(rest)
                for start in range(0, len(r_idx), 20_000):
                    part = r_idx[start : start + 20_000]
                    j, sim = _fit.nearest(_fit.normalize(emb[part]), cents)
                    all_lab[part] = np.where(sim >= cfg.other_threshold, ids[j], OTHER_ID)
        doc_lab, secondary = all_lab, None
        if units is not None and k:  # primary from the spans (span units) or the document; secondary from spans
            d_emb = _fit.normalize(np.asarray(embeddings, np.float32))[units.owner]
            if by_span:
                own = np.einsum("ij,ij->i", d_emb, cents[np.maximum(all_lab - 1, 0)])  # ids are 1..k
                salience = np.where(all_lab == OTHER_ID, -np.inf, own)
                doc_lab, secondary = document_themes(units, all_lab, salience, len(texts), OTHER_ID)
            else:
                u_lab = closer_themes(units.vectors, all_lab[units.owner], ids, cents, cfg.other_threshold)
                secondary = document_themes(units, u_lab, np.zeros(len(u_lab)), len(texts), OTHER_ID, all_lab)[1]
        timings["assign_s"] = time.perf_counter() - t0 - timings["cluster_s"]
        sizes = np.array([(doc_lab == t).sum() for t in ids])
        # Labels read the theme view of the units' text (no handles, URLs, hashtags, greetings or sign-offs).
        s_texts = [label_text(t) for t in s_raw]
        rules = corpus_rules([str(texts[i]) for i in np.unique(owner[idx])])
        s_lab = all_lab[idx]
        rep = cfg.representation or {}
        n_kw, n_rep = int(rep.get("keywords", 10)), int(rep.get("representative_docs", 8))
        kws = labels.ctfidf_keywords(s_texts, s_lab, ids, n_kw)
        reps = [_representatives(s_texts, s_emb, s_lab, tid, cents[j], n_rep) for j, tid in enumerate(ids)]
        fixed = {j: seed_names[j] for j in range(n_seeds)}
        docs = [_sample(s_texts, s_lab == tid) for tid in ids]
        corpus = _sample(s_texts, np.ones(len(s_texts), bool), 3000)
        named = labels.label_themes(
            cents, kws, reps, encode_phrases, {OTHER_LABEL}, fixed, rules, docs, corpus
        )
        child_labels = named.labels
        rows = [_row(OTHER_ID, OTHER_LABEL, [], None, 1, (doc_lab == OTHER_ID).sum(), np.zeros(emb.shape[1]))]
        # Parents: groups of child centroids above a coherence floor, labelled from their children's labels.
        parent_of = np.zeros(k, dtype=np.int64)
        p_coherence = float("nan")
        if k:
            groups = hierarchy.build_parents(cents, sizes, cfg.parents)
            p_cents = hierarchy.parent_centroids(cents, sizes, groups)
            p_coherence = hierarchy.parent_coherence(cents, sizes, groups)
            p_ids = np.arange(k + 1, k + 1 + len(p_cents))
            parent_of = p_ids[groups]
            p_lab = np.array([parent_of[ids == t][0] if t != OTHER_ID else OTHER_ID for t in s_lab])
            p_kws = labels.ctfidf_keywords(s_texts, p_lab, p_ids, n_kw)
            p_labels = parent_labels(
                child_labels, sizes, groups, p_cents, p_kws, encode_phrases, rules.phrase_ok,
                named.aspects, Candidates(pos=named.pos), [_sample(s_texts, p_lab == p) for p in p_ids],
            )
            for g, pid in enumerate(p_ids):
                rows.append(_row(pid, p_labels[g], p_kws[g], None, 0, sizes[groups == g].sum(), p_cents[g]))
        for j, tid in enumerate(ids):
            pinned = j < n_seeds
            rows.append(
                _row(tid, child_labels[j], kws[j], int(parent_of[j]), 1, sizes[j], cents[j], None, pinned)
            )
        timings["labels_s"] = time.perf_counter() - t0 - timings["cluster_s"] - timings["assign_s"]
        themes = pd.DataFrame(rows, columns=list(THEME_COLUMNS))
        themes["parent_id"] = themes["parent_id"].astype("Int64")
        model = cls(themes, cfg.other_threshold, doc_lab)
        model.secondary_ = secondary
        model.timings = timings
        model.parent_coherence = p_coherence
        log.info("themes: %d children, coverage %.1f%%, %s", k, 100 * model.coverage(doc_lab), timings)
        return model

    # ---- assign ----------------------------------------------------------------------------------
    def _targets(self) -> tuple[np.ndarray, np.ndarray]:
        t = self.themes
        m = (t["level"] == 1) & (t["status"] == "active") & (t["theme_id"] != OTHER_ID)
        if not m.any():
            return np.zeros(0, np.int64), np.zeros((0, 1), np.float32)
        return t.loc[m, "theme_id"].to_numpy(np.int64), _fit.normalize(
            np.stack(t.loc[m, "centroid"].to_list())
        )

    def assign(self, embeddings: np.ndarray, batch_size: int = 20_000) -> np.ndarray:
        """Theme id per document (OTHER_ID below the similarity floor); batched, no refit."""
        ids, cents = self._targets()
        out = np.full(len(embeddings), OTHER_ID, dtype=np.int64)
        if not len(ids):
            return out
        for start in range(0, len(embeddings), batch_size):
            part = _fit.normalize(embeddings[start : start + batch_size])
            j, sim = _fit.nearest(part, cents)
            out[start : start + batch_size] = np.where(sim >= self.other_threshold, ids[j], OTHER_ID)
        return out

    def assign_spans(
        self, vectors: np.ndarray, units: SpanUnits, by_span: bool = True
    ) -> tuple[np.ndarray, list[list[int]]]:
        """Theme per document and its secondary themes (its spans' other themes); no refit.

        The primary theme is the most salient span's (by_span, span units) or the document vector's own.
        """
        ids, cents = self._targets()
        if not len(ids):
            return np.full(len(vectors), OTHER_ID, dtype=np.int64), [[] for _ in range(len(vectors))]
        if by_span:
            lab, salience = unit_themes(units, vectors, ids, cents, self.other_threshold, OTHER_ID)
            return document_themes(units, lab, salience, len(vectors), OTHER_ID)
        primary = self.assign(vectors)
        lab = closer_themes(units.vectors, primary[units.owner], ids, cents, self.other_threshold)
        return document_themes(units, lab, np.zeros(len(lab)), len(vectors), OTHER_ID, primary)

    def similarity(
        self, embeddings: np.ndarray, theme_ids: np.ndarray, batch_size: int = 20_000
    ) -> np.ndarray:
        """Cosine of each document to its theme's centroid (Other: to the nearest centroid; NaN if none)."""
        ids, cents = self._targets()
        out = np.full(len(embeddings), np.nan, dtype=np.float32)
        if not len(ids):
            return out
        col = pd.Series(np.arange(len(ids)), index=ids).reindex(np.asarray(theme_ids)).to_numpy()
        for start in range(0, len(embeddings), batch_size):
            sims = _fit.normalize(embeddings[start : start + batch_size]) @ cents.T
            own = col[start : start + batch_size]
            mine = sims[np.arange(len(sims)), np.nan_to_num(own, nan=0).astype(np.int64)]
            other = np.asarray(theme_ids[start : start + batch_size]) == OTHER_ID
            out[start : start + batch_size] = np.where(
                other, sims.max(axis=1), np.where(np.isnan(own), np.nan, mine)
            )
        return out

    @staticmethod
    def coverage(assigned: np.ndarray) -> float:
        """Share of documents with a real theme (not Other)."""
        return float((np.asarray(assigned) != OTHER_ID).mean()) if len(assigned) else 0.0

    def display_labels(self) -> dict[int, str]:
        """theme_id -> user label when set, else the generated label."""
        t = self.themes
        return {
            int(i): (u if isinstance(u, str) and u else lab)
            for i, lab, u in zip(t.theme_id, t.label, t.user_label)
        }

    # ---- persistence -----------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write themes.parquet and meta.json into `folder`."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        t = self.themes.copy()
        t["centroid"] = [np.asarray(c, np.float32).tolist() for c in t["centroid"]]
        t.to_parquet(folder / "themes.parquet", index=False)
        (folder / "meta.json").write_text(
            json.dumps({"other_threshold": self.other_threshold}), encoding="utf-8"
        )
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> ThemeModel:
        """Read a model written by save()."""
        folder = Path(folder)
        if not (folder / "themes.parquet").is_file():
            raise ModelError(f"No theme model in {folder} (themes.parquet missing); fit and save one first.")
        t = pd.read_parquet(folder / "themes.parquet")
        t["centroid"] = [np.asarray(c, np.float32) for c in t["centroid"]]
        t["keywords"] = [list(k) for k in t["keywords"]]
        t["parent_id"] = t["parent_id"].astype("Int64")
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        return cls(t, meta.get("other_threshold", 0.3))


def _sample(texts: list[str], mask: np.ndarray, n: int = 400) -> list[str]:
    """At most n of the masked texts, evenly spread (for parent labels' document shares)."""
    idx = np.flatnonzero(mask)
    return [texts[i] for i in idx[:: max(1, len(idx) // n)][:n]]


def _representatives(
    texts: list[str], emb: np.ndarray, lab: np.ndarray, tid: int, cent: np.ndarray, n: int
) -> list[str]:
    members = np.flatnonzero(lab == tid)
    if not len(members):
        return []
    order = members[np.argsort(-(emb[members] @ cent))]
    return [texts[i] for i in order[:n]]
