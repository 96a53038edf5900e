"""The canonical record shapes shared by every stage: ingested rows, documents, predictions and rejects."""

from __future__ import annotations

from typing import Literal

RatingScale = Literal["stars", "nps", "csat", "ces"]
Preset = Literal[
    "reviews", "tickets", "social", "survey",  # channel presets
    "zendesk", "intercom", "freshdesk",  # helpdesks
    "trustpilot", "appstore", "googleplay",  # reviews
    "qualtrics", "surveymonkey", "typeform",  # surveys
    "social_listening",
]  # fmt: skip
SENTIMENT_LABELS = ("negative", "neutral", "positive")
CAUSE_LABELS = ("people", "process", "technology")

RATING_RANGES: dict[str, tuple[float, float]] = {
    "stars": (1, 5),
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
}

# Columns of an ingested batch (voc.ingest output, voc.clean input). `segments` is a JSON object string.
INGEST_COLUMNS = (
    "source",  # file name (or "dataframe") the row came from
    "row_number",  # 1-based data row number in that source (header not counted)
    "source_id",  # id column value when the source has one, else None
    "text",
    "date",  # pandas datetime64[ns, UTC] or NaT
    "channel",  # reviews | tickets | social | survey or the source's own channel value
    "rating",  # float as given
    "rating_scale",  # stars | nps | csat | ces | None
    "rating_norm",  # rating mapped to [0, 1] on its scale
    "segments",  # JSON object string of segment columns (product, region, plan, ...)
    "role",  # tickets: customer | agent | None
    "status",
    "created_at",
    "resolved_at",
)

# Columns the clean stage adds.
CLEAN_COLUMNS = (
    "doc_id",  # stable id: source id when given, else hash(source, normalised text, date)
    "text",  # normalised and PII-redacted (replaces the raw text)
    "language",  # ISO 639-1 code
    "pii",  # JSON list of {"type", "start", "end"} spans of placeholders in the redacted text
)

# Reject reasons (rejects.reason).
REJECT_REASONS = (
    "empty_text",
    "unparseable_date",
    "text_too_long",
    "malformed_row",
    "unknown_rating_scale",
    "rating_out_of_range",
    "not_customer_turn",
)

REJECT_COLUMNS = ("source", "row_number", "reason", "detail")


def __getattr__(name: str):
    """PREDICTION_COLUMNS: the built-in lenses' declared document outputs (voc.lenses.registry), read lazily."""
    if name == "PREDICTION_COLUMNS":
        from voc.lenses.registry import DEFAULT_LENSES, output_names

        return tuple(dict.fromkeys(output_names(DEFAULT_LENSES)))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
