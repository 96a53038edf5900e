"""Per-session memory stays bounded: a session keeps only small widget values; data lives in bounded shared caches."""

from __future__ import annotations

import ast
import pickle

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bench.sample_store import build_sample_store
from voc.app.main import PAGES
from voc.paths import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")
SESSION_BYTES = 16_384  # filter values, a page name, a theme id: a few hundred bytes in practice
UNBOUNDED_OK = {
    "open_store",
    "encoder",
}  # keyed by the server's store path or by nothing: one entry per process


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_sample_store(tmp_path_factory.mktemp("mem") / "sample.duckdb", n=300)


def _session_bytes(at: AppTest) -> tuple[int, list[str]]:
    """The pickled size of the session's user state, and the keys holding data frames or arrays."""
    state = at.session_state.to_dict()
    heavy = [k for k, v in state.items() if isinstance(v, (pd.DataFrame, pd.Series, np.ndarray))]
    return len(pickle.dumps({k: v for k, v in state.items() if k not in heavy})), heavy


def test_a_session_visiting_every_page_keeps_only_small_state(store, monkeypatch):
    monkeypatch.setenv("VOC_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    sizes = {}
    for slug in PAGES:
        at.sidebar.radio(key="page").set_value(slug).run()
        assert not at.exception, (slug, [e.value for e in at.exception])
        if slug == "overview":
            at.sidebar.multiselect(key="f_channel").set_value(["tickets"]).run()
        sizes[slug], heavy = _session_bytes(at)
        assert not heavy, f"page {slug} keeps data in session state: {heavy}"
    print("session state bytes per page:", sizes)
    assert max(sizes.values()) <= SESSION_BYTES, sizes


def _cache_decorators(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                call = dec if isinstance(dec, ast.Call) else None
                target = call.func if call else dec
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                    keywords = {k.arg for k in call.keywords} if call else set()
                    yield node.name, target.attr, keywords


def test_every_app_cache_keyed_by_user_input_has_a_size_bound():
    found, unbounded = 0, []
    for path in sorted((PROJECT_ROOT / "voc" / "app").rglob("*.py")):
        for name, kind, keywords in _cache_decorators(path):
            found += 1
            if "max_entries" not in keywords and name not in UNBOUNDED_OK:
                unbounded.append(f"{path.relative_to(PROJECT_ROOT)}:{name} ({kind})")
    assert found >= 20  # the app's queries are cached; if this drops, the scan broke
    assert not unbounded, f"caches without max_entries grow with every filter a user tries: {unbounded}"


def test_the_app_benchmarks_visit_every_page():
    from bench.app import PAGES as BENCH_PAGES

    assert BENCH_PAGES == list(PAGES)
