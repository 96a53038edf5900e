"""Readable theme labels: c-TF-IDF keywords plus short candidate phrases ranked against the centroid."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from voc.lenses.themes import praise, salience
from voc.lenses.themes.intents import (
    QUESTIONS_TAG, THANKS_LABEL, is_question_theme, is_thanks_theme, question_share, thanks_share,
)
from voc.lenses.themes.label_rules import LabelRules
from voc.lenses.themes.label_shape import PRAISE_TAG, complaint_core, praise_core, shape_ok
from voc.lenses.themes.phrases import theme_candidates

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]+")
_NOISE = re.compile(r"(@\w+|https?://\S+|www\.\S+|#)")
_CONTRACTION = {"hasn", "didn", "couldn", "doesn", "isn", "wasn", "wouldn", "don", "ve", "ll", "ain", "n't"}
_ARTICLES = {"this", "these", "that", "those", "the", "a", "an"}
_EDGE_POS = {"ADV", "DET", "PRON", "ADP", "CCONJ", "SCONJ", "PART", "PUNCT", "AUX", "NUM", "SYM", "X", "INTJ"}


def stopwords() -> frozenset[str]:
    """English stopwords (scikit-learn's list plus chat filler)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = set(
        "just im dont got get thanks thank amp pls hi hello ok okay hasn didn couldn doesn isn wasn wouldn "
        "won don ve ll re aren haven shouldn weren ain cant wont didnt doesnt isnt ive thats guys yes yeah "
        "really like want need help know tell way does did".split()
    )
    return frozenset(ENGLISH_STOP_WORDS | extra)


def ctfidf_keywords(
    texts: Sequence[str], doc_theme: np.ndarray, theme_ids: Sequence[int], top_n: int = 10
) -> list[list[str]]:
    """Top c-TF-IDF words and bigrams per theme; a term must occur in >= 10% (and 2) of the theme's docs.

    A diffuse theme where no term reaches 10% falls back to terms found in at least 2 of its documents.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    from voc.quiet import quiet_divide

    if not len(theme_ids):
        return []
    cleaned = [_NOISE.sub(" ", str(t)) for t in texts]
    X = None
    for min_df in (2, 1):
        vec = CountVectorizer(
            stop_words=list(stopwords()),
            ngram_range=(1, 2),
            min_df=min_df,
            token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+(?:-[a-zA-Z]+)*\b",
        )
        try:
            X = vec.fit_transform(cleaned)
            break
        except ValueError:  # empty vocabulary
            continue
    if X is None:
        return [[] for _ in theme_ids]
    pos = {int(t): i for i, t in enumerate(theme_ids)}
    rows = [(pos[int(t)], j) for j, t in enumerate(doc_theme) if int(t) in pos]
    M = sparse.csr_matrix(
        (np.ones(len(rows)), ([r for r, _ in rows], [c for _, c in rows])), shape=(len(theme_ids), len(texts))
    )
    counts = M @ X
    doc_freq = (M @ (X > 0).astype(np.float64)).toarray()
    sizes = np.asarray(M.sum(axis=1)).ravel()
    # A term seen only in unassigned documents has df 0 in c-TF-IDF: its idf is inf, unused.
    with quiet_divide():
        weights = class_tfidf(counts)
    floor = np.maximum(np.minimum(2, sizes), 0.1 * sizes)[:, None]
    strict = np.where(doc_freq >= floor, weights, 0.0)
    # A diffuse theme (no term in 10% of its docs) still gets keywords: its terms found in 2+ docs.
    loose = np.where(doc_freq >= np.minimum(2, sizes)[:, None], weights, 0.0)
    weights = np.where((strict > 0).any(axis=1, keepdims=True), strict, loose)
    words = vec.get_feature_names_out()
    Xb = (X > 0).astype(np.float32).tocsr()
    out = []
    for i, row in enumerate(weights):
        cand = [j for j in np.argsort(-row, kind="stable")[: top_n * 3] if row[j] > 0]
        members = M[i].indices
        co = (Xb[members][:, cand].T @ Xb[members][:, cand]).toarray() if len(cand) else np.zeros((0, 0))
        out.append(coherent_terms([str(words[j]) for j in cand], co, top_n))
    return out


def class_tfidf(counts) -> np.ndarray:
    """BERTopic's c-TF-IDF with reduce_frequent_words (sqrt of the l1-normalised class tf, times
    log(1 + average words per class / term frequency)), written out so the themes stage never imports
    bertopic: that import pulls in sentence-transformers, transformers and torch (53 s of a 162 s fit on a
    busy machine, profiled on 6,373 tweets)."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    X = sparse.csr_matrix(counts, dtype=np.float64)
    df = np.squeeze(np.asarray(X.sum(axis=0)))
    avg = int(X.sum(axis=1).mean())
    idf = np.log((avg / df) + 1)
    X = normalize(X, axis=1, norm="l1", copy=True)
    X.data = np.sqrt(X.data)
    return np.asarray((X @ sparse.diags(idf, format="csr")).toarray())


