"""Manage themes: an editor confirms or sets a theme's systemic root cause and sub-cause, with a note."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from voc.insights.cause_map import CAUSES, cause_payload, confirmed_causes
from voc.insights.priority_store import effort_settings
from voc.insights.theme_settings import describe


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
    """The themes' set efforts and confirmed causes, saying which were carried over a merge or split, and any conflict."""
    efforts, causes = effort_settings(edits), confirmed_causes(edits)
    ids = [t for t in names if t in efforts or t in causes]
    if not ids:
        return
    st.subheader("Efforts and confirmed causes")
    rows = []
    for t in ids:
        e, c = efforts.get(t), causes.get(t) or {}
        sub = f", {c['subcause'].replace('_', ' ')}" if c.get("subcause") else ""
        rows.append({"theme": names[t], "effort": e.value if e else None, "effort_note": describe(e),
                     "cause": f"{c['cause']}{sub}" if c else None, "cause_note": c.get("merge_note") or None})  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="theme_settings")
    st.caption(
        "A merged theme keeps its own effort and cause, else takes the merged themes' (disagreements are listed); "
        "themes split off a theme inherit them. Setting a value again settles it."
    )
