"""Root-cause scoring over sentence vectors: head logits, example similarity and regex rules, combined."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voc.errors import ModelError

try:
    import re2
except ImportError:  # pragma: no cover - google-re2 is a dependency
    re2 = None

HEAD_FILE = "head.npz"
META_FILE = "head.json"
_CLAUSE = re.compile(
    r",\s+(?:and |but |then |so )|;\s+|\s+(?:but|and then|and now|and still|so then|then|although|however)\s+|\s+-\s+"
)
CLAUSE_MIN_CHARS = 40  # sentences longer than this are narrowed to the clause holding a rule hit


def strip_lookarounds(pattern: str) -> str:
    """The pattern without its look-around groups; it matches wherever the pattern does, so it can gate it."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, in_class = 0, False
            while i < n:
                c = pattern[i]
                if c == "\\":
                    i += 1
                elif in_class:
                    in_class = c != "]"
                elif c == "[":
                    in_class = True
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            i += 1
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def _re2_gate(patterns: Sequence[str]):
    """One case-insensitive RE2 alternation of the patterns without look-arounds, or None if RE2 cannot take it."""
    if re2 is None:
        return None
    options = re2.Options()
    options.case_sensitive = False
    options.never_capture = True
    try:
        return re2.compile("|".join(f"(?:{strip_lookarounds(p)})" for p in patterns), options)
    except Exception:  # noqa: BLE001 - back-references etc.: no gate, the patterns always run
        return None


class LabelRule:
    """A label's patterns as one case-insensitive alternation, with a faster path over lower-cased text.

    An RE2 gate (one linear scan, look-arounds dropped so it matches wherever the label can) skips the
    Python scan of the many texts the label cannot match; the spans are those of the Python scan.
    """

    def __init__(self, patterns: Sequence[str]):
        body = "|".join(f"(?:{p})" for p in patterns)
        self.slow = re.compile(body, re.IGNORECASE)
        # Patterns that all start at a word boundary can skip non-word-start positions; matching the
        # lower-cased text without IGNORECASE is ~2x faster in Python's re.
        prefix = r"(?=\b\w)" if all(p.startswith(r"\b") for p in patterns) else ""
        self.fast = re.compile(f"{prefix}(?:{body})")
        self.gate = _re2_gate(patterns)

    def finditer(self, text: str, lower: str | None = None):
        """Matches in text (lower: text.lower(), used when it keeps the offsets)."""
        if self.gate is not None and text.isascii() and self.gate.search(text) is None:
            return iter(())
        if lower is not None and len(lower) == len(text):
            return self.fast.finditer(lower)
        return self.slow.finditer(text)


def compile_rules(patterns: Sequence[Sequence[str]]) -> list[LabelRule | None]:
    """One rule per label (None when the label has no patterns)."""
    return [LabelRule(pats) if pats else None for pats in patterns]


def rule_hits(text: str, rules: Sequence[LabelRule | None]) -> list[list[tuple[int, int]]]:
    """Character spans of rule matches in `text`, one list per label."""
    if not text:
        return [[] for _ in rules]
    lower = text.lower()
    return [[m.span() for m in rule.finditer(text, lower)] if rule is not None else [] for rule in rules]


