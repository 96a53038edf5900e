"""The Streamlit app: a thin UI over cached, read-only store queries."""

from __future__ import annotations

import streamlit as st

from voc.app.store_access import open_store, query, store_path
from voc.errors import VocError


def main() -> None:
    """Render the app for the store given on the command line or in VOC_STORE."""
    st.set_page_config(page_title="voc: voice of the customer", layout="wide")
    path = str(store_path())
    try:
        store = open_store(path)
        n_docs = store.count("documents")
    except VocError as exc:
        st.error(f"Cannot open the store: {exc}")
        st.info("Build one with `voc demo --no-app` or `voc run --input FILE`, then `voc app --store PATH`.")
        return
    st.sidebar.caption(f"Store: `{path}`")
    if n_docs == 0:
        st.info("This store has no documents yet. Run `voc run --input FILE --store " + path + "` to add feedback.")
        return
    overview(path)


def overview(path: str) -> None:
    """What customers are talking about: volume, sentiment, top themes and recent feedback."""
    st.title("Overview")
    kpi = query(
        path,
        "SELECT count(*) AS docs, avg(CASE sentiment WHEN 'positive' THEN 1 WHEN 'negative' THEN -1 ELSE 0 END) AS net,"
        " min(date) AS first, max(date) AS last FROM documents LEFT JOIN predictions USING (doc_id)",
    ).iloc[0]
    a, b, c = st.columns(3)
    a.metric("Feedback items", f"{int(kpi['docs']):,}")
    b.metric("Net sentiment", "—" if kpi["net"] != kpi["net"] else f"{100 * kpi['net']:+.0f}")
    c.metric("Period", f"{str(kpi['first'])[:10]} → {str(kpi['last'])[:10]}")
    themes = query(
        path,
        "SELECT coalesce(t.user_label, t.label, 'Unthemed') AS theme, count(*) AS volume,"
        " round(100 * avg(CASE p.sentiment WHEN 'positive' THEN 1 WHEN 'negative' THEN -1 ELSE 0 END)) AS net_sentiment"
        " FROM predictions p LEFT JOIN themes t USING (theme_id) GROUP BY ALL ORDER BY volume DESC LIMIT 20",
    )
    st.subheader("Top themes")
    st.dataframe(themes, hide_index=True, width="stretch")
    recent = query(
        path,
        "SELECT d.date, d.channel, p.sentiment, d.text FROM documents d LEFT JOIN predictions p USING (doc_id)"
        " ORDER BY d.date DESC NULLS LAST LIMIT 50",
    )
    st.subheader("Latest feedback")
    st.dataframe(recent, hide_index=True, width="stretch")
