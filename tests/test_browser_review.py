"""Real browser: an editor labels three documents on the Review page; the labels land in the store."""

from __future__ import annotations

import getpass

import pytest
from browser_support import chromium, need_chromium, open_page

from bench.sample_store import build_sample_store
from voc.app.serve import start_server, stop_server
from voc.store import Store

pytestmark = pytest.mark.browser


def test_review_three_documents(tmp_path):
    need_chromium()
    store = build_sample_store(tmp_path / "review.duckdb", n=120)
    proc, url = start_server(store, tmp_path / "streamlit.log")
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            open_page(page, f"{url}/?page=review", "Review")
            progress = page.locator(".voc-review-progress")
            assert progress.inner_text().startswith("0 labelled")
            for n in range(1, 4):
                form = page.locator('[data-testid="stForm"]')
                form.locator('[data-testid="stRadio"] label').filter(has_text="negative").first.click()
                page.wait_for_timeout(300)
                page.get_by_role("button", name="Save and next").click()
                page.get_by_text(f"{n} labelled,").wait_for()
    finally:
        stop_server(proc)
    labels = Store(store, read_only=True).labels()
    assert len(labels) == 3
    assert set(labels["sentiment"]) == {"negative"}
    assert set(labels["reviewer"]) == {f"local:{getpass.getuser()}"}
