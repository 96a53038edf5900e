"""voc.ingest readers and encodings: every format and encoding yields the same rows, in chunks, with exact accounting."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from voc.config import InputConfig
from voc.errors import InputError
from voc.ingest import IngestBatch, frame_source, open_source
from voc.schema import INGEST_COLUMNS, REJECT_COLUMNS

RECORDS = [
    {"review_id": "r1", "review_text": "Great phone, battery lasts", "created_at": "2024-03-05 14:02", "stars": 5,
     "product": "phone", "region": "EU"},
    {"review_id": "r2", "review_text": "Screen cracked after a week", "created_at": "2024-03-06", "stars": 1,
     "product": "phone", "region": "US"},
    {"review_id": "r3", "review_text": "Café staff were lovely ☕", "created_at": "2024-03-07T09:00:00Z", "stars": 4,
     "product": "tablet", "region": "EU"},
    {"review_id": "r4", "review_text": "Delivery was late", "created_at": "", "stars": 2, "product": "tablet",
     "region": "US"},
    {"review_id": "r5", "review_text": "Okay I guess", "created_at": "2024-03-09", "stars": 3, "product": "phone",
     "region": "EU"},
]  # fmt: skip
FORMATS = ["csv", "tsv", "json", "json_records", "json_data", "jsonl", "parquet", "xlsx"]


def write(df: pd.DataFrame, path: Path, kind: str) -> Path:
    """Write df as `kind` and return the path."""
    if kind == "csv":
        df.to_csv(path := path.with_suffix(".csv"), index=False)
    elif kind == "tsv":
        df.to_csv(path := path.with_suffix(".tsv"), index=False, sep="\t")
    elif kind.startswith("json") and kind != "jsonl":
        records = json.loads(df.to_json(orient="records"))
        payload = {"json": records, "json_records": {"records": records}, "json_data": {"data": records}}[
            kind
        ]
        (path := path.with_suffix(".json")).write_text(
            json.dumps(payload, ensure_ascii=False), encoding="utf-8"
        )
    elif kind == "jsonl":
        df.to_json(path := path.with_suffix(".jsonl"), orient="records", lines=True, force_ascii=False)
    elif kind == "parquet":
        df.to_parquet(path := path.with_suffix(".parquet"), index=False)
    elif kind == "xlsx":
        df.to_excel(path := path.with_suffix(".xlsx"), index=False)
    return path


def collect(source) -> tuple[list[IngestBatch], pd.DataFrame, pd.DataFrame]:
    """All batches, their accepted rows and their rejects."""
    batches = list(source.batches())
    frame = pd.concat([b.frame for b in batches], ignore_index=True)
    rejects = pd.concat([b.rejects for b in batches], ignore_index=True)
    return batches, frame, rejects


@pytest.mark.parametrize("kind", FORMATS)
def test_every_reader_gives_the_same_rows(tmp_path: Path, kind: str) -> None:
    path = write(pd.DataFrame(RECORDS), tmp_path / "reviews", kind)
    source = open_source(InputConfig(path=path, preset="reviews", chunk_size=2))
    m = source.mapping
    assert (m.text, m.date, m.rating, m.id) == ("review_text", "created_at", "stars", "review_id")
    assert m.segments == ["product", "region"]
    assert source.rating_scale == "stars"
    assert "text=review_text" in source.describe() and "segments=product,region" in source.describe()
    batches, frame, rejects = collect(source)
    assert [b.read for b in batches] == [2, 2, 1]
    assert all(list(b.frame.columns) == list(INGEST_COLUMNS) for b in batches)
    assert all(list(b.rejects.columns) == list(REJECT_COLUMNS) for b in batches)
    assert rejects.empty
    assert frame["text"].tolist() == [r["review_text"] for r in RECORDS]
    assert frame["row_number"].tolist() == [1, 2, 3, 4, 5]
    assert frame["source_id"].tolist() == ["r1", "r2", "r3", "r4", "r5"]
    assert (frame["source"] == path.name).all() and (frame["channel"] == "reviews").all()
    assert frame["rating_norm"].tolist() == [1.0, 0.0, 0.75, 0.25, 0.5]
    assert str(frame["date"].dtype) == "datetime64[ns, UTC]"
    assert frame["date"].iloc[0] == pd.Timestamp("2024-03-05 14:02", tz="UTC")
    assert frame["date"].iloc[2] == pd.Timestamp("2024-03-07 09:00", tz="UTC")
    assert pd.isna(frame["date"].iloc[3])
    assert json.loads(frame["segments"].iloc[2]) == {"product": "tablet", "region": "EU"}


def test_parquet_and_xlsx_native_types(tmp_path: Path) -> None:
    df = pd.DataFrame({"comment": ["a b c", "d e f"], "when": pd.to_datetime(["2024-01-02", "2024-01-03 10:00"], format="ISO8601"),
                       "nps": [10, 0], "id": [11, 12]})  # fmt: skip
    for kind in ("parquet", "xlsx"):
        source = open_source(InputConfig(path=write(df, tmp_path / "t", kind)))
        assert source.rating_scale == "nps"
        _, frame, _ = collect(source)
        assert frame["date"].tolist() == [
            pd.Timestamp("2024-01-02", tz="UTC"),
            pd.Timestamp("2024-01-03 10:00", tz="UTC"),
        ]
        assert frame["rating_norm"].tolist() == [1.0, 0.0]
        assert frame["source_id"].tolist() == ["11", "12"]


ENCODED = "id,text\n1,café naïve Grüße\n2,second row\n"


@pytest.mark.parametrize(
    ("encoding", "expected_name"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-16-be-bom", "utf-16"),
     ("cp1252", "cp1252"), ("latin-1", "cp1252")],
)  # fmt: skip
def test_encodings_are_detected(tmp_path: Path, encoding: str, expected_name: str) -> None:
    path = tmp_path / "enc.csv"
    if encoding == "utf-16-be-bom":
        path.write_bytes(b"\xfe\xff" + ENCODED.encode("utf-16-be"))
    else:
        path.write_bytes(ENCODED.encode(encoding))
    source = open_source(InputConfig(path=path))
    assert source.encoding == expected_name
    assert source.mapping.id == "id"  # a BOM must not stick to the first column name
    _, frame, _ = collect(source)
    assert frame["text"].tolist() == ["café naïve Grüße", "second row"]


def test_forced_encoding_and_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "forced.csv"
    path.write_bytes("id,text\n1,€uro\n".encode("cp1252"))
    _, frame, _ = collect(open_source(InputConfig(path=path, encoding="cp1252")))
    assert frame["text"].tolist() == ["€uro"]
    _, frame, _ = collect(open_source(InputConfig(path=path, encoding="latin-1")))
    assert frame["text"].tolist() == ["\x80uro"]
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        open_source(InputConfig(path=path, encoding="klingon"))


def test_invalid_bytes_late_in_a_big_file_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    with path.open("wb") as fh:
        fh.write(b"id,text\n")
        for i in range(1, 60_001):
            row = f"{i},row {i} with ünïcode\n".encode()
            if i == 50_000:
                row = f"{i},late ".encode() + "café".encode("cp1252") + b"\n"
            fh.write(row)
    assert path.stat().st_size > 1 << 20  # the bad byte is beyond the encoding sample
    source = open_source(InputConfig(path=path))
    assert source.encoding == "utf-8"
    batches, frame, rejects = collect(source)
    assert sum(b.read for b in batches) == 60_000 and rejects.empty
    assert frame.loc[frame["row_number"] == 50_000, "text"].item() == "late café"
    assert source.repaired_rows == 1


def test_jsonl_row_numbers_are_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "a"}\n\n{"text": ""}\n{"text": "b", "extra": 1}\n', encoding="utf-8")
    _batches, frame, rejects = collect(open_source(InputConfig(path=path)))
    assert frame["row_number"].tolist() == [1, 4]
    assert rejects[["row_number", "reason"]].values.tolist() == [[3, "empty_text"]]


def test_json_too_big_suggests_jsonl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voc.ingest import json_records

    monkeypatch.setattr(json_records, "JSON_MAX_BYTES", 10)
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"text": "hello there"}]), encoding="utf-8")
    with pytest.raises(InputError, match="JSONL") as err:
        open_source(InputConfig(path=path))
    assert "big.json" in str(err.value)


def test_forced_format(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("text\thelpful\nfine\tyes\n", encoding="utf-8")
    with pytest.raises(InputError, match="--format"):
        open_source(InputConfig(path=path))
    _, frame, _ = collect(open_source(InputConfig(path=path, format="tsv")))
    assert frame["text"].tolist() == ["fine"]


def test_frame_source(tmp_path: Path) -> None:
    df = pd.DataFrame({"feedback": ["good", None, "bad", "  "], 0: [1, 2, 3, 4]}, index=[10, 11, 12, 13])
    source = frame_source(df, InputConfig(chunk_size=3), name="my_df")
    assert source.path is None and source.mapping.text == "feedback"
    batches, frame, rejects = collect(source)
    assert [b.read for b in batches] == [3, 1]
    assert frame["text"].tolist() == ["good", "bad"] and (frame["source"] == "my_df").all()
    assert rejects[["row_number", "reason"]].values.tolist() == [[2, "empty_text"], [4, "empty_text"]]
    with pytest.raises(InputError, match="DataFrame"):
        frame_source(["not", "a", "frame"], InputConfig())  # type: ignore[arg-type]


def test_batches_are_restartable(tmp_path: Path) -> None:
    path = write(pd.DataFrame(RECORDS), tmp_path / "again", "csv")
    source = open_source(InputConfig(path=path, chunk_size=2))
    first = pd.concat([b.frame for b in source.batches()])
    second = pd.concat([b.frame for b in source.batches()])
    pd.testing.assert_frame_equal(first, second)


def test_nul_byte_late_in_a_big_file(tmp_path: Path) -> None:
    path = tmp_path / "late_nul.csv"
    with path.open("wb") as fh:
        fh.write(b"id,text\n")
        for i in range(1, 30_001):
            fh.write(f"{i},row {i}\n".encode() if i != 25_000 else b"25000,bad \x00 row\n")
    batches, frame, rejects = collect(open_source(InputConfig(path=path, chunk_size=1000)))
    assert sum(b.read for b in batches) == 30_000 and len(frame) == 29_999
    assert rejects[["row_number", "reason"]].values.tolist() == [[25_000, "malformed_row"]]


def test_xlsx_values_beyond_the_header_are_malformed(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    for row in (["id", "text"], [1, "fine"], [], [2, "extra", "cell"], [3, "ok", None]):
        wb.active.append(row)
    wb.save(path := tmp_path / "ragged.xlsx")
    _batches, frame, rejects = collect(open_source(InputConfig(path=path)))
    assert frame["row_number"].tolist() == [1, 3] and frame["source_id"].tolist() == ["1", "3"]
    assert rejects[["row_number", "reason"]].values.tolist() == [[2, "malformed_row"]]
