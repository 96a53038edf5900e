"""Benchmark the app with many users at once: first render per page for 1 and for N concurrent sessions.

Run: python -m bench.app_users [--users 10] [--store PATH | --docs 5000] [--mode ws|browser] [--pages a,b]
How: the server is started as `voc app` does (fact table prepared first). For every page of the app, in order,
all N sessions open the page at the same moment; each page is new to every session and to the server's query
caches. Two load generators:
- ws (default): each session is a websocket to Streamlit's /_stcore/stream speaking the browser's protobuf
  protocol (bench/ws_client.py); a page's time is from opening the socket to `script_finished`, so it is the
  server's whole work for the page (queries, chart specs, Arrow frames, sending them), with no browser CPU on
  the machine and without the browser drawing the page. Errors = Exception elements, runs that finish without
  the end-of-render marker, closed sockets and timeouts (120 s).
- browser: ONE headless Chromium process (Playwright, Debian's chromium) holds N pages, each in its own browser
  context (so its own Streamlit session); a page's time is until its end-of-render marker (.voc-done) is
  attached, so it includes loading Streamlit's JavaScript and drawing, and the browser's CPU shares the cores.
  Errors = timeouts (120 s) plus Streamlit exceptions on the page.
Server peak RSS = VmHWM of the server process. The 1-user figures come from a fresh server with one session.
Without --store, a synthetic store of --docs documents (bench.sample_store) is built in a temp folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.app import PAGES, RESULTS

TIMEOUT_MS = 120_000


def _peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _open(page, url: str, slug: str) -> tuple[float, str | None]:
    t0 = time.perf_counter()
    try:
        await page.goto(f"{url}/?page={slug}", timeout=TIMEOUT_MS)
        await page.wait_for_selector(f'.voc-done[data-page="{slug}"]', state="attached", timeout=TIMEOUT_MS)
        if await page.locator('[data-testid="stException"]').count():
            return time.perf_counter() - t0, "exception on page"
        return time.perf_counter() - t0, None
    except Exception as exc:  # noqa: BLE001 (a timeout or a crash is an error to count, not to stop on)
        return time.perf_counter() - t0, type(exc).__name__


async def _browser_run(url: str, users: int, slugs: list[str]) -> dict[str, list]:
    """All `users` tabs of one Chromium open every page together: {page: [(seconds, error), ...]}."""
    from playwright.async_api import async_playwright

    from voc.app.serve import CHROMIUM, CHROMIUM_ARGS

    out: dict[str, list] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        tabs = []
        for _ in range(users):
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            tabs.append(await context.new_page())
        for slug in slugs:
            out[slug] = await asyncio.gather(*(_open(p, url, slug) for p in tabs))
        await browser.close()
    return out


async def _ws_run(url: str, users: int, slugs: list[str]) -> dict[str, list]:
    """All `users` websocket sessions open every page together: {page: [(seconds, error), ...]}."""
    from bench.ws_client import render_page

    out: dict[str, list] = {}
    for slug in slugs:
        marker = f'class="voc-done" data-page="{slug}"'
        runs = await asyncio.gather(
            *(render_page(url, f"page={slug}", marker, TIMEOUT_MS / 1000) for _ in range(users))
        )
        out[slug] = [(r.seconds, r.error) for r in runs]
    return out


def _measure(store: Path, users: int, mode: str, slugs: list[str]) -> tuple[dict[str, list], float]:
    """One fresh server, `users` concurrent sessions: per-page results and the server's peak RSS (MB)."""
    from voc.app.serve import start_server, stop_server

    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(store, Path(tmp) / "streamlit.log", timeout=300)
        try:
            run = _ws_run if mode == "ws" else _browser_run
            results = asyncio.run(run(url, users, slugs))
            rss = _peak_rss_mb(proc.pid)
        finally:
            stop_server(proc)
    return results, rss


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _summary(results: dict[str, list]) -> dict[str, dict]:
    rows = {}
    for slug, items in results.items():
        times = [t for t, err in items if err is None] or [float("nan")]
        rows[slug] = {
            "median_s": round(statistics.median(times), 2),
            "p95_s": round(_p95(times), 2),
            "errors": sum(err is not None for _, err in items),
        }
    return rows


def _first_errors(results: dict[str, list]) -> dict[str, str]:
    return {
        slug: next(err for _, err in items if err)
        for slug, items in results.items()
        if any(e for _, e in items)
    }


def main() -> None:
    """Print the 1-user and N-user table and write bench/results/app_users_<mode>.json."""
    from bench.sample_store import build_sample_store
    from voc.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--store", type=Path, default=None, help="store to serve (default: a synthetic one)")
    parser.add_argument(
        "--docs", type=int, default=5_000, help="documents of the synthetic store without --store"
    )
    parser.add_argument("--mode", choices=["ws", "browser"], default="ws", help="load generator (see above)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated pages, in order")
    args = parser.parse_args()
    # a SIGTERM (e.g. from `timeout`) unwinds through the finally blocks that stop the server and the browser
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    slugs = [s for s in args.pages.split(",") if s]
    if unknown := sorted(set(slugs) - set(PAGES)):
        raise SystemExit(f"unknown pages {unknown}; the app's pages are {PAGES}")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        label = f"store {store}"
        if store is None:
            store = build_sample_store(Path(tmp) / "users.duckdb", n=args.docs)
            label = "synthetic store (bench.sample_store)"
        n = Store(store, read_only=True).count("documents")
        one, one_rss = _measure(store, 1, args.mode, slugs)
        many, many_rss = _measure(store, args.users, args.mode, slugs)
    single, multi = _summary(one), _summary(many)
    load_after = os.getloadavg()[0]
    print(__doc__)
    print(f"mode {args.mode}; {label}: {n:,} documents; 2 cores shared with other work; "
          f"load average {load_before:.1f} before, {load_after:.1f} after; {time.perf_counter() - started:.0f} s in all")  # fmt: skip
    print(
        f"{'page':10} {'1 user s':>9} {'errors':>7} | {args.users} users: {'median s':>8} {'p95 s':>7} {'errors':>7}"
    )
    for slug in slugs:
        s, m = single[slug], multi[slug]
        row = f"{slug:10} {s['median_s']:9} {s['errors']:7} | {'':>9}{m['median_s']:>8} {m['p95_s']:>7} {m['errors']:>7}"
        print(row)
    print(f"server peak RSS: {one_rss:,.0f} MB with 1 user, {many_rss:,.0f} MB with {args.users} users")
    for slug, err in {**_first_errors(one), **_first_errors(many)}.items():
        print(f"first error on {slug}: {err}")
    RESULTS.mkdir(exist_ok=True)
    payload = {"mode": args.mode, "store": label, "documents": n, "users": args.users,
               "load_average": [load_before, load_after], "one_user": single, "many_users": multi,
               "rss_mb": {"1": one_rss, str(args.users): many_rss}, "raw": {"1": one, str(args.users): many}}  # fmt: skip
    (RESULTS / f"app_users_{args.mode}.json").write_text(json.dumps(payload, indent=1))


if __name__ == "__main__":
    main()
