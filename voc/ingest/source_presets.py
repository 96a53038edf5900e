"""Source presets: the known columns of common helpdesk, review, survey and social-listening exports.

Each names, per field, the columns that tool's export uses (JSON dotted paths after flattening, or CSV headers),
first match wins; fields it leaves out are detected as usual. The fixture of each is in tests/fixtures/presets.
"""

from __future__ import annotations

from dataclasses import replace

from voc.ingest.presets import PRESETS, Preset

_TICKETS, _REVIEWS, _SURVEY, _SOCIAL = (
    PRESETS["tickets"],
    PRESETS["reviews"],
    PRESETS["survey"],
    PRESETS["social"],
)


def _make(base: Preset, name: str, docs: str, **columns: tuple[str, ...]) -> Preset:
    return replace(base, name=name, docs=docs, columns=columns)


SOURCE_PRESETS: dict[str, Preset] = {
    "zendesk": replace(
        _make(
            _TICKETS,
            "zendesk",
            "https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/",
            text=("comments.plain_body", "comments.body", "description", "Description", "Subject", "subject"),
            date=("comments.created_at", "created_at", "Created at"),
            rating=("satisfaction_rating.score", "Satisfaction Score", "Satisfaction score"),
            id=("row_id", "id", "Id", "ID"),
            channel=("via.channel", "Via"),
            status=("status", "Status"),
            created=("created_at", "Created at"),
            resolved=("Solved at", "solved_at"),
            segments=(
                "priority",
                "type",
                "brand_id",
                "group_id",
                "Priority",
                "Ticket type",
                "Type",
                "Group",
                "Brand",
            ),
        ),
        role_equals=("comments.author_id", "requester_id"),
    ),
    "intercom": replace(
        _make(
            _TICKETS,
            "intercom",
            "https://developers.intercom.com/docs/references/1.0/rest-api/conversations/conversation-part-model",
            text=("conversation_parts.conversation_parts.body", "source.body"),
            date=("conversation_parts.conversation_parts.created_at", "created_at"),
            rating=("conversation_rating.rating",),
            id=("row_id", "id"),
            channel=("source.type",),
            role=("conversation_parts.conversation_parts.author.type", "source.author.type"),
            status=("state",),
            created=("created_at",),
            segments=("priority", "source.delivered_as"),
        ),
        customer_roles=("user", "lead", "contact"),
    ),
    "freshdesk": replace(
        _make(
            _TICKETS,
            "freshdesk",
            "https://developer.freshdesk.com/api/#view_a_ticket",
            text=("conversations.body_text", "description_text", "Description", "Subject", "subject"),
            date=("conversations.created_at", "created_at", "Created time"),
            id=("row_id", "id", "Ticket ID"),
            channel=("source", "Source"),
            role=("conversations.incoming",),
            status=("status", "Status"),
            created=("created_at", "Created time"),
            resolved=("stats.resolved_at", "Resolved time"),
            segments=("priority", "type", "group_id", "product_id", "Priority", "Type", "Group", "Product"),
        ),
        customer_roles=("true",),
        channel_values={
            "1": "email",
            "2": "portal",
            "3": "phone",
            "7": "chat",
            "9": "feedback_widget",
            "10": "outbound_email",
        },
        detect_rating=False,
    ),
    "trustpilot": _make(
        _REVIEWS,
        "trustpilot",
        "https://developers.trustpilot.com/business-units-api",
        text=("text", "Review Content"),
        date=("createdAt", "Review Created (UTC)"),
        rating=("stars", "Review Stars"),
        id=("id", "Review Id"),
        segments=(
            "source",
            "language",
            "location.name",
            "Source Of Review",
            "Review Language",
            "Location Name",
        ),
    ),
    "appstore": _make(
        _REVIEWS,
        "appstore",
        "https://developer.apple.com/documentation/appstoreconnectapi/get-v1-apps-_id_-customerreviews",
        text=("attributes.body",),
        date=("attributes.createdDate",),
        rating=("attributes.rating",),
        id=("id",),
        segments=("attributes.territory",),
    ),
    "googleplay": _make(
        _REVIEWS,
        "googleplay",
        "https://support.google.com/googleplay/android-developer/answer/6135870",
        text=("Review Text",),
        date=("Review Submit Date and Time",),
        rating=("Star Rating",),
        id=("Review Link",),
        segments=("App Version Name", "Reviewer Language", "Device"),
    ),
    "qualtrics": _make(
        _SURVEY,
        "qualtrics",
        "https://www.qualtrics.com/support/survey-platform/data-and-analysis-module/data/download-data/understanding-your-dataset/",
        date=("Recorded Date", "RecordedDate", "End Date", "EndDate"),
        id=("Response ID", "ResponseId"),
        channel=("Distribution Channel", "DistributionChannel"),
        segments=("User Language", "UserLanguage"),
    ),
    "surveymonkey": _make(
        _SURVEY,
        "surveymonkey",
        "https://help.surveymonkey.com/en/surveymonkey/analyze/exporting-data/",
        date=("End Date", "Start Date"),
        id=("Respondent ID",),
        segments=("Collector ID",),
    ),
    "typeform": _make(
        _SURVEY,
        "typeform",
        "https://www.typeform.com/help/a/download-your-results-360029612391/",
        date=("Submit Date (UTC)", "Start Date (UTC)"),
        id=("#", "Response ID", "Token"),
        segments=("Response Type",),
    ),
    "social_listening": _make(
        _SOCIAL,
        "social_listening",
        "https://developers.brandwatch.com/docs/mention-metadata-field-definitions",
        text=("fullText", "Full Text", "snippet", "Snippet"),
        date=("date", "Date"),
        id=("guid", "resourceId", "Mention Id", "Url", "url"),
        channel=("pageType", "Page Type", "contentSourceName", "Content Source Name"),
        segments=("country", "language", "Country", "Language"),
    ),
}
