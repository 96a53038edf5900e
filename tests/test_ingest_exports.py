"""Exports as CX teams have them: nested API dumps, workbooks with a note sheet, survey CSVs, and the dry run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from voc.config import InputConfig
from voc.errors import InputError
from voc.ingest import open_source

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
RECOMMEND = "How likely are you to recommend us? (0-10)"
REASON = "What is the main reason for your score?"


def ingest(path: Path, **cfg):
    """(source, accepted rows, rejects) with the row accounting checked."""
    source = open_source(InputConfig(path=path, **cfg))
    batches = list(source.batches())
    frame = pd.concat([b.frame for b in batches], ignore_index=True)
    rejects = pd.concat([b.rejects for b in batches], ignore_index=True)
    assert sum(b.read for b in batches) == len(frame) + len(rejects)
    return source, frame, rejects


def test_zendesk_dump_is_read_from_tickets_with_the_nested_rating() -> None:
    source, frame, rejects = ingest(EXPORTS / "zendesk_dump.json")
    m = source.mapping
    assert (m.text, m.rating, m.id, m.channel) == (
        "description",
        "satisfaction_rating.score",
        "id",
        "via.channel",
    )
    assert source.rating_scale == "csat"
    assert "records from 'tickets' (12 items)" in source.notes
    assert any("users (4)" in n for n in source.notes)  # the other candidate is named
    assert any("lists of objects not read as columns: comments" in n for n in source.notes)
    assert len(frame) == 12 and rejects.empty
    # good -> 5, bad -> 1, offered/unoffered -> no rating (Zendesk's satisfaction score is good / (good + bad))
    assert frame["rating"].iloc[:6].fillna(-1).tolist() == [5.0, 1.0, -1, 5.0, 1.0, -1]
    assert set(frame["channel"]) == {"email", "web", "chat"}
    assert "records from 'tickets'" in source.describe()


def test_records_path_and_explode_keep_the_parent(tmp_path: Path) -> None:
    source, frame, rejects = ingest(EXPORTS / "zendesk_dump.json", explode="comments")
    assert source.mapping.text == "comments.plain_body" and source.mapping.id == "row_id"
    assert source.mapping.date == "comments.created_at"
    assert len(frame) == 24 and rejects.empty  # 12 tickets x 2 comments
    small = open_source(InputConfig(path=EXPORTS / "zendesk_dump.json", explode="comments", chunk_size=5))
    assert [b.read for b in small.batches()] == [5, 5, 5, 5, 4]  # chunks never exceed chunk_size
    assert frame["source_id"].tolist()[:2] == ["100:1000", "100:1001"]  # parent id kept
    _, frame, _ = ingest(EXPORTS / "zendesk_dump.json", records_path="users", columns={"text": "name"})
    assert len(frame) == 4
    dump = json.loads((EXPORTS / "zendesk_dump.json").read_text(encoding="utf-8"))
    dump["users"] = dump["users"] * 10  # a side-loaded list larger than the records, without text fields
    (big := tmp_path / "sideloaded.json").write_text(json.dumps(dump), encoding="utf-8")
    assert open_source(InputConfig(path=big)).notes[0] == "records from 'tickets' (12 items)"
    with pytest.raises(InputError, match="tickets, users"):
        open_source(InputConfig(path=EXPORTS / "zendesk_dump.json", records_path="data.items"))


def test_deep_records_flattening_and_bad_items(tmp_path: Path) -> None:
    payload = {"meta": {"total": 3}, "feed": {"entry": [
        {"id": "a", "content": {"text": "first comment here"}, "labels": ["x", "y"], "author": {"name": "A"}},
        "not an object",
        {"id": "c", "content": {"text": ""}, "labels": []},
    ]}}  # fmt: skip
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    source, frame, rejects = ingest(path)
    assert source.mapping.text == "content.text"
    assert frame["text"].tolist() == ["first comment here"]
    assert rejects[["row_number", "reason"]].values.tolist() == [[2, "malformed_row"], [3, "empty_text"]]
    raw = next(source._reader.chunks(None)).frame
    assert raw["labels"].tolist()[0] == "x;y" and raw["author.name"].tolist()[0] == "A"


def test_jsonl_pages_with_records_path(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    lines = [{"data": [{"id": 1, "body": "one two three"}, {"id": 2, "body": "four five"}]}, "oops",
             {"data": [{"id": 3, "body": "six seven"}]}]  # fmt: skip
    path.write_text(
        "\n".join(json.dumps(x) if x != "oops" else "{broken" for x in lines) + "\n", encoding="utf-8"
    )
    _, frame, rejects = ingest(path, records_path="data")
    assert frame["text"].tolist() == ["one two three", "four five", "six seven"]
    assert frame["row_number"].tolist() == [1, 2, 4] and rejects["reason"].tolist() == ["malformed_row"]


def test_workbook_is_read_from_the_responses_sheet() -> None:
    source, frame, rejects = ingest(EXPORTS / "survey_workbook.xlsx")
    assert source.notes[0] == "sheet 'Responses'; skipped 'About' (1 row)"
    assert "skipped 'About'" in source.describe()
    assert len(frame) == 40 and rejects.empty
    assert source.mapping.text == REASON and source.mapping.rating == RECOMMEND
    assert source.rating_scale == "nps"
    about = open_source(InputConfig(path=EXPORTS / "survey_workbook.xlsx", sheet="About"))
    assert about.notes[0].startswith("sheet 'About'")
    assert (
        open_source(InputConfig(path=EXPORTS / "survey_workbook.xlsx", sheet=2))
        .notes[0]
        .startswith("sheet 'Responses'")
    )
    with pytest.raises(InputError, match="'About', 'Responses'"):
        open_source(InputConfig(path=EXPORTS / "survey_workbook.xlsx", sheet="Nope"))


def test_workbook_without_text_names_its_sheets(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Scores"
    wb.active.append(["id", "score"])
    wb.active.append([1, 5])
    other = wb.create_sheet("Counts")
    other.append(["n"])
    other.append([3])
    wb.save(path := tmp_path / "numbers.xlsx")
    with pytest.raises(InputError, match="no sheet has a text column") as err:
        open_source(InputConfig(path=path))
    assert "'Scores', 'Counts'" in str(err.value) and "numbers.xlsx" in str(err.value)


def test_nps_question_column_is_the_rating() -> None:
    source, frame, rejects = ingest(EXPORTS / "nps_export.csv")
    assert source.mapping.rating == RECOMMEND and source.rating_scale == "nps"
    assert "from the question text" in source.describe()
    assert rejects.empty and frame["rating_scale"].eq("nps").all() and frame["rating"].max() == 10


@pytest.mark.parametrize(
    ("question", "values", "scale"),
    [("How satisfied were you with the support you received? (1-5)", [1, 5, 4], "csat"),
     ("How easy was it to get your issue resolved? (1-7)", [1, 7, 2], "ces"),
     ("Overall, how would you rate your stay?", [1, 5, 3], "stars")],
)  # fmt: skip
def test_rating_scale_from_question_text(
    tmp_path: Path, question: str, values: list[int], scale: str
) -> None:
    path = tmp_path / "s.csv"
    pd.DataFrame({question: values, "Any other comments?": ["fine thanks", "slow", "ok then"]}).to_csv(
        path, index=False
    )
    source, _, _ = ingest(path)
    assert source.mapping.rating == question and source.rating_scale == scale
    assert source.mapping.text == "Any other comments?"


def test_survey_csv_header_rows_are_skipped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "qualtrics.csv"
    path.write_text(
        "ResponseId,Q1,Q2\n"
        f'Response ID,"{RECOMMEND}",{REASON}\n'
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2_TEXT""}"\n'
        "R_1,9,Fast delivery and friendly staff\nR_2,3,The app crashed twice\n",
        encoding="utf-8",
    )
    source, frame, rejects = ingest(path)
    assert source.header_rows == 2 and "2 extra header row(s) skipped" in source.notes
    assert (source.mapping.text, source.mapping.rating, source.mapping.id) == (
        REASON,
        RECOMMEND,
        "Response ID",
    )
    assert frame["row_number"].tolist() == [1, 2] and rejects.empty  # header rows are not data rows


def test_inspect_and_dry_run_print_without_analysing(tmp_path: Path) -> None:
    from voc.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["inspect", str(EXPORTS / "survey_workbook.xlsx")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "format      xlsx" in out and "sheet 'Responses'; skipped 'About'" in out
    assert f"rating    {RECOMMEND}  (the question asks for a nps score)" in out
    assert "rating      nps 0-10 (from the question text)" in out and "rows        40\n" in out
    assert out.count("\n    1. ") == 1 and "\n    3. " in out
    store = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["run", "--input", str(EXPORTS / "zendesk_dump.json"), "--explode", "comments",
                                 "--dry-run", "--store", str(store)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "text      comments.plain_body" in result.output and "records from 'tickets'" in result.output
    assert not store.exists()  # nothing was analysed or stored
    bad = runner.invoke(app, ["inspect", str(EXPORTS / "nps_export.csv"), "--preset", "nope"])
    assert bad.exit_code != 0 and "--preset" in str(bad.exception) and "zendesk" in str(bad.exception)


@pytest.mark.slow
def test_voc_run_reads_the_nested_dump_and_the_survey_sheet(tmp_path: Path) -> None:
    from voc.cli import app

    store = tmp_path / "s.duckdb"
    inputs = [EXPORTS / "zendesk_dump.json", EXPORTS / "survey_workbook.xlsx"]
    args = ["run", *(a for p in inputs for a in ("--input", str(p)))]
    result = CliRunner().invoke(app, [*args, "--store", str(store), "--no-themes", "-q"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "rating=satisfaction_rating.score (csat 1-5" in out and "records from 'tickets'" in out
    assert f"rating={RECOMMEND} (nps 0-10, from the question text)" in out and "skipped 'About'" in out
    assert "52 = 52 + 0 + 0" in out  # 12 tickets + 40 responses, each read once


def test_jsonl_api_pages_are_unwrapped_without_options(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    pages = [{"tickets": [{"id": 1, "description": "the app keeps crashing"}], "next_page": "https://x/2", "count": 1},
             {"tickets": [{"id": 2, "description": "refund is late"}, {"id": 3, "description": ""}], "count": 2}]  # fmt: skip
    path.write_text("\n".join(json.dumps(p) for p in pages) + "\n", encoding="utf-8")
    source, frame, rejects = ingest(path)
    assert "records from 'tickets' in each line (each line is an API page)" in source.notes
    assert frame["source_id"].tolist() == ["1", "2"] and rejects["reason"].tolist() == ["empty_text"]
    assert [b.read for b in open_source(InputConfig(path=path, chunk_size=2)).batches()] == [2, 1]
    plain = tmp_path / "plain.jsonl"  # a record that holds a list of objects is still one record
    plain.write_text(json.dumps({"id": 1, "text": "slow checkout page", "items": [{"sku": "a"}]}) + "\n")
    source, frame, _ = ingest(plain)
    assert source.mapping.text == "text" and len(frame) == 1


def test_a_data_row_that_says_response_is_not_a_header(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "id,kind,text,note\na1,Response,we replied to the customer,\na2,Question,where is my order,\n"
    )
    source, frame, _ = ingest(path)
    assert source.header_rows == 0 and len(frame) == 2


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_row_estimate_beyond_the_sample(tmp_path: Path, kind: str) -> None:
    n = 6_000  # more than the 5,000-row sample read at open time
    path = tmp_path / f"big.{kind}"
    if kind == "csv":
        path.write_text("id,text\n" + "".join(f"{i},comment number {i}\n" for i in range(n)))
    else:
        path.write_text(
            "".join(json.dumps({"id": i, "text": f"comment number {i}"}) + "\n" for i in range(n))
        )
    source = open_source(InputConfig(path=path))
    assert not source.sample_complete and source.row_estimate == n
