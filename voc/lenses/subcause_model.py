"""Sub-causes, blame and likely cause over the shared vectors: arrays, features and the per-document outputs.

The sub-cause head is a root-cause head (voc.lenses.rootcause_model) over the sub-cause labels. Two small
linear models sit on top: `blamed` (one class per blamed set seen in training, e.g. [], [people],
[process, people]) from the document vector, the max-pooled sentence vectors, the sub-cause probabilities,
the blame-word flags and the text's shape (a question blames nobody); `likely_subcause` (one class, or none)
from the sub-cause probabilities and the flags. A precise likely-pattern (opt-out then contacted, "could not
see my account", "not allowed to", every rep quoting something different) decides the likely cause outright.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from voc.errors import ModelError
from voc.lenses.rootcause_model import RootCauseHead, flatten, narrow_to_clause
from voc.lenses.rule_gate import GatedRules
from voc.lenses.subcause_taxonomy import CAUSES, DEFAULT_DIR

BLAME_FILE = "blame.npz"
OUTPUT_COLUMNS = (
    "subcauses",
    "subcause_scores",
    "subcause_evidence",
    "blamed",
    "likely_cause",
    "likely_subcause",
)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Elementwise logistic function."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def doc_flags(hits: Sequence[list[list[tuple[int, int]]]], n: int) -> np.ndarray:
    """(docs, n) 1.0 where the document has a rule match for that column."""
    out = np.zeros((len(hits), n), np.float32)
    for d, per_label in enumerate(hits):
        for j, spans in enumerate(per_label):
            if spans:
                out[d, j] = 1.0
    return out


def sentence_max(S: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per document, the elementwise max of its sentence vectors (offsets as from `flatten`; each doc has >= 1)."""
    starts, sizes = offsets[:-1], np.diff(offsets)
    out = np.array(S[starts], dtype=np.float32, copy=True)
    for k in range(1, int(sizes.max()) if len(sizes) else 0):  # k-th sentence of the docs that have one
        docs = np.flatnonzero(sizes > k)
        out[docs] = np.maximum(out[docs], S[starts[docs] + k])
    return out


def text_shape(texts: Sequence[str]) -> np.ndarray:
    """(docs, 4): ends with a question mark, has one, has an exclamation mark, log length (questions blame nobody)."""
    out = np.zeros((len(texts), 4), np.float32)
    out[:, 0] = [t.rstrip().endswith("?") for t in texts]
    out[:, 1] = ["?" in t for t in texts]
    out[:, 2] = ["!" in t for t in texts]
    out[:, 3] = np.log1p(np.fromiter(map(len, texts), np.float32, len(texts)))
    return out


def blame_features(
    doc_vecs: np.ndarray,
    sent_max: np.ndarray,
    probs: np.ndarray,
    blame: np.ndarray,
    parents: np.ndarray,
    shape: np.ndarray,
) -> np.ndarray:
    """Blame model inputs: document vector, max-pooled sentence vectors, sub-cause probabilities, their max
    per parent cause, blame flags and the text's shape."""
    per_parent = np.stack(
        [
            probs[:, parents == c].max(axis=1) if (parents == c).any() else np.zeros(len(probs))
            for c in range(3)
        ],
        axis=1,
    )
    return np.concatenate([doc_vecs, sent_max, probs, per_parent, blame, shape], axis=1).astype(np.float32)


def likely_features(probs: np.ndarray, likely: np.ndarray, blame: np.ndarray) -> np.ndarray:
    """Likely-cause model inputs: sub-cause probabilities, likely-pattern flags and blame flags."""
    return np.concatenate([probs, likely, blame], axis=1).astype(np.float32)


