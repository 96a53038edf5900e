"""Crash-safe resume: `voc run --resume` after kill -9 gives exactly the store of an uninterrupted run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from voc.cli import app
from voc.config import PipelineConfig
from voc.engine.local import run_pipeline
from voc.errors import VocError
from voc.paths import PROJECT_ROOT
from voc.store import Store
from voc.store.frames import result_df

DEMO = PROJECT_ROOT / "data" / "demo"
LENSES = ["sentiment", "rootcause", "themes"]
# Columns that name the run or the time, so they differ between two separate runs by design.
RUN_COLUMNS = {"run_id", "created_run", "updated_run"}


def _head(src: Path, dst: Path, rows: int) -> Path:
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    dst.write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return dst


def _pipeline(tmp_path: Path, store: Path, inputs: list[tuple[Path, str]], chunk: int) -> Path:
    spec = {
        "name": "resume-test",
        "lenses": LENSES,
        "inputs": [{"path": str(p), "preset": preset, "chunk_size": chunk} for p, preset in inputs],
        "store": {"path": str(store)},
    }
    path = tmp_path / f"{store.stem}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _start(pipeline: Path) -> subprocess.Popen:
    """`voc run PIPELINE --resume -q` in a child process (the console script's entry point)."""
    cmd = [sys.executable, "-c", "from voc.cli import main; main()", "run", str(pipeline), "--resume", "-q"]
    # stderr goes to a file, not a pipe: a full pipe would block the child.
    with open(pipeline.with_suffix(".log"), "ab") as log:
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, cwd=PROJECT_ROOT)


def _kill(proc: subprocess.Popen) -> bool:
    """kill -9 the child; True if it was still running (so the kill really interrupted it)."""
    alive = proc.poll() is None
    if alive:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return alive


def _progress(store: Path) -> pd.DataFrame:
    """The latest run's checkpoints, read while the child may be writing (empty until there is one)."""
    try:
        s = Store(store, read_only=True, lock_timeout=60)
        runs = s.runs()
        return s.run_progress(runs["run_id"].iloc[-1]) if len(runs) else pd.DataFrame()
    except VocError:  # not created yet
        return pd.DataFrame()


def _wait_for(store: Path, proc: subprocess.Popen, ready, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if ready(_progress(store)):
            return
        time.sleep(0.2)


def _rows_done(p: pd.DataFrame) -> int:
    return int(p["rows_done"].sum()) if len(p) else 0


def _all_finished(n_inputs: int):
    return lambda p: len(p) == n_inputs and bool(p["finished"].all())


def snapshot(path: Path) -> dict[str, pd.DataFrame]:
    """Everything a run leaves in the store, sorted, without run ids and timings."""
    keys = {
        "documents": ["doc_id"],
        "predictions": ["doc_id"],
        "sentences": ["doc_id", "idx"],
        "themes": ["theme_id"],
        "theme_edits": ["edit_id"],
        "rejects": ["source", "row_number", "reason"],
    }
    out = {}
    with Store(path, read_only=True).reader() as r:
        for table, key in keys.items():
            frame = result_df(r.con.execute(f"SELECT * FROM {table}"))
            frame = frame.drop(columns=[c for c in frame.columns if c in RUN_COLUMNS])
            out[table] = frame.sort_values(key).reset_index(drop=True)
        runs = result_df(r.con.execute("SELECT status, read, accepted, duplicates, rejected FROM runs"))
    out["runs"] = runs
    return out


def assert_same_store(resumed: Path, reference: Path) -> None:
    """Table by table, the resumed store equals the reference one (no lost rows, no duplicates)."""
    a, b = snapshot(resumed), snapshot(reference)
    for table in b:
        assert len(a[table]) == len(b[table]), (
            f"{table}: {len(a[table])} rows after resume, {len(b[table])} uninterrupted"
        )
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=True, obj=table)
    assert a["runs"]["status"].tolist() == ["done"]
    assert len(b["documents"]) > 0 and len(b["themes"]) > 0, "the comparison must cover real rows and themes"


