"""Span units: cluster what a document talks about, sentence piece by sentence piece, not its mean.

A document that complains about a login failure and then praises the staff has two issues; its mean vector
sits between them. With `themes.units: span`, the theme view's pieces (view.py: sentences without handles,
URLs, greetings and sign-offs, pooled in the shared pass) are the clustering units. A piece of fewer than
MIN_WORDS words joins its neighbour. Each document then gets the theme of its most salient unit as its
primary theme and the other units' themes as secondary ones.

With document units (the default), a document's theme comes from its own vector as before, and a span that
sits closer (by SWITCH_MARGIN) to another theme adds that theme as a secondary one.

Salience of a unit (span units): the cosine of its whole document's theme-view vector to the unit's theme
centroid, so the primary theme is the span theme that best stands for the document (a document mostly about a login
failure with one sentence of praise for the staff is a login document with a secondary staff theme).
Against VADER strength (the strongest complaint or praise) and the span's own cosine to its centroid, it gave
the best primary-theme NMI on the demo (0.777 against 0.756 and 0.743) and within 0.002 of the best on the
three airline train parts (0.276 against 0.275 and 0.278).

The default stays `units: document` (with secondary themes from spans): span units gained little on the
train splits (themes_cx airline-train NMI 0.255 -> 0.260, BANKING77 train 0.838 both) and cost label match
on the demo (0.783 -> 0.652) and kept 28 of 36 stored child themes' ids on a re-run of a main-built demo.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_WORDS = 3  # a piece with fewer words ("Again.", "so slow") is merged into its neighbour
CONTEXT = 0.3  # share of its document's vector in a span unit's clustering vector (tuned on train splits + demo)
SWITCH_MARGIN = 0.1  # a span leaves its document's theme for one closer by this much (cosine)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class SpanUnits:
    """Clustering units: one L2-normalised vector per unit, the document it belongs to, its char range."""

    vectors: np.ndarray  # (n_units, dim)
    owner: np.ndarray  # document index per unit (non-decreasing)
    bounds: list[tuple[int, int]]  # char range of each unit in its document's text

    def texts(self, docs: Sequence[str], rows: Sequence[int] | None = None) -> list[str]:
        """The text of each unit (of the given rows)."""
        rows = range(len(self.owner)) if rows is None else rows
        return [str(docs[self.owner[i]])[slice(*self.bounds[i])] for i in rows]


def span_units(
    texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], span_vectors: Sequence[np.ndarray]
) -> SpanUnits:
    """Units from each document's theme-view pieces and their pooled vectors; short pieces join a neighbour.

    A merged unit's vector is the length-weighted mean of its pieces' vectors (no extra encoder pass).
    """
    if not (len(texts) == len(spans) == len(span_vectors)):
        from voc.errors import ModelError

        raise ModelError(
            f"span_units: {len(texts)} texts, {len(spans)} span lists and {len(span_vectors)} vector lists; "
            "pass one of each per document."
        )
    vecs, owner, bounds = [], [], []
    dim = next((np.asarray(v).shape[1] for v in span_vectors if len(v)), 0)
    for d, (text, sp, sv) in enumerate(zip(texts, spans, span_vectors)):
        groups: list[list[int]] = []
        for k, (a, b) in enumerate(sp):
            short = len(_WORD.findall(str(text)[a:b])) < MIN_WORDS
            if groups and (short or _short(text, sp, groups[-1])):
                groups[-1].append(k)
            else:
                groups.append([k])
        if len(groups) > 1 and _short(text, sp, groups[-1]):
            groups[-2].extend(groups.pop())
        for g in groups:
            w = np.asarray([max(1, sp[k][1] - sp[k][0]) for k in g], np.float32)
            v = (np.asarray(sv, np.float32)[g] * w[:, None]).sum(axis=0)
            vecs.append(v / max(float(np.linalg.norm(v)), 1e-12))
            owner.append(d)
            bounds.append((sp[g[0]][0], sp[g[-1]][1]))
        if not groups:  # no piece at all: the document still needs a unit (a zero vector goes to Other)
            vecs.append(np.zeros(dim, np.float32))
            owner.append(d)
            bounds.append((0, len(str(text))))
    return SpanUnits(
        np.asarray(vecs, np.float32).reshape(len(vecs), dim), np.asarray(owner, np.int64), bounds
    )


def _short(text: str, sp: Sequence[tuple[int, int]], group: list[int]) -> bool:
    return sum(len(_WORD.findall(str(text)[sp[k][0] : sp[k][1]])) for k in group) < MIN_WORDS


def document_themes(
    units: SpanUnits,
    unit_theme: np.ndarray,
    salience: np.ndarray,
    n_docs: int,
    other_id: int = 0,
    primary: np.ndarray | None = None,
) -> tuple[np.ndarray, list[list[int]]]:
    """Primary theme per document (its most salient unit's theme, unless `primary` is given) and the other
    themes its units fall into (secondary, in text order).

    Units in Other are candidates only when all of a document's units are; ties go to the earlier unit.
    """
    unit_theme = np.asarray(unit_theme, np.int64)
    salience = np.asarray(salience, np.float32)
    starts = np.searchsorted(units.owner, np.arange(n_docs + 1))
    chosen = primary is None
    primary = np.full(n_docs, other_id, np.int64) if chosen else np.asarray(primary, np.int64)
    secondary: list[list[int]] = []
    for d in range(n_docs):
        rows = np.arange(starts[d], starts[d + 1])
        themed = rows[unit_theme[rows] != other_id]
        cand = themed if len(themed) else rows
        if chosen and len(cand):
            primary[d] = unit_theme[cand[np.argmax(salience[cand])]]
        seen = dict.fromkeys(int(t) for t in unit_theme[themed])
        secondary.append([t for t in seen if t != int(primary[d])])
    return primary, secondary


def in_context(units: SpanUnits, doc_vectors: np.ndarray, context: float = CONTEXT) -> np.ndarray:
    """Unit vectors with a share of their document's vector mixed in (L2-normalised).

    Alone, a span like "Please just fix it." or "Is this normal??" clusters with the same words in every
    other document (the demo's bare spans made 61 themes, 27 of them such phrases); with some of its
    document in it, it stays near what its document is about, while a sentence on another issue still
    stands apart.
    """
    from voc.lenses.themes.fit import normalize

    doc = normalize(np.asarray(doc_vectors, np.float32))[units.owner]
    return normalize((1.0 - context) * normalize(units.vectors) + context * doc)


def unit_themes(
    units: SpanUnits, doc_vectors: np.ndarray, ids: np.ndarray, cents: np.ndarray, floor: float, other_id: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest theme per unit in context (Other below `floor`) and its salience: the cosine of the unit's
    whole document to that theme's centroid, so the span theme that best stands for the document wins."""
    from voc.lenses.themes.fit import nearest, normalize

    j, sim = nearest(in_context(units, doc_vectors), cents)
    theme = np.where(sim >= floor, ids[j], other_id)
    doc = normalize(np.asarray(doc_vectors, np.float32))[units.owner]
    salience = np.einsum("ij,ij->i", doc, cents[j])
    return theme, np.where(theme == other_id, -np.inf, salience).astype(np.float32)


def closer_themes(
    vectors: np.ndarray,
    own: np.ndarray,
    ids: np.ndarray,
    cents: np.ndarray,
    floor: float,
    margin: float = SWITCH_MARGIN,
) -> np.ndarray:
    """Theme per span: its document's theme (`own`), unless another theme is closer by `margin` and above
    the floor (the rule sentences follow too: voc.lenses.themes.sentiment.assign_sentences)."""
    from voc.lenses.themes.fit import normalize

    own = np.asarray(own, np.int64)
    if not len(ids) or not len(vectors):
        return own.copy()
    sim = normalize(vectors) @ normalize(cents).T
    best = sim.argmax(axis=1)
    best_sim = sim[np.arange(len(sim)), best]
    col = pd.Series(np.arange(len(ids)), index=np.asarray(ids)).reindex(own).to_numpy()
    mine = np.where(np.isnan(col), -np.inf, sim[np.arange(len(sim)), np.nan_to_num(col).astype(np.int64)])
    return np.where((best_sim >= floor) & (best_sim >= mine + margin), np.asarray(ids)[best], own)


def active_secondary(
    themes: pd.DataFrame, secondary: Sequence[Sequence[int]], primary: Sequence[int]
) -> list[list[int]]:
    """Secondary theme ids once stored ids are matched and the edit log replayed (apply_edits moves them
    through merges as it moves the primary): ids that are not an active child theme (a split or retired
    theme) are dropped, as is the document's primary theme and any repeat."""
    kids = themes[(themes["level"] == 1) & (themes["status"] == "active") & (themes["theme_id"] != 0)]
    active = set(kids["theme_id"].astype(int))
    return [
        list(dict.fromkeys(int(t) for t in sec if int(t) in active and int(t) != int(prim)))
        for sec, prim in zip(secondary, primary)
    ]