@dataclass
class BlameHead:
    """Linear blame (softmax over blamed sets) and likely-sub-cause (softmax over labels + none) models.

    sets (K, 3) holds, per blame class, which of people/process/technology it blames.
    """

    Wb: np.ndarray
    bb: np.ndarray
    sets: np.ndarray
    Wl: np.ndarray
    bl: np.ndarray

    def save(self, out_dir: Path) -> None:
        """Write blame.npz."""
        np.savez_compressed(
            Path(out_dir) / BLAME_FILE, **{k: getattr(self, k) for k in ("Wb", "bb", "sets", "Wl", "bl")}
        )

    @classmethod
    def load(cls, model_dir: Path) -> BlameHead:
        """Read blame.npz."""
        data = np.load(Path(model_dir) / BLAME_FILE)
        if "sets" not in data:
            raise ModelError(
                f"{Path(model_dir) / BLAME_FILE} is from an older sub-cause model (per-capability blame); "
                "retrain with `voc train subcause`."
            )
        return cls(*(data[k].astype(np.float32) for k in ("Wb", "bb", "sets", "Wl", "bl")))


class SubCauseModel:
    """Predicts sub-causes (probability and evidence each), blamed capabilities and the likely (sub-)cause."""

    def __init__(self, head: RootCauseHead, blame: BlameHead) -> None:
        meta = head.meta
        self.head = head
        self.rules = GatedRules(
            [*head.patterns, *(meta.get("likely_patterns", {}).get(lab, []) for lab in head.labels),
             *(meta.get("blame_patterns", {}).get(c, []) for c in CAUSES)],
            span_groups=len(head.labels),
        )  # fmt: skip
        self.blame = blame
        self.labels: list[str] = list(head.labels)
        self.parents: dict[str, str] = dict(meta["parents"])
        self.titles: dict[str, str] = dict(meta.get("titles") or {})
        self.parent_idx = np.array([CAUSES.index(self.parents[lab]) for lab in self.labels])
        digest = hashlib.sha256("|".join(self.labels).encode())
        for arrays in (head, blame):
            for name in ("W", "b", "comb", "thresholds", "Wb", "bb", "sets", "Wl", "bl"):
                if hasattr(arrays, name):
                    digest.update(np.ascontiguousarray(getattr(arrays, name)).tobytes())
        self.version = f"subcause-{digest.hexdigest()[:12]}"

    @classmethod
    def load(cls, model_dir: Path | None = None) -> SubCauseModel:
        """Load a trained sub-cause folder (default models/subcause)."""
        model_dir = Path(model_dir) if model_dir is not None else DEFAULT_DIR
        head = RootCauseHead.load(model_dir)
        if "parents" not in head.meta or not (model_dir / BLAME_FILE).is_file():
            raise ModelError(
                f"{model_dir} holds no trained sub-cause model (need head.npz, head.json with parents, {BLAME_FILE}); "
                "run `voc train subcause`."
            )
        return cls(head, BlameHead.load(model_dir))

    def features(self, texts, spans, doc_vecs, sent_vecs) -> dict:
        """Sub-cause scores per sentence and document, rule hits, and the blame and likely-pattern flags."""
        texts = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts]
        doc_vecs = np.asarray(doc_vecs, dtype=np.float32)
        L = len(self.labels)
        S, offsets, flat = flatten(texts, spans, doc_vecs, sent_vecs)
        all_hits = [self.rules.hits(t) for t in texts]
        hits = [{g: v for g, v in h.items() if g < L} for h in all_hits]
        likely = np.zeros((len(texts), L), np.float32)
        blame = np.zeros((len(texts), 3), np.float32)
        flags = np.zeros((len(flat), L), np.float32)
        for d, h in enumerate(all_hits):
            for g, found in h.items():
                if g >= 2 * L:
                    blame[d, g - 2 * L] = 1.0
                elif g >= L:
                    likely[d, g - L] = 1.0
                else:
                    for s in range(int(offsets[d]), int(offsets[d + 1])):
                        ss, se = flat[s]
                        if any(hs < se and he > ss for hs, he in found):
                            flags[s, g] = 1.0
        doc_head = (doc_vecs @ self.head.W + self.head.b)[np.repeat(np.arange(len(texts)), np.diff(offsets))]
        z = self.head.sentence_scores(S, flags, doc_head)[0]
        doc_z = (
            np.maximum.reduceat(z, offsets[:-1], axis=0) if len(z) else np.zeros((len(texts), L), np.float32)
        )
        return {"texts": texts, "z": z, "offsets": offsets, "probs": sigmoid(doc_z), "flat": flat, "hits": hits,
                "blame": blame, "likely": likely, "doc_vecs": doc_vecs,
                "sent_max": sentence_max(S, offsets), "shape": text_shape(texts)}  # fmt: skip

    def decide(self, f: dict) -> tuple[np.ndarray, np.ndarray]:
        """Blamed (docs, 3) booleans and likely class per document (len(labels) means none)."""
        probs = f["probs"]
        xb = blame_features(f["doc_vecs"], f["sent_max"], probs, f["blame"], self.parent_idx, f["shape"])
        blamed = self.blame.sets[(xb @ self.blame.Wb + self.blame.bb).argmax(axis=1)] > 0.5
        scores = likely_features(probs, f["likely"], f["blame"]) @ self.blame.Wl + self.blame.bl
        likely = scores.argmax(axis=1)
        flagged = f["likely"] > 0
        for d in np.flatnonzero(flagged.any(axis=1)):
            cands = np.flatnonzero(flagged[d])
            likely[d] = cands[np.argmax(probs[d, cands])]
        return blamed, likely

    def predict(self, texts, spans, doc_vecs, sent_vecs) -> pd.DataFrame:
        """One row per text: subcauses, subcause_scores, subcause_evidence, blamed, likely_cause, likely_subcause."""
        if not len(texts):
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in OUTPUT_COLUMNS})
        f = self.features(texts, spans, doc_vecs, sent_vecs)
        texts, z, offsets, probs, flat, hits = (
            f[k] for k in ("texts", "z", "offsets", "probs", "flat", "hits")
        )
        blamed, likely = self.decide(f)
        labels, n = self.labels, len(self.labels)
        predicted = (probs >= self.head.thresholds).tolist()
        prob_rows = np.round(probs.astype(np.float64), 4).tolist()
        blamed_rows = blamed.tolist()
        sizes = np.diff(offsets).tolist()
        cols: dict[str, list] = {c: [] for c in OUTPUT_COLUMNS}
        for d, text in enumerate(texts):
            if not text.strip():
                for c, v in zip(OUTPUT_COLUMNS, ([], {}, {}, [], None, None)):
                    cols[c].append(v)
                continue
            row = prob_rows[d]
            chosen = sorted((j for j, on in enumerate(predicted[d]) if on), key=lambda j: -row[j])
            a = int(offsets[d])
            evidence = {}
            for j in chosen:
                s = a if sizes[d] == 1 else a + int(z[a : a + sizes[d], j].argmax())
                span = narrow_to_clause(text, flat[s], hits[d].get(j, ()))
                evidence[labels[j]] = [int(span[0]), int(span[1])]
            k = int(likely[d])
            cols["subcauses"].append([labels[j] for j in chosen])
            cols["subcause_scores"].append(dict(zip(labels, row)))
            cols["subcause_evidence"].append(evidence)
            cols["blamed"].append([c for c, on in zip(CAUSES, blamed_rows[d]) if on])
            cols["likely_subcause"].append(labels[k] if k < n else None)
            cols["likely_cause"].append(self.parents[labels[k]] if k < n else None)
        return pd.DataFrame(cols)


def save_model(head: RootCauseHead, blame: BlameHead, out_dir: Path) -> None:
    """Write a trained sub-cause folder: head.npz, head.json (with parents, titles, patterns) and blame.npz."""
    head.save(out_dir)
    blame.save(out_dir)


def model_summary(model_dir: Path) -> dict:
    """The training metadata recorded in head.json."""
    return json.loads((Path(model_dir) / "head.json").read_text(encoding="utf-8"))
