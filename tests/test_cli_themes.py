"""`voc themes`: edits go to the log, are replayed on the store, and the taxonomy round-trips as YAML."""

import shutil

import yaml
from typer.testing import CliRunner

from voc.cli import app
from voc.store import Store

runner = CliRunner()


def _invoke(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_edits_replay_and_taxonomy_round_trip(demo_store, tmp_path):
    store_path = tmp_path / "copy.duckdb"
    shutil.copy(demo_store, store_path)
    store = Store(store_path)
    themes = store.themes()
    children = themes[(themes["level"] == 1) & (themes["label"] != "Other")].sort_values("size", ascending=False)
    first, second = (int(t) for t in children["theme_id"][:2])
    before = len(store.documents_with_predictions(where="theme_id IN (?, ?)", params=[first, second]))

    _invoke("themes", "rename", str(first), "Login trouble", "--store", str(store_path), "--no-apply")
    out = tmp_path / "taxonomy.yaml"
    _invoke("themes", "export", "--store", str(store_path), "--out", str(out))
    assert isinstance(yaml.safe_load(out.read_text(encoding="utf-8")), (dict, list))
    label = str(children.set_index("theme_id").loc[second, "label"])
    out.write_text(out.read_text(encoding="utf-8").replace(label, "Sign-in failures", 1), encoding="utf-8")
    _invoke("themes", "import", str(out), "--store", str(store_path), "--no-apply")
    assert store.edits()["op"].tolist() == ["rename", "rename"]

    _invoke("themes", "merge", str(first), str(second), "--store", str(store_path))
    merged = store.documents_with_predictions(where="theme_id = ?", params=[first])
    assert len(merged) == before
    assert (merged["theme_label"] == "Login trouble").all()
    assert second not in set(store.themes()["theme_id"])
    assert store.edits()["op"].tolist() == ["rename", "rename", "merge"]


def test_themes_log_prints_who_and_when(tmp_path):
    import json

    from bench.sample_store import build_sample_store

    store_path = build_sample_store(tmp_path / "log.duckdb", n=40)
    Store(store_path).append_edit("rename", {"theme_id": 1, "label": "Double charges"}, actor="ana@example.com")
    _invoke("themes", "rename", "2", "Crashes", "--store", str(store_path), "--no-apply")
    wide = runner.invoke(app, ["themes", "log", "--store", str(store_path)], env={"COLUMNS": "250"})
    assert wide.exit_code == 0, wide.output
    table = wide.output
    assert "ana@example.com" in table and "Double charges" in table and "cli:" in table
    rows = json.loads(_invoke("themes", "log", "--store", str(store_path), "--format", "json").output)
    assert (rows[0]["edit_id"], rows[0]["actor"], rows[0]["op"]) == (1, "ana@example.com", "rename")
    assert rows[1]["actor"].startswith("cli:") and rows[1]["payload"] == {"theme_id": 2, "label": "Crashes"}
    assert rows[0]["at"][:4].isdigit()