def coherent_terms(terms: list[str], co: np.ndarray, top_n: int, min_keep: int = 3) -> list[str]:
    """Terms in weight order, skipping a term that shares no theme document with most terms kept so far.

    Also prefers a bigram over its own unigrams. Keywords that never appear together read as a word salad
    (and score badly on NPMI coherence); a list shorter than min_keep is topped up in weight order.
    """
    kept: list[int] = []
    for a, term in enumerate(terms):
        if len(kept) >= top_n:
            break
        if any(term != terms[k] and (term in terms[k].split() or terms[k] in term.split()) for k in kept):
            continue
        if kept and (co[a, kept] > 0).sum() * 2 < len(kept):
            continue
        kept.append(a)
    for a, term in enumerate(terms):
        if len(kept) >= min(min_keep, top_n):
            break
        if a not in kept and not any(term in terms[k].split() or terms[k] in term.split() for k in kept):
            kept.append(a)
    return [terms[k] for k in kept]


def _clean_span(tokens) -> str | None:
    toks = list(tokens)
    # "soft and fun fabric", "price, quality": only the part after the last conjunction or comma is the aspect.
    cut = max((k for k, t in enumerate(toks) if t.pos_ in ("CCONJ", "PUNCT")), default=-1)
    toks = toks[cut + 1 :]
    stops = stopwords()
    while toks and (toks[0].pos_ in _EDGE_POS or toks[0].lower_ in stops):
        toks = toks[1:]
    while toks and (toks[-1].pos_ in _EDGE_POS or toks[-1].lower_ in stops):
        toks = toks[:-1]
    toks = [t for t in toks if not (t.pos_ == "DET" and t.lower_ in _ARTICLES) and t.tag_ != "PRP$"]
    if len(toks) == 1 and toks[0].pos_ == "PROPN":  # hashtags, handles and names make poor labels
        return None
    words = [t.text.lower() for t in toks if _TOKEN.fullmatch(t.text)]
    if not words or len(words) != len(toks) or len(words) > 5 or all(w in stops for w in words):
        return None
    if any("'" in w or w in _CONTRACTION for w in words) or len(" ".join(words)) < 4:
        return None
    return " ".join(words)


def candidate_phrases(texts: Sequence[str]) -> list[str]:
    """Noun chunks and issue-shaped phrases from a few representative documents (spaCy parser)."""
    from voc.lenses.themes.phrases import candidate_phrases as _cands

    return _cands([_NOISE.sub(" ", t) for t in texts], _clean_span)[0]


def label_key(label: str) -> str:
    """What makes two labels the same to a reader: case and a plural -s ignored ("Flights" = "flight")."""
    words = label.lower().split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def format_label(phrase: str) -> str:
    """Sentence case: first letter upper, the rest as written."""
    phrase = phrase.strip()
    return phrase[:1].upper() + phrase[1:]


def choose_labels(*args, **kwargs) -> list[str]:
    """One unique, readable label per theme: `label_themes(...)`, labels only."""
    return label_themes(*args, **kwargs).labels


@dataclass
class ThemeLabels:
    """Labels per theme, the aspect each names ("bag" for "Bag lost") and the words' part-of-speech counts."""

    labels: list[str]
    aspects: list[str]
    pos: Counter = field(default_factory=Counter)


