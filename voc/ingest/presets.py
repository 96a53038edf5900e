"""Channel presets (reviews, tickets, social, survey): default channel, rating scale and column-name hints.

Source presets (zendesk, intercom, ...) in voc.ingest.source_presets add the known columns of one tool's export.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    """Defaults one kind of feedback brings: channel value, rating scale and extra column-name hints."""

    name: str
    channel: str
    rating_scale: str | None
    text_hints: tuple[str, ...] = ()
    rating_hints: tuple[str, ...] = ()
    id_hints: tuple[str, ...] = ()
    segment_hints: tuple[str, ...] = ()
    detect_rating: bool = True
    ticket_fields: bool = False
    # field -> the column names the source is known to use, first present wins
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    customer_roles: tuple[str, ...] = ()  # role values that mark a customer turn, beyond the configured ones
    role_equals: tuple[str, str] | None = None  # (author column, requester column): customer when equal
    channel_values: dict[str, str] = field(default_factory=dict)  # coded channel values -> names
    docs: str = ""


PRESETS: dict[str, Preset] = {
    "reviews": Preset(
        name="reviews",
        channel="reviews",
        rating_scale="stars",
        text_hints=("review", "review_text", "review_body", "verified_reviews"),
        rating_hints=("rating", "stars", "star_rating", "overall"),
        id_hints=("review_id",),
        segment_hints=("product", "brand", "store", "department", "division", "class", "variation"),
    ),
    "tickets": Preset(
        name="tickets",
        channel="tickets",
        rating_scale="csat",
        text_hints=("description", "ticket_description", "body", "message", "comment"),
        rating_hints=("csat", "satisfaction", "customer_satisfaction_rating", "rating"),
        id_hints=("message_id", "comment_id", "turn_id", "ticket_id"),
        segment_hints=("product", "priority", "type", "queue", "team", "ticket_type", "category"),
        ticket_fields=True,
    ),
    "social": Preset(
        name="social",
        channel="social",
        rating_scale=None,
        text_hints=("tweet", "post", "text", "caption"),
        rating_hints=(),
        id_hints=("tweet_id", "post_id", "status_id"),
        segment_hints=("airline", "brand", "account", "handle"),
        detect_rating=False,
    ),
    "survey": Preset(
        name="survey",
        channel="survey",
        rating_scale="nps",
        text_hints=("verbatim", "answer", "response", "comment", "open_ended", "why"),
        rating_hints=("nps", "score", "likelihood", "recommend", "rating"),
        id_hints=("response_id", "respondent_id"),
        segment_hints=("wave", "market", "country", "plan", "tier"),
    ),
}


def get_preset(name: str | None) -> Preset | None:
    """The preset called `name` (a channel or a source preset), or None when no preset is set."""
    if name is None:
        return None
    from voc.ingest.source_presets import SOURCE_PRESETS

    return PRESETS.get(name) or SOURCE_PRESETS[name]
