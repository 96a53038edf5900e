"""Themes lens: BERTopic-style themes over the shared embeddings, with stable identity and user edits.

Input vectors: the theme view (view.py), pooled by the shared encoder pass over each document's sentence
pieces without @handles, URLs, placeholders, '#' marks, greetings and sign-offs (the stored text is unchanged).
Fit (ThemeModel.fit): a seeded sample of at most `sample_size` docs -> guided seed themes first (docs with
cosine >= seed_threshold to a seed's name+examples join it) -> reduction block (UMAP over exact cosine kNN by
default) -> clustering block (HDBSCAN, min_cluster_size auto ~ n/300) -> catch-all clusters (large share,
coherence below the median) re-clustered recursively -> near-duplicate clusters merged (average-linkage on
centroid cosine >= `merge_threshold`) -> the rest of the corpus is assigned to the nearest centroid in
batches (flat memory). Outliers: (1) HDBSCAN fixes the number of themes and a k-means pass in the reduced
space (k-means++ init, clustering.refine) gives every doc its nearest region; (2) any doc whose cosine to its
theme centroid is below `other_threshold` goes to the explicit "Other" theme (theme_id 0, a real row).
Keywords: c-TF-IDF terms (over the theme view without hashtags) found in >= 10% of a theme's docs, skipping
terms that share no theme document with most keywords kept so far. Labels (labels.py, phrases.py,
label_shape.py): noun chunks and aspect + problem phrases, noun first ("Bag lost", "App crashes", "Staff rude",
"Login not working"), from a few representative docs (spaCy), ranked by cosine to the centroid, keyword
overlap, support and phrase-level c-TF-IDF salience against the corpus (salience.py); a label starts and ends
on a content word, holds a noun and no pronoun, time unit or shopping verb; handle, hashtag, platform and
name-like words are banned and a corpus-frequent word never stands alone (label_rules.py); clearly positive
themes read "Network (praise)" (praise.py, VADER on representatives); themes of questions or thanks read
"Mobile plan questions" and "Thank-you messages" (intents.py).
Hierarchy (hierarchy.py): parents group child centroids by average linkage after removing what all children
share (centred centroids; raw cosine lumps a one-domain corpus under one parent), above a coherence floor;
parent_labels.py names each from its children's aspects, its keywords and its documents.
`ThemeModel.parent_coherence` reports the child-to-parent centroid cosine.
Spans (spans.py): the theme view's sentence pieces are units too. Every document keeps the themes its other
spans sit closer to as secondary themes (`theme_secondary`); `units: span` also clusters the spans (each
with a share of its document's vector) and gives a document the span theme nearest the whole document.
"""

from __future__ import annotations

from voc.lenses.themes.blocks import enable_numba_cache

enable_numba_cache()  # before umap/pynndescent import numba, so compiled code is reused across processes

from voc.lenses.themes.edits import apply_edits
from voc.lenses.themes.identity import drift_report, match_themes, reconcile, remap_assignments
from voc.lenses.themes.model import OTHER_ID, OTHER_LABEL, THEME_COLUMNS, ThemeModel, empty_themes
from voc.lenses.themes.pipeline import ThemesRun, run_themes
from voc.lenses.themes.sentiment import assign_sentences, theme_sentiment
from voc.lenses.themes.taxonomy_yaml import export_taxonomy, import_taxonomy, taxonomy_edits

__all__ = [
    "OTHER_ID",
    "OTHER_LABEL",
    "THEME_COLUMNS",
    "ThemeModel",
    "ThemesRun",
    "apply_edits",
    "assign_sentences",
    "drift_report",
    "empty_themes",
    "enable_numba_cache",
    "export_taxonomy",
    "import_taxonomy",
    "match_themes",
    "reconcile",
    "remap_assignments",
    "run_themes",
    "taxonomy_edits",
    "theme_sentiment",
]  # fmt: skip
