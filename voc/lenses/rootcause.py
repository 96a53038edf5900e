"""Root-cause lens: multi-label people / process / technology (or custom) causes with evidence spans.

Works on already-encoded documents (the shared encoder's sentence vectors); it never encodes itself.
Per sentence and label it combines a linear head's logit, the best cosine to the label's examples and
description, a high-precision regex rule flag and the head's logit for the whole document (the same
shift for each sentence of a document); the document score is the max over sentences and
the argmax sentence (narrowed to a clause when a rule hit sits in a long sentence) is the evidence.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from voc.config import RootCauseConfig
from voc.lenses.rootcause_model import (
    HEAD_FILE,
    RootCauseHead,
    flatten,
    head_version,
    narrow_to_clause,
    rule_hits,
    sentence_rule_flags,
)
from voc.lenses.rootcause_taxonomy import DEFAULT_DIR, load_taxonomy

log = logging.getLogger(__name__)

OUTPUT_COLUMNS = ("causes", "cause_scores", "cause_evidence")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class RootCauseLens:
    """Predicts causes, a probability per label and an evidence span per predicted label."""

    def __init__(self, head: RootCauseHead, model_dir: Path | None = None):
        self.head = head
        self.labels: list[str] = list(head.labels)
        self.model_dir = model_dir
        self.version = head_version("rootcause", head)

    @classmethod
    def load(cls, cfg: RootCauseConfig | None = None) -> RootCauseLens:
        """Load the trained head (cfg.model, default models/rootcause); checks it matches cfg.taxonomy."""
        cfg = cfg or RootCauseConfig()
        model_dir = Path(cfg.model) if cfg.model is not None else DEFAULT_DIR
        head = RootCauseHead.load(model_dir)
        if cfg.taxonomy is not None:
            wanted = load_taxonomy(cfg.taxonomy).names
            if sorted(wanted) != sorted(head.labels):
                from voc.errors import ModelError

                raise ModelError(
                    f"Root-cause head in {model_dir} was trained for labels {head.labels}, but taxonomy "
                    f"{cfg.taxonomy} has {wanted}; run `voc train rootcause --taxonomy {cfg.taxonomy}`."
                )
        if cfg.thresholds:
            for label, value in cfg.thresholds.items():
                if label in head.labels:
                    head.thresholds[head.labels.index(label)] = float(value)
        log.debug("Loaded root-cause head %s from %s", head.labels, model_dir / HEAD_FILE)
        return cls(head, model_dir)

    def score(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        doc_vecs: np.ndarray,
        sent_vecs: Sequence[np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int]], list]:
        """Low level: per-sentence combined logits, doc offsets, doc probabilities, flat spans and rule hits."""
        texts = ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in texts]
        doc_vecs = np.asarray(doc_vecs, dtype=np.float32)
        S, offsets, flat = flatten(texts, spans, doc_vecs, sent_vecs)
        hits = [rule_hits(t, self.head.rules) for t in texts]
        flags = sentence_rule_flags(hits, offsets, flat, len(self.labels))
        doc_head = (doc_vecs @ self.head.W + self.head.b)[np.repeat(np.arange(len(texts)), np.diff(offsets))]
        z, _, _ = self.head.sentence_scores(S, flags, doc_head)
        if len(texts):
            doc_z = (
                np.maximum.reduceat(z, offsets[:-1], axis=0) if len(z) else np.zeros((0, len(self.labels)))
            )
        else:
            doc_z = np.zeros((0, len(self.labels)), dtype=np.float32)
        return z, offsets, _sigmoid(doc_z), flat, hits

    def predict(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        doc_vecs: np.ndarray,
        sent_vecs: Sequence[np.ndarray],
    ) -> pd.DataFrame:
        """One row per text (input order): causes (list), cause_scores (label->prob), cause_evidence (label->[s, e])."""
        texts = ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in texts]
        if not texts:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in OUTPUT_COLUMNS})
        z, offsets, probs, flat, hits = self.score(texts, spans, doc_vecs, sent_vecs)
        labels = self.labels
        predicted = probs >= self.head.thresholds
        empty = np.array([not t.strip() for t in texts])
        predicted[empty] = False
        scores_col = [dict(zip(labels, row)) for row in np.round(probs.astype(np.float64), 4).tolist()]
        causes_col: list[list[str]] = []
        evidence_col: list[dict] = []
        for d in range(len(texts)):
            chosen = np.flatnonzero(predicted[d])
            if not len(chosen):
                causes_col.append([])
                evidence_col.append({})
                continue
            if len(chosen) > 1:
                chosen = chosen[np.argsort(-probs[d, chosen], kind="stable")]
            a = int(offsets[d])
            best = z[a : int(offsets[d + 1])].argmax(axis=0)
            evidence = {}
            for j in chosen:
                span = narrow_to_clause(texts[d], flat[a + int(best[j])], hits[d][j])
                evidence[labels[j]] = [int(span[0]), int(span[1])]
            causes_col.append([labels[j] for j in chosen])
            evidence_col.append(evidence)
        return pd.DataFrame(
            {"causes": causes_col, "cause_scores": scores_col, "cause_evidence": evidence_col}
        )


def train_rootcause(
    taxonomy: Path | None = None,
    extra_examples: Path | None = None,
    out_dir: Path | None = None,
    weak: bool = True,
) -> dict:
    """Fit the head from the taxonomy (+ extra examples YAML), the dev set and weak labels; returns metrics."""
    from voc.train.rootcause import train_rootcause as _train

    return _train(taxonomy=taxonomy, extra_examples=extra_examples, out_dir=out_dir, weak=weak)


def cause_mix(
    frame: pd.DataFrame,
    theme_col: str = "theme_id",
    causes_col: str = "causes",
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per theme: documents, documents with a cause, each cause's share of the documents (multi-label,
    so shares can sum past 1) and share_none; `labels` adds share columns for causes never predicted."""
    if theme_col not in frame.columns or causes_col not in frame.columns:
        raise KeyError(f"cause_mix needs columns {theme_col!r} and {causes_col!r}; got {list(frame.columns)}")
    causes = frame[causes_col].map(lambda c: list(c) if isinstance(c, (list, tuple, np.ndarray)) else [])
    themes = frame[theme_col]
    seen = sorted({c for row in causes for c in row})
    names = list(labels or []) + [c for c in seen if c not in (labels or [])]
    docs = themes.value_counts(dropna=False).rename("documents")
    out = docs.to_frame()
    out.index.name = theme_col
    with_cause = pd.Series(causes.map(bool).to_numpy(), index=themes.to_numpy())
    out["with_cause"] = with_cause.groupby(level=0, dropna=False).sum().reindex(out.index, fill_value=0)
    exploded = pd.DataFrame({"theme": themes.to_numpy(), "cause": causes.to_numpy()}).explode("cause")
    exploded = exploded.dropna(subset=["cause"])
    counts = (
        exploded.groupby(["theme", "cause"], dropna=False).size().unstack(fill_value=0)
        if len(exploded)
        else None
    )
    denom = out["documents"].where(out["documents"] > 0, 1)
    for cause in names:
        if counts is not None and cause in counts.columns:
            out[f"share_{cause}"] = counts[cause].reindex(out.index, fill_value=0) / denom
        else:
            out[f"share_{cause}"] = 0.0
    out["share_none"] = 1.0 - out["with_cause"] / denom
    out["documents"] = out["documents"].astype(int)
    out["with_cause"] = out["with_cause"].astype(int)
    return out.reset_index().sort_values("documents", ascending=False, kind="stable").reset_index(drop=True)
