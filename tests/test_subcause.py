"""Sub-causes, blamed vs likely cause: taxonomy as data, the hand-written dev set, precise patterns,
held-out quality thresholds, a team's own sub-cause, and the columns in voc.analyze, the store and exports."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import yaml

import voc
from voc.lenses.rule_gate import GatedRules
from voc.lenses.subcause_model import SubCauseModel
from voc.lenses.subcause_taxonomy import CAUSES, load_subcause_taxonomy
from voc.train.rootcause_corpus import encode_texts
from voc.train.subcause_corpus import load_subcause_dev, score_outputs

ISSUE_SET = {
    "people": {"rude", "untrained", "not_empowered", "no_follow_up", "staff_praise"},
    "process": {"waiting", "policy_fees", "handoffs", "delivery", "refunds", "billing", "conflicting_info"},
    "technology": {"app_errors", "login", "outage", "records_crm", "payments", "self_service"},
}


@pytest.fixture(scope="module")
def model():
    return SubCauseModel.load()


@pytest.fixture(scope="module")
def heldout(model):
    dev = load_subcause_dev(part="heldout")
    enc = encode_texts(dev["text"].tolist(), tag="sc-heldout")
    frame = model.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    return dev, frame, score_outputs(frame, dev, model.labels)


def test_taxonomy_is_data_with_the_issue_set():
    tax = load_subcause_taxonomy()
    for cause, names in ISSUE_SET.items():
        assert names <= {n for n in tax.names if tax.parents[n] == cause}
    assert set(tax.parents.values()) == set(CAUSES)
    assert {"records_crm", "not_empowered", "conflicting_info"} <= set(tax.likely_patterns)


def test_dev_set_shape():
    dev = load_subcause_dev()
    assert len(dev) >= 700 and dev["industry"].nunique() >= 8
    assert set(dev["channel"]) == {"review", "ticket", "social", "survey"}
    counts = Counter(s for subs in dev["subcauses"] for s in subs)
    assert min(counts[n] for names in ISSUE_SET.values() for n in names) >= 30
    assert dev["misattributed"].sum() >= 120
    assert all((lc is None) == (ls is None) for lc, ls in zip(dev["likely_cause"], dev["likely_subcause"]))
    held = load_subcause_dev(part="heldout")
    assert 150 <= len(held) <= 220 and held["misattributed"].sum() >= 30
    assert not set(held["text"]) & set(load_subcause_dev(part="train")["text"])
    tax = load_subcause_taxonomy()
    examples = {e.lower() for label in tax.base.labels for e in label.examples}
    assert not examples & {t.lower() for t in held["text"]}  # no held-out text is a taxonomy example


def test_heldout_quality_thresholds(heldout):
    _, frame, scores = heldout
    assert scores["subcause"]["macro_f1"] >= 0.70
    assert scores["blamed_exact"] >= 0.85  # the issue's target; measured 0.893 (models/subcause/MODEL_CARD.md)
    assert scores["misattributed_likely_cause_acc"] >= 0.75
    for subs, evidence in zip(frame["subcauses"], frame["subcause_evidence"]):
        assert set(subs) == set(evidence)  # every predicted sub-cause has an evidence span


PATTERN_CASES = [
    ("I unsubscribed months ago and your staff still ring me every week.", "technology", "records_crm"),
    ("The agent could not see my account and was totally useless.", "technology", "records_crm"),
    ("The rep said he wasn't allowed to refund me and had to follow the script.", "people", "not_empowered"),
    ("Each rep I spoke to quoted me a different fee for the same plan.", "process", "conflicting_info"),
]


@pytest.mark.parametrize("text, cause, sub", PATTERN_CASES)
def test_precise_patterns_set_the_likely_cause(text, cause, sub):
    out = voc.analyze([text], config={"lenses": ["subcause"]})
    row = out.iloc[0]
    assert row["likely_cause"] == cause and row["likely_subcause"] == sub
    assert sub in row["subcauses"]
    s, e = row["subcause_evidence"][sub]
    assert 0 <= s < e <= len(text)


def test_analyze_blamed_differs_from_likely_and_empty_rows():
    out = voc.analyze(["Your sales people keep calling me after I opted out. Stop it.", "Lovely burger.", ""],
                      config={"lenses": ["subcause"]})  # fmt: skip
    assert "people" in out["blamed"].iloc[0] and out["likely_cause"].iloc[0] == "technology"
    assert list(out["subcauses"].iloc[1]) == [] and list(out["blamed"].iloc[1]) == []
    assert pd.isna(out["likely_cause"].iloc[1])
    assert out["reject_reason"].iloc[2] == "empty_text" and not isinstance(
        out["subcauses"].iloc[2], (list, np.ndarray)
    )


def test_gated_rules_equal_plain_regex():
    patterns = [[r"\b(rude|arrogant)\b", r"\bhung up\b"], [r"(?<=the )app\b"], [r"\bopt(ed)?[ -]out\b"]]
    rules = GatedRules(patterns)
    texts = ["The APP crashed, rude agent hung up", "I opted out. RUDE.", "", "nothing here", "opt-out app"]
    for text in texts:
        got = rules.hits(text)
        for g, pats in enumerate(patterns):
            want = sorted(m.span() for p in pats for m in re.finditer(p, text, re.IGNORECASE))
            assert sorted(got.get(g, [])) == want


def test_team_adds_its_own_subcause(tmp_path):
    from voc.train.subcause import train_subcause

    extra = {"labels": {"accessibility": {"parent": "technology", "title": "accessibility",
             "description": "The app or website cannot be used with a screen reader, zoom or keyboard.",
             "examples": ["The app does not work with my screen reader.", "Buttons have no labels for VoiceOver.",
                          "I cannot zoom the website text, it is too small to read.",
                          "Your forms cannot be filled in with a keyboard only.",
                          "The captcha has no audio option for blind users.",
                          "Contrast on the site is so low I cannot read it.",
                          "TalkBack reads nothing on the payment screen.",
                          "There are no captions on your help videos."]}}}  # fmt: skip
    path = tmp_path / "extra.yaml"
    path.write_text(yaml.safe_dump(extra), encoding="utf-8")
    train_subcause(extra_examples=path, out_dir=tmp_path / "model")
    model = SubCauseModel.load(tmp_path / "model")
    assert "accessibility" in model.labels and model.parents["accessibility"] == "technology"
    texts = ["Your new app is impossible to use with a screen reader, nothing has labels.",
             "The website text cannot be enlarged and the contrast is too low for me to read."]  # fmt: skip
    enc = encode_texts(texts, tag="sc-test-custom", use_cache=False)
    out = model.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    assert all("accessibility" in s for s in out["subcauses"])


def test_custom_subcause_without_parent_is_a_config_error(tmp_path):
    from voc.errors import ConfigError

    path = tmp_path / "extra.yaml"
    path.write_text(yaml.safe_dump({"labels": {"x": ["a b c", "d e f", "g h i"]}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="sub-cause 'x' needs `parent:`"):
        load_subcause_taxonomy(extra_examples=path)


def test_predict_over_encoded_docs_only(model):
    texts = ["The app crashes at checkout.", "Staff were lovely."]
    vecs = np.zeros((2, 384), np.float32)
    out = model.predict(texts, [[(0, len(t))] for t in texts], vecs, [vecs[:1], vecs[1:]])
    assert list(out.columns) == ["subcauses", "subcause_scores", "subcause_evidence", "blamed", "likely_cause",
                                 "likely_subcause"]  # fmt: skip
