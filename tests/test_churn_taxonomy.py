"""The churn taxonomy's patterns: indirect goodbyes hit `churn`; travel and retention wording does not,
and negated staying words ("will not be staying") no longer count as staying."""

from __future__ import annotations

import pytest

from voc.lenses.rootcause_model import compile_rules, rule_hits
from voc.lenses.rootcause_taxonomy import load_taxonomy
from voc.train.journey import CHURN_TAXONOMY

CASES = [
    # indirect goodbyes hit churn
    ("churn", "Honestly, you have lost a long-standing customer today.", True),
    ("churn", "I'm letting my membership lapse after this month.", True),
    ("churn", "My new supplier takes over the account on Monday.", True),
    ("churn", "We won't be resubscribing when the year is up.", True),
    ("churn", "Switching insurers because the renewal doubled.", True),
    ("churn", "Cancelled. Not worth the hassle.", True),
    # travel and inbound wording does not
    ("churn", "We're leaving for the airport at 6, can we check out early?", False),
    ("churn", "I'm porting my number into your network next week.", False),
    ("churn", "Port my number onto the new SIM you sent me.", False),
    ("churn", "I'm not switching banks over one bad day.", False),
    ("churn", "The new network SIM arrived today, thanks.", False),
    # negated or outbound wording is not staying
    ("staying", "We will not be staying at your hotels again.", False),
    ("staying", "We won't be back.", False),
    ("staying", "We are cancelling and booking another hotel instead.", False),
    # retention and travel wording is staying
    ("staying", "My contract ends soon, do you have any upgrade offers for existing customers?", True),
    ("staying", "I'm leaving the country for a year, can you freeze my points?", True),
    ("staying", "Please close the joint account; my own account stays with you.", True),
    ("staying", "I nearly left when the price went up, but you're still cheaper.", True),
    ("staying", "We've ended the trial and bought the full licence.", True),
]


@pytest.fixture(scope="module")
def rules():
    tax = load_taxonomy(CHURN_TAXONOMY)
    return {name: compile_rules([lab.patterns])[0] for name, lab in zip(tax.names, tax.labels)}


@pytest.mark.parametrize(("label", "text", "expected"), CASES)
def test_pattern_hits(rules, label, text, expected):
    assert bool(rule_hits(text, [rules[label]])[0]) is expected
