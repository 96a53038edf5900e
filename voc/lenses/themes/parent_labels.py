"""Parent labels: the aspect a parent's children share, named from their labels and documents.

A parent over "App crashes" and "Login broken" reads "App"; over "Late flight" and "Flight cancelled",
where "flight" may not stand alone in an airline corpus, "Flight delays"-like phrases its children or
keywords offer. Never empty, "nan", a number, a child's own label or "X (2)".
"""

from __future__ import annotations

import numpy as np

from voc.lenses.themes.label_shape import EDGE_WORDS, core_of, shape_ok
from voc.lenses.themes.labels import format_label, label_key
from voc.lenses.themes.phrases import Candidates
from voc.lenses.themes.salience import bags, doc_share



def parent_labels(
    child_labels: list[str],
    sizes: np.ndarray,
    groups: np.ndarray,
    p_cents: np.ndarray,
    p_keywords: list[list[str]],
    encode_phrases,
    phrase_ok,
    child_aspects: list[str] | None = None,
    words: Candidates | None = None,
    docs: list[list[str]] | None = None,
) -> list[str]:
    """A label per parent, unique among parents and children.

    Candidates: its children's aspects (`child_aspects`, else their labels) and their leading words, and
    the parent's own c-TF-IDF keywords; each must read as an aspect (`shape_ok` with the part-of-speech
    counts in `words`) and end on a noun. The one closest to the parent's centroid wins, with a bonus per
    child that shares it and for the share of the parent's documents (`docs`, a sample per parent) that use
    its words. When nothing is left, two allowed words are joined ("App & login").
    """
    aspects = child_aspects or [core_of(x).lower() for x in child_labels]
    taken = {label_key(x) for x in child_labels}
    out: list[str] = []
    for g in range(len(p_cents)):
        kids = sorted(np.flatnonzero(groups == g), key=lambda c: -sizes[c])
        kid_words = [set(label_key(f"{aspects[c]} {core_of(child_labels[c])}").split()) for c in kids]
        cands: dict[str, int] = {}
        for phrase in [*(aspects[c] for c in kids), *(core_of(child_labels[c]).lower() for c in kids),
                       *p_keywords[g][:6]]:  # fmt: skip
            toks = phrase.split()
            for cand in {" ".join(toks[:n]) for n in range(1, min(3, len(toks)) + 1)}:
                if label_key(cand) in taken or not phrase_ok(cand) or not _aspect_like(cand, words):
                    continue
                shared = sum(1 for w in kid_words if set(label_key(cand).split()) <= w)
                cands[cand] = max(cands.get(cand, 0), shared)
        either = _either(kids, aspects, child_labels, phrase_ok, taken)
        if either:
            cands[either[0]] = either[1]
        share = dict(zip(cands, doc_share(list(cands), bags(docs[g])))) if docs is not None else {}
        # A word no child names must be used by many of the parent's documents ("Hips" for skirts is not).
        cands = {c: k for c, k in cands.items() if k > 0 or share.get(c, 1.0) >= PARENT_MIN_SHARE}
        label = None
        if cands:
            flat = sorted(cands)
            vecs = np.asarray(encode_phrases(flat), np.float32)
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
            score = vecs @ p_cents[g] + 0.05 * np.minimum(3, [cands[c] for c in flat])
            if docs is not None:
                score = score + DOC_WEIGHT * np.array([share[c] for c in flat])
            label = format_label(flat[int(np.argmax(score))])
        if label is None:
            heads = [aspects[c].split()[0] for c in kids if aspects[c]]
            label = _joined(heads, phrase_ok, taken, words) or _joined(
                " ".join(p_keywords[g]).split(), phrase_ok, taken, words
            )
        if label is None:
            label = f"{core_of(child_labels[kids[0]])} and related"
        taken.add(label_key(label))
        out.append(label)
    return out


DOC_WEIGHT = 0.3  # weight of the share of a parent's documents that use a candidate's words
PARENT_MIN_SHARE = 0.25  # a candidate no child names needs at least this share of the parent's documents


def _either(kids, aspects: list[str], child_labels: list[str], phrase_ok, taken: set[str]):
    """(label, children sharing it) for an aspect two children share that may not stand alone ("flight"):
    the aspect and both problems, "Flight late or cancelled"; None when there is no such pair."""
    by_aspect: dict[str, list[int]] = {}
    for c in kids:
        if aspects[c]:
            by_aspect.setdefault(label_key(aspects[c]), []).append(c)
    for aspect, group in sorted(by_aspect.items(), key=lambda kv: -len(kv[1])):
        if len(group) < 2 or phrase_ok(aspect):
            continue
        problems = []
        for c in group:
            words = [w for w in core_of(child_labels[c]).lower().split() if label_key(w) not in aspect.split()]
            if words and " ".join(words) not in problems:
                problems.append(" ".join(words))
        if len(problems) >= 2:
            label = f"{aspect} {problems[0]} or {problems[1]}"
            if label_key(label) not in taken and phrase_ok(label):
                return label, len(group)
    return None


def _aspect_like(phrase: str, words: Candidates | None) -> bool:
    """Reads as an aspect: `shape_ok`, and ends on a noun ("Refunded", "Line tried", "Dress beautiful" do not)."""
    last = phrase.split()[-1]
    if not shape_ok(phrase, words) or (words is not None and words.is_verb(last)):
        return False
    if words is not None and " " not in phrase and words.pos[(last, "PROPN")] > words.pos[(last, "NOUN")]:
        return False  # a lone name-like token ("Xxs", a size or a brand) names no group
    return words.is_noun(last) is True if words is not None else not last.endswith("ed")


def _joined(words: list[str], phrase_ok, taken: set[str], pos: Candidates | None = None) -> str | None:
    """Two different allowed nouns joined ("App & login", never "Delayed & gate") that no other label uses."""
    words = [w for w in dict.fromkeys(words) if w not in EDGE_WORDS and shape_ok(w) and _aspect_like(w, pos)]
    for a in range(len(words)):
        for b in range(a + 1, len(words)):
            label = format_label(f"{words[a]} & {words[b]}")
            if label_key(label) not in taken and phrase_ok(f"{words[a]} {words[b]}"):
                return label
    return None
