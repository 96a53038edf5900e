"""IDF-weighted word pooling of the theme view: rare words outweigh corpus-ubiquitous ones, one encoder pass."""

import re

import numpy as np
import pytest

from voc.config import ThemesConfig
from voc.errors import ConfigError
from voc.lenses.themes.view import pass_spans, theme_vectors, view_doc_freq
from voc.lenses.themes.word_pool import idf_weights, word_spans

VOCAB = ["flight", "delayed", "again", "bag", "lost", "my", "the", "seat", "broken", "crew", "rude"]


class BagEncoder:
    """A stand-in encoder: a span's vector is the normalised bag of its words; it records what it was asked."""

    def __init__(self):
        self.requests: list[list[tuple[int, int]]] = []

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(len(VOCAB), np.float32)
        for w in re.findall(r"[a-z]+", text.lower()):
            if w in VOCAB:
                v[VOCAB.index(w)] += 1
        return v / max(float(np.linalg.norm(v)), 1e-12)

    def encode_spans(self, texts, spans):
        self.requests.extend(list(s) for s in spans)
        docs = np.stack([self._vec(t) for t in texts])
        return docs, [np.stack([self._vec(t[a:b]) for a, b in sp]) for t, sp in zip(texts, spans)]


def _corpus() -> list[str]:
    delays = [f"@united my flight delayed again {i}" for i in range(6)]
    bags = [f"@united flight, my bag lost {i}" for i in range(6)]
    return delays + bags + ["the seat broken on my flight", "flight crew rude"]


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_word_spans_are_the_words_of_the_view_only():
    text = "@united my bag's lost https://t.co/x1 #fail 42"
    spans = word_spans(text, [(8, 21), (38, 43)])
    assert [text[a:b] for a, b in spans] == ["my", "bag's", "lost", "fail"]
    assert all(text[a:b] not in ("united", "https", "t", "co", "x") for a, b in pass_spans(text))


def test_idf_pooling_pulls_apart_documents_that_share_only_the_corpus_word():
    texts = _corpus()
    pieces = theme_vectors(BagEncoder(), texts, "pieces")[0]
    idf = theme_vectors(BagEncoder(), texts, "idf")[0]
    delay, bag, other_delay = 0, 6, 1
    # "flight" is in every document: with length-weighted pieces it ties a delay to a lost bag much more
    assert _cos(idf[delay], idf[bag]) < _cos(pieces[delay], pieces[bag]) - 0.05
    assert _cos(idf[delay], idf[other_delay]) > 0.99  # the two delays stay together
    flight, delayed = VOCAB.index("flight"), VOCAB.index("delayed")
    assert idf[delay][delayed] > idf[delay][flight] and pieces[delay][delayed] == pytest.approx(
        pieces[delay][flight]
    )


def test_assignment_uses_the_fitted_document_frequencies():
    texts = _corpus()
    df = view_doc_freq(texts)
    assert df["flight"] == 1.0 and df["rude"] == pytest.approx(1 / len(texts))
    unseen = idf_weights(["delayed", "zeppelin"], df)
    assert unseen[1] == pytest.approx(np.log(len(texts)) + 1)  # unseen counts as the rarest seen
    batch = ["my flight delayed", "my flight delayed"]  # on its own, a batch would weigh "delayed" as "flight"
    own = theme_vectors(BagEncoder(), batch, "idf")[0][0]
    fitted = theme_vectors(BagEncoder(), batch, "idf", df)[0][0]
    flight, delayed = VOCAB.index("flight"), VOCAB.index("delayed")
    assert own[delayed] == pytest.approx(own[flight])
    assert fitted[delayed] > 1.5 * fitted[flight]


def test_the_shared_pass_pools_every_span_the_theme_vectors_ask_for():
    texts = _corpus()
    enc = BagEncoder()
    theme_vectors(enc, texts, "idf")
    assert enc.requests == [pass_spans(t, "idf") for t in texts]  # all cached by the shared pass: no 2nd pass
    assert all(pass_spans(t, "pieces") == s[: len(pass_spans(t, "pieces"))] for t, s in zip(texts, enc.requests))


def test_pooling_is_configured_and_checked():
    assert ThemesConfig().view_pooling == "pieces"  # opt-in: a cached vector per word
    with pytest.raises(ValueError):
        ThemesConfig(view_pooling="tokens")
    with pytest.raises(ConfigError, match="view_pooling"):
        theme_vectors(BagEncoder(), ["a flight"], "tokens")
    docs, spans, span_vecs = theme_vectors(BagEncoder(), ["@united my flight delayed. Crew rude."], "idf")
    assert len(spans[0]) == len(span_vecs[0]) == 2  # the pieces, as before, for callers that use them


def test_content_pooling_leaves_out_function_words_without_a_corpus_table():
    texts = ["the seat broken on my flight", "my crew rude"]
    enc = BagEncoder()
    vecs = theme_vectors(enc, texts, "content")[0]
    words = [[t[a:b] for a, b in pass_spans(t, "content")[1:]] for t in texts[:1]]
    assert words == [["seat", "broken", "flight"]]  # the piece, then only its content words
    for w in ("the", "my"):
        assert vecs[0][VOCAB.index(w)] == 0 and vecs[1][VOCAB.index(w)] == 0
    assert vecs[1][VOCAB.index("crew")] == pytest.approx(vecs[1][VOCAB.index("rude")])
    assert theme_vectors(BagEncoder(), texts[1:], "content")[0][0] == pytest.approx(vecs[1])  # batch-independent


def test_soft_pooling_keeps_function_words_at_a_fraction():
    from voc.lenses.themes.word_pool import FUNCTION_WEIGHT

    vec = theme_vectors(BagEncoder(), ["my crew rude"], "soft")[0][0]
    assert vec[VOCAB.index("my")] == pytest.approx(FUNCTION_WEIGHT * vec[VOCAB.index("crew")])
    assert pass_spans("my crew rude", "soft")[1:] == [(0, 2), (3, 7), (8, 12)]  # every word is pooled
