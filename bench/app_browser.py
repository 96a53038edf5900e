"""Benchmark the app in a real browser on the 1M-document store: time to a fully rendered page, per page.

Run: python -m bench.app_browser [--docs 1000000] [--store PATH]
How: the server is started as `voc app` does (the store's fact table is prepared first; its time is printed),
`streamlit run app.py` serves the store built by bench/app.py (resampled inside DuckDB; see there), and
Playwright drives Debian's Chromium headless. Every time is until the page's end-of-render marker
(.voc-done[data-page=...]) is attached. "first render" = the first time a page is shown in the session: the
Overview by opening the URL in a fresh tab (so it includes loading Streamlit's JavaScript), every other page by
clicking it in the sidebar as a user does (its queries are not cached yet); "reload" = opening the page's URL
in the tab again (a full browser reload, queries cached); "filter change" = pick the tickets channel in the
sidebar on Overview and wait for the first KPI to change; "cold tab" = the page's URL in a new browser context
(empty browser cache: Streamlit's JavaScript is fetched and compiled again; queries cached), for the Overview and
for the Export page, which draws no chart, as the framework's own floor. Medians of --repeats runs, each on a
freshly started server (so every run's first renders are uncached on the server too).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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


def _one_server(store: Path, titles: dict) -> dict[str, dict[str, float]]:
    """One measured session on a freshly started server: {page: {measure: seconds}}."""
    from playwright.sync_api import sync_playwright

    from voc.app.serve import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

    out: dict[str, dict[str, float]] = {slug: {} for slug in PAGES}
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(store, Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                for slug in PAGES:
                    if slug == "overview":
                        out[slug]["first_render_s"] = _load(page, f"{url}/?page={slug}", slug)
                    else:
                        out[slug]["first_render_s"] = _navigate(page, slug, titles[slug][0])
                for slug in PAGES:
                    out[slug]["reload_s"] = _load(page, f"{url}/?page={slug}", slug)
                _load(page, f"{url}/?page=overview", "overview")
                before = page.locator('[data-testid="stMetricValue"]').first.inner_text()
                t0 = time.perf_counter()
                page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
                page.get_by_role("option", name="tickets", exact=True).click()
                page.wait_for_function(
                    "(b) => { const m = document.querySelector('[data-testid=\"stMetricValue\"]'); return m && m.innerText !== b; }",
                    arg=before, timeout=60_000,
                )  # fmt: skip
                out["overview"]["filter_change_s"] = time.perf_counter() - t0
                for slug in ("overview", "export"):  # a new tab with an empty browser cache, queries cached
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    out[slug]["cold_tab_s"] = _load(context.new_page(), f"{url}/?page={slug}", slug)
                    context.close()
                browser.close()
        finally:
            stop_server(proc)
    return out


def main() -> None:
    """Print per-page browser timings and write bench/results/app_browser.json."""
    from voc.app.main import PAGES as TITLES
    from voc.app.serve import prepare_store
    from voc.paths import cache_dir
    from voc.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    store = args.store or cache_dir() / "bench" / f"app_{args.docs}.duckdb"
    if not store.exists():
        raise SystemExit(f"{store} is missing: build it first with python -m bench.app --docs {args.docs}")
    Store(store).ensure()
    n = Store(store, read_only=True).count("documents")
    prepared = prepare_store(store)
    runs = [_one_server(store, TITLES) for _ in range(args.repeats)]
    rows = [
        {"page": slug, **{k: round(statistics.median(r[slug][k] for r in runs), 2) for k in runs[0][slug]}}
        for slug in PAGES
    ]
    print(__doc__)
    print(f"voc app in Chromium (headless, Playwright), {n:,} documents (resampled, see bench/app.py), "
          f"2 cores, load average {os.getloadavg()[0]:.1f}; store prepared in {prepared or 0:.1f} s before serving")
    print(f"medians of {args.repeats} runs, each on a freshly started server")
    print(f"{'page':10} {'first render s':>15} {'reload s':>9} {'cold tab s':>11} {'filter change s':>16}")
    for r in rows:
        print(f"{r['page']:10} {r['first_render_s']:15} {r['reload_s']:9} {r.get('cold_tab_s', ''):>11} "
              f"{r.get('filter_change_s', ''):>16}")
    RESULTS.mkdir(exist_ok=True)
    payload = {"documents": n, "prepare_s": prepared, "load_average": os.getloadavg()[0], "repeats": args.repeats,
               "rows": rows, "runs": runs}
    (RESULTS / "app_browser.json").write_text(json.dumps(payload, indent=1))


if __name__ == "__main__":
    main()
