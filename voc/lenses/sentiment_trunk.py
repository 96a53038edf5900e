"""The sentiment model's top layers on the shared encoder pass: no second pass over the bottom layers.

The encoder cuts a long text into windows; a document's first window holds exactly the tokens the sentiment
model sees (it truncates at the same max_length), so the tap runs the sentiment top on the first windows of
each batch, on the trunk states the encoder computed anyway, with the same padding and length-sorted batches.
"""

from __future__ import annotations

import numpy as np

from voc.encode.trunk import rows


class SentimentTap:
    """Collects, per text, the document probabilities, sentence probabilities and spans left to compute."""

    def __init__(self, runner, texts: list[str], spans: list[list[tuple[int, int]]]):
        self.runner = runner
        self.spans = dict(zip(texts, spans))
        self.results: dict[str, tuple[np.ndarray, np.ndarray, list[int]]] = {}

    def __call__(
        self, texts: list[str], windows, hidden: np.ndarray, bias: np.ndarray, mask: np.ndarray
    ) -> None:
        """Run the sentiment top on the batch's first windows of texts it was asked about."""
        keep = [
            i
            for i, w in enumerate(windows)
            if w.first and texts[w.doc] in self.spans and texts[w.doc] not in self.results
        ]
        if not keep:
            return
        h, b, m = rows(hidden, bias, mask, keep)
        states = self.runner.top(h, b)
        offsets = np.zeros((len(keep), m.shape[1], 2), dtype=np.int64)
        for row, i in enumerate(keep):
            n = min(len(windows[i].ids), m.shape[1])
            offsets[row, :n, 0], offsets[row, :n, 1] = windows[i].starts[:n], windows[i].ends[:n]
        batch_texts = [texts[windows[i].doc] for i in keep]
        batch_spans = [self.spans[t] for t in batch_texts]
        doc = np.zeros((len(keep), 3), dtype=np.float64)
        sent = [np.zeros((len(sp), 3)) for sp in batch_spans]
        missing: list[tuple[int, int]] = []
        self.runner.pool(
            np.arange(len(keep)), states, m, offsets, batch_texts, batch_spans, doc, sent, missing
        )
        for j, t in enumerate(batch_texts):
            self.results[t] = (doc[j], sent[j], [s for d, s in missing if d == j])
