"""Theme view of noisy text, label rules, issue-shaped phrases and the parent hierarchy of the themes lens."""

import numpy as np

from voc.lenses.themes import hierarchy
from voc.lenses.themes.label_rules import bad_label, corpus_rules
from voc.lenses.themes.parent_labels import parent_labels
from voc.lenses.themes.phrases import gerund, issue_phrases, participle, third_person
from voc.lenses.themes.view import label_text, pool_view, theme_spans, view_text


def test_view_drops_handles_urls_greetings_and_signoffs():
    tweet = "@united my bag was lost in Denver https://t.co/x1 #fail #neveragain"
    assert view_text(tweet) == "my bag was lost in Denver fail neveragain"
    assert label_text(tweet) == "my bag was lost in Denver"
    ticket = "Good afternoon, The app crashes on the billing page.\n\nKind regards,\nJohn"
    assert view_text(ticket) == "The app crashes on the billing page."
    agent = "Dear Chris,\n\nThe refund is on its way.\n\nThanks, Chloe - Nimbus Care"
    assert view_text(agent) == "The refund is on its way."
    assert view_text("Heyyyy guys, my bag is gone") == "my bag is gone"
    text = "Account NM77126752 was charged twice, see [EMAIL]."
    assert "NM77126752" not in view_text(text) and "[EMAIL]" not in view_text(text)


def test_view_spans_index_the_original_text_and_never_come_back_empty():
    text = "@SouthwestAir surprise, more delays. @jetblue Broken down equipment."
    spans = theme_spans(text)
    assert [text[a:b] for a, b in spans] == ["surprise, more delays.", "Broken down equipment."]
    assert theme_spans("@united") == [(0, 7)]  # only a handle: the whole text, not nothing
    assert theme_spans("") == [(0, 0)]


def test_pool_view_is_the_length_weighted_mean_of_span_vectors():
    vecs = [np.array([[1.0, 0.0], [0.0, 1.0]], np.float32), np.zeros((0, 2), np.float32)]
    out = pool_view(vecs, [[(0, 30), (40, 50)], []])
    expected = np.array([3.0, 1.0]) / np.sqrt(10.0)
    assert np.allclose(out[0], expected, atol=1e-6)
    assert np.allclose(out[1], 0.0)


def test_label_rules_ban_handles_hashtags_names_platform_words_and_lone_frequent_words():
    texts = [f"@united flight {i} was delayed again, DM me" for i in range(40)]
    texts += [f"Carrie said the flight crew was rude {i} #destinationdragons" for i in range(5)]
    texts += ["we met Carrie at the gate", "thanks to Carrie", "ask Carrie"]
    rules = corpus_rules(texts)
    assert {"united", "destinationdragons"} <= rules.banned and "carrie" in rules.names
    for label in ("Dm", "Twitter", "Carrie", "United", "Destinationdragons", "Flight", "nan", "", "12"):
        assert bad_label(label, rules), label
    for label in ("Flight delayed", "Crew rude", "Carrie flight"):
        assert not bad_label(label, rules), label


def test_verb_forms():
    assert [participle(v) for v in ("delay", "lose", "charge", "cancel", "deny")] == [
        "delayed", "lost", "charged", "cancelled", "denied",
    ]  # fmt: skip
    assert [third_person(v) for v in ("crash", "fail", "try")] == ["crashes", "fails", "tries"]
    assert [gerund(v) for v in ("work", "charge", "load")] == ["working", "charging", "loading"]


def test_issue_phrases_put_the_aspect_before_the_problem():
    from voc.lenses.themes.phrases import phrase_parser

    nlp = phrase_parser()
    assert "app crashes" in issue_phrases(nlp("The app keeps crashing when I pay."))
    assert "bag lost" in issue_phrases(nlp("My bag was lost in Denver."))
    assert "luggage lost" in issue_phrases(nlp("They lost my luggage again."))
    assert "login not working" in issue_phrases(nlp("Login does not work since the update."))
    assert issue_phrases(nlp("I have been waiting.")) == []  # pronoun subjects give no aspect
    assert issue_phrases(nlp("You just lost a customer.")) == []  # people are not the aspect


def test_parent_floor_splits_off_an_unrelated_child_and_labels_are_never_empty():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(2, 16))
    cents = np.stack([base[0] + 0.1 * rng.normal(size=16) for _ in range(3)] + [base[1]])
    cents /= np.linalg.norm(cents, axis=1, keepdims=True)
    sizes = np.array([50, 40, 30, 20])
    groups = hierarchy.apply_floor(cents, sizes, np.zeros(4, np.int64), 0.6)
    assert len(set(groups[:3])) == 1 and groups[3] != groups[0]
    assert hierarchy.parent_coherence(cents, sizes, groups) > 0.9
    p_cents = hierarchy.parent_centroids(cents, sizes, groups)
    names = ["Flight delayed", "Flight cancelled", "Gate change", "Seat upgrade"]
    enc = lambda phrases: rng.normal(size=(len(phrases), 16))
    labels = parent_labels(
        names, sizes, groups, p_cents, [["delay"], ["seat"]], enc, lambda p: True
    )
    assert labels[groups[3]] == "Seat"  # a one-child parent names the child's aspect, never repeats its label
    assert labels[groups[0]] == "Flight"
    assert not {x.lower() for x in labels} & {x.lower() for x in names}
    for label in labels:
        assert label and label.lower() != "nan" and "(" not in label and not label.isdigit()


def test_parents_cut_by_similarity_do_not_lump_unrelated_children():
    rng = np.random.default_rng(1)
    topics = rng.normal(size=(4, 32))
    cents = np.stack([topics[i % 4] + 0.2 * rng.normal(size=32) for i in range(12)])
    cents /= np.linalg.norm(cents, axis=1, keepdims=True)
    groups = hierarchy.parent_groups(cents, np.arange(12, 0, -1), None)
    assert len(set(groups)) == 4
    assert all(len({groups[j] for j in range(12) if j % 4 == i}) == 1 for i in range(4))


def test_a_label_never_repeats_a_stem():
    from voc.lenses.themes.label_rules import LabelRules

    rules = LabelRules()
    assert not rules.phrase_ok("app crash crashes") and not rules.phrase_ok("refund refunded")
    assert rules.phrase_ok("app crashes") and rules.phrase_ok("bag lost")
