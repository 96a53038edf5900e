"""Benchmark the Streamlit app's server-side render time per page on a store of 1M documents.

Run: python -m bench.app [--docs 1000000] [--base STORE] [--store OUT] [--rebuild]
(the big store goes to <voc cache dir>/bench/app_<docs>.duckdb unless --store is given)

How: a base store (the analysed demo store passed with --base, else a 2,000-row synthetic store from
bench.sample_store) is resampled to --docs rows INSIDE DuckDB: each copy gets a new doc_id, its date shifted by a
pseudo-random 0-364 days back, and " (#copy)" appended to its text; predictions are copied and the themes
table is taken as is. Each page is then rendered through streamlit.testing.v1.AppTest (the same script run a
server does, without the browser), after one warm-up run for the imports: "cold start" = render with every
cache cleared, so it includes loading the store into the in-memory copy (once per store version in a server);
"first render" = the page's first render with that copy loaded but every query cache cleared (a running
server); "filter change" = the rerun after choosing one channel in the sidebar. Load average is printed:
the machine is shared. The semantic search index is not timed (1M cache lookups + encoding would dominate); keyword search is.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import duckdb

RESULTS = Path(__file__).resolve().parent / "results"
APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["overview", "themes", "trends", "causes", "journey", "atrisk", "search", "manage", "review", "export"]


def build_store(out: Path, docs: int, base: Path | None) -> tuple[Path, dict]:
    """Resample `base` (or a synthetic store) to `docs` documents in a new store at `out`."""
    from bench.sample_store import build_sample_store
    from voc.store import Store

    t0 = time.perf_counter()
    if base is None:
        base = out.with_name("app_base.duckdb")
        base.unlink(missing_ok=True)
        build_sample_store(base, n=2000)
    out.unlink(missing_ok=True)
    Path(str(out) + ".wal").unlink(missing_ok=True)
    Store(out).ensure()
    con = duckdb.connect(str(out))
    con.execute(f"ATTACH '{base}' AS base (READ_ONLY)")
    n_base = con.execute("SELECT count(*) FROM base.documents").fetchone()[0]
    copies = -(-docs // n_base)
    doc_cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name='documents' AND database_name='base' ORDER BY column_index"
        ).fetchall()
    ]
    pred_cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name='predictions' AND database_name='base' ORDER BY column_index"
        ).fetchall()
    ]
    sel = {c: f'd."{c}"' for c in doc_cols}
    sel["doc_id"] = "d.doc_id || '-' || r.i"
    sel["date"] = "d.date - INTERVAL (CASE WHEN r.i = 0 THEN 0 ELSE hash(d.doc_id, r.i) % 365 END) DAY"
    sel["text"] = "CASE WHEN r.i = 0 THEN d.text ELSE d.text || ' (#' || r.i || ')' END"
    sel["row_number"] = f"d.row_number + r.i * {n_base}"
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"INSERT INTO documents ({', '.join(chr(34) + c + chr(34) for c in doc_cols)}) "
        f"SELECT {', '.join(sel[c] for c in doc_cols)} FROM base.documents d, range({copies}) r(i) "
        f"QUALIFY row_number() OVER () <= {docs}"
    )
    psel = {c: f'p."{c}"' for c in pred_cols}
    psel["doc_id"] = "p.doc_id || '-' || r.i"
    con.execute(
        f"INSERT INTO predictions ({', '.join(chr(34) + c + chr(34) for c in pred_cols)}) "
        f"SELECT {', '.join(psel[c] for c in pred_cols)} FROM base.predictions p, range({copies}) r(i) "
        "WHERE p.doc_id || '-' || r.i IN (SELECT doc_id FROM documents)"
    )
    con.execute("INSERT INTO themes SELECT * FROM base.themes")
    con.execute("INSERT INTO runs SELECT * FROM base.runs")
    n = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    con.execute("DETACH base")
    con.execute("CHECKPOINT")
    con.close()
    return out, {
        "docs": n,
        "base": str(base),
        "base_docs": n_base,
        "build_s": round(time.perf_counter() - t0, 1),
    }


def time_pages(store: Path) -> list[dict]:
    """Cold start, first render and a channel-filter rerun per page, through one AppTest session."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["VOC_STORE"] = str(store)
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()  # imports and AppTest's one-off component scan, as in a started server

    def timed() -> float:
        t0 = time.perf_counter()
        at.run()
        return time.perf_counter() - t0

    rows = []
    for page in PAGES:
        at.sidebar.multiselect(key="f_channel").set_value([])
        at.sidebar.radio(key="page").set_value(page)
        st.cache_data.clear()
        st.cache_resource.clear()
        cold = timed()
        st.cache_data.clear()  # keep the in-memory store copy (cache_resource), as in a running server
        first = timed()
        search = None
        if page == "search":  # a keyword search is the page's interaction
            at.radio(key="search_mode").set_value("Keyword")
            at.text_input(key="search_q").input("refund")
            search = timed()
        channel = at.sidebar.multiselect(key="f_channel")
        channel.set_value([channel.options[0]])
        filt = timed()
        errors = [e.value for e in at.exception] + [e.value for e in at.error]
        rows.append(
            {
                "page": page,
                "cold_s": round(cold, 3),
                "first_s": round(first, 3),
                "filter_s": round(filt, 3),
                "keyword_search_s": None if search is None else round(search, 3),
                "errors": errors[:1],
            }
        )
    return rows


def main() -> None:
    """Build (or reuse) the big store, time every page, print a table and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument(
        "--base", type=Path, default=None, help="store to resample (default: synthetic 2,000 rows)"
    )
    parser.add_argument("--store", type=Path, default=None, help="big store path (default: cache dir/bench/)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the big store even if it exists")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.store is None:
        from voc.paths import cache_dir

        args.store = cache_dir() / "bench" / f"app_{args.docs}.duckdb"
        args.store.parent.mkdir(parents=True, exist_ok=True)
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if args.rebuild or not args.store.exists():
        store, build = build_store(args.store, args.docs, args.base)
    else:
        store = args.store
        build = {
            "docs": duckdb.connect(str(store), read_only=True)
            .execute("SELECT count(*) FROM documents")
            .fetchone()[0],
            "reused": True,
        }
    rows = time_pages(store)
    head = f"{'page':<10} {'cold start s':>13} {'first render s':>15} {'filter change s':>16} {'keyword search s':>17}"
    lines = [
        (
            f"voc app render timings, {build['docs']:,} documents ({'reused store' if build.get('reused') else 'resampled from ' + str(build.get('base'))}), "
            f"store built in {build.get('build_s', '-')} s, {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}), server-side via AppTest (no browser paint)"
        ),
        head,
        "-" * len(head),
    ]
    for r in rows:
        ks = "" if r["keyword_search_s"] is None else f"{r['keyword_search_s']:.2f}"
        lines.append(
            f"{r['page']:<10} {r['cold_s']:>13.2f} {r['first_s']:>15.2f} {r['filter_s']:>16.2f} {ks:>17}"
            + (f"  ERROR {r['errors']}" if r["errors"] else "")
        )
    print("\n".join(lines))
    out = RESULTS / "app.json"
    out.write_text(
        json.dumps(
            {"build": build, "pages": rows, "machine": platform.platform(), "cpus": os.cpu_count()}, indent=2
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
