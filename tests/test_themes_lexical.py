"""Lexical view for theme clustering: content-word LSA joined to the theme vectors (opt-in, lexical_weight)."""

from __future__ import annotations

import numpy as np

from tests.test_themes import cfg, corpus, fake_encode
from voc.lenses.themes import OTHER_ID, ThemeModel
from voc.lenses.themes.lexical import hybrid, lexical_vectors


def test_lexical_vectors_put_documents_with_the_same_content_words_together():
    texts = [
        "my flight was delayed again",
        "flights delayed for hours",
        "they lost my bag",
        "bag lost at the airport",
        "the the and of",  # no content words: a zero row, not an error
    ]
    lex = lexical_vectors(texts * 3, dims=4)
    assert lex.shape[0] == 15
    sims = lex[:4] @ lex[:4].T
    assert sims[0, 1] > sims[0, 2] and sims[2, 3] > sims[2, 1]  # "delayed"/"delays" share a stem
    assert np.allclose(np.linalg.norm(lex[:4], axis=1), 1.0, atol=1e-5)
    assert np.allclose(lex[4], 0.0)


def test_hybrid_keeps_unit_rows_and_zero_weight_is_the_theme_vectors():
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(6, 8)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    lex = rng.normal(size=(6, 3)).astype(np.float32)
    lex /= np.linalg.norm(lex, axis=1, keepdims=True)
    both = hybrid(emb, lex, 0.3)
    assert both.shape == (6, 11)
    assert np.allclose(np.linalg.norm(both, axis=1), 1.0, atol=1e-5)
    assert hybrid(emb, lex, 0.0) is emb


def test_fit_with_a_lexical_weight_keeps_themes_pure_and_covers_every_doc():
    from sklearn.metrics import homogeneity_score

    texts, emb, gold = corpus()
    model = ThemeModel.fit(texts, emb, cfg(lexical_weight=0.3), fake_encode)
    assert homogeneity_score(gold, model.labels_) > 0.95
    assert model.coverage(model.labels_) >= 0.95
    kids = model.themes[(model.themes.level == 1) & (model.themes.theme_id != OTHER_ID)]
    assert len(kids) >= 5
    # Centroids stay in the encoder's space, so new documents are assigned as before.
    assert np.array_equal(model.assign(emb), model.labels_)
