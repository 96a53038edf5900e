"""Context windows for the churn head: runs of adjacent sentences scored as extra candidate sentences.

A goodbye is sometimes spread over two or three sentences ("Signed with another supplier this morning.
You'll get the transfer notice next week."): no single sentence carries it. A head trained with windows
(`voc.train.journey.train_churn(context_windows=(2, 3))`, recorded as `context_windows` in head.json) also
scores every run of that many adjacent sentences; a run's vector is the L2-normalised sum of its sentence
vectors (no second encoder pass) and its span covers the run, so rule hits in any of its sentences count
for it. The document score stays the maximum over all candidates. A head without the key scores sentences
only. Off by default: over 8 out-of-fold splits it did not beat sentences alone (bench.churn_signal).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

def head_windows(meta: dict) -> tuple[int, ...]:
    """The window sizes a trained head was fitted with (none for heads trained before windows existed)."""
    return tuple(int(k) for k in meta.get("context_windows", ()))


def with_windows(
    spans: Sequence[Sequence[tuple[int, int]]],
    sent_vecs: Sequence[np.ndarray],
    sizes: Sequence[int],
) -> tuple[list[list[tuple[int, int]]], list[np.ndarray]]:
    """Spans and vectors per document with the windows of each size appended after its sentences."""
    out_spans: list[list[tuple[int, int]]] = []
    out_vecs: list[np.ndarray] = []
    for sp, sv in zip(spans, sent_vecs):
        sp = [tuple(s) for s in sp]
        n = len(sp)
        if not sizes or sv is None or n < 2 or len(sv) != n:
            out_spans.append(list(sp))
            out_vecs.append(sv)
            continue
        sv = np.asarray(sv, np.float32)
        blocks, extra = [sv], list(sp)
        csum = np.concatenate([np.zeros((1, sv.shape[1]), np.float32), np.cumsum(sv, axis=0)])
        for k in sizes:
            if n < k:
                continue
            w = csum[k:] - csum[:-k]
            w /= np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)
            blocks.append(w)
            extra += [(sp[i][0], sp[i + k - 1][1]) for i in range(n - k + 1)]
        out_spans.append(extra)
        out_vecs.append(np.concatenate(blocks).astype(np.float32, copy=False))
    return out_spans, out_vecs
