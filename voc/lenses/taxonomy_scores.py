"""Scores of a taxonomy head (the root-cause mechanism) over the shared pass, for the lenses that reuse it.

Journey stage and churn signals are taxonomies in YAML trained by the same trainer as root cause
(`voc.train.rootcause.train_rootcause` with their own dev set); this module gives them per-document
probabilities and per-sentence logits from the shared vectors, without encoding anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from voc.lenses.rootcause_model import RootCauseHead, flatten, rule_hits, sentence_rule_flags


def clean_texts(texts: Sequence) -> list[str]:
    """Texts as strings; a missing text becomes empty."""
    return ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, clipped against overflow."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass
class TaxonomyScores:
    """Per document: label probabilities (n, L); per sentence: own logits (without the document shift)."""

    doc_probs: np.ndarray
    sentence_logits: np.ndarray
    offsets: np.ndarray  # sentence rows of document d are offsets[d]:offsets[d + 1]
    flat: list[tuple[int, int]]


def score_taxonomy(
    head: RootCauseHead,
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    doc_vecs: np.ndarray,
    sent_vecs: Sequence[np.ndarray],
) -> TaxonomyScores:
    """Combined logits per sentence (head, example similarity, rules, document head) and doc probabilities."""
    texts = clean_texts(texts)
    L = len(head.labels)
    doc_vecs = np.asarray(doc_vecs, dtype=np.float32)
    S, offsets, flat = flatten(texts, spans, doc_vecs, sent_vecs)
    flags = sentence_rule_flags([rule_hits(t, head.rules) for t in texts], offsets, flat, L)
    doc_logit = doc_vecs @ head.W + head.b if len(texts) else np.zeros((0, L), np.float32)
    per_sentence = np.repeat(np.arange(len(texts)), np.diff(offsets))
    # with a zero document head the logit is the sentence's own evidence; the document shift is added after
    own, _, _ = head.sentence_scores(S, flags, np.zeros((len(S), L), np.float32))
    shifted = own + doc_logit[per_sentence] * head.comb[:, 3]
    if len(texts) and len(shifted):
        doc_z = np.maximum.reduceat(shifted, offsets[:-1], axis=0)
    else:
        doc_z = np.zeros((len(texts), L), np.float32)
    return TaxonomyScores(sigmoid(doc_z), own, offsets, flat)
