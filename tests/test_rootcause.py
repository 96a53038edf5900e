"""Root-cause lens: predictions, evidence spans, custom labels, quality floors, speed and cause_mix."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from voc import datasets
from voc.config import RootCauseConfig
from voc.errors import ConfigError, ModelError
from voc.paths import PROJECT_ROOT
from voc.lenses.rootcause import RootCauseLens, cause_mix, train_rootcause
from voc.train.rootcause_corpus import encode_texts, load_dev
from voc.lenses.rootcause_taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def lens() -> RootCauseLens:
    return RootCauseLens.load()


def _predict(lens: RootCauseLens, texts: list[str]) -> pd.DataFrame:
    enc = encode_texts(texts, use_cache=False)
    return lens.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)


def _check_evidence(texts, frame) -> None:
    for text, causes, scores, evidence in zip(
        texts, frame["causes"], frame["cause_scores"], frame["cause_evidence"]
    ):
        assert set(evidence) == set(causes)
        for label in causes:
            start, end = evidence[label]
            assert 0 <= start < end <= len(text), (text, label, evidence[label])
            assert text[start:end].strip()
        assert set(scores) >= set(causes)
        assert all(0.0 <= p <= 1.0 for p in scores.values())


def test_multi_label_with_clause_evidence(lens):
    text = "I waited 2 hours on hold and then the agent was rude to me."
    row = _predict(lens, [text]).iloc[0]
    assert {"people", "process"} <= set(row["causes"])
    people = text[slice(*row["cause_evidence"]["people"])]
    process = text[slice(*row["cause_evidence"]["process"])]
    assert "rude" in people and "hold" in process


def test_no_cause_texts(lens):
    texts = [
        "Love the colour of this sweater, fits perfectly.",
        "Does the family plan include roaming in Canada?",
        "Great coffee, cosy place.",
    ]
    frame = _predict(lens, texts)
    assert [list(c) for c in frame["causes"]] == [[], [], []]
    assert all(ev == {} for ev in frame["cause_evidence"])


def test_positive_feedback_and_crm_blame(lens):
    texts = [
        "Jake from support sorted my issue in five minutes, brilliant.",
        "I opted out of your texts months ago. The guy on the phone said he removed me but I still get a promo "
        "SMS every day.",
        "The checkout page threw an error three times so I gave up.",
        "Refund took six weeks and I had to chase it four times.",
    ]
    frame = _predict(lens, texts)
    assert "people" in frame["causes"][0]
    assert "technology" in frame["causes"][1]
    assert frame["causes"][2] == ["technology"]
    assert frame["causes"][3] == ["process"]
    _check_evidence(texts, frame)


def test_evidence_on_every_predicted_label_and_input_order(lens):
    dev = load_dev(part="test")
    enc = encode_texts(dev["text"].tolist(), tag="rc-dev-test")
    frame = lens.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    assert len(frame) == len(dev) and list(frame.columns) == ["causes", "cause_scores", "cause_evidence"]
    assert sum(len(c) for c in frame["causes"]) > 50
    _check_evidence(enc.texts, frame)
    # input order: predicting reversed input gives the reversed rows
    rev = lens.predict(enc.texts[::-1], enc.spans[::-1], enc.doc_vecs[::-1], enc.sent_vecs[::-1])
    assert rev["causes"].tolist() == frame["causes"].tolist()[::-1]


def test_predict_uses_given_vectors_only(lens, monkeypatch):
    import voc.encode

    def boom(*_a, **_k):
        raise AssertionError("the lens must not encode")

    monkeypatch.setattr(voc.encode, "get_encoder", boom)
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(3, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    texts = ["First part. Second part.", "", "No sentence spans given"]
    spans = [[(0, 11), (12, 24)], [], []]
    sents = [np.stack([vecs[0], vecs[1]]), np.zeros((0, 384), np.float32), np.zeros((0, 384), np.float32)]
    frame = lens.predict(texts, spans, vecs, sents)
    assert len(frame) == 3 and frame["causes"][1] == [] and frame["cause_evidence"][1] == {}
    _check_evidence(texts, frame)
    with pytest.raises(ModelError):
        lens.predict(texts, spans[:2], vecs, sents)
    assert len(lens.predict([], [], np.zeros((0, 384), np.float32), [])) == 0


def test_throughput_on_encoded_docs(lens):
    rng = np.random.default_rng(1)
    base = load_dev(part="all")["text"].tolist()
    n = 5000
    texts = [base[i % len(base)] for i in range(n)]
    from voc.train.rootcause_corpus import split_spans

    spans = split_spans(texts)
    docs = rng.normal(size=(n, 384)).astype(np.float32)
    docs /= np.linalg.norm(docs, axis=1, keepdims=True)
    sents = [np.repeat(docs[i : i + 1], len(s), axis=0) for i, s in enumerate(spans)]
    lens.predict(texts[:100], spans[:100], docs[:100], sents[:100])
    start = time.perf_counter()
    frame = lens.predict(texts, spans, docs, sents)
    rate = n / (time.perf_counter() - start)
    assert len(frame) == n
    assert rate > 1500, f"{rate:.0f} docs/s"


def test_custom_label_from_yaml(tmp_path):
    extra = PROJECT_ROOT / "tests" / "fixtures" / "pricing_examples.yaml"  # a new label, "policy: pricing"
    start = time.perf_counter()
    # weak=False: no airline/MAMS weak labels, so a cold cache only encodes the dev set (fast test)
    metrics = train_rootcause(extra_examples=extra, out_dir=tmp_path / "model", weak=False)
    assert time.perf_counter() - start < 60
    assert metrics["labels"] == ["people", "process", "technology", "policy: pricing"]
    lens = RootCauseLens.load(RootCauseConfig(model=tmp_path / "model"))
    assert lens.labels[-1] == "policy: pricing"
    texts = [
        "Honestly the price is ridiculous now, it went up 40% and I'm paying more than my sister pays elsewhere.",
        "The app crashes every time I log in.",
        "The agent was lovely and very patient with me.",
    ]
    frame = _predict(lens, texts)
    assert "policy: pricing" in frame["causes"][0]
    assert "policy: pricing" not in frame["causes"][1] and "policy: pricing" not in frame["causes"][2]
    assert "technology" in frame["causes"][1] and "people" in frame["causes"][2]
    _check_evidence(texts, frame)
    from voc.lenses.rootcause_taxonomy import DEFAULT_TAXONOMY

    with pytest.raises(ModelError, match="policy: pricing"):  # head and taxonomy disagree on the labels
        RootCauseLens.load(RootCauseConfig(taxonomy=DEFAULT_TAXONOMY, model=tmp_path / "model"))
    with pytest.raises(ModelError, match="voc train rootcause"):
        RootCauseLens.load(RootCauseConfig(model=tmp_path / "nowhere"))


def test_taxonomy_validation(tmp_path):
    tax = load_taxonomy()
    assert tax.names == ["people", "process", "technology"]
    assert all(8 <= len(label.examples) <= 30 and label.description for label in tax.labels)
    bad = tmp_path / "bad.yaml"
    bad.write_text("labels:\n  billing:\n    description: x\n    examples: [a, b]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_taxonomy(bad)
    bad.write_text(
        "labels:\n  billing:\n    examples: [a, b, c]\n    patterns: ['(unclosed']\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="not a valid regex"):
        load_taxonomy(bad)


def test_dev_set_shape():
    dev = load_dev()
    assert len(dev) >= 300 and dev["id"].is_unique
    assert set(dev["channel"]) == {"review", "ticket", "social", "survey"}
    assert len(set(dev["industry"])) >= 7
    assert all(set(c) <= {"people", "process", "technology"} for c in dev["causes"])
    assert (dev["causes"].map(len) == 0).sum() >= 30 and (dev["causes"].map(len) > 1).sum() >= 30
    assert len(load_dev(part="test")) + len(load_dev(part="train")) == len(dev)


def test_heldout_dev_floor(lens):
    from voc.evaluate.rootcause import f1_table

    dev = load_dev(part="test")
    enc = encode_texts(dev["text"].tolist(), tag="rc-dev-test")
    frame = lens.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    labels = ["people", "process", "technology"]
    pred = np.array([[lab in c for lab in labels] for c in frame["causes"]])
    gold = np.array([[lab in c for lab in labels] for c in dev["causes"]])
    table = f1_table(pred, gold, labels)
    assert table["macro_f1"] >= 0.78, table


@pytest.mark.skipif(not datasets.available("airline_tweets"), reason="shared airline_tweets data absent")
def test_airline_mapped_reason_floor(lens):
    from voc.train.rootcause_corpus import airline_mapped

    air = airline_mapped("eval")
    enc = encode_texts(air["text"].tolist(), tag="rc-airline-eval")
    frame = lens.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    top = [max(["people", "process", "technology"], key=s.get) for s in frame["cause_scores"]]
    accuracy = float(np.mean(np.array(top) == air["cause"].to_numpy()))
    assert accuracy >= 0.75, accuracy


def test_cause_mix():
    frame = pd.DataFrame(
        {
            "theme_id": [1, 1, 1, 2, 2, None],
            "causes": [["people", "process"], ["process"], [], ["technology"], None, ["people"]],
        }
    )
    mix = cause_mix(frame).set_index("theme_id")
    assert mix.loc[1, "documents"] == 3 and mix.loc[1, "with_cause"] == 2
    assert mix.loc[1, "share_process"] == pytest.approx(2 / 3)
    assert mix.loc[1, "share_people"] == pytest.approx(1 / 3)
    assert mix.loc[1, "share_none"] == pytest.approx(1 / 3)
    assert mix.loc[2, "share_technology"] == pytest.approx(0.5) and mix.loc[2, "share_people"] == 0
    assert mix["documents"].sum() == 6
    with pytest.raises(KeyError):
        cause_mix(pd.DataFrame({"x": [1]}))
    labelled = cause_mix(frame.iloc[2:3], labels=["people", "process", "technology"])
    assert labelled.loc[0, "share_none"] == 1.0 and labelled.loc[0, "share_technology"] == 0.0
    empty = cause_mix(pd.DataFrame({"theme_id": [], "causes": []}), labels=["people"])
    assert len(empty) == 0 and "share_people" in empty.columns
