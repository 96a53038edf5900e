"""Manage themes: an editor confirms or sets a theme's systemic root cause and sub-cause, with a note."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from voc.insights.cause_map import CAUSES, cause_payload, confirmed_causes
from voc.insights.priority_store import effort_settings
from voc.insights.theme_settings import ORPHANED, describe, orphaned


def _subcauses(cause: str) -> list[str]:
    from voc.lenses.subcause_taxonomy import load_subcause_taxonomy

    tax = load_subcause_taxonomy()
    return [n for n in tax.names if tax.parents[n] == cause]


def cause_form(ids: list[int], fmt: Callable[[int], str], submit: Callable[[str, dict, str], None]) -> None:
    """The "Confirm root cause" form; `submit(op, payload, message)` appends the edit to the log."""
    st.subheader("Confirm root cause")
    tid = st.selectbox("Theme", ids, format_func=fmt, key="cause_theme")
    cause = st.selectbox("Root cause", list(CAUSES), key="cause_cause")
    sub = st.selectbox("Sub-cause", ["(none)", *_subcauses(cause)], key="cause_sub",
                       format_func=lambda s: s.replace("_", " "))  # fmt: skip
    note = st.text_input("Note", key="cause_note", placeholder="e.g. opt-outs not synced from the web form")
    if st.button("Confirm cause", key="cause_submit"):
        payload = cause_payload(int(tid), cause, None if sub == "(none)" else sub, note)
        message = f"{fmt(tid)} → {cause}" + (f": {sub.replace('_', ' ')}" if payload["subcause"] else "")
        submit("cause", payload, message + (f" — {payload['note']}" if payload["note"] else ""))


def settings_table(edits: pd.DataFrame, names: dict[int, str]) -> None:
    """The themes' set efforts and confirmed causes, saying which were carried over a merge, split or retirement,
    any conflict, and the settings orphaned on themes a re-run retired."""
    efforts, causes = effort_settings(edits), confirmed_causes(edits)
    ids = [t for t in names if t in efforts or t in causes]
    if ids:
        st.subheader("Efforts and confirmed causes")
        rows = []
        for t in ids:
            e, c = efforts.get(t), causes.get(t) or {}
            rows.append({"theme": names[t], "effort": e.value if e else None, "effort_note": describe(e),
                         "cause": _cause(c), "cause_note": c.get("merge_note") or None})  # fmt: skip
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="theme_settings")
        st.caption(
            "A merged theme keeps its own effort and cause, else takes the merged themes' (disagreements are listed); "
            "themes split off a theme inherit them, and so does the theme that took most of the documents of a theme "
            "a re-run retired. Setting a value again settles it."
        )
    _orphans_table(efforts, causes, set(names))


def _cause(c: dict) -> str | None:
    sub = f", {c['subcause'].replace('_', ' ')}" if c.get("subcause") else ""
    return f"{c['cause']}{sub}" if c else None


def _orphans_table(efforts: dict, causes: dict, live: set[int]) -> None:
    lost_efforts = orphaned(efforts, live)
    lost_causes = {t: c for t, c in causes.items() if c.get("source") == ORPHANED and t not in live}
    ids = sorted(set(lost_efforts) | set(lost_causes))
    if not ids:
        return
    st.subheader("Orphaned settings")
    rows = []
    for t in ids:
        e, c = lost_efforts.get(t), lost_causes.get(t) or {}
        label = ((e.retired if e else None) or c.get("retired") or {}).get("label")
        rows.append({"retired theme": f"#{t}" + (f" {label}" if label else ""), "effort": e.value if e else None,
                     "cause": _cause(c), "note": describe(e) if e else c.get("merge_note")})  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="orphaned_settings")
    st.caption(
        "A re-run retired these themes and no theme took most of their documents, so their effort and confirmed "
        "cause follow no theme. Set them again on the theme that now covers the issue."
    )
