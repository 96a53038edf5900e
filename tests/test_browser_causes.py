"""Real-browser test of the Root causes page with a custom label trained by `voc train rootcause --examples`."""

from __future__ import annotations

import pytest
from browser_support import chromium, need_chromium, open_page
from custom_cause import LABEL, PRICING

from voc.app.serve import start_server, stop_server
from voc.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # trains a head and runs every lens first (about 30 s)


def _stored_share(store) -> float:
    """Share (%) of the documents with a root-cause prediction that name LABEL, counted from the raw store."""
    causes = Store(store, read_only=True).documents_with_predictions(columns=["causes"])["causes"].dropna()
    return 100 * sum(LABEL in list(c) for c in causes) / len(causes)


def test_custom_label_share_and_evidence_in_chromium(custom_cause, tmp_path):
    need_chromium()
    store, _ = custom_cause
    proc, url = start_server(store, tmp_path / "streamlit.log")
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            open_page(page, f"{url}/?page=causes", "Root causes")

            tile = page.locator('[data-testid="stMetric"]').filter(
                has=page.locator('[data-testid="stMetricLabel"]', has_text=LABEL.title())
            )
            assert tile.count() == 1
            shown = tile.locator('[data-testid="stMetricValue"]').inner_text()
            assert shown == f"{_stored_share(store):.0f}%" and int(shown.rstrip("%")) >= 25

            page.get_by_role("tab", name=LABEL.title(), exact=True).click()
            panel = page.get_by_role("tabpanel", name=LABEL.title())
            quotes = panel.locator("blockquote.voc-evidence")
            quotes.first.wait_for()
            evidence = " ".join(quotes.all_inner_texts())
            assert any(text[:30] in evidence for text in PRICING)
            marks = panel.locator("blockquote.voc-evidence mark")  # the evidence spans, highlighted
            assert marks.count() >= 1 and marks.first.get_attribute("title") == LABEL
            page.screenshot(path=str(tmp_path / "causes.png"), full_page=True)
    finally:
        stop_server(proc)
