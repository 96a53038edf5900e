"""voc.app: the Streamlit app over a store (read-only, except theme edits appended to the edit log).

Run: `streamlit run app.py -- --store PATH`, `voc app --store PATH`, or set VOC_STORE.

Pages (voc/app/pages/, one question each): overview, themes, trends (and alerts), causes, search, manage
(themes), export. Global filters live in the sidebar and in the URL query (?page=themes&channel=tickets&
from=2024-01-01&seg_plan=pro&theme=3 ...), so a view can be shared as a link.

Data flow: voc.app.data builds, once per store content version, an in-memory DuckDB copy of documents x
predictions without the text, and runs every aggregate there (GROUP BY in SQL, small frames out, cached
with st.cache_data); text is read from the store only for rows shown. Theme labels are user_label else
label, with pending rename/merge/pin edits replayed at read time (voc.insights.theme_map.display_map).
Customer text is always escaped (voc.app.render.escape) before any Markdown/HTML rendering.
"""
