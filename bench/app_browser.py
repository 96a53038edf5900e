"""Benchmark the app in a real browser on the 1M-document store: time to a fully rendered page, per page.

Run: python -m bench.app_browser [--docs 1000000] [--store PATH]
How: the server is started as `voc app` does (the store's fact table is prepared first; its time is printed),
`streamlit run app.py` serves the store built by bench/app.py (resampled inside DuckDB; see there), and
Playwright drives Debian's Chromium headless. Every time is until the page's end-of-render marker
(.voc-done[data-page=...]) is attached. "first render" = the first time a page is shown in the session: the
Overview by opening the URL in a fresh tab (so it includes loading Streamlit's JavaScript), every other page by
clicking it in the sidebar as a user does (its queries are not cached yet); "reload" = opening the page's URL
in the tab again (a full browser reload, queries cached); "filter change" = pick the tickets channel in the
sidebar on Overview and wait for the first KPI to change.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from bench.app import PAGES, RESULTS


def _done(page, slug: str) -> None:
    page.wait_for_selector(f'.voc-done[data-page="{slug}"]', state="attached", timeout=120_000)


def _load(page, url: str, slug: str) -> float:
    t0 = time.perf_counter()
    page.goto(url)
    _done(page, slug)
    return time.perf_counter() - t0


def _navigate(page, slug: str, title: str) -> float:
    t0 = time.perf_counter()
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text(title, exact=True).click()
    _done(page, slug)
    return time.perf_counter() - t0


def main() -> None:
    """Print per-page browser timings and write bench/results/app_browser.json."""
    from playwright.sync_api import sync_playwright

    from voc.app.main import PAGES as TITLES
    from voc.app.serve import CHROMIUM, CHROMIUM_ARGS, prepare_store, start_server, stop_server
    from voc.paths import cache_dir
    from voc.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, default=None)
    args = parser.parse_args()
    store = args.store or cache_dir() / "bench" / f"app_{args.docs}.duckdb"
    if not store.exists():
        raise SystemExit(f"{store} is missing: build it first with python -m bench.app --docs {args.docs}")
    Store(store).ensure()
    n = Store(store, read_only=True).count("documents")
    rows = []
    prepared = prepare_store(store)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(store, Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                for slug in PAGES:
                    if slug == "overview":
                        first = _load(page, f"{url}/?page={slug}", slug)
                    else:
                        first = _navigate(page, slug, TITLES[slug][0])
                    rows.append({"page": slug, "first_render_s": round(first, 2)})
                for row in rows:
                    row["reload_s"] = round(_load(page, f"{url}/?page={row['page']}", row["page"]), 2)
                _load(page, f"{url}/?page=overview", "overview")
                before = page.locator('[data-testid="stMetricValue"]').first.inner_text()
                t0 = time.perf_counter()
                page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
                page.get_by_role("option", name="tickets", exact=True).click()
                page.wait_for_function(
                    "(b) => { const m = document.querySelector('[data-testid=\"stMetricValue\"]'); return m && m.innerText !== b; }",
                    arg=before, timeout=60_000,
                )  # fmt: skip
                rows[0]["filter_change_s"] = round(time.perf_counter() - t0, 2)
                browser.close()
        finally:
            stop_server(proc)
    print(__doc__)
    print(f"voc app in Chromium (headless, Playwright), {n:,} documents (resampled, see bench/app.py), "
          f"2 cores, load average {os.getloadavg()[0]:.1f}; store prepared in {prepared or 0:.1f} s before serving")
    print(f"{'page':10} {'first render s':>15} {'reload s':>9} {'filter change s':>16}")
    for r in rows:
        print(f"{r['page']:10} {r['first_render_s']:15} {r['reload_s']:9} {r.get('filter_change_s', ''):>16}")
    RESULTS.mkdir(exist_ok=True)
    payload = {"documents": n, "prepare_s": prepared, "load_average": os.getloadavg()[0], "rows": rows}
    (RESULTS / "app_browser.json").write_text(json.dumps(payload, indent=1))


if __name__ == "__main__":
    main()
