"""Review: a CX lead checks the models' least-sure answers one document at a time; labels go to the store's log."""

from __future__ import annotations

import html
import json

import pandas as pd
import streamlit as st

from voc.app import data
from voc.app.context import Ctx
from voc.app.identity import current_user, require_editor
from voc.app.review_queue import configured_models, latest_labels, shared_document, shared_queue
from voc.errors import VocError
from voc.schema import SENTIMENT_LABELS
from voc.store import Store

ORDERS = {"least sure": "Least sure first", "random": "Random"}


def save_label(
    path: str, doc: dict, sentiment: str, causes: list[str], theme_id: int | None, model_theme: int | None
) -> int:
    """Check the user may edit (read from the session now), then append the label under their name.

    model_theme is the theme the page showed as the model's (after merges), so keeping it is no change.
    """
    reviewer = require_editor()
    row = {"doc_id": doc["doc_id"], "sentiment": sentiment, "causes": causes, "theme_id": theme_id,
           "reviewer": reviewer, "source": "app", "model_sentiment": doc.get("sentiment"),
           "model_causes": doc.get("causes"), "model_theme_id": model_theme}  # fmt: skip
    return Store(path).append_labels([row])


def _adapted_cv(path) -> dict:
    """The `adapted.cv` figures a from-store training wrote into a model file, or {}."""
    return (
        json.loads(path.read_text(encoding="utf-8")).get("adapted", {}).get("cv", {})
        if path.is_file()
        else {}
    )


def _cv_metrics(cv: dict, what: str, key: str, measure: str, help_: str) -> bool:
    """Adapted and shipped figures side by side; False when the model file holds none."""
    if f"adapted_{key}" not in cv:
        return False
    a, b = st.columns(2)
    a.metric(
        f"Adapted {what}: {measure} (CV)", f"{cv[f'adapted_{key}']:.0%}", help=help_.format(n=cv["labels"])
    )
    b.metric(f"Shipped {what}: {measure}", f"{cv[f'shipped_{key}']:.0%}", help="Same labels")
    return True


def _learned() -> None:
    """The adapted models' cross-validated figures on the team's labels beside the shipped models'."""
    sent_model, cause_model = configured_models()
    shown = False
    if sent_model is not None:
        cv = _adapted_cv(sent_model / "meta.json")
        shown |= _cv_metrics(cv, "sentiment", "accuracy", "accuracy", "5-fold on {n} team labels")
    if cause_model is not None:
        cv = _adapted_cv(cause_model / "head.json")
        shown |= _cv_metrics(cv, "root cause", "exact", "exact match", "{n} team labels")
    if not shown:
        st.caption("No adapted model is configured yet: `voc train sentiment --from-store STORE --out DIR`, then "
                   "`VOC_SENTIMENT__MODEL=DIR voc rescore --store STORE`.")  # fmt: skip


def _highlight(text: str, evidence: dict) -> str:
    spans = sorted({(int(s), int(e)) for s, e in evidence.values()})
    out, pos = [], 0
    for s, e in spans:
        if s < pos:
            continue
        out += [html.escape(text[pos:s]), f"<mark>{html.escape(text[s:e])}</mark>"]
        pos = e
    return "".join(out) + html.escape(text[pos:])


def _theme_name(names: dict, theme_id: int | None) -> str:
    return "Unthemed" if theme_id is None else names.get(theme_id, f"Theme {theme_id}")


def render(ctx: Ctx) -> None:
    """Render the Review page."""
    st.title("Review")
    flash = st.session_state.pop("review_flash", None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(flash[1])
    labels = latest_labels(ctx.path, ctx.file_ver)
    changed = int(labels["changed"].fillna(False).sum()) if len(labels) else 0
    moved = int(labels["theme_changed"].fillna(False).sum()) if len(labels) else 0
    st.markdown(f'<p class="voc-review-progress">{len(labels)} labelled, {changed} changed the model\'s answer '
                f'({moved} moved to another theme)</p>', unsafe_allow_html=True)  # fmt: skip
    _learned()
    order = st.radio("Order", list(ORDERS), format_func=ORDERS.get, horizontal=True, key="review_order")
    key = (ctx.fkey, order)
    if st.session_state.get("review_key") != key or not st.session_state.get("review_queue"):
        st.session_state["review_key"] = key
        st.session_state["review_queue"] = shared_queue(*ctx.args[:4], order, ctx.file_ver)
    queue = st.session_state["review_queue"]
    if not queue:
        st.info("Nothing left to review under these filters.")
        return
    doc = shared_document(ctx.path, ctx.file_ver, queue[0])
    st.caption(f"Next {len(queue):,} documents in the queue")
    st.markdown(f'<div class="voc-review-text">{_highlight(str(doc.get("text") or ""), doc["cause_evidence"])}</div>',
                unsafe_allow_html=True)  # fmt: skip
    probs = " · ".join(f"{lab} {doc.get('p_' + lab) or 0:.0%}" for lab in SENTIMENT_LABELS)
    st.caption(f"Model: {doc.get('sentiment') or '—'} ({probs}); causes: {', '.join(doc['causes']) or 'none'}; "
               f"theme: {ctx.label(doc.get('theme_id'))}")  # fmt: skip
    user = current_user()
    if user is None or not user.editor:
        st.info("You can view the queue; labelling needs an editor (ask an admin to add you to app.editors).")
        return
    causes = data.cause_labels(ctx.path, ctx.ver)
    themes = ctx.themes[ctx.themes["theme_id"] == ctx.themes["canonical_id"]]
    theme_ids = [None, *themes["theme_id"].astype(int).tolist()]
    names = dict(zip(themes["theme_id"].astype(int), themes["display_label"]))
    canonical = dict(zip(ctx.themes["theme_id"].astype(int), ctx.themes["canonical_id"].astype(int)))
    model_theme = doc.get("theme_id")
    model_theme = None if model_theme is None or pd.isna(model_theme) else canonical.get(int(model_theme))
    model_theme = model_theme if model_theme in names else None
    with st.form(f"review_{doc['doc_id']}", clear_on_submit=True):
        sentiment = st.radio("Sentiment", list(SENTIMENT_LABELS), horizontal=True, key="review_sentiment",
                             index=SENTIMENT_LABELS.index(doc["sentiment"]) if doc.get("sentiment") in SENTIMENT_LABELS else 1)  # fmt: skip
        picked = st.multiselect("Causes", causes, default=[c for c in doc["causes"] if c in causes], key="review_causes",
                                accept_new_options=True)  # fmt: skip
        theme = st.selectbox("Theme", theme_ids, index=theme_ids.index(model_theme), key="review_theme",
                             format_func=lambda t: _theme_name(names, t))  # fmt: skip
        save = st.form_submit_button("Save and next", type="primary")
    if st.button("Skip", key="review_skip"):
        st.session_state["review_queue"] = queue[1:]
        st.rerun()
    if save:
        try:
            save_label(ctx.path, doc, sentiment, list(picked), theme, model_theme)
        except VocError as exc:
            st.session_state["review_flash"] = ("error", f"Not saved: {exc}")
        else:
            moved = (
                f"; theme: {_theme_name(names, model_theme)} → {_theme_name(names, theme)}"
                if theme != model_theme
                else ""
            )
            st.session_state["review_flash"] = (
                "success",
                f"Saved as {sentiment}; causes: {', '.join(picked) or 'none'}{moved}",
            )
            st.session_state["review_queue"] = queue[1:]
        st.rerun()
