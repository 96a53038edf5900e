"""The websocket load generator (bench/ws_client.py) against real Streamlit servers: it times a run to its end
and counts an exception, a missing end-of-render marker and a dead server as errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.request

import pytest

from bench.sample_store import build_sample_store
from bench.ws_client import render_page, stream_url
from voc.app.serve import free_port, start_server, stop_group, stop_server

MARKER = 'class="voc-done" data-page="tiny"'
TINY_APP = """
import time
import streamlit as st

if st.query_params.get("boom"):
    raise RuntimeError("boom on purpose")
if st.query_params.get("stop"):
    st.stop()
time.sleep(float(st.query_params.get("sleep", "0")))
st.title("tiny")
st.markdown('<span class="voc-done" data-page="tiny"></span>', unsafe_allow_html=True)
"""


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "tiny.py").write_text(TINY_APP)
    port = free_port()
    log = open(folder / "streamlit.log", "w")  # noqa: SIM115 (the child owns it)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(folder / "tiny.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        stdout=log, stderr=subprocess.STDOUT, cwd=folder, start_new_session=True,
    )  # fmt: skip
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((folder / "streamlit.log").read_text()[-2000:])
                time.sleep(0.3)
        yield url
    finally:
        stop_group(proc)


def test_stream_url():
    assert stream_url("http://127.0.0.1:8501") == "ws://127.0.0.1:8501/_stcore/stream"
    assert stream_url("https://voc.example.com/app/") == "wss://voc.example.com/app/_stcore/stream"


def test_a_run_is_timed_to_its_end(tiny_server):
    quick = asyncio.run(render_page(tiny_server, "", MARKER))
    slow = asyncio.run(render_page(tiny_server, "sleep=1.5", MARKER))
    assert quick.error is None and slow.error is None, (quick, slow)
    assert quick.messages > 2 and quick.bytes > 0
    assert slow.seconds >= 1.5 > quick.seconds


def test_errors_are_counted(tiny_server):
    boom = asyncio.run(render_page(tiny_server, "boom=1", MARKER))
    assert boom.error is not None and "boom on purpose" in boom.error
    stopped = asyncio.run(render_page(tiny_server, "stop=1", MARKER))
    assert stopped.error == "finished without the end-of-render marker"
    late = asyncio.run(render_page(tiny_server, "sleep=5", MARKER, timeout=1))
    assert late.error is not None and "within 1 s" in late.error and late.seconds < 3


def test_no_server_is_an_error():
    gone = asyncio.run(render_page(f"http://127.0.0.1:{free_port()}", "", MARKER, timeout=10))
    assert gone.error is not None and gone.seconds < 10


def test_concurrent_sessions_render_every_app_page(tmp_path):
    """Three sessions open each page of the real app together: every run ends with its own page's marker."""
    from bench.app import PAGES

    store = build_sample_store(tmp_path / "ws.duckdb", n=300)
    proc, url = start_server(store, tmp_path / "streamlit.log")
    try:

        async def all_pages():
            out = {}
            for slug in PAGES:
                marker = f'class="voc-done" data-page="{slug}"'
                out[slug] = await asyncio.gather(*(render_page(url, f"page={slug}", marker) for _ in range(3)))
            return out

        results = asyncio.run(all_pages())
    finally:
        stop_server(proc)
    errors = {slug: [r.error for r in runs if r.error] for slug, runs in results.items()}
    assert not any(errors.values()), errors
    assert all(r.bytes > 1000 for runs in results.values() for r in runs)
