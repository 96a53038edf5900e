"""Clean stage: normalisation, HTML, language, document ids and clean_batch."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from voc.clean import clean_batch, detect_language, doc_id, normalize_text
from voc.config import CleanConfig
from voc.schema import CLEAN_COLUMNS, INGEST_COLUMNS, REJECT_COLUMNS


# --- normalisation ---------------------------------------------------------------------------------
def test_nfkc_and_whitespace():
    assert normalize_text("ＦＵＬＬ width ﬁne\u00a0 text") == "FULL width fine text"
    assert normalize_text("  a\t\tb  \r\n\r\n\r\n\r\nc \u200b ") == "a b\n\nc"
    assert normalize_text("cafe\u0301") == "café"
    assert normalize_text("\x00bad\x07 chars") == "bad chars"
    assert normalize_text("line1\u2028line2") == "line1\nline2"
    assert normalize_text("") == "" and normalize_text("   \n ") == ""


def test_emoji_are_kept():
    text = "Love it ‼️😍👍🏽 👨‍👩‍👧 🇬🇧 ❤️"
    assert normalize_text(text) == text
    # outside emoji NFKC still applies
    assert normalize_text("ＯＫ😍") == "OK😍"


def test_html_stripped():
    assert (
        normalize_text("<p>Hello&nbsp;<b>world</b></p><p>Bye &amp; thanks</p>")
        == "Hello world\n\nBye & thanks"
    )
    assert normalize_text("first<br>second<br/>third") == "first\nsecond\nthird"
    assert normalize_text("<div><script>var x = 1;</script>Only text</div>") == "Only text"
    assert normalize_text("<!-- note --><span style='x'>A</span> &lt;tag&gt; &#39;q&#39;") == "A <tag> 'q'"
    assert normalize_text("<table><tr><td>a</td><td>b</td></tr></table>") == "a b"


def test_only_complete_entities_are_unescaped():
    assert normalize_text("AT&T &amp; Q&A, terms&notice &lt;b&gt;") == "AT&T & Q&A, terms&notice <b>"


def test_non_html_angle_brackets_survive():
    assert normalize_text("I <3 you, a < b > c, 5 > 3") == "I <3 you, a < b > c, 5 > 3"


def test_strip_html_off_keeps_markup():
    assert normalize_text("<b>bold</b> &amp;", strip_html=False) == "<b>bold</b> &amp;"


# --- language --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, lang",
    [
        ("My flight was cancelled and nobody at the gate could help me rebook.", "en"),
        ("Mi vuelo fue cancelado y nadie en la puerta me ayudó a cambiarlo.", "es"),
        ("Mon vol a été annulé et personne au comptoir ne m'a aidé.", "fr"),
        ("Mein Flug wurde gestrichen und niemand am Schalter hat mir geholfen.", "de"),
        ("Il mio volo è stato cancellato e nessuno mi ha aiutato.", "it"),
        ("@united my bag never arrived at http://t.co/abc123 #fail", "en"),
    ],
)
def test_language_detection(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["ok", "👍👍", "12345", "@united", "[EMAIL]", "", "Gracias!"])
def test_language_undetermined_for_short_or_ambiguous(text):
    assert detect_language(text) == "und"


# --- document ids ----------------------------------------------------------------------------------
def test_doc_id_from_source_id_is_stable_and_namespaced():
    a = doc_id("tickets.csv", "T-100", "text one")
    assert a == doc_id("tickets.csv", "T-100", "different text later")  # the id wins over the text
    assert a != doc_id("other.csv", "T-100", "text one")  # same id in another source
    assert len(a) == 16 and int(a, 16) >= 0
    assert doc_id("s", 42.0) == doc_id("s", "42") == doc_id("s", 42)


def test_doc_id_without_source_id_uses_text_and_timestamp():
    ts = pd.Timestamp("2024-03-15 10:30", tz="UTC")
    a = doc_id("reviews.csv", None, "Great product", ts)
    assert a == doc_id("reviews.csv", float("nan"), "Great product", ts)
    assert a != doc_id("reviews.csv", None, "Great product", ts + pd.Timedelta(seconds=1))
    assert a != doc_id("reviews.csv", None, "Great product!", ts)
    assert a != doc_id("other.csv", None, "Great product", ts)
    assert doc_id("r", None, "x", pd.NaT) == doc_id("r", None, "x", None) == doc_id("r", "", "x")


# --- clean_batch -----------------------------------------------------------------------------------
def _ingested(texts: list, source: str = "feedback.csv", ids: list | None = None) -> pd.DataFrame:
    n = len(texts)
    frame = pd.DataFrame({c: [None] * n for c in INGEST_COLUMNS})
    frame["source"] = source
    frame["row_number"] = list(range(1, n + 1))
    frame["source_id"] = ids if ids is not None else [None] * n
    frame["text"] = texts
    frame["date"] = pd.to_datetime(["2024-03-15"] * n, utc=True)
    frame["channel"] = "reviews"
    return frame


RAW_PII = [
    "sarah.j@example.com",
    "+44 20 7946 0958",
    "4111 1111 1111 1111",
    "GB82 WEST 1234 5698 7654 32",
    "192.168.1.20",
    "https://example.com/reset?token=abc123XYZ987",
    "Sarah Johnson",
]


def test_clean_batch_columns_rejects_and_redaction():
    texts = [
        "I spoke to Sarah Johnson. Email sarah.j@example.com or call +44 20 7946 0958!",
        "<p>Card 4111 1111 1111 1111 charged twice; refund to GB82 WEST 1234 5698 7654 32</p>",
        "<div><br/></div>",  # only markup: rejected
        "Login from 192.168.1.20 blocked, reset via https://example.com/reset?token=abc123XYZ987",
        None,  # missing: rejected
        "   ",
        "Mi vuelo fue cancelado y nadie en la puerta me ayudó. Ver https://example.com/help",
    ]
    cleaned, rejects = clean_batch(_ingested(texts), CleanConfig())
    assert list(cleaned.columns[: len(INGEST_COLUMNS)]) == list(INGEST_COLUMNS)
    assert set(CLEAN_COLUMNS) <= set(cleaned.columns)
    assert len(cleaned) == 4 and len(rejects) == 3
    assert list(rejects.columns) == list(REJECT_COLUMNS)
    assert rejects["row_number"].tolist() == [3, 5, 6]
    assert set(rejects["reason"]) == {"empty_text"}
    assert cleaned["row_number"].tolist() == [1, 2, 4, 7]

    flat = cleaned.astype(str).to_string()
    for raw in RAW_PII:
        assert raw not in flat, raw
    assert cleaned["text"].iloc[0] == "I spoke to [PERSON]. Email [EMAIL] or call [PHONE]!"
    assert cleaned["text"].iloc[1] == "Card [CARD] charged twice; refund to [IBAN]"
    assert "https://example.com/help" in cleaned["text"].iloc[3]  # a plain URL is kept
    assert cleaned["language"].tolist() == ["en", "en", "en", "es"]
    for text, pii in zip(cleaned["text"], cleaned["pii"]):
        for span in json.loads(pii):
            assert text[span["start"] : span["end"]] == f"[{span['type']}]"
    assert [s["type"] for s in json.loads(cleaned["pii"].iloc[0])] == ["PERSON", "EMAIL", "PHONE"]
    assert cleaned["doc_id"].is_unique and cleaned["doc_id"].str.len().eq(16).all()


def test_clean_batch_ids_stable_and_config_switches():
    texts = ["Call me on +1-202-555-0173, Sarah Johnson", "Great service", "Great service"]
    frame = _ingested(texts)
    first, _ = clean_batch(frame, CleanConfig())
    again, _ = clean_batch(frame, CleanConfig(redact_names=False))
    assert first["doc_id"].tolist() == again["doc_id"].tolist()  # ids do not depend on redaction settings
    assert first["doc_id"].iloc[1] == first["doc_id"].iloc[2]  # exact duplicates share an id
    assert "Sarah Johnson" in again["text"].iloc[0] and "[PHONE]" in again["text"].iloc[0]
    other, _ = clean_batch(_ingested(texts, source="other.csv"), CleanConfig())
    assert set(other["doc_id"]).isdisjoint(first["doc_id"])
    with_ids, _ = clean_batch(_ingested(texts, ids=["a", "b", "c"]), CleanConfig())
    assert with_ids["doc_id"].is_unique

    raw, _ = clean_batch(frame, CleanConfig(redact_pii=False, detect_language=False))
    assert raw["text"].iloc[0] == texts[0] and raw["pii"].tolist() == ["[]"] * 3
    assert set(raw["language"]) == {"und"}


def test_clean_batch_empty_frame():
    cleaned, rejects = clean_batch(_ingested([]), CleanConfig())
    assert cleaned.empty and rejects.empty
    assert set(CLEAN_COLUMNS) <= set(cleaned.columns)
    assert list(rejects.columns) == list(REJECT_COLUMNS)
