"""Two-level hierarchy: parent themes by agglomerative clustering of child centroids."""

from __future__ import annotations

import numpy as np

PARENT_LINK = 0.5  # children join one parent while their average centroid cosine is >= this


def auto_parent_count(n_children: int) -> int:
    """About sqrt(children), at least 2, at most 20."""
    return int(min(20, max(2, round(np.sqrt(n_children)))))


def parent_groups(centroids: np.ndarray, sizes: np.ndarray, n_parents: int | None) -> np.ndarray:
    """Parent index per child (0..P-1), ordered by parent size; all children in one group if < 4.

    n_parents None: average linkage cut at centroid cosine PARENT_LINK; else exactly n_parents groups.
    """
    k = len(centroids)
    if k < 4:
        return np.zeros(k, dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    if n_parents:
        model = AgglomerativeClustering(n_clusters=min(k - 1, n_parents), metric="cosine", linkage="average")
    else:
        # A cut by similarity, not by count: a fixed count (about sqrt(children)) made one catch-all parent
        # holding most children next to singletons (demo: 78% of documents under one parent).
        model = AgglomerativeClustering(
            n_clusters=None, distance_threshold=1.0 - PARENT_LINK, metric="cosine", linkage="average"
        )
    groups = model.fit_predict(centroids)
    # Average linkage can leave singletons; that is fine (a parent with one child), but order by size.
    totals = {g: sizes[groups == g].sum() for g in np.unique(groups)}
    order = sorted(totals, key=lambda g: (-totals[g], g))
    remap = {g: i for i, g in enumerate(order)}
    return np.array([remap[g] for g in groups], dtype=np.int64)


def parent_centroids(centroids: np.ndarray, sizes: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Size-weighted, normalised mean of the child centroids per parent."""
    out = []
    for g in range(int(groups.max()) + 1 if len(groups) else 0):
        m = groups == g
        v = (centroids[m] * sizes[m, None]).sum(axis=0)
        out.append(v / max(np.linalg.norm(v), 1e-12))
    return np.stack(out) if out else np.zeros((0, centroids.shape[1]), np.float32)


PARENT_FLOOR = 0.55  # a child whose centroid has cosine < this to its parent's centroid gets its own parent


def apply_floor(centroids: np.ndarray, sizes: np.ndarray, groups: np.ndarray, floor: float) -> np.ndarray:
    """Split off children below the coherence floor into parents of their own; renumber by size."""
    groups = groups.copy()
    nxt = int(groups.max(initial=-1)) + 1
    for _ in range(3):  # a parent's centroid moves when a member leaves; a few rounds settle it
        cents = parent_centroids(centroids, sizes, groups)
        moved = False
        for c in range(len(groups)):
            g = groups[c]
            if (groups == g).sum() > 1 and float(centroids[c] @ cents[g]) < floor:
                groups[c], nxt, moved = nxt, nxt + 1, True
        if not moved:
            break
    _, groups = np.unique(groups, return_inverse=True)
    totals = {g: sizes[groups == g].sum() for g in np.unique(groups)}
    order = sorted(totals, key=lambda g: (-totals[g], g))
    remap = {g: i for i, g in enumerate(order)}
    return np.array([remap[g] for g in groups], dtype=np.int64)


def parent_coherence(centroids: np.ndarray, sizes: np.ndarray, groups: np.ndarray) -> float:
    """Size-weighted mean cosine of a child's centroid to its parent's, over parents with 2+ children."""
    if not len(groups):
        return float("nan")
    cents = parent_centroids(centroids, sizes, groups)
    multi = np.array([(groups == g).sum() > 1 for g in groups])
    if not multi.any():
        return float("nan")
    sims = np.einsum("ij,ij->i", centroids, cents[groups])
    return float((sims[multi] * sizes[multi]).sum() / max(sizes[multi].sum(), 1))


def parent_labels(
    child_labels: list[str],
    sizes: np.ndarray,
    groups: np.ndarray,
    p_cents: np.ndarray,
    p_keywords: list[list[str]],
    encode_phrases,
    phrase_ok,
) -> list[str]:
    """A label per parent, unique among parents and children: never empty, "nan", a number or "X (2)".

    Candidates: the aspects (leading words) of its children's labels and its own c-TF-IDF keywords; the
    one closest to the parent's centroid wins, with a bonus for each child that shares it. A parent never
    repeats a child's label (theirs or any other); when nothing is left, two allowed keywords are joined.
    """
    from voc.lenses.themes.labels import format_label, label_key

    taken = {label_key(x) for x in child_labels}
    out: list[str] = []
    for g in range(len(p_cents)):
        kids = sorted(np.flatnonzero(groups == g), key=lambda c: -sizes[c])
        words = [set(label_key(_core(child_labels[c])).split()) for c in kids]
        cands: dict[str, int] = {}
        for phrase in [*(_core(child_labels[c]).lower() for c in kids), *p_keywords[g][:6]]:
            toks = phrase.split()
            for cand in {" ".join(toks[:n]) for n in range(1, min(3, len(toks)) + 1)}:
                if label_key(cand) in taken or not phrase_ok(cand) or not _readable(cand):
                    continue
                cands[cand] = max(
                    cands.get(cand, 0), sum(1 for w in words if set(label_key(cand).split()) <= w)
                )
        label = None
        if cands:
            flat = sorted(cands)
            vecs = np.asarray(encode_phrases(flat), np.float32)
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
            score = vecs @ p_cents[g] + 0.05 * np.minimum(3, [cands[c] for c in flat])
            label = format_label(flat[int(np.argmax(score))])
        if label is None:
            aspects = [_core(child_labels[c]).split()[0].lower() for c in kids]
            label = _joined(aspects, phrase_ok, taken) or _joined(
                " ".join(p_keywords[g]).split(), phrase_ok, taken
            )
        if label is None:
            label = f"{_core(child_labels[kids[0]])} and related"
        taken.add(label_key(label))
        out.append(label)
    return out


_WEAK_END = {"not", "no", "and", "or", "of", "to", "for", "with", "on", "in", "at", "the", "a", "an"}


def _core(label: str) -> str:
    """A label without its "(praise)" tag."""
    return label.replace("(praise)", "").strip()


def _readable(phrase: str) -> bool:
    """Not ending on a function word ("Login not")."""
    toks = phrase.split()
    return bool(toks) and toks[-1] not in _WEAK_END and toks[0] not in _WEAK_END


def _joined(words: list[str], phrase_ok, taken: set[str]) -> str | None:
    """Two different allowed words joined ("App & login") that no other label uses."""
    from voc.lenses.themes.labels import format_label, label_key

    words = [w for w in dict.fromkeys(words) if _readable(w)]
    for a in range(len(words)):
        for b in range(a + 1, len(words)):
            label = format_label(f"{words[a]} & {words[b]}")
            if label_key(label) not in taken and phrase_ok(f"{words[a]} {words[b]}"):
                return label
    return None
