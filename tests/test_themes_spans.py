"""Span units (voc.lenses.themes.spans): short pieces join a neighbour, the primary theme comes from the spans
under `units: span`, every document keeps its other span themes as secondary ones, and they are stored."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from bench.sample_store import build_sample_store
from tests.test_themes import TOPICS, cfg, fake_encode
from voc.config import ThemesConfig
from voc.lenses.themes import OTHER_ID, ThemeModel, apply_edits, run_themes
from voc.lenses.themes.spans import active_secondary, span_units
from voc.lenses.themes.view import pool_view, theme_spans
from voc.store import Store


def _view(texts: list[str]):
    """Theme-view vectors and span units as the engine builds them, with the fake encoder per span."""
    spans = [theme_spans(t) for t in texts]
    span_vecs = [fake_encode([t[a:b] for a, b in sp]) for t, sp in zip(texts, spans)]
    return pool_view(span_vecs, spans), span_units(texts, spans, span_vecs)


def _corpus(per_topic: int = 40, mixed: int = 30, seed: int = 0):
    """Single-topic docs, plus `mixed` docs: a login complaint, then a shorter sentence about a refund."""
    rng = np.random.default_rng(seed)
    texts, gold = [], []
    for name, phrases in TOPICS.items():
        for _ in range(per_topic):
            a, b = rng.choice(len(phrases), size=2, replace=False)
            texts.append(f"{phrases[a].capitalize()} and {phrases[b]}.")
            gold.append(name)
    login, refund = TOPICS["login"], TOPICS["refund"]
    for _ in range(mixed):
        a, b = rng.choice(len(login), size=2, replace=False)
        # refund phrases whose words are mostly refund words: the fake encoder is a bag of words
        texts.append(f"{login[a].capitalize()} and {login[b]}. Also {refund[rng.choice([0, 2, 3])]}.")
        gold.append("login")
    return texts, gold


@pytest.fixture(scope="module")
def corpus():
    texts, gold = _corpus()
    emb, units = _view(texts)
    return texts, gold, emb, units


def _themes_of(model: ThemeModel, gold: list[str], topic: str) -> set[int]:
    """The themes a topic's single-topic documents went to (a topic may split, themes never mix topics)."""
    lab = model.labels_[: len(TOPICS) * 40]
    return set(lab[np.asarray(gold[: len(lab)]) == topic].tolist())


def test_short_pieces_join_their_neighbour():
    text = "Ugh. The app crashes at login every time. So slow. Refund still not received after weeks."
    spans = [(0, 4), (5, 41), (42, 50), (51, 89)]
    vecs = [np.eye(4, dtype=np.float32)]
    units = span_units([text], [spans], vecs)
    assert units.bounds == [(0, 50), (51, 89)]  # "Ugh." and "So slow." (< 3 words) joined the login sentence
    assert units.texts([text]) == [text[:50], text[51:89]]
    assert units.owner.tolist() == [0, 0]
    w = np.array([4, 36, 8], np.float32)  # a merged unit is the length-weighted mean of its pieces
    expect = (np.eye(4)[:3] * w[:, None]).sum(axis=0)
    assert np.allclose(units.vectors[0], expect / np.linalg.norm(expect))


def test_span_units_need_one_vector_list_per_document():
    with pytest.raises(Exception, match="one of each per document"):
        span_units(["a b c", "d e f"], [[(0, 5)]], [np.ones((1, 4))])


def test_units_switch_is_validated():
    assert ThemesConfig().units == "document"  # the default, chosen by measurement (see spans.py)
    assert ThemesConfig(units="span").units == "span"
    with pytest.raises(ValidationError):
        ThemesConfig(units="sentence")


def test_span_units_give_the_complaint_the_primary_theme_and_keep_the_secondary(corpus):
    texts, gold, emb, units = corpus
    model = ThemeModel.fit(texts, emb, cfg(units="span"), fake_encode, units)
    login, refund = _themes_of(model, gold, "login"), _themes_of(model, gold, "refund")
    assert not login & refund and OTHER_ID not in login | refund
    mixed = np.arange(len(TOPICS) * 40, len(texts))
    assert np.mean([model.labels_[d] in login for d in mixed]) >= 0.9  # what these docs are about
    assert np.mean([bool(refund & set(model.secondary_[d])) for d in mixed]) >= 0.9
    assert all(model.labels_[d] not in model.secondary_[d] for d in range(len(texts)))
    from sklearn.metrics import homogeneity_score

    assert homogeneity_score(gold, model.labels_) > 0.9


