"""Themes: which themes matter, and what is inside one?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from voc.app import charts, data, texts
from voc.app.context import Ctx
from voc.app.pages.common import stats_or_stop, theme_picker
from voc.app.render import escape, fmt_num, quote_cards
from voc.insights.causes import labels_of
from voc.insights.metrics import dominant_cause
from voc.metrics import cause_column

PAGE_SIZE = 10
SPARK_WEEKS = 12


def cause_mix(row: pd.Series) -> str:
    """'process 60% · technology 25%' for the causes above 5%."""
    parts = [(c, row.get(cause_column(c))) for c in labels_of(row)]
    parts = sorted((p for p in parts if pd.notna(p[1]) and p[1] >= 0.05), key=lambda p: -p[1])
    return " · ".join(f"{c} {100 * v:.0f}%" for c, v in parts) or "—"


def theme_table(ctx: Ctx, stats: pd.DataFrame) -> pd.DataFrame:
    """The sortable table: volume, share, sentiment, weekly sparkline, cause mix, impact."""
    series = data.theme_series(*ctx.args, "week")
    weeks = sorted(series["period"].unique())[-SPARK_WEEKS:] if len(series) else []
    spark = (
        (
            series[series["period"].isin(weeks)]
            .pivot_table(index="theme_id", columns="period", values="volume", fill_value=0)
            .reindex(columns=weeks, fill_value=0)
        )
        if len(weeks)
        else pd.DataFrame()
    )
    imp = data.impact(*ctx.args).set_index("theme_id")
    table = stats.copy()
    table["trend"] = [
        spark.loc[t].astype(int).tolist() if t in spark.index else [] for t in table["theme_id"]
    ]
    table["causes"] = [cause_mix(r) for _, r in table.iterrows()]
    table["impact"] = table["theme_id"].map(imp["impact"]) * 100 if len(imp) else float("nan")
    return table


def render_table(table: pd.DataFrame) -> None:
    """Show the theme table."""
    st.dataframe(
        table[["theme", "volume", "share", "net_sentiment", "trend", "causes", "impact", "theme_id"]],
        hide_index=True,
        width="stretch",
        key="themes_table",
        column_config={
            "theme": st.column_config.TextColumn("Theme", width="medium"),
            "volume": st.column_config.NumberColumn("Volume", format="%d"),
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "net_sentiment": st.column_config.NumberColumn("Net sentiment", format="%+.0f"),
            "trend": st.column_config.LineChartColumn(f"Last {SPARK_WEEKS} weeks", y_min=0),
            "causes": "Cause mix",
            "impact": st.column_config.NumberColumn(
                "Impact (pts)",
                format="%+.2f",
                help="Change in the mean normalised rating (0-100) if this theme vanished; negative drags the score down.",
            ),
            "theme_id": st.column_config.NumberColumn("id", format="%d"),
        },
    )


def drill_down(ctx: Ctx, stats: pd.DataFrame, theme_id: int) -> None:
    """Summary, keywords, trend, causes with evidence, sentiment by channel/segment, paginated quotes."""
    row = stats.set_index("theme_id").loc[theme_id]
    theme_row = ctx.themes[ctx.themes["theme_id"] == theme_id]
    keywords = []
    raw = data.themes_and_edits(ctx.path, ctx.file_ver)[0]
    kw = raw.loc[
        raw["theme_id"].isin(ctx.themes.loc[ctx.themes["canonical_id"] == theme_id, "theme_id"]), "keywords"
    ]
    for value in kw:
        if value is not None and not (isinstance(value, float) and pd.isna(value)):
            keywords += [str(k) for k in value if str(k) not in keywords]
    series = data.theme_series(*ctx.args, "week")
    mine = series[series["theme_id"] == theme_id].set_index("period")
    change = ""
    if len(mine) >= 8:
        last4, prev4 = mine["volume"].iloc[-4:].sum(), mine["volume"].iloc[-8:-4].sum()
        if prev4:
            change = f" Volume over the last 4 weeks is {100 * (last4 - prev4) / prev4:+.0f}% against the 4 weeks before."
    top_cause = dominant_cause(row)
    cause_txt = (
        f" Mostly a **{top_cause}** issue ({100 * row[cause_column(top_cause)]:.0f}% of mentions)."
        if top_cause
        else ""
    )
    st.subheader(escape(row["theme"]))
    parent = theme_row["parent_label"].iloc[0] if len(theme_row) else None
    st.markdown(
        f"{int(row['volume']):,} mentions ({100 * row['share']:.1f}% of the filtered feedback), net sentiment "
        f"{fmt_num(row['net_sentiment'], '{:+.0f}')}.{cause_txt}{change}"
        + (f" Part of {escape(parent)}." if isinstance(parent, str) else "")
    )
    if keywords:
        st.markdown("**Keywords:** " + escape(", ".join(keywords[:12])))
    if st.toggle(
        "Key sentences and representative quotes (encoder)",
        key=f"summ_{theme_id}",
        help="Extractive summary (MMR over sentences) of up to 400 of the theme's filtered documents.",
    ):
        summary = texts.theme_summary(*ctx.args, theme_id)
        if summary:
            st.markdown(
                "".join(f'<p class="voc-summary">• {escape(s)}</p>' for s in summary["summary"]),
                unsafe_allow_html=True,
            )
            quote_cards(summary["quotes"], css="voc-representative")
    a, b = st.columns(2)
    with a:
        st.markdown("**Weekly volume**")
        if len(mine):
            charts.line_chart(mine[["volume"]], 220)
            neg = mine["negatives"].iloc[-4:].sum() / max(1, mine["volume"].iloc[-4:].sum())
            st.caption(f"Negative share over the last 4 weeks: {100 * neg:.0f}%.")
        else:
            st.info("No dated feedback for this theme.")
    with b:
        dims = ["channel", *ctx.opts["segments"]]
        dim = st.selectbox("Sentiment by", dims, key="seg_breakdown")
        charts.bar_chart(data.breakdown(*ctx.args, theme_id, None if dim == "channel" else dim), 220)
    st.markdown(f"**Root causes:** {cause_mix(row)}")
    labels = labels_of(row)
    recent = texts.recent_with_causes(*ctx.args, theme_id, labels=tuple(labels))
    present = [c for c in labels if (row.get(f"cause_{c}") or 0) > 0]
    if present:
        cause = st.radio(
            "Evidence quotes for",
            present,
            horizontal=True,
            format_func=lambda c: f"{c} ({100 * row[f'cause_{c}']:.0f}%)",
            key=f"evidence_{theme_id}",
        )
        quote_cards(texts.top_evidence(recent, cause), only_cause=cause, css="voc-evidence")
    st.markdown("**Quotes**")
    pages = max(1, -(-int(row["volume"]) // PAGE_SIZE))
    page = st.number_input(
        f"Page (of {pages:,})", min_value=1, max_value=pages, value=1, step=1, key=f"qpage_{theme_id}"
    )
    if page == 1:  # the newest rows are already loaded with the evidence
        quote_cards(recent.head(PAGE_SIZE))
    else:
        quote_cards(texts.quotes(*ctx.args, theme_id, PAGE_SIZE, (int(page) - 1) * PAGE_SIZE))


def render(ctx: Ctx) -> None:
    """Render the Themes page."""
    st.title("Themes")
    stats = stats_or_stop(ctx)
    st.caption(
        "Click a column header to sort. Impact is estimated on a fixed random sample of up to 50,000 rated documents."
    )
    render_table(theme_table(ctx, stats))
    st.divider()
    st.header("Drill down")
    theme_id = theme_picker(ctx, stats)
    if theme_id is None:
        st.info("Choose a theme above to see its summary, trend, causes and quotes.")
    else:
        drill_down(ctx, stats, theme_id)
