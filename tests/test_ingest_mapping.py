"""voc.ingest column mapping, presets, rating scales, dates and row accounting."""

from __future__ import annotations

import pandas as pd
import pytest

from voc.config import ColumnMap, InputConfig
from voc.errors import InputError
from voc.ingest import frame_source, open_source
from voc.ingest.values import parse_dates


def run(df: pd.DataFrame, **cfg):
    """Ingest a DataFrame: (source, accepted rows, rejects, rows read)."""
    source = frame_source(df, InputConfig(**cfg), name="t")
    batches = list(source.batches())
    frame = pd.concat([b.frame for b in batches], ignore_index=True)
    rejects = pd.concat([b.rejects for b in batches], ignore_index=True)
    read = sum(b.read for b in batches)
    assert read == len(frame) + len(rejects) == len(df)
    return source, frame, rejects


def test_explicit_mapping_and_missing_column() -> None:
    df = pd.DataFrame(
        {"Body": ["hello there", "second"], "When": ["2024-01-01", "2024-01-02"], "Plan": ["a", "b"]}
    )
    source, _frame, _ = run(df, columns=ColumnMap(text="Body", date="When", segments=["Plan"]))
    assert source.describe().endswith("text=Body, date=When, rating=—, id=—, channel=—, segments=Plan")
    with pytest.raises(InputError) as err:
        frame_source(df, InputConfig(columns=ColumnMap(text="body_text")), name="upload.csv")
    message = str(err.value)
    assert "upload.csv" in message and "'body_text'" in message and "Body, When, Plan" in message


def test_text_fallback_is_longest_string_column() -> None:
    df = pd.DataFrame({"a": ["x", "y", "z"], "b": ["a much longer free text", "another long one here", "and more"],
                       "c": [1, 2, 3]})  # fmt: skip
    source, _frame, _ = run(df)
    assert source.mapping.text == "b"
    with pytest.raises(InputError, match="no text column"):
        frame_source(pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]}), InputConfig())


