"""The themes stage: fit on a deterministic sample of the store, keep theme identity, assign every document.

Runs after the per-chunk stages. Document vectors come from the encoder's cache (no second encoder pass);
sentence vectors for multi-sentence documents are pooled from one extra pass over those documents only,
so each sentence can join the theme it talks about (per-theme sentiment is sentence-based).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from voc.config import PipelineConfig

log = logging.getLogger(__name__)
MIN_DOCS = 30
ASSIGN_BATCH = 5_000


def themes_in_memory(texts: list[str], vectors: np.ndarray, cfg: PipelineConfig, encoder) -> tuple[list, list]:
    """Fit themes on in-memory documents (voc.analyze); (theme_id, theme_label) per document."""
    from voc.lenses.themes import run_themes

    if len(texts) < MIN_DOCS:
        log.info("themes need at least %d documents; %d given, so theme columns stay empty", MIN_DOCS, len(texts))
        return [None] * len(texts), [None] * len(texts)
    result = run_themes(list(range(len(texts))), texts, vectors, cfg.themes, encoder.encode)
    return result.assignments["theme_id"].tolist(), result.assignments["theme_label"].tolist()


def _sample(store, size: int) -> pd.DataFrame:
    """A deterministic sample (by hashed doc_id, so independent of insert order) of documents."""
    with store.reader() as r:
        return r.con.execute(
            "SELECT doc_id, text FROM documents ORDER BY md5(doc_id) LIMIT ?", [size]
        ).df()


@dataclass
class FittedThemes:
    """Themes fitted on the store's sample: the run result and the sample's own assignments."""

    result: object  # voc.lenses.themes.ThemesRun
    in_sample: dict


def fit_themes(store, encoder, cfg: PipelineConfig, run_id: str) -> FittedThemes | None:
    """Fit on the deterministic sample, match stored themes and replay edits; None if too few documents."""
    from voc.lenses.themes import run_themes

    sample = _sample(store, cfg.themes.sample_size)
    if len(sample) < MIN_DOCS:
        log.warning("themes need at least %d documents; the store has %d", MIN_DOCS, len(sample))
        return None
    texts = sample["text"].tolist()
    result = run_themes(
        sample["doc_id"].tolist(), texts, encoder.encode(texts), cfg.themes, encoder.encode,
        stored=store.themes(include_retired=True), edits=store.edits(), run_id=run_id,
    )  # fmt: skip
    return FittedThemes(result, dict(zip(result.assignments["doc_id"], result.assignments["theme_id"])))


def assign_batch(fitted: FittedThemes, ids: list, texts: list[str], encoder, cfg: PipelineConfig):
    """Theme per document (sample documents keep their fitted theme) and per sentence, for one batch."""
    from voc.clean.sentences import split_sentences
    from voc.lenses.themes import assign_sentences

    theme = fitted.result.model.assign(encoder.encode(texts))
    theme = np.array([fitted.in_sample.get(d, t) for d, t in zip(ids, theme)], dtype=np.int64)
    sentences = _sentence_themes(ids, texts, theme, encoder, fitted.result.themes, cfg, split_sentences, assign_sentences)
    return pd.DataFrame({"doc_id": ids, "theme_id": theme}), sentences


def store_themes(store, fitted: FittedThemes, doc_themes: list[pd.DataFrame], sentence_themes: list[pd.DataFrame]):
    """Write the themes table and every document's and sentence's theme in one transaction."""
    with store.writer() as tx:
        tx.write_themes(fitted.result.themes)
        tx.set_document_themes(pd.concat(doc_themes, ignore_index=True))
        tx.set_sentence_themes(pd.concat(sentence_themes, ignore_index=True))
    return fitted.result.themes


def refresh_themes(store, encoder, cfg: PipelineConfig, run_id: str, progress=None) -> pd.DataFrame:
    """Fit, match to stored themes, replay edits, store themes and assign all documents and sentences."""
    fitted = fit_themes(store, encoder, cfg, run_id)
    if fitted is None:
        return pd.DataFrame()
    doc_themes, sentence_themes = [], []
    task = progress.task("assigning themes") if progress else None
    for batch in store.text_pages(ASSIGN_BATCH):
        docs, sentences = assign_batch(fitted, batch["doc_id"].tolist(), batch["text"].tolist(), encoder, cfg)
        doc_themes.append(docs)
        sentence_themes.append(sentences)
        if progress:
            progress.advance(task, len(docs))
    return store_themes(store, fitted, doc_themes, sentence_themes)


def _sentence_themes(ids, texts, doc_theme, encoder, themes, cfg, split_sentences, assign_sentences) -> pd.DataFrame:
    spans = [split_sentences(t) or [(0, len(t))] for t in texts]
    multi = [i for i, s in enumerate(spans) if len(s) > 1]
    rows = [(d, 0, t) for d, s, t in zip(ids, spans, doc_theme) if len(s) == 1]
    if multi:
        _, sent_vecs = encoder.encode_spans([texts[i] for i in multi], [spans[i] for i in multi])
        owner = [i for i, v in zip(multi, sent_vecs) for _ in range(len(v))]
        idx = [k for v in sent_vecs for k in range(len(v))]
        per_sentence = assign_sentences(
            np.concatenate(sent_vecs), np.asarray(doc_theme)[owner], themes, cfg.themes.other_threshold
        )  # one call for the whole batch: the theme table is filtered and its centroids stacked once
        rows.extend((ids[i], k, int(t)) for i, k, t in zip(owner, idx, per_sentence))
    return pd.DataFrame(rows, columns=["doc_id", "idx", "theme_id"])
