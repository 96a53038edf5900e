"""Real-browser end-to-end test: Debian Chromium driven by Playwright against `streamlit run app.py`."""

from __future__ import annotations

import time

import pytest
from browser_support import chromium, need_chromium, open_page

from bench.sample_store import build_sample_store
from voc.app.serve import start_server, stop_server
from voc.store import Store

PAGES = {
    "overview": "Overview",
    "themes": "Themes",
    "trends": "Trends & alerts",
    "causes": "Root causes",
    "search": "Search",
    "manage": "Manage themes",
    "export": "Export",
}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` on a free port over a fresh sample store; yields (base url, store path)."""
    need_chromium()
    folder = tmp_path_factory.mktemp("browser")
    store = build_sample_store(folder / "sample.duckdb", n=200)
    proc, url = start_server(store, folder / "streamlit.log")
    try:
        yield url, store
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def browser_page(server):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs
        yield page


def _volume(page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text()


def test_browser_end_to_end(server, browser_page, tmp_path):
    url, store = server
    page = browser_page
    shots = tmp_path / "screenshots"
    shots.mkdir()
    timings: dict[str, float] = {}

    def visit(slug: str, query: str = "") -> None:
        """Open a page, wait for its own content, screenshot it."""
        t0 = time.perf_counter()
        open_page(page, f"{url}/?page={slug}{query}", PAGES[slug])
        page.wait_for_timeout(300)  # let charts paint
        page.screenshot(path=str(shots / f"{slug}.png"))
        timings[slug] = round(time.perf_counter() - t0, 2)

    # Overview; a sidebar filter changes the numbers and lands in the URL
    visit("overview")
    page.locator('[data-testid="stMetricValue"]').first.wait_for()
    page.locator(
        '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
    ).first.wait_for()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 2  # the theme map and the priority matrix
    before = _volume(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    page.get_by_role("option", name="tickets", exact=True).click()
    page.wait_for_function(
        "(b) => { const m = document.querySelector('[data-testid=\"stMetricValue\"]'); return m && m.innerText !== b; }",
        arg=before,
    )
    assert int(_volume(page).replace(",", "")) < int(before.replace(",", ""))
    page.wait_for_function("() => location.search.includes('channel=tickets')")

    # Themes: a theme's drill-down shows quotes; customer text stays literal (no script, no markdown)
    doc3_theme = (
        Store(store, read_only=True)
        .documents_with_predictions("doc_id = 'doc000003'", columns=["theme_id"])["theme_id"]
        .iloc[0]
    )
    visit("themes", f"&theme={doc3_theme}")
    quotes = page.locator("blockquote.voc-quote")
    assert quotes.count() >= 5
    first = quotes.first.inner_text()
    assert "<script>alert('x')</script>" in first and "**bold**" in first and "[link](http://x)" in first
    assert quotes.first.locator("script, strong, a").count() == 0
    assert page.dialogs == []

    for slug in ("trends", "causes", "search"):
        visit(slug)
    assert page.get_by_text("Emerging and spiking themes").count() == 0  # we are on Search now

    # Manage: rename a theme
    visit("manage")
    form = page.locator('[data-testid="stForm"]').first
    form.get_by_label("New name").fill("Double charges")
    form.get_by_role("button", name="Rename").click()
    page.get_by_text("Saved edit").first.wait_for()
    assert Store(store, read_only=True).edits()["op"].tolist() == ["rename"]

    # Export: download the documents as CSV
    visit("export")
    with page.expect_download() as info:
        page.get_by_role("button", name="Documents .csv").click()
    target = tmp_path / "docs.csv"
    info.value.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("doc_id,") and len(lines) > 200  # header + 200 rows

    # the new name shows on the Overview
    open_page(page, url, "Overview")
    page.locator(".voc-headline").get_by_text("Double charges").wait_for()
    assert "Billing errors" not in page.locator(".voc-headline").inner_text()
    assert sorted(p.name for p in shots.iterdir()) == sorted(f"{s}.png" for s in PAGES)
    print(f"page load+render seconds {timings}; screenshots in {shots}")
