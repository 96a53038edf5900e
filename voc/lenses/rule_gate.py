"""Regex rules behind a one-pass RE2 filter: only the patterns that match a text are run for their spans.

Python's `re` scans a text once per pattern; with dozens of taxonomy patterns that is most of a lens's time.
An RE2 set (google-re2) tells in one linear pass which patterns match anywhere in the text, and only those
are run with `re` for their spans. The spans are exactly those of running every pattern. A pattern RE2
cannot compile (look-arounds, back-references) is always run; without google-re2 every pattern is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_UPPER = re.compile(r"(?<!\\)[A-Z]")  # an upper-case letter that is not an escape such as \W or \S

try:
    import re2
except ImportError:  # pragma: no cover - google-re2 is a dependency; this keeps voc importable without it
    re2 = None


class GatedRules:
    """Groups of patterns (one group per label); `hits` gives each group's match spans in a text."""

    def __init__(self, groups: Sequence[Sequence[str]], span_groups: int | None = None) -> None:
        self.n = len(groups)
        self.span_groups = self.n if span_groups is None else span_groups  # later groups: presence only
        self.flat = [(g, re.compile(p, re.IGNORECASE)) for g, pats in enumerate(groups) for p in pats]
        # lower-case patterns run without IGNORECASE over the lower-cased text (about 2x faster in `re`)
        self.fast = [re.compile(rx.pattern) if not _UPPER.search(rx.pattern) else None for _, rx in self.flat]
        self.always: set[int] = set()
        self.set = None
        self.set_index: list[int] = []
        if re2 is not None and self.flat:
            options = re2.Options()
            options.case_sensitive = False
            options.never_capture = True
            rset = re2.Set.SearchSet(options)
            for i, (g, rx) in enumerate(self.flat):
                try:
                    rset.Add(rx.pattern)
                    self.set_index.append(i)
                except Exception:  # noqa: BLE001 - RE2 rejects look-arounds etc.; run those always
                    self.always.add(i)
            rset.Compile()
            self.set = rset
        else:
            self.always = set(range(len(self.flat)))

    def matching(self, text: str) -> list[int]:
        """Indices (into the flat pattern list) of the patterns that may match `text`."""
        if self.set is None:
            return list(self.always)
        found = self.set.Match(text) or []
        return [*self.always, *(self.set_index[k] for k in found)]

    def hits(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """Spans of matches per matching group (presence-only groups map to an empty list; others left out)."""
        out: dict[int, list[tuple[int, int]]] = {}
        if not text:
            return out
        lower = None
        for i in sorted(self.matching(text)):
            g, rx = self.flat[i]
            if g >= self.span_groups and i not in self.always:
                out.setdefault(g, [])
                continue
            if self.fast[i] is not None:
                lower = text.lower() if lower is None else lower
                if len(lower) == len(text):
                    rx = self.fast[i]
            spans = [m.span() for m in rx.finditer(lower if rx is self.fast[i] else text)]
            if spans:
                out.setdefault(g, []).extend(spans)
        return out
