"""Label shape and parent rules of the themes lens: what a CX lead would reject never comes out."""

import numpy as np

from tests.test_themes import fake_encode
from voc.lenses.themes import hierarchy
from voc.lenses.themes.label_rules import bad_label, corpus_rules
from voc.lenses.themes.labels import _clean_span, label_themes
from voc.lenses.themes.phrases import participle, theme_candidates
from voc.lenses.themes.praise import praise_label


def _cands(texts):
    return theme_candidates(texts, _clean_span)


def test_a_praise_label_never_leaves_a_lone_corpus_frequent_word():
    corpus = [f"the flight {i} was late again" for i in range(30)] + ["great crew on my flight"] * 10
    rules = corpus_rules(corpus)
    assert "flight" in rules.frequent
    reps = ["Great flight, love it!", "What a great flight, amazing!", "Best flight ever, thank you!"]
    kws = [["flight", "great flight"]]
    labels = label_themes(fake_encode(["great flight"]), kws, [reps], fake_encode, rules=rules).labels
    assert labels[0] != "Flight (praise)" and not bad_label(labels[0], rules), labels


def test_praise_labels_name_the_aspect_without_conjunctions_or_praise_words():
    assert praise_label("comfortable and fun fabric") == "Fabric (praise)"  # was "And fun fabric (praise)"
    assert praise_label("best network") == "Network (praise)"


def test_participles_are_spelt_right():
    assert participle("wear") == "worn" and participle("tear") == "torn" and participle("freeze") == "frozen"
    found = _cands(["The seam was sewn badly."]).support
    assert "seam sewn" in found and "seam sewed" not in found  # the parser's own participle, not lemma + "ed"


def test_no_verb_first_time_unit_or_shopping_labels():
    found = set(_cands([
        "Got billed for a router I returned weeks ago.",
        "Waited 29 minutes for a callback.",
        "I bought the dress in blue. I wore this bra all day.",
    ]).support)  # fmt: skip
    assert "got billed" not in found and "minutes waited" not in found
    assert not {"dress bought", "bra weared", "bra worn"} & found
    assert "callback" in found and "router" in found


def test_a_label_never_starts_with_a_verb_a_conjunction_or_is_a_keyword_bigram_never_written():
    reps = ["The store employee made fun of my old phone in front of other customers."] * 3
    reps += ["Staff in the shop were rude and ignored me.", "aww appreciate it"]
    kws = [["phone customers", "appreciate", "aww", "staff", "shop staff"]]
    labels = label_themes(fake_encode(["phone customers"]), kws, [reps], fake_encode).labels
    assert labels[0].lower() not in {"phone customers", "appreciate", "aww"}, labels
    first = labels[0].split()[0].lower()
    assert first not in {"and", "or", "but", "got", "appreciate"}, labels


def test_parents_do_not_lump_a_one_domain_corpus_whose_children_differ():
    """Every child shares a strong domain direction (raw cosine > 0.6), but four topics differ: a raw cut
    put all children under one parent; the centred cut keeps the four topics apart."""
    rng = np.random.default_rng(3)
    domain, topics = rng.normal(size=64), rng.normal(size=(4, 64))
    cents = np.stack([2.5 * domain + topics[i % 4] + 0.25 * rng.normal(size=64) for i in range(12)])
    cents /= np.linalg.norm(cents, axis=1, keepdims=True)
    sizes = np.full(12, 100)
    sims = cents @ cents.T
    assert sims[np.triu_indices(12, 1)].min() > 0.6
    groups = hierarchy.build_parents(cents, sizes, None)
    largest = max(sizes[groups == g].sum() for g in set(groups)) / sizes.sum()
    assert largest <= 0.34, groups
    assert all(len({groups[j] for j in range(12) if j % 4 == i}) == 1 for i in range(4)), groups


def test_a_parent_label_is_an_aspect_its_children_share_never_a_verb():
    from collections import Counter

    from voc.lenses.themes.parent_labels import parent_labels
    from voc.lenses.themes.phrases import Candidates

    names = ["App crashes", "Login broken", "Seat upgrade", "Seat broken"]
    aspects = ["app", "login", "seat", "seat"]
    pos = Counter({("crashes", "VERB"): 5, ("refunded", "VERB"): 4, ("app", "NOUN"): 9, ("login", "NOUN"): 6,
                   ("seat", "NOUN"): 7, ("upgrade", "NOUN"): 3})  # fmt: skip
    groups = np.array([0, 0, 1, 1])
    sizes = np.array([50, 40, 30, 20])
    p_cents = fake_encode(["crashes refunded", "seat"])  # the verbs sit closest to the centroid
    docs = [["the app crashes at login", "app login fails", "app crashes"], ["my seat was broken", "seat upgrade"]]
    labels = parent_labels(names, sizes, groups, p_cents, [["crashes", "refunded"], ["seat"]], fake_encode,
                           lambda p: True, aspects, Candidates(pos=pos), docs)  # fmt: skip
    assert labels[0] == "App", labels  # the aspect most children and documents share
    assert labels[1] == "Seat", labels
