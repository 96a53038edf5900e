"""The theme view of a text: the character spans worth embedding for themes, and their pooled vector.

Social and ticket text carries noise that dominates a mean-pooled vector: @handles (tweets cluster by
airline, not by problem), URLs, PII placeholders, '#' marks, greetings and sign-offs. The theme view keeps
the stored text as it is and lists the spans that remain once that noise is cut out, one or more per
sentence. The shared encoder pools those spans (and, for "idf" pooling, each word in them) in its single
pass (`Encoder.encode_spans`), and the document's theme vector is their length-weighted mean (default) or
its words' IDF-weighted mean: no second model pass, no second text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from voc.clean.sentences import split_sentences
from voc.errors import ConfigError

VIEW_VERSION = "2"  # bump when the spans change, so cached theme-view vectors are recomputed
POOLINGS = ("pieces", "idf", "content", "soft")

# Cut out of every sentence: handles, URLs, e-mail-like strings, PII placeholders, a hashtag's '#',
# and reference numbers ("Account NM77126752", "ticket #123") that say nothing about the issue.
_NOISE = re.compile(
    r"(?:^|(?<=[\s(\[.,;:!?]))[@＠][\w.]+"
    r"|https?://\S+|www\.\S+|\S+@\S+\.\w+"
    r"|\[[A-Z_]{2,}\]"
    r"|#(?=\w)"
    r"|\b(?:RT|via)\b(?=\s*$|\s*:)"
    r"|\b[A-Z]{1,4}-?\d{4,}\b|\b\d{6,}\b",
)
_GREETING = re.compile(
    r"^\s*(?:hi+|hello+|he+y+|hiya|dear|good\s+(?:morning|afternoon|evening|day)|greetings|buenas\s+\w+|hola|"
    r"bonjour|hallo|guten\s+tag|to whom it may concern)\b[^.!?,:\n]{0,24}?(?:[,!:.\n]|$)",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"^\s*(?i:kind(?:est)?\s+regards|best\s+regards|warm\s+regards|regards|best(?:\s+wishes)?|cheers|"
    r"thanks(?:\s+(?:again|in advance|so much))?|thank\s+you(?:\s+(?:again|in advance))?|many\s+thanks|"
    r"sincerely|yours\s+(?:sincerely|faithfully|truly)|sent\s+from\s+my\s+\w+|saludos|un\s+saludo|"
    r"cordialement|mit\s+freundlichen\s+gr\S+)\b[\s,.!\-–]*(?:[A-Z][\w.'-]*(?:\s+[-–]?\s*[A-Z][\w.'-]*){0,3})?"
    r"[\s,.!]*$",
)
_NAME_LINE = re.compile(r"^\s*[-–]?\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s*[,.]?\s*$")  # "Maria", "- John Smith"
_WORD = re.compile(r"[^\W\d_]{2,}")


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence's sub-spans with the noise matches cut out (empty or word-less pieces dropped)."""
    out, pos = [], start
    for m in _NOISE.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    kept = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a and _WORD.search(text, a, b):
            kept.append((a, b))
    return kept


def _is_formula(sentence: str, first: bool, last: bool) -> bool:
    """A greeting at the start, or a sign-off / bare name at the end."""
    if first and _GREETING.fullmatch(sentence.strip()) is not None:
        return True
    if _SIGNOFF.fullmatch(sentence) is not None:
        return True
    return last and _NAME_LINE.fullmatch(sentence) is not None


def _strip_greeting(text: str, a: int, b: int) -> int:
    """Start of the sentence after a leading greeting ("Good afternoon, The app ...")."""
    m = _GREETING.match(text, a, b)
    return m.end() if m and m.end() < b and _WORD.search(text, m.end(), b) else a


def theme_spans(text: str) -> list[tuple[int, int]]:
    """Char spans of the theme view: sentence pieces without handles, URLs, placeholders, greetings, sign-offs.

    Falls back to the whole text when nothing would be left (a tweet that is only a handle, say).
    """
    text = str(text or "")
    sents = split_sentences(text) or ([(0, len(text))] if text.strip() else [])
    out: list[tuple[int, int]] = []
    for k, (a, b) in enumerate(sents):
        sentence = text[a:b]
        if _is_formula(sentence, first=k == 0, last=k >= len(sents) - 2):
            continue
        if k == 0:
            a = _strip_greeting(text, a, b)
        out.extend(_pieces(text, a, b))
    return out or ([(0, len(text))] if text else [(0, 0)])


