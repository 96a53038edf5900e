"""Test helper for the browser tests: skip without Debian chromium, launch it, open an app page and wait for it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from voc.app.serve import CHROMIUM, CHROMIUM_ARGS


def need_chromium() -> None:
    """Skip the test when Debian chromium is missing (fail instead on CI, where the browser test must run)."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + "; the browser test must run in CI")
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator:
    """A headless Debian chromium driven by Playwright, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def open_page(page, url: str, title: str) -> None:
    """Load a page and wait until the script has rendered it completely (the app's end-of-page marker)."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    page.wait_for_selector(".voc-done", state="attached")
