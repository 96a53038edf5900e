"""Survey exports with more than one header row: find the extra rows and name columns from the readable one.

Two layouts are recognised from the rows themselves, not the tool's name:
- an import-id row (cells such as `{"ImportId":"QID1"}`) under one or two header rows (Qualtrics): every row up
  to it is a header row, and names come from the row with the longest (question) text;
- a sub-label row (cells such as "Response", "Open-Ended Response" or answer options, with blanks under the
  first columns) under a question row (SurveyMonkey): a question spans the blank cells to its right, and a
  sub-label other than "Response" is appended as "question - label".
"""

from __future__ import annotations

import re

_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"\s*:', re.IGNORECASE)
_SUB_RESPONSE = {"response", "open-ended response"}
MAX_HEADER_ROWS = 3


def _filled(cells: list[str]) -> list[str]:
    return [c for c in cells if c.strip()]


def _import_row(cells: list[str]) -> bool:
    values = _filled(cells)
    return bool(values) and sum(bool(_IMPORT_ID.match(c)) for c in values) >= 0.5 * len(values)


def _sub_label_row(header: list[str], cells: list[str]) -> bool:
    values = [c.strip().lower() for c in _filled(cells)]
    # the respondent-id column has no sub-label: a sub-label row starts blank, a data row does not
    if not values or not any(v in _SUB_RESPONSE for v in values) or cells[0].strip():
        return False
    blank_under_named = any(h.strip() and not c.strip() for h, c in zip(header, cells, strict=False))
    return blank_under_named and not any(re.fullmatch(r"[-+]?\d+(\.\d+)?", v) for v in values)


def _pad(row: list[str], width: int) -> list[str]:
    return (row + [""] * width)[:width]


def detect_header_rows(rows: list[list[str]]) -> tuple[list[str], int]:
    """(column names, number of header rows after the first) for the first rows of a table."""
    if not rows:
        return [], 0
    header = rows[0]
    width = max(len(r) for r in rows[:MAX_HEADER_ROWS])
    head = [_pad(r, width) for r in rows[:MAX_HEADER_ROWS]]
    for i in range(1, len(head)):
        if _import_row(head[i]):
            readable = max(head[:i], key=lambda r: sum(len(c.split()) for c in r))
            names = [r_c if r_c.strip() else h_c for r_c, h_c in zip(readable, head[0], strict=True)]
            return names, i
    if len(head) > 1 and _sub_label_row(head[0], head[1]):
        names, question = [], ""
        for top, sub in zip(head[0], head[1], strict=True):
            question = top.strip() or question
            label = sub.strip()
            if not top.strip() and not question:
                names.append(label)
            elif label and label.lower() not in _SUB_RESPONSE:
                names.append(f"{question} - {label}")
            else:
                names.append(question)
        return names, 1
    return header, 0
