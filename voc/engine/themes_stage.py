"""The themes stage: fit on a deterministic sample of the store, keep theme identity, assign every document.

Runs after the per-chunk stages. Document vectors come from the encoder's cache (no second encoder pass);
sentence vectors for multi-sentence documents are pooled from one extra pass over those documents only,
so each sentence can join the theme it talks about (per-theme sentiment is sentence-based).
Documents in a language the encoder does not cover (`encoder.languages`) are left out of the fit and the
assignment and go to their language group (voc.lenses.themes.languages), sentences included.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from voc.config import PipelineConfig
from voc.lenses.registry import Output
from voc.lenses.themes.languages import language_group_rows, split_by_coverage, without_language_groups
from voc.lenses.themes.succession import RERUN_ACTOR, retire_payloads, retired_by_rerun

log = logging.getLogger(__name__)
MIN_DOCS = 30
ASSIGN_BATCH = 5_000
# each document's cosine to its theme's centroid (the Review queue asks about low ones); declared by this stage
# when it writes, beside the themes lens's own outputs
THEME_SIMILARITY = Output("theme_similarity", "DOUBLE").as_dict()
# each document's other span themes beside its primary theme_id (voc.lenses.themes.spans)
THEME_SECONDARY = Output("theme_secondary", "INTEGER[]").as_dict()


def view(encoder, texts: list[str], pooling: str = "pieces", df: dict | None = None):
    """Theme-view vectors of texts (themes.view_pooling; `df` for "idf") and their span units, from the shared pass."""
    from voc.lenses.themes.spans import span_units
    from voc.lenses.themes.view import theme_vectors

    vectors, spans, span_vecs = theme_vectors(encoder, texts, pooling, df)
    return vectors, span_units(texts, spans, span_vecs)


def themes_in_memory(
    texts: list[str], vectors: np.ndarray, cfg: PipelineConfig, encoder, languages: list[str] | None = None
) -> tuple[list, list, list, list]:
    """Fit themes on in-memory documents (voc.analyze); theme_id, theme_label, theme_similarity, theme_secondary.

    Documents in a language the encoder does not cover get their language group, not a fitted theme.
    """
    from voc.clean.coverage import not_analysed_label
    from voc.lenses.themes import run_themes
    from voc.lenses.themes.languages import language_of_theme

    mask, groups = split_by_coverage(languages, cfg.encoder.languages, len(texts))
    ids: list = [g for g in groups]
    labels: list = [None if g is None else not_analysed_label(language_of_theme(g)) for g in groups]
    sims: list = [None] * len(texts)
    secondary: list = [None] * len(texts)
    keep = np.flatnonzero(mask)
    if len(keep) < MIN_DOCS:
        log.info("themes need at least %d documents; %d given, so theme columns stay empty", MIN_DOCS, len(keep))
        return ids, labels, sims, secondary
    kept = [texts[i] for i in keep]
    vectors, units = view(encoder, kept, cfg.themes.view_pooling)  # the theme view, pooled in the shared pass
    result = run_themes(list(range(len(kept))), kept, vectors, cfg.themes, encoder.encode, units=units)
    assigned = result.assignments["theme_id"].to_numpy()
    similarity = result.model.similarity(vectors, assigned)
    others = result.assignments["secondary"] if "secondary" in result.assignments else [None] * len(keep)
    for i, tid, label, sim, more in zip(keep, assigned, result.assignments["theme_label"], similarity, others):
        ids[i], labels[i], sims[i] = tid, label, None if np.isnan(sim) else float(sim)
        secondary[i] = None if more is None else [int(t) for t in more]
    return ids, labels, sims, secondary


def _sample(store, size: int, languages: list[str]) -> pd.DataFrame:
    """A deterministic sample (by hashed doc_id, so independent of insert order) of the covered documents."""
    covered = [*languages, "und", ""]
    marks = ", ".join("?" for _ in covered)
    with store.reader() as r:
        return r.con.execute(
            f"SELECT doc_id, text FROM documents WHERE coalesce(language, 'und') IN ({marks}) "
            "ORDER BY md5(doc_id) LIMIT ?",
            [*covered, size],
        ).df()


@dataclass
class FittedThemes:
    """Themes fitted on the store's sample: the run result and the sample's own assignments."""

    result: object  # voc.lenses.themes.ThemesRun
    in_sample: dict
    run_id: str | None = None
    in_sample_secondary: dict | None = None  # doc_id -> secondary theme ids (span units)
    view_df: dict | None = None  # the sample's word document frequencies ("idf" view pooling), for assignment


def fit_themes(store, encoder, cfg: PipelineConfig, run_id: str) -> FittedThemes | None:
    """Fit on the deterministic sample, match stored themes and replay edits; None if too few documents."""
    from voc.lenses.themes import run_themes
    from voc.lenses.themes.view import view_doc_freq

    sample = _sample(store, cfg.themes.sample_size, cfg.encoder.languages)
    if len(sample) < MIN_DOCS:
        log.warning("themes need at least %d documents; the store has %d", MIN_DOCS, len(sample))
        return None
    texts = sample["text"].tolist()
    df = view_doc_freq(texts) if cfg.themes.view_pooling == "idf" else None
    vectors, units = view(encoder, texts, cfg.themes.view_pooling, df)
    result = run_themes(
        sample["doc_id"].tolist(), texts, vectors, cfg.themes, encoder.encode,
        stored=without_language_groups(store.themes(include_retired=True)), edits=store.edits(), run_id=run_id,
        units=units,
    )  # fmt: skip
    a = result.assignments
    secondary = dict(zip(a["doc_id"], a["secondary"])) if "secondary" in a else None
    return FittedThemes(result, dict(zip(a["doc_id"], a["theme_id"])), run_id, secondary, df)


def assign_batch(
    fitted: FittedThemes, ids: list, texts: list[str], encoder, cfg: PipelineConfig, languages: list | None = None
):
    """Theme per document (sample documents keep their fitted theme) and per sentence, for one batch.

    Documents the encoder does not cover (by `languages`) and all their sentences go to their language group.
    """
    from voc.clean.sentences import split_sentences
    from voc.lenses.themes import assign_sentences

    mask, groups = split_by_coverage(languages, cfg.encoder.languages, len(ids))
    out = [pd.DataFrame({"doc_id": [], "theme_id": [], "theme_similarity": []})]
    sentences = [pd.DataFrame(columns=["doc_id", "idx", "theme_id"])]
    if mask.any():
        ids_in, texts_in = [d for d, ok in zip(ids, mask) if ok], [t for t, ok in zip(texts, mask) if ok]
        vectors, units = view(encoder, texts_in, cfg.themes.view_pooling, fitted.view_df)
        model = fitted.result.model
        theme, secondary = model.assign_spans(vectors, units, cfg.themes.units == "span")
        theme = np.array([fitted.in_sample.get(d, t) for d, t in zip(ids_in, theme)], dtype=np.int64)
        similarity = model.similarity(vectors, theme)  # the Review queue asks the least similar
        frame = pd.DataFrame({"doc_id": ids_in, "theme_id": theme, "theme_similarity": similarity})
        known = fitted.in_sample_secondary or {}
        frame["theme_secondary"] = [known.get(d, s) for d, s in zip(ids_in, secondary)]
        out.append(frame)
        sentences.append(_sentence_themes(
            ids_in, texts_in, theme, encoder, fitted.result.themes, cfg, split_sentences, assign_sentences
        ))  # fmt: skip
    if not mask.all():
        rest = np.flatnonzero(~mask)
        out.append(pd.DataFrame({"doc_id": [ids[i] for i in rest], "theme_id": [groups[i] for i in rest]}))
        rows = [(ids[i], k, groups[i]) for i in rest for k in range(len(split_sentences(texts[i]) or [0]))]
        sentences.append(pd.DataFrame(rows, columns=["doc_id", "idx", "theme_id"]))
    docs = pd.concat([f for f in out if len(f)] or out[:1], ignore_index=True)
    return docs.astype({"theme_id": np.int64}), pd.concat([f for f in sentences if len(f)] or sentences[:1], ignore_index=True)


def store_themes(store, fitted: FittedThemes, doc_themes: list[pd.DataFrame], sentence_themes: list[pd.DataFrame]):
    """Write the themes table and every document's and sentence's theme in one transaction."""
    docs = pd.concat(doc_themes, ignore_index=True)
    themes = fitted.result.themes
    groups = docs.loc[docs["theme_id"] < 0, "theme_id"].value_counts()
    if len(groups):
        dim = len(themes["centroid"].iloc[0]) if len(themes) else 0
        rows = language_group_rows({int(k): int(v) for k, v in groups.items()}, dim, fitted.run_id)
        themes = pd.concat([rows, themes], ignore_index=True)
    if "theme_secondary" in docs:  # language-group rows have none
        docs["theme_secondary"] = [v if isinstance(v, list) else None for v in docs["theme_secondary"]]
    store.declare_outputs([THEME_SIMILARITY, *([THEME_SECONDARY] if "theme_secondary" in docs else [])])
    with store.writer() as tx:
        retired = _retirements(tx, themes, docs, fitted.run_id)  # before the documents' old themes are replaced
        tx.write_themes(themes)
        tx.set_document_themes(docs)
        tx.set_sentence_themes(pd.concat(sentence_themes, ignore_index=True))
        for payload in retired:
            tx.append_edit("retire", payload, actor=RERUN_ACTOR)
    return themes


def _retirements(tx, themes: pd.DataFrame, docs: pd.DataFrame, run_id) -> list[dict]:
    """`retire` payloads for the stored themes this run retired: where their documents went (succession)."""
    stored = without_language_groups(tx.themes(include_retired=True))
    retired = retired_by_rerun(stored, themes, tx.edits())
    if retired.empty:
        return []
    tx.con.register("new_doc_themes", docs[["doc_id", "theme_id"]])
    try:
        moves = tx.con.execute(
            "SELECT p.theme_id AS old_id, d.theme_id AS new_id, count(*) AS n FROM predictions p "
            "JOIN new_doc_themes d USING (doc_id) WHERE p.theme_id IS NOT NULL GROUP BY 1, 2"
        ).df()
    finally:
        tx.con.unregister("new_doc_themes")
    return retire_payloads(retired, moves, stored, themes, run_id)


def refresh_themes(store, encoder, cfg: PipelineConfig, run_id: str, progress=None) -> pd.DataFrame:
    """Fit, match to stored themes, replay edits, store themes and assign all documents and sentences."""
    fitted = fit_themes(store, encoder, cfg, run_id)
    if fitted is None:
        return pd.DataFrame()
    doc_themes, sentence_themes = [], []
    task = progress.task("assigning themes") if progress else None
    for batch in store.text_pages(ASSIGN_BATCH):
        docs, sentences = assign_batch(
            fitted, batch["doc_id"].tolist(), batch["text"].tolist(), encoder, cfg, batch["language"].tolist()
        )
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
