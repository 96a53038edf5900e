"""CLI commands that teach voc: `voc labels import|export` and `voc rescore`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from voc.cli import StoreOpt, app
from voc.console import console, frame_table
from voc.errors import InputError

labels_app = typer.Typer(help="Reviewers' labels: import them from a spreadsheet (CSV/JSONL) or export them.")
app.add_typer(labels_app, name="labels")


@labels_app.command("import")
def labels_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or JSONL with doc_id (or id) and any of sentiment, causes (;-separated), theme."
        ),
    ],
    store: StoreOpt = Path("voc.duckdb"),
    reviewer: Annotated[str | None, typer.Option(help="Who labelled them (default cli:<login>).")] = None,
) -> None:
    """Append labels from a file to the store; bad rows are rejected, counted and named."""
    from voc.store import Store
    from voc.teach.labels_io import import_labels

    st = Store(store)
    if not st.exists():
        raise InputError(f"Store {store} does not exist; run `voc run` first.")
    report = import_labels(file, st, reviewer or f"cli:{getpass.getuser()}")
    console.print(
        f"Read {report.read} rows from {file}: imported {report.imported}, rejected {len(report.rejected)}."
    )
    if report.rejected:
        console.print(frame_table(pd.DataFrame(report.rejected).head(20), title="Rejected rows (first 20)"))
        console.print(", ".join(f"{k}: {v}" for k, v in report.reasons().items()))


@labels_app.command("export")
def labels_export(
    store: StoreOpt = Path("voc.duckdb"),
    out: Annotated[Path, typer.Option(help="Output file: .csv or .jsonl.")] = Path("labels.csv"),
) -> None:
    """Write every labelled document's latest labels (re-importable)."""
    from voc.store import Store
    from voc.teach.labels_io import export_labels

    n = export_labels(Store(store, read_only=True), out)
    console.print(f"Wrote {n} labelled documents to {out}")


@app.command()
def rescore(
    store: StoreOpt = Path("voc.duckdb"),
    pipeline: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Pipeline YAML whose sentiment/rootcause models apply (default: env and defaults).",
        ),
    ] = None,
    page_size: Annotated[int, typer.Option(help="Documents per committed page.")] = 2000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start over instead of resuming an unfinished rescore.")
    ] = False,
) -> None:
    """Re-apply sentiment and root cause to every stored document with the configured models (no re-ingest)."""
    from voc.config import PipelineConfig
    from voc.store import Store
    from voc.teach.rescore import rescore as do_rescore

    st = Store(store)
    if not st.exists():
        raise InputError(f"Store {store} does not exist; run `voc run` first.")
    result = do_rescore(
        st, PipelineConfig.load(pipeline), page_size=page_size, progress=not quiet, resume=not fresh
    )
    cache = result.get("pooled_cache")
    cached = (
        f" Sentiment states found cached: {cache['hits']:,} of {cache['hits'] + cache['misses']:,}."
        if cache
        else ""
    )
    console.print(
        f"Rescored {result['documents']:,} documents in {result['seconds']:.1f} s ({result['run_id']}); "
        f"sentiment changed on {result['sentiment_changed']:,}.{cached} Models: {result['model_versions']}"
    )
