"""Themes lens: fit/assign, labels, Other, hierarchy, guided seeds, save/load (synthetic corpora, no encoder)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from voc.config import ThemesConfig
from voc.lenses.themes import OTHER_ID, OTHER_LABEL, ThemeModel
from voc.lenses.themes.labels import stopwords

TOPICS = {
    "refund": ["refund delay", "still waiting for my refund", "refund not received", "refund takes weeks"],
    "login": [
        "app crashes at login",
        "cannot log in to the app",
        "login screen freezes",
        "app crash on login",
    ],
    "delivery": [
        "late delivery of parcel",
        "parcel arrived late",
        "delivery driver was late",
        "slow parcel delivery",
    ],
    "staff": [
        "rude staff at the counter",
        "staff were rude to me",
        "unhelpful rude staff member",
        "staff attitude",
    ],
    "price": [
        "price is too high",
        "expensive price for the plan",
        "price increase again",
        "overpriced monthly plan",
    ],
    "battery": [
        "battery drains fast",
        "battery life is poor",
        "phone battery dies quickly",
        "battery overheats",
    ],
}


def _word_vec(word: str, dim: int = 384) -> np.ndarray:
    seed = int(hashlib.md5(word.encode()).hexdigest()[:8], 16)
    return np.random.default_rng(seed).normal(size=dim).astype(np.float32)


def fake_encode(texts: list[str]) -> np.ndarray:
    """A deterministic bag-of-words encoder: similar words -> similar vectors (no model needed)."""
    out = np.stack([sum(_word_vec(w) for w in (t.lower().split() or ["empty"])) for t in texts]).astype(
        np.float32
    )
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def corpus(topics=TOPICS, per_topic: int = 60, seed: int = 0) -> tuple[list[str], np.ndarray, list[str]]:
    """Texts built from topic phrases plus filler words; returns texts, embeddings, gold topic per doc."""
    rng = np.random.default_rng(seed)
    filler = ["today", "again", "honestly", "please", "seriously", "now"]
    texts, gold = [], []
    for name, phrases in topics.items():
        for _ in range(per_topic):
            a, b = rng.choice(len(phrases), size=2, replace=False)
            texts.append(f"{phrases[a]}, {phrases[b]} {rng.choice(filler)}")
            gold.append(name)
    return texts, fake_encode(texts), gold


FAST = {
    "reduction": {"name": "pca", "n_components": 5},
    "clustering": {"name": "hdbscan", "min_cluster_size": 15},
}


def cfg(**kw) -> ThemesConfig:
    return ThemesConfig(**{**FAST, **kw})


@pytest.fixture(scope="module")
def fitted():
    texts, emb, gold = corpus()
    return texts, emb, gold, ThemeModel.fit(texts, emb, cfg(), fake_encode)


def test_fit_finds_the_topics_with_full_coverage(fitted):
    _texts, _emb, gold, model = fitted
    from sklearn.metrics import homogeneity_score, normalized_mutual_info_score

    assert homogeneity_score(gold, model.labels_) > 0.95  # a theme never mixes topics (it may split one)
    assert normalized_mutual_info_score(gold, model.labels_) > 0.85
    assert model.coverage(model.labels_) >= 0.95
    kids = model.themes[(model.themes.level == 1) & (model.themes.theme_id != OTHER_ID)]
    assert 5 <= len(kids) <= 8
    assert list(model.themes.columns)[:3] == ["theme_id", "label", "keywords"]
    assert all(len(np.asarray(c)) == 384 for c in model.themes["centroid"])


def test_label_phrases_drop_possessives_and_put_the_noun_first():
    from voc.lenses.themes.labels import candidate_phrases

    phrases = candidate_phrases(["I need to verify my identity before I can reset my passcode."])
    assert "identity verified" in phrases and "passcode reset" in phrases
    assert not any(w in p.split() for p in phrases for w in ("my", "our", "your"))


def test_labels_differing_only_by_plural_count_as_duplicates():
    from voc.lenses.themes.labels import choose_labels, label_key

    assert label_key("Flights") == label_key("flight") and label_key("Glass") != label_key("glas")
    cents = fake_encode(["flight delays", "flight delays"])
    labels = choose_labels(cents, [["flight", "delays"], ["flights", "delay"]], [[], []], fake_encode)
    assert len({label_key(x) for x in labels}) == 2, labels


def test_labels_are_readable_unique_and_keep_keywords(fitted):
    _, _, gold, model = fitted
    labels = model.themes["label"].tolist()
    assert len({x.lower() for x in labels}) == len(labels)
    stops = stopwords()
    for lab, kws in zip(model.themes["label"], model.themes["keywords"]):
        assert "_" not in lab and not lab[0].isdigit()
        if lab != OTHER_LABEL:
            assert not all(w in stops for w in lab.lower().split())
            assert len(kws) > 0
    # The biggest refund theme should be called something with "refund" in it.
    refund_docs = np.array(gold) == "refund"
    tid = pd.Series(model.labels_[refund_docs]).mode()[0]
    label = model.themes.set_index("theme_id").loc[tid, "label"].lower()
    assert "refund" in label


def test_same_input_same_themes():
    texts, emb, _ = corpus()
    a = ThemeModel.fit(texts, emb, cfg(), fake_encode)
    b = ThemeModel.fit(texts, emb, cfg(), fake_encode)
    assert a.themes["label"].tolist() == b.themes["label"].tolist()
    assert np.array_equal(a.labels_, b.labels_)


def test_sample_then_stream_assign_matches_batches():
    texts, emb, gold = corpus(per_topic=120)
    model = ThemeModel.fit(texts, emb, cfg(sample_size=300), fake_encode)
    assert len(model.labels_) == len(texts)
    assert int(model.themes.loc[model.themes.level == 1, "size"].sum()) == len(texts)
    whole = model.assign(emb)
    small = model.assign(emb, batch_size=7)
    assert np.array_equal(whole, small)
    from sklearn.metrics import homogeneity_score

    assert homogeneity_score(gold, whole) > 0.95


def test_misfits_go_to_the_explicit_other_theme(fitted):
    _, _, _, model = fitted
    far = fake_encode(["zebra xylophone quantum", "volcano marmalade sonnet"])
    assert (model.assign(far) == OTHER_ID).all()
    other = model.themes[model.themes.theme_id == OTHER_ID]
    assert len(other) == 1 and other["label"].iloc[0] == OTHER_LABEL


def test_two_level_hierarchy(fitted):
    _, _, _, model = fitted
    t = model.themes
    parents = set(t.loc[t.level == 0, "theme_id"])
    kids = t[(t.level == 1) & (t.theme_id != OTHER_ID)]
    assert len(parents) >= 2
    assert set(kids["parent_id"].astype(int)) <= parents
    for pid in parents:
        assert t.loc[t.theme_id == pid, "size"].iloc[0] == kids.loc[kids.parent_id == pid, "size"].sum()


def test_guided_seed_theme_keeps_its_name():
    texts, emb, gold = corpus()
    seeds = [{"name": "Battery problems", "examples": ["battery drains fast", "battery life is poor"]}]
    model = ThemeModel.fit(texts, emb, cfg(seed_themes=seeds, seed_threshold=0.5), fake_encode)
    t = model.themes.set_index("theme_id")
    seed_id = t.index[t["label"] == "Battery problems"][0]
    members = model.labels_ == seed_id
    assert members.sum() >= 40
    assert (np.array(gold)[members] == "battery").mean() > 0.9
    assert bool(t.loc[seed_id, "pinned"])


def test_save_load_roundtrip(fitted, tmp_path):
    _, emb, _, model = fitted
    model.save(tmp_path / "m")
    back = ThemeModel.load(tmp_path / "m")
    assert back.themes["label"].tolist() == model.themes["label"].tolist()
    assert np.array_equal(back.assign(emb), model.assign(emb))


def test_umap_hdbscan_default_blocks_run():
    texts, emb, gold = corpus(per_topic=30)
    model = ThemeModel.fit(texts, emb, ThemesConfig(), fake_encode)
    from sklearn.metrics import normalized_mutual_info_score

    assert normalized_mutual_info_score(gold, model.labels_) > 0.8
    with pytest.raises(Exception, match="unknown"):
        ThemeModel.fit(texts, emb, ThemesConfig(clustering={"name": "nope"}), fake_encode)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_tiny_corpora_do_not_crash_and_keep_every_doc(n):
    texts = ["refund delay please"] * n
    emb = fake_encode(texts) if n else np.zeros((0, 384), np.float32)
    model = ThemeModel.fit(texts, emb, ThemesConfig(), fake_encode)
    assert len(model.labels_) == n
    assert int(model.themes.loc[model.themes.level == 1, "size"].sum()) == n
    assert (model.themes["theme_id"] == OTHER_ID).any()


def test_exact_cosine_knn_matches_brute_force():
    from sklearn.neighbors import NearestNeighbors

    from voc.lenses.themes.blocks import exact_cosine_knn

    x = np.random.default_rng(0).normal(size=(300, 16)).astype(np.float32)
    idx, dist = exact_cosine_knn(x, 6, block=64)
    ref_d, ref_i = NearestNeighbors(n_neighbors=6, metric="cosine", algorithm="brute").fit(x).kneighbors(x)
    assert (idx[:, 0] == np.arange(300)).all() and np.allclose(dist[:, 0], 0)
    assert np.array_equal(idx, ref_i)
    assert np.allclose(dist, ref_d, atol=1e-5)
