"""The voc command line: run pipelines, the demo, the app, exports, evaluations and training."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from voc import __version__
from voc.config import InputConfig, PipelineConfig
from voc.console import console, err_console, frame_table, run_summary
from voc.errors import VocError
from voc.paths import DEMO_PIPELINE

app = typer.Typer(
    help="voc: voice-of-customer analytics. Sentiment, themes and root cause over reviews, tickets and social posts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Evaluate a lens on the shared public datasets and print one table (writes JSON).")
train_app = typer.Typer(help="Train a lens head from the shared train splits or your own examples.")
themes_app = typer.Typer(help="Inspect and edit themes: export/import the taxonomy as YAML, rename, merge, split, pin.")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
app.add_typer(themes_app, name="themes")

StoreOpt = Annotated[Path, typer.Option("--store", help="DuckDB store file.", envvar="VOC_STORE")]


def _print_version(value: bool) -> None:
    if value:
        console.print(f"voc {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    pass


@app.command()
def run(
    pipeline: Annotated[Optional[Path], typer.Argument(help="Pipeline YAML (see pipelines/).")] = None,
    input: Annotated[Optional[list[Path]], typer.Option("--input", "-i", help="Input file (repeatable): CSV, TSV, JSON, JSONL, Parquet or XLSX.")] = None,
    preset: Annotated[Optional[str], typer.Option(help="Channel preset for --input: reviews, tickets, social or survey.")] = None,
    store: Annotated[Optional[Path], typer.Option(help="DuckDB store file (default voc.duckdb, or the YAML's store.path).")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="Force the input encoding (default: detect).")] = None,
    format: Annotated[Optional[str], typer.Option("--format", help="Force the input format (default: from the extension).")] = None,
    text_column: Annotated[Optional[str], typer.Option(help="Name of the text column (default: detect).")] = None,
    rating_scale: Annotated[Optional[str], typer.Option(help="Rating scale: stars, nps, csat or ces.")] = None,
    no_themes: Annotated[bool, typer.Option("--no-themes", help="Skip the themes lens.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the latest unfinished run of this config and these inputs from its last checkpoint (after a crash or kill); nothing to do if it is done; a new run if there is none.")] = False,
    engine: Annotated[str, typer.Option("--engine", help="local (one process, streaming) or ray (Ray Data; needs the extra: pip install 'voc-analytics\\[ray]').")] = "local",
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster to join with --engine ray, e.g. ray://HEAD:10001 or auto (default: RAY_ADDRESS, else a local Ray).")] = None,
) -> None:
    """Run a pipeline (YAML, or --input FILE [--preset ...]) into the store and print a summary."""
    overrides: dict = {}
    if store:
        overrides["store"] = {"path": str(store)}
    cfg = PipelineConfig.load(pipeline, **overrides)
    if input:
        columns = {"text": text_column} if text_column else {}
        cfg.inputs = [
            InputConfig(path=p, preset=preset, encoding=encoding, format=format, rating_scale=rating_scale, columns=columns)
            for p in input
        ]
    if no_themes:
        cfg.lenses = [lens for lens in cfg.lenses if lens != "themes"]
    if engine not in ("local", "ray"):
        raise typer.BadParameter(f"--engine must be local or ray, not {engine!r}.")
    if engine == "ray" and resume:
        raise typer.BadParameter("--resume works with --engine local only.")
    _run_and_report(cfg, quiet, resume, engine=engine, ray_address=ray_address)


def _run_and_report(
    cfg: PipelineConfig, quiet: bool, resume: bool = False, engine: str = "local", ray_address: str | None = None
) -> None:
    from voc.engine.local import run_pipeline
    from voc.engine.progress import Progress

    with Progress(enabled=not quiet, console=console) as progress:
        if engine == "ray":
            from voc.engine.ray import run_pipeline_ray

            result = run_pipeline_ray(cfg, progress, address=ray_address)
        else:
            result = run_pipeline(cfg, progress, resume=resume)
    for line in result.detections:
        console.print(f"[dim]columns[/dim] {line}")
    run_summary(result, _top_themes(result.store_path))


def _top_themes(store_path: Path, n: int = 10):
    from voc.store import Store

    sql = (
        "SELECT coalesce(t.user_label, t.label) AS theme, count(*) AS documents,"
        " round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct,"
        " round(100 * avg(CASE p.sentiment WHEN 'positive' THEN 1 WHEN 'negative' THEN -1 ELSE 0 END)) AS net_sentiment"
        " FROM predictions p JOIN themes t USING (theme_id) GROUP BY ALL ORDER BY documents DESC LIMIT ?"
    )
    with Store(store_path, read_only=True).reader() as r:
        return r.con.execute(sql, [n]).df()


@app.command()
def demo(
    store: Annotated[Path, typer.Option(help="Store to build from the bundled demo corpus.")] = Path("voc.duckdb"),
    no_app: Annotated[bool, typer.Option("--no-app", help="Build the store only; do not start the app.")] = False,
    port: Annotated[int, typer.Option(help="Port for the app.")] = 8501,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Analyse the bundled demo corpus (data/demo) into a store, then open the app on it."""
    cfg = PipelineConfig.load(DEMO_PIPELINE, store={"path": str(store)})
    _run_and_report(cfg, quiet)
    if not no_app:
        _serve(store, port)


