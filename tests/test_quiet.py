"""A quiet console: third-party warnings and bars are silenced where they arise, and --verbose brings them back."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from voc.paths import PROJECT_ROOT

NOISE = (
    "No runtime found",
    "MemoryCacheStorageManager",
    "Loading weights",
    "divide by zero",
    "n_jobs value",
    "RuntimeWarning",
    "UserWarning",
)


def _python(code: str, verbose: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "VOC_VERBOSE"}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    if verbose:
        env["VOC_VERBOSE"] = "1"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300, check=True
    )


def test_app_warm_imports_do_not_log_streamlit_cache_warnings():
    code = "from voc.app.launch import warm_imports; warm_imports()"
    quiet = _python(code, verbose=False)
    assert "No runtime found" not in quiet.stderr + quiet.stdout
    loud = _python(code, verbose=True)
    assert "No runtime found, using MemoryCacheStorageManager" in loud.stderr


def test_transformers_loading_bar_only_when_verbose(tmp_path, monkeypatch, capfd):
    import torch
    from transformers import BertModel

    from tests.tiny_bert import tiny_config
    from voc.encode.onnx_export import load_module

    torch.manual_seed(0)
    BertModel(tiny_config(vocab_size=50)).save_pretrained(str(tmp_path))
    monkeypatch.delenv("VOC_VERBOSE", raising=False)
    capfd.readouterr()
    load_module(tmp_path)
    assert "Loading weights" not in "".join(capfd.readouterr())
    monkeypatch.setenv("VOC_VERBOSE", "1")
    load_module(tmp_path)
    assert "Loading weights" in "".join(capfd.readouterr())


def test_theme_keywords_raise_no_divide_warning():
    from voc.lenses.themes.labels import ctfidf_keywords

    texts = ["router keeps dropping wifi", "router wifi dead again", "refund still missing money",
             "refund money never came", "zebra giraffe elephant"]  # fmt: skip
    doc_theme = np.array([0, 0, 1, 1, -1])  # the last document's words are in no theme: df 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        keywords = ctfidf_keywords(texts, doc_theme, [0, 1], top_n=3)
    assert "router" in keywords[0] and "refund" in keywords[1]


@pytest.mark.slow
def test_voc_run_console_has_no_third_party_noise(tmp_path):
    """A small `voc run` (all lenses) prints voc's progress and summary only."""
    rows = (PROJECT_ROOT / "data" / "demo" / "reviews.csv").read_text(encoding="utf-8").splitlines(True)
    small = tmp_path / "small.csv"
    small.write_text("".join(rows[:201]), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "VOC_VERBOSE"}
    cmd = [sys.executable, "-c", "from voc.cli import main; main()", "run", "--input", str(small),
           "--preset", "reviews", "--store", str(tmp_path / "s.duckdb")]  # fmt: skip
    out = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path)
    console = out.stdout + out.stderr
    assert out.returncode == 0, console[-3000:]
    assert "read = accepted + duplicates + rejected" in console and "Top themes" in console
    assert not [s for s in NOISE if s in console], console[-3000:]
    assert Path(tmp_path / "s.duckdb").is_file()
