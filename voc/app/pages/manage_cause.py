"""Manage themes: an editor confirms or sets a theme's systemic root cause and sub-cause, with a note."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from voc.insights.cause_map import CAUSES, cause_payload


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
