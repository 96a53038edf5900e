"""Many sessions at once: concurrent sessions that miss the same cached query compute it once.

Streamlit 1.67's st.cache_data already takes a per-key compute lock on a miss (double-checked: one session
computes, the others wait and read the cached value), so voc relies on it rather than a lock of its own.
These tests guard that claim on the app's real pages and queries.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from streamlit.testing.v1 import AppTest

from voc.app import sql
from voc.app.fact import prepare
from bench.sample_store import build_sample_store
from voc.paths import PROJECT_ROOT

SESSIONS = 4
APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = build_sample_store(tmp_path / "flight.duckdb", n=80)  # a fresh store: nothing of it is cached yet
    prepare(path)
    monkeypatch.setenv("VOC_STORE", str(path))
    for key in [k for k in __import__("os").environ if k.startswith("VOC_APP__")]:
        monkeypatch.delenv(key)
    return path


def _count_fact_queries(monkeypatch) -> Counter:
    """Count each distinct SQL the app runs over the fact table, slowed so that concurrent sessions overlap."""
    ran: Counter = Counter()
    real = sql.fact_query

    def counted(path, ver, query, params=()):
        ran[(query, tuple(map(str, params)))] += 1
        time.sleep(0.3)
        return real(path, ver, query, params)

    monkeypatch.setattr(sql, "fact_query", counted)
    return ran


def test_four_sessions_opening_the_overview_run_each_query_once(store, monkeypatch):
    ran = _count_fact_queries(monkeypatch)
    barrier = threading.Barrier(SESSIONS)
    failures: list[str] = []

    def session() -> None:
        at = AppTest.from_file(APP, default_timeout=120)
        barrier.wait()
        at.run()
        if at.exception or not at.metric:
            failures.append(repr([e.value for e in at.exception]) or "no KPI tiles")

    threads = [threading.Thread(target=session) for _ in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not failures, failures
    assert ran, "the Overview ran no query over the fact table"
    repeated = {q[:80]: n for (q, _), n in ran.items() if n > 1}
    assert not repeated, f"{SESSIONS} sessions ran these shared queries more than once: {repeated}"


def test_concurrent_misses_of_one_cached_query_compute_once(store, monkeypatch):
    from voc.app import data
    from voc.app.fact import file_version
    from voc.app.main import build_context
    from voc.app.store_access import content_version
    from voc.insights.filters import Filter

    path = str(store)
    file_ver = file_version(path)
    ver = content_version(path, file_ver)
    ctx = build_context(path, ver, file_ver, Filter(), "30 days", data.options(path, ver))
    ran = _count_fact_queries(monkeypatch)
    fkey = Filter(channels=["tickets"]).model_dump_json()
    barrier = threading.Barrier(SESSIONS)
    results: list = []

    def session() -> None:
        barrier.wait()
        results.append(data.theme_stats(ctx.path, ctx.ver, ctx.tmap, fkey))

    threads = [threading.Thread(target=session) for _ in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(ran.values()) == 1 and len(results) == SESSIONS
    assert all(r.equals(results[0]) for r in results) and len(results[0]) > 0
