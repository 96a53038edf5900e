"""Exports opened with the readers a user would use: pandas, openpyxl, a Markdown parser, a JSON Schema."""

import json
import re

import openpyxl
import pandas as pd
import pytest
from markdown_it import MarkdownIt

from voc.errors import VocError
from voc.export import export
from voc.export.safety import neutralise, safe_path
from voc.export.themes import SCHEMA_PATH


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_document_exports_have_every_prediction_column(demo_store, tmp_path, fmt):
    out = export(demo_store, format=fmt, out=tmp_path / f"docs.{fmt}", level="documents")
    frame = {"csv": pd.read_csv, "parquet": pd.read_parquet, "xlsx": pd.read_excel}[fmt](out)
    from voc.store import Store

    assert len(frame) == Store(demo_store, read_only=True).count("documents")
    for col in ("doc_id", "text", "sentiment", "sentiment_score", "theme_label", "causes", "cause_evidence"):
        assert col in frame.columns


@pytest.fixture(scope="module")
def theme_exports(demo_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("themes")
    return {fmt: export(demo_store, format=fmt, out=out / f"themes.{fmt}", level="themes")
            for fmt in ("csv", "xlsx", "md", "json", "jira")}


def test_theme_markdown_is_a_readable_report(theme_exports):
    text = theme_exports["md"].read_text(encoding="utf-8")
    tokens = MarkdownIt().enable("table").parse(text)
    headings = [t for t in tokens if t.type == "heading_open"]
    assert len(headings) >= 5
    assert any(t.type == "table_open" for t in tokens)
    assert "suggested owner" in text and "## Alerts" in text
    # The planted login spike is alerted under its theme's label ("Log in" before the theme view, "Login broken" now).
    assert re.search(r"log ?in", text.split("## Largest themes")[0].split("## Alerts")[1], re.IGNORECASE)


def test_theme_json_follows_its_schema(theme_exports):
    import jsonschema

    data = json.loads(theme_exports["json"].read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    assert data["themes"][0]["volume"] >= data["themes"][-1]["volume"]
    assert all(3 <= len(t["quotes"]) <= 10 for t in data["themes"] if t["volume"] >= 10)


def test_theme_csv_xlsx_and_jira(theme_exports):
    table = pd.read_csv(theme_exports["csv"])
    assert {"theme", "volume", "net_sentiment", "suggested_owner"} <= set(table.columns)
    book = openpyxl.load_workbook(theme_exports["xlsx"], read_only=True)
    assert {"themes", "top issues", "quotes"} <= set(book.sheetnames)
    jira = pd.read_csv(theme_exports["jira"])
    assert list(jira.columns[:3]) == ["Summary", "Description", "Labels"]
    assert 1 <= len(jira) <= 10


def test_formula_cells_are_neutralised():
    for bad in ("=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad).startswith("'")
    assert neutralise("fine text") == "fine text" and neutralise(3) == 3


def test_output_paths_cannot_escape_their_folder(tmp_path):
    assert safe_path(tmp_path, "report.md") == (tmp_path / "report.md").resolve()
    for name in ("../evil.csv", "/etc/passwd", "a/../../b.csv"):
        with pytest.raises(VocError):
            safe_path(tmp_path, name)
