"""Global filters in the sidebar, kept in the URL query parameters so a view can be shared as a link."""

from __future__ import annotations

from datetime import date

import streamlit as st

from voc.clean.coverage import language_name
from voc.insights.filters import Filter
from voc.schema import SENTIMENT_LABELS

MULTI = {
    "channel": "channels",
    "source": "sources",
    "language": "languages",
    "sentiment": "sentiments",
    "cause": "causes",
}
SEG_PREFIX = "seg_"
LENS_PREFIX = "lens_"


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def init_from_url(opts: dict) -> None:
    """On a session's first run, seed the filter widgets from the query parameters."""
    if st.session_state.get("_voc_url_loaded"):
        return
    st.session_state["_voc_url_loaded"] = True
    qp = st.query_params
    choices = {
        "channel": opts["channels"],
        "source": opts["sources"],
        "language": opts.get("languages", []),
        "sentiment": list(SENTIMENT_LABELS),
        "cause": list(opts.get("causes", [])),
        **{LENS_PREFIX + o["name"]: o["choices"] for o in opts.get("lens_filters", [])},
    }
    for param, allowed in choices.items():
        values = [v for v in qp.get_all(param) if v in allowed]
        if values:
            st.session_state[f"f_{param}"] = values
    for key, allowed in opts["segments"].items():
        values = [v for v in qp.get_all(SEG_PREFIX + key) if v in allowed]
        if values:
            st.session_state[f"f_seg_{key}"] = values
    lo, hi = opts["date_min"], opts["date_max"]
    d_from, d_to = _parse_date(qp.get("from")), _parse_date(qp.get("to"))
    if lo and hi and (d_from or d_to):
        d_from = min(max(d_from or lo, lo), hi)
        d_to = max(min(d_to or hi, hi), d_from)
        st.session_state["f_dates"] = (d_from, d_to)
    if qp.get("period") in ("7 days", "30 days", "90 days"):
        st.session_state["f_period"] = qp.get("period")


def sidebar_filters(opts: dict) -> tuple[Filter, str]:
    """Render the filter widgets; return the Filter and the reporting period ('30 days' ...)."""
    init_from_url(opts)
    sb = st.sidebar
    sb.header("Filters")
    flt = Filter()
    lo, hi = opts["date_min"], opts["date_max"]
    if lo and hi:
        kwargs = {} if "f_dates" in st.session_state else {"value": (lo, hi)}
        picked = sb.date_input("Date range", min_value=lo, max_value=hi, key="f_dates", **kwargs)
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            if picked[0] > lo:
                flt.date_from = picked[0]
            if picked[1] < hi:
                flt.date_to = picked[1]
    if opts["channels"]:
        flt.channels = sb.multiselect("Channel", opts["channels"], key="f_channel")
    if len(opts["sources"]) > 1:
        flt.sources = sb.multiselect("Source", opts["sources"], key="f_source")
    if len(opts.get("languages", [])) > 1:
        flt.languages = sb.multiselect(
            "Language", opts["languages"], key="f_language", format_func=language_name
        )
    for key, values in list(opts["segments"].items())[:8]:
        chosen = sb.multiselect(f"Segment: {key}", values, key=f"f_seg_{key}")
        if chosen:
            flt.segments[key] = chosen
    flt.sentiments = sb.multiselect("Sentiment", list(SENTIMENT_LABELS), key="f_sentiment")
    flt.causes = sb.multiselect("Root cause", list(opts.get("causes", [])), key="f_cause")
    for out in opts.get("lens_filters", []):
        lens_filter(flt, out, sb.multiselect(_title(out["name"]), out["choices"], key=f"f_{LENS_PREFIX}{out['name']}"))
    kwargs = {} if "f_period" in st.session_state else {"index": 1}
    period = sb.selectbox(
        "Compare periods of",
        ["7 days", "30 days", "90 days"],
        key="f_period",
        **kwargs,
        help="KPI changes and top movers compare the last period of the filtered range with the one before.",
    )
    return flt, period


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def lens_filter(flt: Filter, out: dict, chosen: list[str]) -> None:
    """Add a lens output's chosen values to the filter (booleans as yes/no, label lists as any-of)."""
    if not chosen:
        return
    if out["dtype"] == "BOOLEAN":
        flt.columns[out["name"]] = [v == "yes" for v in chosen]
    elif out["dtype"].endswith("[]"):
        flt.list_columns[out["name"]] = list(chosen)
    else:
        flt.columns[out["name"]] = list(chosen)


def sync_url(flt: Filter, period: str, extra: dict[str, str | None]) -> None:
    """Write the current filter (and page state) to the query parameters."""
    params: dict[str, str | list[str]] = {}
    for k, v in extra.items():
        if v is not None:
            params[k] = v
    if flt.date_from:
        params["from"] = flt.date_from.isoformat()
    if flt.date_to:
        params["to"] = flt.date_to.isoformat()
    for param, attr in MULTI.items():
        if getattr(flt, attr):
            params[param] = list(getattr(flt, attr))
    for key, values in flt.segments.items():
        if values:
            params[SEG_PREFIX + key] = list(values)
    for column, values in flt.columns.items():
        params[LENS_PREFIX + column] = [("yes" if v else "no") if isinstance(v, bool) else v for v in values]
    for column, values in flt.list_columns.items():
        params[LENS_PREFIX + column] = list(values)
    if period != "30 days":
        params["period"] = period
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)
