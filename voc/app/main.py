"""The Streamlit app: a thin UI over cached, read-only store queries; one page per question."""

from __future__ import annotations

import logging

import streamlit as st

from voc.app import data
from voc.app.context import PERIOD_DAYS, Ctx
from voc.app.fact import file_version
from voc.app.identity import sign_in_gate, user_badge
from voc.app.pages import atrisk, causes, export, journey, manage, overview, review, search, themes, trends
from voc.app.sidebar import sidebar_filters, sync_url
from voc.app.store_access import content_version, open_store, store_path
from voc.errors import VocError
from voc.insights.theme_map import display_map, theme_map_rows

log = logging.getLogger(__name__)

PAGES = {
    "overview": ("Overview", overview.render),
    "themes": ("Themes", themes.render),
    "trends": ("Trends & alerts", trends.render),
    "causes": ("Root causes", causes.render),
    "journey": ("Journey", journey.render),
    "atrisk": ("At risk", atrisk.render),
    "search": ("Search", search.render),
    "manage": ("Manage themes", manage.render),
    "review": ("Review", review.render),
    "export": ("Export", export.render),
}
HELP = "Build one with `voc demo --no-app --store PATH` or `voc run --input FILE --store PATH`, then `voc app --store PATH`."


def _page_choice() -> str:
    slugs = list(PAGES)
    if "page" not in st.session_state:
        wanted = st.query_params.get("page")
        st.session_state["page"] = wanted if wanted in PAGES else "overview"
    return st.sidebar.radio("Page", slugs, format_func=lambda s: PAGES[s][0], key="page")


def build_context(path: str, ver: str, file_ver: str, flt, period: str, opts: dict) -> Ctx:
    """The Ctx of this run: data versions, theme map with pending edits replayed, filter."""
    themes_df, edits_df = data.themes_and_edits(path, file_ver)
    mapped = display_map(themes_df, edits_df)
    return Ctx(
        path=path,
        ver=ver,
        tmap=theme_map_rows(mapped),
        flt=flt,
        opts=opts,
        themes=mapped,
        period_days=PERIOD_DAYS.get(period, 30),
        file_ver=file_ver,
    )


def main() -> None:
    """Render the app for the store given on the command line or in VOC_STORE."""
    st.set_page_config(page_title="voc: voice of the customer", layout="wide")
    user = sign_in_gate()
    if user is None:  # sign-in required: nothing from the store is read or shown
        return
    user_badge(user)
    path = str(store_path())
    try:
        store = open_store(path)
        if not store.exists():
            raise VocError(f"no store at {store.path}")
        file_ver = file_version(path)
        ver = content_version(path, file_ver)
        opts = data.options(path, ver)
    except VocError as exc:
        st.title("voc: voice of the customer")
        st.error(f"Cannot open the store: {exc}")
        st.info(HELP)
        return
    slug = _page_choice()
    st.sidebar.caption(f"Store: {store.path.name} · {opts['n']:,} documents")
    if opts["n"] == 0:
        st.title(PAGES[slug][0])
        st.info(f"This store has no feedback yet. {HELP}")
        return
    flt, period = sidebar_filters(opts)
    ctx = build_context(path, ver, file_ver, flt, period, opts)
    extra = {"page": slug if slug != "overview" else None, "theme": st.session_state.get("theme_param")}
    try:
        PAGES[slug][1](ctx)
    except VocError as exc:
        st.error(str(exc))
    sync_url(flt, period, extra)
    st.markdown(f'<span class="voc-done" data-page="{slug}"></span>', unsafe_allow_html=True)