def test_document_units_keep_the_primary_and_add_span_secondaries(corpus):
    texts, gold, emb, units = corpus
    plain = ThemeModel.fit(texts, emb, cfg(), fake_encode)
    model = ThemeModel.fit(texts, emb, cfg(), fake_encode, units)
    assert np.array_equal(model.labels_, plain.labels_)  # the default's primary theme is unchanged
    assert plain.secondary_ is None
    login, refund = _themes_of(model, gold, "login"), _themes_of(model, gold, "refund")
    mixed = range(len(TOPICS) * 40, len(texts))
    both = [bool(login & {model.labels_[d], *model.secondary_[d]}) and bool(refund & {model.labels_[d], *model.secondary_[d]})
            for d in mixed]  # fmt: skip
    assert np.mean(both) >= 0.9  # the document's theme plus its span themes name both issues
    single = [d for d in range(len(TOPICS) * 40) if model.secondary_[d]]
    assert len(single) <= 0.1 * len(TOPICS) * 40  # one-topic documents rarely get a secondary theme
    # assigning without a refit gives the fitted documents the same primary and secondary themes
    primary, secondary = model.assign_spans(emb, units, by_span=False)
    assert np.array_equal(primary, model.labels_)
    assert [sorted(s) for s in secondary] == [sorted(s) for s in model.secondary_]


def test_run_themes_stores_secondaries_in_stored_ids_after_a_merge(corpus):
    texts, gold, emb, units = corpus
    first = run_themes(list(range(len(texts))), texts, emb, cfg(), fake_encode, units=units)
    assert "secondary" in first.assignments
    a = first.assignments
    mixed = np.arange(len(TOPICS) * 40, len(texts))
    primaries = set(a["theme_id"].iloc[mixed])
    merged = {int(t) for s in a["secondary"].iloc[mixed] for t in s} - primaries
    assert merged, "the mixed documents' refund spans must give them secondary themes"
    kids = [int(t) for t in first.themes.loc[first.themes.level == 1, "theme_id"]]
    into = next(t for t in kids if t not in primaries | merged | {OTHER_ID})
    edits = pd.DataFrame({"edit_id": [1], "op": ["merge"], "payload": [{"theme_ids": [into, *merged], "into": into}]})
    again = run_themes(
        list(range(len(texts))), texts, emb, cfg(), fake_encode, stored=first.themes, edits=edits, units=units
    )
    b = again.assignments
    assert b["theme_id"].iloc[mixed].tolist() == a["theme_id"].iloc[mixed].tolist()  # ids survive the re-run
    assert all(not merged & set(s) for s in b["secondary"])  # the merged themes are gone from the secondaries
    assert np.mean([into in s for s in b["secondary"].iloc[mixed]]) >= 0.9  # ... and followed the merge


def test_secondary_themes_follow_merges_like_the_primary_and_drop_the_rest():
    ids = [0, 5, 6, 7, 8, 9]
    themes = pd.DataFrame({
        "theme_id": ids, "level": 1, "status": ["active"] * 4 + ["retired", "active"], "size": 1, "parent_id": None,
        "centroid": [np.eye(len(ids), dtype=np.float32)[i] for i in range(len(ids))], "keywords": [[]] * len(ids),
        "user_label": None, "pinned": False,
    })  # fmt: skip
    assign = pd.DataFrame({"doc_id": [0, 1, 2], "theme_id": [7, 7, 6], "secondary": [[5, 9, 8], [7], [9, 7]]})
    edits = pd.DataFrame({"edit_id": [1, 2], "op": ["merge", "rename"],
                          "payload": ['{"theme_ids": [6, 9], "into": 6}', '{"theme_id": 6, "label": "x"}']})  # fmt: skip
    table, out = apply_edits(themes, assign, edits)
    got = active_secondary(table, out["secondary"], out["theme_id"])
    # 5 kept; 9 merged into 6; 8 retired, dropped; 7 is the primary; 9 -> 6 is the primary
    assert got == [[5, 6], [], [7]]


def test_secondary_themes_are_stored_beside_the_primary(tmp_path):
    from voc.engine.themes_stage import THEME_SECONDARY, THEME_SIMILARITY

    store = Store(build_sample_store(tmp_path / "s.duckdb", n=20))
    store.declare_outputs([THEME_SIMILARITY, THEME_SECONDARY])
    ids = store.documents_with_predictions(columns=["doc_id"])["doc_id"].tolist()[:3]
    store.set_document_themes(pd.DataFrame({
        "doc_id": ids, "theme_id": [1, 2, 3], "theme_similarity": [0.6, 0.5, 0.4], "theme_secondary": [[2, 3], [], None],
    }))  # fmt: skip
    got = store.documents_with_predictions(columns=["doc_id", "theme_id", "theme_secondary"]).set_index("doc_id")
    assert got.loc[ids, "theme_id"].tolist() == [1, 2, 3]
    assert [list(v) if isinstance(v, (list, np.ndarray)) else None for v in got.loc[ids, "theme_secondary"]] == [
        [2, 3], [], None
    ]