def view_text(text: str) -> str:
    """The theme view as plain text (the kept spans joined by spaces); for labels and inspection."""
    return " ".join(text[a:b] for a, b in theme_spans(text))


def label_text(text: str) -> str:
    """The text labels are drawn from: the theme view without hashtags."""
    from voc.lenses.themes.label_rules import strip_hashtags

    return view_text(strip_hashtags(str(text or "")))


def pool_view(span_vectors: Sequence[np.ndarray], spans: Sequence[Sequence[tuple[int, int]]]) -> np.ndarray:
    """One L2-normalised theme vector per document: its span vectors averaged, weighted by span length."""
    out = np.zeros((len(span_vectors), span_vectors[0].shape[1] if len(span_vectors) else 0), np.float32)
    for i, (vecs, sp) in enumerate(zip(span_vectors, spans)):
        if not len(vecs):
            continue
        w = np.asarray([max(1, b - a) for a, b in sp], np.float32)
        v = (np.asarray(vecs, np.float32) * w[:, None]).sum(axis=0)
        out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out


def theme_vectors(
    encoder, texts: Sequence[str], pooling: str = "pieces", df: Mapping[str, float] | None = None
) -> tuple[np.ndarray, list[list[tuple[int, int]]], list[np.ndarray]]:
    """Theme-view vectors of texts from the encoder's span pooling (one pass; cached spans cost none).

    pooling "pieces": the pieces' length-weighted mean; "idf": the IDF-weighted mean of the pieces' words
    (voc.lenses.themes.word_pool), with document frequencies `df` (from the fitted sample) or, if None, of
    `texts` themselves; "content": the mean of the pieces' content words; "soft": the mean of their words,
    function words at word_pool.FUNCTION_WEIGHT. Returns (doc theme vectors, piece spans per text, piece vectors per text).
    """
    from voc.lenses.themes.word_pool import doc_freq, idf_weights, soft_weights, word_pool, word_spans

    if pooling not in POOLINGS:
        raise ConfigError(f"themes.view_pooling {pooling!r} is unknown; use one of {', '.join(POOLINGS)}.")
    spans = [theme_spans(t) for t in texts]
    if pooling == "pieces":
        _, span_vecs = encoder.encode_spans(list(texts), spans)
        return pool_view(span_vecs, spans), spans, span_vecs
    plain = [str(t or "") for t in texts]
    words = [word_spans(t, sp, pooling == "content") for t, sp in zip(plain, spans)]
    _, both = encoder.encode_spans(list(texts), [sp + w for sp, w in zip(spans, words)])  # = pass_spans: cached
    span_vecs = [v[: len(sp)] for v, sp in zip(both, spans)]
    word_vecs = [v[len(sp) :] for v, sp in zip(both, spans)]
    base = pool_view(span_vecs, spans)
    if pooling == "content":
        weigh = lambda ws: np.ones(len(ws), np.float32)  # noqa: E731
    elif pooling == "soft":
        weigh = soft_weights
    else:
        table = doc_freq(plain, words) if df is None else df
        weigh = lambda ws: idf_weights(ws, table)  # noqa: E731
    return word_pool(plain, words, word_vecs, weigh, base), spans, span_vecs


def pass_spans(text: str, pooling: str = "pieces") -> list[tuple[int, int]]:
    """The spans the shared pass pools for the theme view (so the themes stage finds them all cached)."""
    from voc.lenses.themes.word_pool import word_spans

    spans = theme_spans(str(text or ""))
    return spans if pooling == "pieces" else spans + word_spans(str(text or ""), spans, pooling == "content")


def view_doc_freq(texts: Sequence[str]) -> dict[str, float]:
    """Document frequencies of the theme view's words in texts (the table "idf" pooling weighs words by)."""
    from voc.lenses.themes.word_pool import doc_freq, word_spans

    texts = [str(t or "") for t in texts]
    return doc_freq(texts, [word_spans(t, theme_spans(t)) for t in texts])