MIN_THEME_SHARE = 0.2  # a one-word label must be used by at least this share of its theme's documents
PRAISE_MIN_SHARE = 0.05  # the same for a praise label's aspect ("Network (praise)")
PHRASE_MIN_SHARE = 0.01  # a phrase's words must meet in some of the theme's documents
SALIENCE_WEIGHT = 0.05  # weight of a candidate's c-TF-IDF salience (theme share x log-lift over the corpus)


def label_themes(
    centroids: np.ndarray,
    keywords: list[list[str]],
    rep_texts: list[list[str]],
    encode_phrases: Callable[[list[str]], np.ndarray],
    taken: set[str] | None = None,
    fixed: dict[int, str] | None = None,
    rules: LabelRules | None = None,
    docs: list[list[str]] | None = None,
    corpus: list[str] | None = None,
) -> ThemeLabels:
    """One unique, readable label per theme: the allowed candidate closest to the centroid.

    Candidates are the theme's noun chunks and aspect + problem phrases (from its representative documents)
    and its top c-TF-IDF keywords; a phrase found in several representatives, sharing words with the
    keywords, or shaped like an issue ranks higher, and so does one the theme's own documents (`docs`, a
    sample per theme) use more than the `corpus` does (`salience`). `rules` bans handle, hashtag, platform
    and name words
    and keeps a corpus-frequent word from standing alone; `label_shape` keeps the shape (a noun, no
    pronoun, no function word at either end). A praise theme is named by an aspect: "Fabric (praise)".
    """
    rules = rules or LabelRules()
    fixed = fixed or {}
    taken = {label_key(t) for t in (taken or set())} | {label_key(v) for v in fixed.values()}
    options: list[dict[str, tuple[int, str]]] = []  # per theme: form -> (support, aspect)
    tags: list[str] = []
    pos: Counter = Counter()
    asked_share = question_share(corpus) if corpus is not None else 1.0
    thanked_share = thanks_share(corpus) if corpus is not None else 1.0
    for i, kws in enumerate(keywords):
        opts: dict[str, tuple[int, str]] = {}
        praised = i not in fixed and praise.is_praise(rep_texts[i])
        if i not in fixed:
            cands = theme_candidates([_NOISE.sub(" ", t) for t in rep_texts[i]], _clean_span)
            pos.update(cands.pos)
            # A keyword bigram counts only if written so ("phone customers" may be "phone ... other customers").
            said = " ".join(_NOISE.sub(" ", t).lower() for t in rep_texts[i])
            found = [*cands.support, *(k for k in kws[:6] if " " not in k or k in said)]
            opts = _options(found, cands, rules, praised)
            if not opts and not praised and not praise.any_negative(rep_texts[i]):
                # Every candidate was praise ("great service", "fast"): a mildly positive theme is praise too.
                praised = True
                opts = _options(found, cands, rules, praised)
        asked = not praised and i not in fixed and docs is not None and is_question_theme(docs[i], asked_share)
        if i not in fixed and docs is not None and is_thanks_theme(docs[i], thanked_share):
            # Named for what its documents do, never by a stray word ("Sent", "Rock"); a second one is praise.
            forms = [THANKS_LABEL + PRAISE_TAG, THANKS_LABEL] if praised else [THANKS_LABEL, THANKS_LABEL + PRAISE_TAG]
            opts, asked, praised = {f: (len(forms) - k, THANKS_LABEL) for k, f in enumerate(forms)}, False, False
        options.append(_aspects_only(opts, cands, rules) if asked else opts)
        tags.append(PRAISE_TAG if praised else QUESTIONS_TAG if asked else "")
    flat = sorted({p for o in options for p in o})
    vecs = encode_phrases(flat) if flat else np.zeros((0, centroids.shape[1]), np.float32)
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    where = {p: j for j, p in enumerate(flat)}
    out = ThemeLabels([""] * len(keywords), [""] * len(keywords), pos)
    corpus_bags = salience.bags(corpus) if docs is not None and corpus is not None else None
    # Larger-signal themes pick first so they keep the best phrase when two themes compete.
    for i in range(len(keywords)):
        if i in fixed:
            out.labels[i] = out.aspects[i] = fixed[i]
            continue
        top_kw = set(" ".join(keywords[i][:5]).split())
        scored = []
        forms = list(options[i])
        salient, used = np.zeros(len(forms)), np.ones(len(forms), bool)
        if corpus_bags is not None and forms:
            theme_bags = salience.bags(docs[i])
            salient = SALIENCE_WEIGHT * salience.salience(forms, theme_bags, corpus_bags)
            # A word that few of the theme's documents use does not name it alone ("Gown" for dresses,
            # "Email" for customer service): an issue takes an aspect and its problem. Praise names an aspect
            # alone by design, so it needs less; phrases are rarer by nature (tweets word an issue many ways).
            floor = PRAISE_MIN_SHARE if tags[i] == PRAISE_TAG else MIN_THEME_SHARE
            floors = np.array([PHRASE_MIN_SHARE if " " in f else floor for f in forms])
            used = salience.doc_share(forms, theme_bags) >= floors  # the rest only when no used one is free
        for p, sal, ok in zip(forms, salient, used):
            support, aspect = options[i][p]
            words = p.split()
            sim = float(vecs[where[p]] @ centroids[i])
            bonus = 0.05 * min(2, len(set(words) & top_kw)) + (0.02 if 2 <= len(words) <= 4 else 0.0)
            bonus += 0.03 * min(2, support - 1) + float(sal)
            scored.append((not ok, -(sim + bonus), p, aspect))
        scored.sort()
        free = ((format_label(p) + tags[i], a) for *_, p, a in scored if label_key(p + tags[i]) not in taken)
        pick = next(free, None)
        if pick is None:
            label = _fallback_label(keywords[i], rules, taken)
            pick = (label, label)
        taken.add(label_key(pick[0]))
        out.labels[i], out.aspects[i] = pick[0], pick[1].lower()
    return out


