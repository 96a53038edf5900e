"""The clean stage's fast paths give the same answers as the straightforward code they replace."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from voc.clean import clean_batch
from voc.clean.langbatch import PY_TAIL, BatchIdentifier
from voc.clean.language import NOISE, detect_language, detect_languages, get_identifier
from voc.clean.names import entity_spans, find_names_batch, load_ner, may_hold_person, token_bounds
from voc.clean.redact import find_regex_pii
from voc.config import CleanConfig

TEXTS = [
    "",
    "ok",
    "Gracias!",
    "@united thanks for the great flight, the crew was lovely",
    "El técnico nunca vino a la cita de instalación. Estoy harta.",
    "LE VOL ÉTAIT ANNULÉ ET PERSONNE NE NOUS A AIDÉS",
    "Der Flug hatte drei Stunden Verspätung und niemand hat uns informiert.",
    "Полёт задержали на три часа, никто ничего не объяснил.",
    "飛行機が三時間遅れました。説明もありませんでした。",
    "😡😡😡 #fail @delta 12345",
    "http://t.co/abc www.example.com [EMAIL] [PHONE]",
    "Ciao, il volo è stato cancellato di nuovo e nessuno risponde al telefono.",
    "a" * 3,
    "word " * 4000,  # one long text: its tail is walked in Python
]


def test_batch_language_scores_are_identical_to_py3langid():
    ident = get_identifier()
    contents = [NOISE.sub(" ", t) for t in TEXTS] + ["x" * 50_000, "\ud800 lone surrogate"]
    expected = [ident.classify(c) for c in contents]
    # the same (label, confidence) floats, bit for bit, whatever the batch composition
    assert BatchIdentifier(ident).classify_many(contents) == expected
    assert BatchIdentifier(ident).classify_many(contents[::-1]) == expected[::-1]
    # the two long texts are fewer than PY_TAIL, so their tails took the Python walk
    assert sum(len(c) > 10_000 for c in contents) < PY_TAIL


def test_detect_languages_matches_detect_language():
    assert detect_languages(TEXTS) == [detect_language(t) for t in TEXTS]
    assert detect_languages([]) == []
    assert detect_languages(["", "ok"]) == ["und", "und"]


def _names_without_shortcuts(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """NER on every text, no dedupe and no skipping: the reference for find_names_batch."""
    nlp = load_ner()
    return [sorted(entity_spans(doc)) for doc in nlp.pipe(texts)]


def test_name_skipping_and_dedupe_do_not_change_results():
    texts = [
        "I met Karen at the desk and she fixed it.",
        "the agent was rude and the rep hung up",
        "Thanks United, Great Service from Denver to Boston!",
        "Late Flight again. Spoke to a rep. Naelah sorted it in minutes.",
        "I met Karen at the desk and she fixed it.",  # duplicate: read once, both get spans
        "Captain Sullenberger landed it. Mr. O'Brien-Smith was on board.",
        "@JetBlue my name is Jo and my email is jo@example.com",
        "THE AGENT JOHN WAS GREAT",
        "",
    ]
    expected = _names_without_shortcuts(texts)
    assert find_names_batch(texts, prefilter=False) == expected
    assert find_names_batch(texts)[0] == find_names_batch(texts)[4] != []


def test_may_hold_person_only_rules_out_texts_without_a_possible_name():
    nlp = load_ner()

    def check(text: str) -> bool:
        return may_hold_person(text, *token_bounds(nlp.make_doc(text)))

    assert not check("the agent was rude and the rep hung up")
    assert not check("THE AGENT WAS RUDE")
    assert not check("The flight was delayed")  # every capitalised word is common
    assert check("I met Karen at the desk")
    assert check("Thanks Karen!")
    assert check("the agent, o'Neill, helped")  # "Neill" after the apostrophe
    assert check("Flight.")  # the entity could end with the "." token: not common
    assert not check("")


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("call me on 0207 946 0958 please", {"PHONE"}),
        ("card 4111 1111 1111 1111 expires soon", {"CARD"}),
        ("server at dead::beef:1 is down", {"IP"}),
        ("server at dead::beef is down", set()),  # no digit at all: digit detectors are skipped
        ("order 123456 arrived", set()),  # too few digits for a phone or a card
        ("my number is ٠٧٩٤٦٠٩٥٨٠١ thanks", {"PHONE"}),  # non-ASCII decimals count like regex \d
        ("mail jane.doe@example.com now", {"EMAIL"}),
        ("@united @delta no email here", set()),
    ],
)
def test_regex_prechecks_keep_detections(text: str, kinds: set[str]):
    assert {kind for _, _, kind in find_regex_pii(text)} == kinds


def test_clean_batch_leaves_the_garbage_collector_as_it_was():
    frame = pd.DataFrame({"text": ["hello there", "  "]})
    assert gc.isenabled()
    clean_batch(frame, CleanConfig(redact_names=False))
    assert gc.isenabled()
    gc.disable()
    try:
        clean_batch(frame, CleanConfig(redact_names=False))
        assert not gc.isenabled()
    finally:
        gc.enable()
