"""The churn taxonomy's patterns: indirect goodbyes hit `churn`; travel and retention wording does not,
and negated staying words ("will not be staying") no longer count as staying."""

from __future__ import annotations

import pytest

from voc.lenses.rootcause_model import compile_rules, rule_hits
from voc.lenses.rootcause_taxonomy import load_taxonomy
from voc.train.journey import CHURN_TAXONOMY


@pytest.fixture(scope="module")
def hits():
    tax = load_taxonomy(CHURN_TAXONOMY)
    rules = {name: compile_rules([lab.patterns])[0] for name, lab in zip(tax.names, tax.labels)}
    return lambda label, text: bool(rule_hits(text, [rules[label]])[0])


@pytest.mark.parametrize(
    "text",
    [
        "Honestly, you have lost a long-standing customer today.",
        "I'm letting my membership lapse after this month.",
        "My new supplier takes over the account on Monday.",
        "We won't be resubscribing when the year is up.",
        "Switching insurers because the renewal doubled.",
        "Cancelled. Not worth the hassle.",
    ],
)
def test_indirect_goodbyes_hit_churn(hits, text):
    assert hits("churn", text)


@pytest.mark.parametrize(
    "text",
    [
        "We're leaving for the airport at 6, can we check out early?",
        "I'm porting my number into your network next week.",
        "Port my number onto the new SIM you sent me.",
        "I'm not switching banks over one bad day.",
        "The new network SIM arrived today, thanks.",
    ],
)
def test_travel_and_inbound_wording_does_not_hit_churn(hits, text):
    assert not hits("churn", text)


@pytest.mark.parametrize(
    "text",
    [
        "We will not be staying at your hotels again.",
        "We won't be back.",
        "We are cancelling and booking another hotel instead.",
    ],
)
def test_negated_or_outbound_wording_is_not_staying(hits, text):
    assert not hits("staying", text)


@pytest.mark.parametrize(
    "text",
    [
        "My contract ends soon, do you have any upgrade offers for existing customers?",
        "I'm leaving the country for a year, can you freeze my points?",
        "Please close the joint account; my own account stays with you.",
        "I nearly left when the price went up, but you're still cheaper.",
        "We've ended the trial and bought the full licence.",
    ],
)
def test_retention_and_travel_wording_is_staying(hits, text):
    assert hits("staying", text)