def _options(found: list[str], cands, rules: LabelRules, praised: bool) -> dict[str, tuple[int, str]]:
    """Allowed label forms of a theme's candidates: form -> (documents holding it, its aspect)."""
    opts: dict[str, tuple[int, str]] = {}
    for p in dict.fromkeys(found):
        form = (praise_core(p, cands, praise.positive_word) if praised
                else complaint_core(p, cands, praise.positive_word))  # fmt: skip
        if praised and form and not rules.phrase_ok(form) and len(p.split()) > 1:
            # The aspect alone is a corpus-frequent word ("dress" in clothing reviews): keep what is praised.
            lead = cands.aspect.get(p, "") == form and p.startswith(form + " ")  # "shirt comfortable", aspect first
            form = p if lead else None
        if not form or not rules.phrase_ok(form) or not shape_ok(form, cands):
            continue
        aspect = form if praised else (cands.aspect.get(p) or form)
        if all(w in rules.names for w in (cands.aspect.get(p) or form).split()):
            continue  # the aspect is a person or a brand alone ("Sanjay brilliant")
        opts[form] = (max(cands.support.get(p, 1), opts.get(form, (0, ""))[0]), aspect)
    return opts


def _aspects_only(opts: dict[str, tuple[int, str]], cands, rules: LabelRules) -> dict[str, tuple[int, str]]:
    """The aspects of a question theme's candidates: "mobile plan" (a noun phrase) stays, "plan includes"
    becomes "plan"."""
    out: dict[str, tuple[int, str]] = {}
    for form, (support, aspect) in opts.items():
        noun = form if aspect and form.split()[-1] == aspect.split()[-1] else aspect
        if noun and rules.phrase_ok(noun) and shape_ok(noun, cands):
            out[noun] = (max(support, out.get(noun, (0, ""))[0]), aspect)
    return out


def _fallback_label(keywords: list[str], rules: LabelRules, taken: set[str]) -> str:
    """Two allowed keywords joined ("Seat upgrade"), trying other pairs before a numbered suffix."""
    words = [w for w in dict.fromkeys(" ".join(keywords).split()) if rules.word_ok(w)]
    for a in range(len(words)):
        for b in [None, *range(a + 1, len(words))]:
            label = format_label(words[a] if b is None else f"{words[a]} {words[b]}")
            core = complaint_core(label.lower(), None, praise.positive_word)
            if label_key(label) not in taken and rules.phrase_ok(label) and core and shape_ok(core):
                return format_label(core)
    base, k = format_label(" ".join(words[:2]) or "Theme"), 2
    label = base
    while label_key(label) in taken:
        label, k = f"{base} {k}", k + 1
    return label
