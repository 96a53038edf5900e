"""A cache of the sentiment encoder's pooled states, so a new head (an adapted model) rescores without the encoder.

The adapted models of `voc train sentiment --from-store` keep the shipped encoder and change only the linear
head over the mean-pooled token states. With the pooled states of each document and of each sentence span
cached (one SQLite file per encoder version, max length and trunk setting, next to the embedding cache),
`voc rescore` with any head on that encoder is a matrix product per page. The states are pooled exactly as
`OnnxSentimentRunner.pool` pools them: over the document's tokens, and over each span's tokens in the
document's pass (a span past the truncated window is pooled from its own pass).
"""

from __future__ import annotations

import numpy as np

from voc.encode.cache import EmbeddingCache, cache_file_name, span_key, text_key
from voc.paths import cache_dir


def pooled_states(runner, texts: list[str], spans: list[list[tuple[int, int]]]):
    """(n, dim) document states and, per document, (k, dim) span states, mean-pooled over the attention mask."""
    dim = runner.weight.shape[1]
    doc = np.zeros((len(texts), dim), np.float32)
    sent = [np.zeros((len(sp), dim), np.float32) for sp in spans]
    missing: list[tuple[int, int]] = []
    for idx, states, mask, offsets in runner._batches(texts):
        m = mask[..., None].astype(np.float32)
        doc[idx] = (states * m).sum(1) / np.maximum(m.sum(1), 1.0)
        for row, i in enumerate(idx):
            if not spans[i]:
                continue
            (s0, e0) = spans[i][0]
            if len(spans[i]) == 1 and not texts[i][:s0].strip() and not texts[i][e0:].strip():
                sent[i][0] = doc[i]  # the sentence is the whole document
                continue
            starts, ends = offsets[row, :, 0], offsets[row, :, 1]
            real = (mask[row] == 1) & (ends > starts)
            covered = int(ends[real].max()) if real.any() else 0
            for j, (s, e) in enumerate(spans[i]):
                tok = real & (starts < e) & (ends > s)
                if not tok.any() or e > covered:
                    missing.append((i, j))
                    continue
                sent[i][j] = states[row][tok].mean(0)
    if missing:
        own, _ = pooled_states(runner, [texts[i][spans[i][j][0] : spans[i][j][1]] for i, j in missing],
                               [[] for _ in missing])  # fmt: skip
        for (i, j), vec in zip(missing, own):
            sent[i][j] = vec
    return doc, sent


class PooledCache:
    """Pooled sentiment states by document text and by (text, span), for one encoder (`runner`)."""

    def __init__(self, runner) -> None:
        self.runner = runner
        trunk = f"t{runner.trunk_layers}" + (f"-{runner.trunk_precision}" if runner.trunk_layers else "")
        name = f"sentiment-pooled@{runner.base_version}_L{runner.max_length}_{trunk}"
        self.cache = EmbeddingCache(
            cache_dir() / "embeddings" / cache_file_name(name), runner.weight.shape[1]
        )
        self.hits = self.misses = 0

    def doc_and_span_probs(self, texts: list[str], spans: list[list[tuple[int, int]]]):
        """Like OnnxSentimentRunner.doc_and_span_probs, from cached states (encoding and caching the missing ones)."""
        keys = [[text_key(t)] + [span_key(t, tuple(sp)) for sp in spans[i]] for i, t in enumerate(texts)]
        got = self.cache.get_many(list({k for ks in keys for k in ks}))
        todo = [i for i, ks in enumerate(keys) if any(k not in got for k in ks)]
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        if todo:
            doc, sent = pooled_states(self.runner, [texts[i] for i in todo], [spans[i] for i in todo])
            new = []
            for row, i in enumerate(todo):
                new.append((keys[i][0], doc[row]))
                new += list(zip(keys[i][1:], sent[row]))
            self.cache.put_many(new)
            got.update((k, np.asarray(v, np.float32)) for k, v in new)
        head = self.runner._head
        doc_p = head(np.stack([got[ks[0]] for ks in keys])) if keys else np.zeros((0, 3))
        sent_p = [
            head(np.stack([got[k] for k in ks[1:]])) if len(ks) > 1 else np.zeros((0, 3)) for ks in keys
        ]
        return np.asarray(doc_p, np.float64), [np.asarray(p, np.float64) for p in sent_p]


def attach(sentiment_lens) -> PooledCache | None:
    """Route a loaded sentiment lens through the pooled-state cache; the cache, or None where it cannot apply.

    It applies to voc's ONNX sentiment runner. With a shared trunk (the default), a run's shared pass fills it
    as the sentiment top pools each batch (OnnxSentimentRunner.pool); a rescore runs the trunk and the top.
    """
    from voc.lenses.sentiment import OnnxSentimentRunner

    runner = getattr(sentiment_lens, "_runner", None)
    if not isinstance(runner, OnnxSentimentRunner):
        return None
    runner.pooled_cache = PooledCache(runner)
    return runner.pooled_cache
