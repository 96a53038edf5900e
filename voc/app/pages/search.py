"""Search: find feedback by meaning (shared encoder) or by keyword, under the same filters."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import streamlit as st

from voc.app import texts
from voc.app.context import Ctx
from voc.app.render import table_text

MAX_INDEX = int(os.environ.get("VOC_APP_SEARCH_MAX", "200000"))
CANDIDATES = 2000


@st.cache_resource(show_spinner="Loading the encoder…")
def encoder():
    """The shared sentence encoder (all-MiniLM-L6-v2)."""
    from voc.encode import get_encoder

    return get_encoder()


@st.cache_resource(show_spinner="Building the search index (cached embeddings)…", max_entries=2)
def search_index(path: str, ver: str, max_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """(doc_ids, L2-normalised vectors) of the newest `max_docs` documents; vectors come from the encoder cache."""
    rows = texts.search_texts(path, ver, max_docs)
    if rows.empty:
        return np.array([], dtype=object), np.zeros((0, 384), dtype=np.float32)
    vectors = encoder().encode(rows["text"].tolist())
    return rows["doc_id"].to_numpy(object), np.asarray(vectors, dtype=np.float32)


def semantic(ctx: Ctx, query: str, limit: int) -> pd.DataFrame:
    """The filtered documents most similar to `query`, best first, with a `similarity` column."""
    ids, vectors = search_index(ctx.path, ctx.ver, MAX_INDEX)
    if len(ids) == 0:
        return pd.DataFrame()
    q = np.asarray(encoder().encode([query]), dtype=np.float32)[0]
    sims = vectors @ q
    k = min(CANDIDATES, len(sims))
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top])]
    rows = texts.documents_by_id(*ctx.args, tuple(ids[top].tolist()))
    score = dict(zip(ids[top], sims[top]))
    rows["similarity"] = rows["doc_id"].map(score)
    return rows.sort_values("similarity", ascending=False, ignore_index=True).head(limit)


def show(rows: pd.DataFrame) -> None:
    """Results table: theme, sentiment, causes, metadata and the text (shown literally)."""
    columns = [
        c
        for c in ("similarity", "theme_label", "sentiment", "causes", "date", "channel", "source", "text")
        if c in rows
    ]
    st.dataframe(
        table_text(rows[columns]),
        hide_index=True,
        width="stretch",
        column_config={
            "similarity": st.column_config.NumberColumn("Similarity", format="%.2f"),
            "theme_label": "Theme",
            "text": st.column_config.TextColumn("Feedback", width="large"),
        },
    )


def render(ctx: Ctx) -> None:
    """Render the Search page."""
    st.title("Search")
    mode = st.radio(
        "Mode",
        ["Semantic", "Keyword"],
        horizontal=True,
        key="search_mode",
        help="Semantic: nearest feedback by meaning (all-MiniLM-L6-v2). Keyword: text contains the words (case-insensitive).",
    )
    query = st.text_input(
        "Search feedback", key="search_q", placeholder="e.g. cannot log in after the update"
    )
    limit = st.slider("Results", 10, 200, 50, step=10, key="search_limit")
    if not query.strip():
        st.caption("Type a query. Results respect the sidebar filters.")
        return
    if mode == "Keyword":
        rows = texts.keyword_search(*ctx.args, query.strip(), limit)
        total = int(rows["matches"].iloc[0]) if len(rows) else 0
        st.caption(f"{total:,} matching documents; showing the newest {min(total, limit)}.")
    else:
        try:
            rows = semantic(ctx, query.strip(), limit)
        except Exception as exc:  # noqa: BLE001 - a missing model must not break the page
            st.error(f"Semantic search is unavailable ({exc}); switch to Keyword mode.")
            return
        st.caption(
            f"Top {len(rows)} by cosine similarity among the {CANDIDATES:,} nearest of the newest "
            f"{MAX_INDEX:,} documents, after the filters."
        )
    if rows.empty:
        st.info("Nothing found under the current filters.")
        return
    show(rows)