@app.command("app")
def app_cmd(
    store: StoreOpt = Path("voc.duckdb"),
    port: Annotated[int, typer.Option(help="Port to serve on (127.0.0.1).")] = 8501,
) -> None:
    """Start the Streamlit app on a store (read-only)."""
    _serve(store, port)


def _serve(store: Path, port: int) -> None:
    from voc.app.serve import prepare_store, streamlit_command
    from voc.store import Store

    Store(store, read_only=True).count("documents")
    with console.status("Preparing the store for the app…"):
        seconds = prepare_store(store)
    if seconds is not None:
        console.print(f"Store prepared in {seconds:.1f} s")
    console.print(f"Serving the app on http://127.0.0.1:{port} for {store} (Ctrl+C to stop)")
    cmd = streamlit_command(store, port)
    raise typer.Exit(subprocess.call(cmd, env={**os.environ, "VOC_STORE": str(store)}))


@app.command()
def runs(store: StoreOpt = Path("voc.duckdb")) -> None:
    """List the runs recorded in a store, with counts, timings and model versions."""
    from voc.store import Store

    frame = Store(store, read_only=True).runs()
    cols = [c for c in ("run_id", "started_at", "status", "read", "accepted", "duplicates", "rejected", "peak_rss_mb") if c in frame]
    console.print(frame_table(frame[cols], title=f"Runs in {store}", floatfmt="{:.0f}"))


@app.command()
def export(
    store: StoreOpt = Path("voc.duckdb"),
    format: Annotated[str, typer.Option("--format", help="csv, parquet, xlsx, md, json or jira.")] = "csv",
    out: Annotated[Path, typer.Option(help="Output file (or folder for multi-file exports).")] = Path("voc_export.csv"),
    level: Annotated[str, typer.Option(help="documents or themes.")] = "documents",
) -> None:
    """Export predictions per document (CSV, Parquet, XLSX) or per theme."""
    from voc.export import export as do_export

    path = do_export(store, format=format, out=out, level=level)
    console.print(f"Wrote {path}")


def main() -> None:
    """Entry point: run the Typer app; VocErrors print a clear message and exit non-zero."""
    logging.basicConfig(level=os.environ.get("VOC_LOG_LEVEL", "WARNING"), format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except VocError as exc:
        err_console.print(f"[bold red]error:[/bold red] {exc}")
        sys.exit(2)


from voc import cli_models, cli_themes  # noqa: E402,F401  (register the eval, train and themes commands)