def flatten(
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    doc_vecs: np.ndarray,
    sent_vecs: Sequence[np.ndarray],
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Stack sentence vectors; a text without sentences uses its doc vector over the whole text."""
    if not (len(texts) == len(spans) == len(sent_vecs) == len(doc_vecs)):
        raise ModelError(
            f"RootCauseLens.predict got {len(texts)} texts, {len(spans)} span lists, {len(doc_vecs)} doc vectors "
            f"and {len(sent_vecs)} sentence-vector arrays; pass one of each per document."
        )
    blocks: list[np.ndarray] = []
    flat: list[tuple[int, int]] = []
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    for i, (text, sp, sv) in enumerate(zip(texts, spans, sent_vecs)):
        if len(sp) and sv is not None and len(sv) == len(sp):
            blocks.append(sv)
            flat.extend(sp)
        else:
            blocks.append(np.asarray(doc_vecs[i : i + 1], dtype=np.float32))
            flat.append((0, len(text or "")))
        offsets[i + 1] = len(flat)
    dim = doc_vecs.shape[1] if len(doc_vecs) else 384
    matrix = (
        np.concatenate(blocks, axis=0).astype(np.float32, copy=False)
        if blocks
        else np.zeros((0, dim), np.float32)
    )
    return matrix, offsets, flat


def sentence_rule_flags(
    hits: Sequence[list[list[tuple[int, int]]]],
    offsets: np.ndarray,
    flat: Sequence[tuple[int, int]],
    n_labels: int,
) -> np.ndarray:
    """(n_sentences, n_labels) 1.0 where a rule match overlaps the sentence."""
    flags = np.zeros((len(flat), n_labels), dtype=np.float32)
    for d, doc_hits in enumerate(hits):
        a, b = int(offsets[d]), int(offsets[d + 1])
        for j, label_hits in enumerate(doc_hits):
            for hs, he in label_hits:
                for s in range(a, b):
                    ss, se = flat[s]
                    if hs < se and he > ss:
                        flags[s, j] = 1.0
    return flags


def narrow_to_clause(
    text: str, span: tuple[int, int], label_hits: Sequence[tuple[int, int]]
) -> tuple[int, int]:
    """The clause of a long sentence that holds a rule hit; the sentence itself otherwise."""
    start, end = span
    if end - start < CLAUSE_MIN_CHARS or not label_hits:
        return span
    hit = next(((hs, he) for hs, he in label_hits if start <= hs < end), None)
    if hit is None:
        return span
    cuts = [start] + [start + m.end() for m in _CLAUSE.finditer(text[start:end])] + [end]
    for a, b in zip(cuts, cuts[1:]):
        if a <= hit[0] < b:
            seg_end = b
            # drop the trailing delimiter of this clause
            m = _CLAUSE.search(text, a, b)
            if m is not None and m.end() == b:
                seg_end = m.start()
            a2 = a
            while a2 < seg_end and text[a2].isspace():
                a2 += 1
            return (a2, max(seg_end, min(hit[1], end))) if seg_end > a2 else span
    return span


def combine(
    comb: np.ndarray, head: np.ndarray, sim: np.ndarray, flags: np.ndarray, doc_head: np.ndarray
) -> np.ndarray:
    """The combined per-sentence logit from its four features and the per-label combiner."""
    return head * comb[:, 0] + sim * comb[:, 1] + flags * comb[:, 2] + doc_head * comb[:, 3] + comb[:, 4]


@dataclass
class RootCauseHead:
    """Trained arrays of the lens: a linear head, example vectors, a per-label combiner and thresholds."""

    labels: list[str]
    W: np.ndarray  # (dim, L) head weights over sentence vectors
    b: np.ndarray  # (L,) head biases
    E: np.ndarray  # (n_examples, dim) example/description vectors for similarity
    E_label: np.ndarray  # (n_examples,) label index of each example vector
    comb: np.ndarray  # (L, 5): weights for [sentence head logit, similarity, rule flag, doc head logit], bias
    thresholds: np.ndarray  # (L,) decision threshold on the combined probability
    patterns: list[list[str]] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rules = compile_rules(self.patterns or [[] for _ in self.labels])
        order = np.argsort(self.E_label, kind="stable")
        self.E = np.ascontiguousarray(self.E[order], dtype=np.float32)
        self.E_label = self.E_label[order]
        self._cuts = np.searchsorted(self.E_label, np.arange(len(self.labels) + 1))

    def sentence_scores(
        self, S: np.ndarray, rule_flags: np.ndarray, doc_head: np.ndarray | None = None
    ) -> tuple[np.ndarray, ...]:
        """Per sentence and label: combined logit, head logit, example similarity.

        doc_head is the head logit of each sentence's document vector (n_sentences, L); it shifts
        every sentence of a document alike, so it moves the document score but not the evidence.
        """
        head = S @ self.W + self.b
        sims = S @ self.E.T
        sim = np.full((len(S), len(self.labels)), -1.0, dtype=np.float32)
        for j in range(len(self.labels)):
            a, b = self._cuts[j], self._cuts[j + 1]
            if b > a and len(S):
                sim[:, j] = sims[:, a:b].max(axis=1)
        z = combine(self.comb, head, sim, rule_flags, head if doc_head is None else doc_head)
        return z, head, sim

    def save(self, out_dir: Path) -> None:
        """Write head.npz (arrays) and head.json (labels, patterns, metadata) into out_dir."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            out_dir / HEAD_FILE,
            W=self.W,
            b=self.b,
            E=self.E.astype(np.float16),
            E_label=self.E_label,
            comb=self.comb,
            thresholds=self.thresholds,
        )
        meta = dict(self.meta, labels=self.labels, patterns=self.patterns)
        (out_dir / META_FILE).write_text(json.dumps(meta, indent=2, default=float), encoding="utf-8")

    @classmethod
    def load(cls, model_dir: Path) -> RootCauseHead:
        """Read a head saved by `save`."""
        model_dir = Path(model_dir)
        npz, js = model_dir / HEAD_FILE, model_dir / META_FILE
        if not npz.is_file() or not js.is_file():
            raise ModelError(
                f"No trained root-cause head in {model_dir} (need {HEAD_FILE} and {META_FILE}); "
                "run `voc train rootcause` or point rootcause.model at a trained folder."
            )
        try:
            arrays = np.load(npz)
            meta = json.loads(js.read_text(encoding="utf-8"))
            return cls(
                labels=list(meta["labels"]),
                W=arrays["W"].astype(np.float32),
                b=arrays["b"].astype(np.float32),
                E=arrays["E"].astype(np.float32),
                E_label=arrays["E_label"].astype(np.int64),
                comb=arrays["comb"].astype(np.float32),
                thresholds=arrays["thresholds"].astype(np.float32),
                patterns=[list(p) for p in meta.get("patterns", [])],
                meta=meta,
            )
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(
                f"Root-cause head in {model_dir} is unreadable ({exc}); retrain with `voc train rootcause`."
            ) from None


def head_version(prefix: str, head: RootCauseHead) -> str:
    """A version string from the head's arrays and labels."""
    digest = hashlib.sha256()
    for name in ("W", "b", "comb", "thresholds"):
        digest.update(np.ascontiguousarray(getattr(head, name)).tobytes())
    digest.update("|".join(head.labels).encode())
    return f"{prefix}-{digest.hexdigest()[:12]}"
