"""The Typer CLI: help on every command, clear errors with non-zero exits, a small end-to-end run."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from voc.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args", [[], ["run"], ["demo"], ["app"], ["export"], ["eval"], ["train"], ["runs"], ["themes"]]
)
def test_every_command_has_help(args):
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_missing_input_file_is_a_clear_error_with_nonzero_exit(tmp_path):
    from voc.cli import main

    missing = tmp_path / "nope.csv"
    result = runner.invoke(app, ["run", "--input", str(missing), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code != 0
    assert "nope.csv" in str(result.exception) or "nope.csv" in result.output
    assert callable(main)


def test_run_small_file_prints_accounting(tmp_path):
    path = tmp_path / "reviews.csv"
    rows = ["The app crashed at checkout.", "Lovely staff in the Leeds store.", "", "Refund took six weeks."]
    pd.DataFrame({"review_id": range(4), "review_text": rows, "stars": [1, 5, 3, 2]}).to_csv(path, index=False)
    store = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["run", "--input", str(path), "--preset", "reviews", "--store", str(store), "--no-themes", "-q"])
    assert result.exit_code == 0, result.output
    assert "4 = 3 + 0 + 1" in result.output
    again = runner.invoke(app, ["run", "--input", str(path), "--preset", "reviews", "--store", str(store), "--no-themes", "-q"])
    assert "4 = 0 + 3 + 1" in again.output
    runs = runner.invoke(app, ["runs", "--store", str(store)])
    assert runs.exit_code == 0 and "done" in runs.output
