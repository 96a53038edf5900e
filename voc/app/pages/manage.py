"""Manage themes: rename, merge, split and pin (editors only); edits go to the store's log with who made them."""

from __future__ import annotations

import streamlit as st

from voc.app import data
from voc.app.context import Ctx
from voc.app.identity import current_user, require_editor
from voc.app.pages.manage_cause import cause_form, settings_table
from voc.app.pages.priority import effort_form
from voc.app.render import escape
from voc.errors import VocError
from voc.insights.filters import Filter
from voc.lenses.themes.edits import make_split_edit
from voc.store import Store


def append_edit(path: str, op: str, payload: dict) -> int:
    """Check that this session's user may edit, append the edit to the store's log under their name, clear caches."""
    actor = require_editor()  # read from the session now, whatever the request claims
    edit_id = Store(path).append_edit(op, payload, actor=actor)
    st.cache_data.clear()
    return edit_id


def _submit(ctx: Ctx, op: str, payload: dict, message: str) -> None:
    try:
        edit_id = append_edit(ctx.path, op, payload)
    except VocError as exc:
        st.session_state["manage_flash"] = ("error", f"Could not save the edit: {exc}")
    else:
        st.session_state["manage_flash"] = ("success", f"Saved edit #{edit_id}: {message}")
    st.rerun()


def render(ctx: Ctx) -> None:
    """Render the Manage themes page."""
    st.title("Manage themes")
    flash = st.session_state.pop("manage_flash", None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(escape(flash[1]))
    themes = ctx.themes
    active = themes[themes["theme_id"] == themes["canonical_id"]]
    if active.empty:
        st.info("This store has no themes yet; run the pipeline with the themes lens first.")
        return
    volumes = data.theme_stats(ctx.path, ctx.ver, ctx.tmap, Filter().model_dump_json()).set_index("theme_id")[
        "volume"
    ]
    table = active.assign(volume=active["canonical_id"].map(volumes).fillna(0).astype(int))
    raw = data.themes_and_edits(ctx.path, ctx.file_ver)[0].set_index("theme_id")
    table["model_label"] = table["theme_id"].map(raw["label"])
    st.dataframe(
        table[["theme_id", "display_label", "model_label", "parent_label", "volume", "pinned", "status"]],
        hide_index=True,
        width="stretch",
        column_config={"display_label": "Shown as", "model_label": "Model label", "parent_label": "Parent"},
    )
    user = current_user()
    if user is not None and user.editor:
        _edit_forms(ctx, table)
    else:
        st.info(
            "You can view the themes and their edit history. Only editors can rename, merge, split or pin."
        )
    live = table[table["status"] == "active"]  # a retired theme's settings moved on or are listed as orphaned
    settings_table(
        data.themes_and_edits(ctx.path, ctx.file_ver)[1],
        dict(zip(live["theme_id"].astype(int), live["display_label"])),
    )
    _history(ctx)


def _edit_forms(ctx: Ctx, table) -> None:
    ids = table["theme_id"].astype(int).tolist()
    names = dict(zip(ids, table["display_label"]))
    fmt = lambda i: f"{names.get(i, i)} (#{i})"
    a, b = st.columns(2)
    with a, st.form("rename_form", clear_on_submit=True):
        st.subheader("Rename")
        tid = st.selectbox("Theme", ids, format_func=fmt, key="rename_theme")
        new = st.text_input("New name", key="rename_label")
        pin = st.checkbox("Pin this name (keep it across re-runs)", key="rename_pin")
        if st.form_submit_button("Rename"):
            if new.strip():
                _submit(
                    ctx,
                    "pin" if pin else "rename",
                    {"theme_id": int(tid), "label": new.strip()},
                    f"{names[tid]} → {new.strip()}",
                )
            else:
                st.warning("Type a new name first.")
    with b, st.form("merge_form", clear_on_submit=True):
        st.subheader("Merge")
        sources = st.multiselect("Themes to merge", ids, format_func=fmt, key="merge_ids")
        into = st.selectbox("Into", ids, format_func=fmt, key="merge_into")
        label = st.text_input("Name of the merged theme (optional)", key="merge_label")
        if st.form_submit_button("Merge"):
            members = sorted({int(i) for i in sources} | {int(into)})
            if len(members) < 2:
                st.warning("Pick at least one theme other than the target.")
            else:
                payload = {"theme_ids": members, "into": int(into)}
                if label.strip():
                    payload["label"] = label.strip()
                _submit(ctx, "merge", payload, f"{len(members)} themes into {names[into]}")
    c, d = st.columns(2)
    with d:
        effort_form(ctx, table, fmt, _submit)
        cause_form(ids, fmt, lambda op, payload, message: _submit(ctx, op, payload, message))
    with c, st.form("split_form", clear_on_submit=True):
        st.subheader("Split")
        tid = st.selectbox("Theme", ids, format_func=fmt, key="split_theme")
        k = st.number_input("Into how many themes", 2, 10, 2, key="split_k")
        st.caption("A split re-clusters the theme's documents; it takes effect on the next pipeline run.")
        if st.form_submit_button("Split"):
            raw = data.themes_and_edits(ctx.path, ctx.file_ver)[0]  # retired too: reserved ids never collide
            payload = make_split_edit(
                raw, int(tid), int(k)
            )  # new ids reserved, so effort and cause can follow
            _submit(ctx, "split", payload, f"{names[tid]} into {int(k)}")


def _history(ctx: Ctx) -> None:
    st.subheader("Edit history")
    edits = data.themes_and_edits(ctx.path, ctx.file_ver)[1]
    if edits.empty:
        st.caption("No edits yet.")
    else:
        log = edits.assign(payload=edits["payload"].map(lambda p: str(p)))
        if "actor" not in log:
            log["actor"] = None
        st.dataframe(
            log[["edit_id", "at", "actor", "op", "payload"]].sort_values("edit_id", ascending=False),
            hide_index=True,
            width="stretch",
            column_config={"edit_id": "#", "at": "When", "actor": "Who", "op": "Edit", "payload": "Details"},
        )
        st.caption(
            "Renames, pins and merges show at once (replayed at read time); splits apply on the next pipeline run."
        )