def _reference(tmp_path: Path, inputs: list[tuple[Path, str]], chunk: int) -> Path:
    store = tmp_path / "reference.duckdb"
    cfg = PipelineConfig.load(_pipeline(tmp_path, store, inputs, chunk))
    result = run_pipeline(cfg)
    assert result.counts.read == result.counts.accepted + result.counts.duplicates + result.counts.rejected
    return store


def test_kill_after_first_checkpoint_then_resume_equals_uninterrupted_run(tmp_path):
    inputs = [(_head(DEMO / "reviews.csv", tmp_path / "reviews.csv", 200), "reviews")]
    store = tmp_path / "killed.duckdb"
    pipeline = _pipeline(tmp_path, store, inputs, chunk=40)
    proc = _start(pipeline)
    try:
        _wait_for(store, proc, lambda p: _rows_done(p) >= 40)
    finally:
        interrupted = _kill(proc)
    assert interrupted, "the run finished before it could be killed"
    progress = _progress(store)
    assert 40 <= _rows_done(progress) < 200
    assert Store(store, read_only=True).runs()["status"].tolist() == ["running"]
    assert Store(store, read_only=True).count("documents") > 0

    result = CliRunner().invoke(app, ["run", str(pipeline), "--resume", "-q"])
    assert result.exit_code == 0, result.output
    runs = Store(store, read_only=True).runs()
    assert len(runs) == 1 and runs["status"].tolist() == ["done"], "resume must continue the same run"
    assert_same_store(store, _reference(tmp_path, inputs, chunk=40))

    # Resuming a finished run changes nothing.
    before = snapshot(store)
    again = CliRunner().invoke(app, ["run", str(pipeline), "--resume", "-q"])
    assert again.exit_code == 0, again.output
    after = snapshot(store)
    for table in before:
        pd.testing.assert_frame_equal(after[table], before[table], obj=table)


@pytest.mark.slow
def test_kills_at_random_points_then_resume_equals_uninterrupted_run(tmp_path):
    rng = random.Random(8)
    inputs = [
        (_head(DEMO / "reviews.csv", tmp_path / "reviews.csv", 400), "reviews"),
        (_head(DEMO / "social.csv", tmp_path / "social.csv", 200), "social"),
    ]
    total = 600
    chunk = 40
    store = tmp_path / "killed.duckdb"
    pipeline = _pipeline(tmp_path, store, inputs, chunk=chunk)
    # Where to kill: right after start (before or during begin_run / model loading), after a random number of
    # committed rows, and during the themes stage (all inputs checkpointed as finished, themes not yet written).
    plans = [
        ("start", rng.uniform(0.5, 4.0)),
        ("rows", rng.randrange(1, 5) * chunk),
        ("rows", rng.randrange(6, 10) * chunk),
        ("rows", rng.randrange(11, 14) * chunk),
        ("themes", rng.uniform(0.5, 6.0)),
        ("themes", rng.uniform(6.0, 15.0)),
    ]
    interrupted, in_themes = 0, 0
    for kind, value in plans:
        proc = _start(pipeline)
        try:
            if kind == "start":
                time.sleep(value)
            elif kind == "rows":
                _wait_for(store, proc, lambda p, v=value: _rows_done(p) >= v)
                time.sleep(rng.uniform(0, 1.5))  # anywhere inside the next chunk
            else:
                _wait_for(store, proc, _all_finished(len(inputs)))
                time.sleep(value)
        finally:
            killed = _kill(proc)
        interrupted += killed
        progress = _progress(store)
        assert _rows_done(progress) <= total
        status = Store(store, read_only=True).runs()["status"].tolist() if store.exists() else []
        in_themes += killed and _all_finished(len(inputs))(progress) and status == ["running"]
    assert interrupted >= 5, f"only {interrupted} of the kills interrupted a running process"
    assert in_themes >= 1, "no kill landed in the themes stage"
    final = _start(pipeline)
    try:
        final.wait(timeout=600)
    finally:
        _kill(final)
    assert final.returncode == 0, pipeline.with_suffix(".log").read_text()
    runs = Store(store, read_only=True).runs()
    assert runs["status"].tolist()[-1] == "done"
    assert (runs["status"] == "done").sum() == 1
    assert_same_store(store, _reference(tmp_path, inputs, chunk=chunk))
