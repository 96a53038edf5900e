"""The bad-input corpus (tests/fixtures/bad): each file raises a helpful InputError or is fully accounted for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from voc.config import InputConfig
from voc.errors import InputError
from voc.ingest import open_source
from voc.schema import INGEST_COLUMNS, REJECT_COLUMNS

BAD = Path(__file__).parent / "fixtures" / "bad"

# file -> ("error", words the message must contain) or ("ok", read, {reason: count})
EXPECT: dict[str, tuple] = {
    "truncated_quote.csv": ("ok", 2, {"malformed_row": 1}),
    "mixed_delimiters.csv": ("ok", 4, {"malformed_row": 2}),
    "ragged_rows.csv": ("ok", 5, {"malformed_row": 2}),
    "nul_bytes.csv": ("ok", 3, {"malformed_row": 1}),
    "binary_named.csv": ("error", ["PNG"]),
    "zip_named.csv": ("error", ["ZIP", "--format xlsx"]),
    "random_bytes.csv": ("error", ["binary"]),
    "empty.csv": ("error", ["empty"]),
    "whitespace_only.csv": ("error", ["whitespace"]),
    "header_only.csv": ("ok", 0, {}),
    "no_text_column.csv": ("error", ["no text column", "a, b, c", "--text"]),
    "utf8_with_cp1252_rows.csv": ("ok", 3, {}),
    "cp1252_whole.csv": ("ok", 2, {}),
    "utf16le_no_bom.csv": ("ok", 2, {}),
    "bom_header.csv": ("ok", 1, {}),
    "not_records.json": ("error", ["records"]),
    "scalar_array.json": ("error", ["not records"]),
    "truncated.json": ("error", ["not valid JSON", "jsonl"]),
    "mixed_items.json": ("ok", 5, {"malformed_row": 3}),
    "bad_lines.jsonl": ("ok", 5, {"malformed_row": 3}),
    "unsupported.xml": ("error", ["unsupported", "--format", "XLSX"]),
    "not_parquet.parquet": ("error", ["not a Parquet file"]),
    "corrupt.xlsx": ("error", ["XLSX"]),
    "empty.xlsx": ("error", ["empty"]),
    "header_only.xlsx": ("ok", 0, {}),
    "dates_5_formats.csv": ("ok", 9, {"unparseable_date": 2}),
    "unknown_rating_scale.csv": ("ok", 4, {"unknown_rating_scale": 3}),
    "rating_out_of_range.csv": ("ok", 6, {"rating_out_of_range": 3}),
    "tickets_agent_turns.csv": ("ok", 5, {"not_customer_turn": 3}),
    "empty_texts.csv": ("ok", 4, {"empty_text": 2}),
    "duplicate_header.csv": ("ok", 2, {}),
    "quoted_newlines.csv": ("ok", 3, {}),
    "semicolon.csv": ("ok", 2, {}),
    "cr_only_newlines.csv": ("ok", 2, {}),
}


def _cfg(path: Path, **kw) -> InputConfig:
    preset = "tickets" if path.name.startswith("tickets_") else None
    return InputConfig(path=path, preset=preset, **kw)


def _ingest(cfg: InputConfig):
    source = open_source(cfg)
    batches = list(source.batches())
    frame = pd.concat([b.frame for b in batches]) if batches else pd.DataFrame(columns=list(INGEST_COLUMNS))
    rejects = (
        pd.concat([b.rejects for b in batches]) if batches else pd.DataFrame(columns=list(REJECT_COLUMNS))
    )
    return source, batches, frame, rejects


def test_corpus_is_complete_and_documented() -> None:
    files = {p.name for p in BAD.iterdir() if not p.name.startswith("_") and p.suffix != ".md"}
    assert len(files) >= 20
    assert files == set(EXPECT), "every bad fixture needs an expected outcome (and a README line)"
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in files)
    assert all(p.stat().st_size < 1_000_000 for p in BAD.iterdir())


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_bad_file(name: str) -> None:
    path = BAD / name
    expected = EXPECT[name]
    if expected[0] == "error":
        with pytest.raises(InputError) as err:
            _ingest(_cfg(path))
        message = str(err.value)
        assert name in message
        for word in expected[1]:
            assert word.lower() in message.lower(), message
        return
    _, read, reasons = expected
    _source, batches, frame, rejects = _ingest(_cfg(path))
    assert sum(b.read for b in batches) == read
    for b in batches:
        assert b.read == len(b.frame) + len(b.rejects)
    assert len(frame) + len(rejects) == read
    assert dict(Counter(rejects["reason"])) == reasons
    assert set(rejects["source"]) <= {name}
    if len(frame):
        assert (frame["source"] == name).all()
    numbers = sorted(list(frame["row_number"]) + list(rejects["row_number"])) if read else []
    assert len(set(numbers)) == read


def test_repaired_mixed_encoding_row() -> None:
    source, _, frame, _ = _ingest(_cfg(BAD / "utf8_with_cp1252_rows.csv"))
    assert source.encoding == "utf-8"
    assert frame["text"].tolist() == ["Grüße — naïve", "café crème", "ok"]
    assert source.repaired_rows == 1


def test_truncated_quote_detail_and_dates() -> None:
    _, _, _, rejects = _ingest(_cfg(BAD / "truncated_quote.csv"))
    assert rejects.iloc[0]["row_number"] == 2
    assert "never closed" in rejects.iloc[0]["detail"]
    _, _, frame, rejects = _ingest(_cfg(BAD / "dates_5_formats.csv"))
    assert rejects["row_number"].tolist() == [8, 9]
    assert "'not a date'" in rejects.iloc[0]["detail"]
    dates = dict(zip(frame["text"], frame["date"], strict=True))
    march5 = pd.Timestamp("2024-03-05", tz="UTC")
    assert dates["iso"] == dates["short"] == dates["epoch"] == march5 + pd.Timedelta("14:02:00")
    assert dates["us"] == dates["long"] == march5
    assert dates["twitter"] == pd.Timestamp("2015-02-24 19:35:52", tz="UTC")
    assert pd.isna(dates["empty date"])


def test_tickets_agent_turns_details() -> None:
    source, _, frame, rejects = _ingest(_cfg(BAD / "tickets_agent_turns.csv"))
    assert source.mapping.role == "role" and source.rating_scale == "csat"
    assert frame["source_id"].tolist() == ["1", "3"]
    assert (frame["role"] == "customer").all() and (frame["channel"] == "tickets").all()
    assert frame["resolved_at"].iloc[0] == pd.Timestamp("2024-03-02 10:00", tz="UTC")
    assert frame["status"].tolist() == ["solved", "solved"]
    assert rejects["detail"].tolist() == ["role=agent", "role=bot", "role=(empty)"]
    only_agents = _ingest(_cfg(BAD / "tickets_agent_turns.csv", customer_roles=["agent"]))[2]
    assert only_agents["source_id"].tolist() == ["2"]


def test_ten_megabyte_cell(tmp_path: Path) -> None:
    path = tmp_path / "big_cell.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('id,text\n1,short\n2,"' + "x" * 10_000_000 + '"\n3,after\n')
    _, batches, frame, rejects = _ingest(InputConfig(path=path))
    assert sum(b.read for b in batches) == 3
    assert frame["text"].tolist() == ["short", "after"]
    assert rejects[["row_number", "reason"]].values.tolist() == [[2, "text_too_long"]]


def test_runaway_quote_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import csv

    from voc.ingest import readers

    monkeypatch.setattr(readers, "FIELD_LIMIT", 1000)
    old = csv.field_size_limit(1000)
    try:
        path = tmp_path / "runaway.csv"
        path.write_text('id,text\n1,"' + "y" * 5000 + '"\n2,fine\n', encoding="utf-8")
        _, batches, frame, rejects = _ingest(InputConfig(path=path))
    finally:
        csv.field_size_limit(old)
    assert sum(b.read for b in batches) == 2
    assert frame["text"].tolist() == ["fine"]
    assert rejects["reason"].tolist() == ["malformed_row"]


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as err:
        open_source(InputConfig(path=tmp_path / "nope.csv"))
    assert "nope.csv" in str(err.value)
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        open_source(InputConfig(path=tmp_path / "folder.csv"))
