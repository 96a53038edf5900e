"""Source presets end to end on hand-written export fixtures: row accounting holds and the mapping is the expected one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from voc.config import InputConfig
from voc.ingest import open_source
from voc.ingest.source_presets import SOURCE_PRESETS

PRESETS = Path(__file__).parent / "fixtures" / "presets"
NPS_Q = "How likely are you to recommend Example Co to a friend or colleague? (0-10)"
SM_NPS = "How likely is it that you would recommend this company to a friend or colleague?"
TF_NPS = "How likely are you to recommend us to a friend?"

# preset, fixture, options, expected mapping (fields not listed must be unset), rating scale,
# (read, accepted, {reject reason: count}), channels of the accepted rows
CASES = [
    ("zendesk", "zendesk_tickets.json", {},
     {"text": "description", "date": "created_at", "rating": "satisfaction_rating.score", "id": "id", "channel": "via.channel",
          "status": "status", "created": "created_at", "segments": ["priority", "type", "brand_id", "group_id"]},
     "csat", (3, 3, {}), {"email", "web", "chat"}),
    ("zendesk", "zendesk_tickets.json", {"explode": "comments"},
     {"text": "comments.plain_body", "date": "comments.created_at", "rating": "satisfaction_rating.score", "id": "row_id",
          "channel": "via.channel", "status": "status", "created": "created_at",
          "segments": ["priority", "type", "brand_id", "group_id"]},
     "csat", (6, 4, {"not_customer_turn": 2}), {"email", "web", "chat"}),
    ("zendesk", "zendesk_tickets.csv", {},
     {"text": "Subject", "date": "Created at", "rating": "Satisfaction Score", "id": "Id", "channel": "Via", "status": "Status",
          "created": "Created at", "resolved": "Solved at", "segments": ["Priority", "Ticket type", "Group"]},
     "csat", (4, 3, {"empty_text": 1}), {"Mail", "Web Form", "Chat"}),
    ("intercom", "intercom_conversations.json", {},
     {"text": "source.body", "date": "created_at", "rating": "conversation_rating.rating", "id": "id", "channel": "source.type",
          "role": "source.author.type", "status": "state", "created": "created_at", "segments": ["priority", "source.delivered_as"]},
     "csat", (2, 2, {}), {"conversation", "email"}),
    ("intercom", "intercom_conversations.json", {"explode": "conversation_parts.conversation_parts"},
     {"text": "conversation_parts.conversation_parts.body", "date": "conversation_parts.conversation_parts.created_at",
          "rating": "conversation_rating.rating", "id": "row_id", "channel": "source.type",
          "role": "conversation_parts.conversation_parts.author.type", "status": "state", "created": "created_at",
          "segments": ["priority", "source.delivered_as"]},
     "csat", (3, 1, {"not_customer_turn": 2}), {"conversation"}),
    ("freshdesk", "freshdesk_tickets.json", {},
     {"text": "description_text", "date": "created_at", "id": "id", "channel": "source", "status": "status",
          "created": "created_at", "resolved": "stats.resolved_at", "segments": ["priority", "type", "group_id", "product_id"]},
     None, (3, 3, {}), {"email", "portal", "phone"}),
    ("freshdesk", "freshdesk_tickets.json", {"explode": "conversations"},
     {"text": "conversations.body_text", "date": "conversations.created_at", "id": "row_id", "channel": "source",
          "role": "conversations.incoming", "status": "status", "created": "created_at", "resolved": "stats.resolved_at",
          "segments": ["priority", "type", "group_id", "product_id"]},
     None, (4, 1, {"not_customer_turn": 3}), {"email"}),
    ("trustpilot", "trustpilot_reviews.json", {},
     {"text": "text", "date": "createdAt", "rating": "stars", "id": "id", "segments": ["source", "language", "location.name"]},
     "stars", (3, 3, {}), {"reviews"}),
    ("appstore", "appstore_reviews.json", {},
     {"text": "attributes.body", "date": "attributes.createdDate", "rating": "attributes.rating", "id": "id",
          "segments": ["attributes.territory"]},
     "stars", (3, 3, {}), {"reviews"}),
    ("googleplay", "googleplay_reviews.csv", {},
     {"text": "Review Text", "date": "Review Submit Date and Time", "rating": "Star Rating", "id": "Review Link",
          "segments": ["App Version Name", "Reviewer Language", "Device"]},
     "stars", (4, 3, {"empty_text": 1}), {"reviews"}),
    ("qualtrics", "qualtrics_responses.csv", {},
     {"text": "What is the main reason for your score?", "date": "Recorded Date", "rating": NPS_Q, "id": "Response ID",
          "channel": "Distribution Channel", "segments": ["User Language"]},
     "nps", (4, 2, {"empty_text": 1, "rating_out_of_range": 1}), {"anonymous", "email"}),
    ("surveymonkey", "surveymonkey_responses.csv", {},
     {"text": "What is the primary reason for your score?", "date": "End Date", "rating": SM_NPS, "id": "Respondent ID",
          "segments": ["Collector ID"]},
     "nps", (3, 3, {}), {"survey"}),
    ("typeform", "typeform_responses.csv", {},
     {"text": "What could we do better?", "date": "Submit Date (UTC)", "rating": TF_NPS, "id": "#",
          "segments": ["Which plan are you on?"]},
     "nps", (3, 3, {}), {"survey"}),
    ("social_listening", "social_listening_mentions.json", {},
     {"text": "fullText", "date": "date", "id": "guid", "channel": "pageType", "segments": ["country", "language"]},
     None, (3, 2, {"empty_text": 1}), {"twitter", "reddit"}),
]  # fmt: skip


def test_every_source_preset_has_a_case_and_a_cited_fixture() -> None:
    assert {c[0] for c in CASES} == set(SOURCE_PRESETS)
    readme = (PRESETS / "README.md").read_text(encoding="utf-8")
    for _, fixture, *_ in CASES:
        line = next(ln for ln in readme.splitlines() if f"`{fixture}`" in ln)
        assert "https://" in line


@pytest.mark.parametrize(("preset", "fixture", "options", "mapping", "scale", "counts", "channels"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{'-'.join(c[2].values()) or 'plain'}" for c in CASES])  # fmt: skip
def test_preset_end_to_end(preset, fixture, options, mapping, scale, counts, channels) -> None:
    source = open_source(InputConfig(path=PRESETS / fixture, preset=preset, **options))
    got = {k: v for k, v in source.mapping.model_dump().items() if v}
    assert got == mapping
    assert source.rating_scale == scale
    assert all(source.reasons.get(f) for f in mapping)  # every choice says why
    batches = list(source.batches())
    frame = pd.concat([b.frame for b in batches], ignore_index=True)
    rejects = pd.concat([b.rejects for b in batches], ignore_index=True)
    read = sum(b.read for b in batches)
    assert read == len(frame) + len(rejects)
    assert (read, len(frame), rejects["reason"].value_counts().to_dict()) == counts
    assert set(frame["channel"]) == channels
    assert frame["text"].str.strip().ne("").all()
    if "role" in mapping or source.role_equals:
        assert (frame["role"] == "customer").all()


def test_zendesk_turns_are_customer_when_the_author_is_the_requester() -> None:
    source = open_source(
        InputConfig(path=PRESETS / "zendesk_tickets.json", preset="zendesk", explode="comments")
    )
    assert source.role_equals == ("comments.author_id", "requester_id")
    frame = pd.concat([b.frame for b in source.batches()], ignore_index=True)
    assert frame["source_id"].tolist() == ["35436:7001", "35436:7003", "35437:7004", "35438:7005"]
    assert "role=comments.author_id=requester_id" in source.describe()