def test_detection_by_names_and_segments() -> None:
    n = 40
    df = pd.DataFrame({
        "ReviewID": [f"id{i}" for i in range(n)],
        "Customer ID": [f"c{i % 3}" for i in range(n)],
        "reviewText": [f"review number {i} is here" for i in range(n)],
        "postedAt": ["2024-05-01"] * n,
        "Rating": [(i % 5) + 1 for i in range(n)],
        "Platform": ["ios", "android"] * (n // 2),
        "Region": ["EU", "US", "APAC", "EU"] * (n // 4),
        "email": [f"u{i}@x.com" for i in range(n)],
    })  # fmt: skip
    source, frame, _ = run(df)
    m = source.mapping
    assert (m.text, m.date, m.rating, m.id, m.channel) == (
        "reviewText",
        "postedAt",
        "Rating",
        "ReviewID",
        "Platform",
    )
    assert m.segments == ["Region"]
    assert source.rating_scale == "stars"  # inferred from values 1-5
    assert set(frame["channel"]) == {"ios", "android"}
    assert "inferred from the values" in source.describe()


@pytest.mark.parametrize(
    ("preset", "channel", "scale"),
    [("reviews", "reviews", "stars"), ("tickets", "tickets", "csat"), ("survey", "survey", "nps"), ("social", "social", None)],
)  # fmt: skip
def test_presets(preset: str, channel: str, scale: str | None) -> None:
    df = pd.DataFrame({"comment": ["fine", "meh"], "rating": [4, 3]})
    source, frame, rejects = run(df, preset=preset)
    assert (frame["channel"] == channel).all() if len(frame) else True
    if preset == "social":
        assert source.mapping.rating is None and source.rating_scale is None
        assert frame["rating"].isna().all()
    else:
        assert source.rating_scale == scale and rejects.empty
        assert (frame["rating_scale"] == scale).all()


def test_rating_scales_and_normalisation() -> None:
    _, frame, _ = run(pd.DataFrame({"text": ["a", "b", "c"], "ces": [1, 7, 4]}))
    assert frame["rating_scale"].tolist() == ["ces"] * 3
    assert frame["rating_norm"].tolist() == [1.0, 0.0, 0.5]  # low effort is good
    _, frame, _ = run(pd.DataFrame({"text": ["a", "b", "c"], "rating": [0, 10, 5]}))
    assert frame["rating_scale"].iloc[0] == "nps" and frame["rating_norm"].tolist() == [0.0, 1.0, 0.5]
    _, frame, _ = run(pd.DataFrame({"text": ["a", "b"], "score": ["4/5", "5 stars"]}), rating_scale="csat")
    assert frame["rating"].tolist() == [4.0, 5.0] and frame["rating_norm"].tolist() == [0.75, 1.0]
    # reviews preset says stars, but 0..10 values only fit NPS: the values win
    source, frame, _ = run(pd.DataFrame({"text": ["a", "b"], "rating": [0, 9]}), preset="reviews")
    assert source.rating_scale == "nps"


def test_ambiguous_scale_is_rejected_not_guessed() -> None:
    df = pd.DataFrame({"text": ["a", "b", "c", "d"], "rating": [1, 7, None, 6]})
    source, frame, rejects = run(df)
    assert source.rating_scale is None
    assert rejects["reason"].tolist() == ["unknown_rating_scale"] * 3
    assert frame["row_number"].tolist() == [3]  # the unrated row is fine
    _, _, rejects = run(df, rating_scale="ces")
    assert rejects.empty


def test_dates_formats_forced_and_dayfirst() -> None:
    dates, _bad = parse_dates(pd.Series(["05/03/2024", "31/12/2024"]), date_format="%d/%m/%Y")
    assert dates.tolist() == [pd.Timestamp("2024-03-05", tz="UTC"), pd.Timestamp("2024-12-31", tz="UTC")]
    _, frame, rejects = run(
        pd.DataFrame({"text": ["a", "b"], "date": ["05/03/2024", "2024-03-05"]}), date_format="%d/%m/%Y"
    )
    assert frame["date"].tolist() == [pd.Timestamp("2024-03-05", tz="UTC")]
    assert rejects["reason"].tolist() == ["unparseable_date"]
    _, frame, _ = run(pd.DataFrame({"text": ["a", "b"], "date": ["05/03/2024", "25/03/2024"]}))
    assert frame["date"].iloc[0] == pd.Timestamp("2024-03-05", tz="UTC")  # day-first sniffed from 25/03
    _, frame, _ = run(
        pd.DataFrame({"text": ["a", "b"], "date": ["2024-03-05T10:00:00+02:00", "1709647320000"]})
    )
    assert frame["date"].tolist() == [
        pd.Timestamp("2024-03-05 08:00", tz="UTC"),
        pd.Timestamp("2024-03-05 14:02", tz="UTC"),
    ]


def test_row_accounting_with_every_reason() -> None:
    df = pd.DataFrame({
        "text": ["ok one", "", "x" * 50, "bad date", "bad rating", "agent says hi", "ok two", None],
        "date": ["2024-01-01", "2024-01-01", "2024-01-01", "yesterday-ish", "2024-01-01", "2024-01-01", "", ""],
        "stars": [5, 5, 5, 5, 9, 5, None, 1],
        "role": ["customer", "customer", "user", "customer", "Customer", "agent", "client", "customer"],
    })  # fmt: skip
    _source, frame, rejects = run(df, preset="tickets", max_text_chars=20, chunk_size=3)
    assert frame["row_number"].tolist() == [1, 7]
    assert rejects[["row_number", "reason"]].values.tolist() == [
        [2, "empty_text"], [3, "text_too_long"], [4, "unparseable_date"], [5, "rating_out_of_range"],
        [6, "not_customer_turn"], [8, "empty_text"],
    ]  # fmt: skip
    details = dict(zip(rejects["row_number"], rejects["detail"], strict=True))
    assert "50 characters > max_text_chars 20" in details[3]
    assert (
        "'yesterday-ish'" in details[4] and "outside stars 1-5" in details[5] and details[6] == "role=agent"
    )


def test_header_only_file_reads_zero_rows(tmp_path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,text\n", encoding="utf-8")
    source = open_source(InputConfig(path=path))
    assert list(source.batches()) == []
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="no data rows"):
        open_source(InputConfig(path=path))


def test_role_column_needs_tickets_preset_or_config() -> None:
    df = pd.DataFrame({"text": ["hello", "hi, how can I help"], "role": ["customer", "agent"]})
    source, frame, _ = run(df)
    assert source.mapping.role is None and len(frame) == 2
    source, frame, rejects = run(df, columns=ColumnMap(role="role"))
    assert frame["text"].tolist() == ["hello"] and rejects["reason"].tolist() == ["not_customer_turn"]


def test_batch_dtypes_are_stable() -> None:
    df = pd.DataFrame({"text": ["a", "b"], "id": [None, None]})
    _, frame, _ = run(df, columns=ColumnMap(id="id"))
    assert str(frame["source_id"].dtype) == str(frame["text"].dtype) == "str"
    assert frame["source_id"].isna().all() and frame["role"].isna().all()
