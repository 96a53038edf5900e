"""The voc command line: run pipelines, the demo, the app, exports, evaluations and training."""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime
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
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Also show third-party warnings, logs and progress bars (sets VOC_VERBOSE=1).")]


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
    preset: Annotated[Optional[str], typer.Option(help="Preset for --input: reviews, tickets, social, survey, or a source: zendesk, intercom, freshdesk, trustpilot, appstore, googleplay, qualtrics, surveymonkey, typeform, social_listening.")] = None,
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
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="XLSX: sheet NAME or 1-based INDEX (default: the sheet with a text column and the most rows).")] = None,
    records_path: Annotated[Optional[str], typer.Option("--records-path", help="JSON/JSONL: dotted path of the records list, e.g. data.items (default: the largest list of objects).")] = None,
    explode: Annotated[Optional[str], typer.Option("--explode", help="JSON/JSONL: read this list of objects (e.g. comments) as one row per element, keeping the parent's fields.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be read (format, sheet or records, column mapping and why, rating scale, samples, rows) and stop.")] = False,
    profile: Annotated[Optional[str], typer.Option("--profile", help="default (quality) or fast (int8 shared pass, sentiment from a head on its vectors); beats the YAML's profile and VOC_PROFILE.")] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Run a pipeline (YAML, or --input FILE [--preset ...]) into the store and print a summary."""
    _set_verbose(verbose)
    overrides: dict = {}
    if store:
        overrides["store"] = {"path": str(store)}
    cfg = PipelineConfig.load(pipeline, **overrides)
    if profile:
        cfg = cfg.with_profile(profile)
    if input:
        columns = {"text": text_column} if text_column else {}
        cfg.inputs = [
            _input_config(path=p, preset=preset, encoding=encoding, format=format, rating_scale=rating_scale, columns=columns,
                          sheet=sheet, records_path=records_path, explode=explode)
            for p in input
        ]
    if dry_run:
        _print_inspection(cfg.inputs)
        return
    if no_themes:
        cfg.lenses = [lens for lens in cfg.lenses if lens != "themes"]
    if engine not in ("local", "ray"):
        raise typer.BadParameter(f"--engine must be local or ray, not {engine!r}.")
    if engine == "ray" and resume:
        raise typer.BadParameter("--resume works with --engine local only.")
    _run_and_report(cfg, quiet, resume, engine=engine, ray_address=ray_address)


@app.command("inspect")
def inspect_cmd(
    file: Annotated[Path, typer.Argument(help="Input file: CSV, TSV, JSON, JSONL, Parquet or XLSX.")],
    preset: Annotated[Optional[str], typer.Option(help="Channel or source preset (see voc run --help).")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="XLSX: sheet NAME or 1-based INDEX.")] = None,
    records_path: Annotated[Optional[str], typer.Option("--records-path", help="JSON/JSONL: dotted path of the records list.")] = None,
    explode: Annotated[Optional[str], typer.Option("--explode", help="JSON/JSONL: list of objects to read as one row per element.")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="Force the input encoding (default: detect).")] = None,
    format: Annotated[Optional[str], typer.Option("--format", help="Force the input format.")] = None,
) -> None:
    """Print what voc would read from FILE, without analysing it (same as voc run --input FILE --dry-run)."""
    _print_inspection([_input_config(path=file, preset=preset, sheet=sheet, records_path=records_path, explode=explode,
                                     encoding=encoding, format=format)])


def _input_config(**options) -> InputConfig:
    """An InputConfig from command-line options; an invalid value is a clear error, not a traceback."""
    from pydantic import ValidationError

    from voc.errors import ConfigError

    try:
        return InputConfig(**options)
    except ValidationError as exc:
        problems = "; ".join(f"--{'-'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"Invalid option: {problems}") from None


def _print_inspection(inputs: list[InputConfig]) -> None:
    from voc.clean.redact import redact
    from voc.ingest import open_source
    from voc.ingest.inspect import report

    if not inputs:
        raise typer.BadParameter("Nothing to inspect: pass --input FILE or a pipeline YAML with inputs.")
    for inp in inputs:
        for line in report(open_source(inp), redact=lambda text: redact(text)[0]):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
def _set_verbose(verbose: bool) -> None:
    if verbose:  # read by voc.quiet here and in the app's server process, which inherits the environment
        os.environ["VOC_VERBOSE"] = "1"


def _run_and_report(
    cfg: PipelineConfig, quiet: bool, resume: bool = False, engine: str = "local", ray_address: str | None = None
) -> None:
    from voc.engine.local import run_pipeline
    from voc.engine.progress import Progress
    from voc.insights.totals import not_analysed_summary

    with Progress(enabled=not quiet, console=console) as progress:
        if engine == "ray":
            from voc.engine.ray import run_pipeline_ray

            result = run_pipeline_ray(cfg, progress, address=ray_address)
        else:
            result = run_pipeline(cfg, progress, resume=resume)
    for line in result.detections:
        console.print(f"[dim]columns[/dim] {line}")
    totals, top = store_summary(result.store_path)
    run_summary(result, top, totals)
    for line in not_analysed_summary(result.store_path):
        console.print(f"[yellow]Language:[/yellow] {line}")
    if cfg.alerts.webhook:
        from voc.alerts import notify_after_run

        console.print(f"Alerts: sent {len(notify_after_run(cfg, result.store_path))} new episode(s) to the webhook.")


def store_summary(store_path: Path, n: int = 10):
    """The run summary's figures (voc.metrics over the whole store): the totals and the `n` largest themes."""
    from voc.insights.totals import store_totals, summary_table, theme_totals

    themes = theme_totals(store_path)
    return store_totals(store_path), summary_table(themes[themes["theme_id"] >= 0].head(n))


@app.command()
def demo(
    store: Annotated[Path, typer.Option(help="Store to build from the bundled demo corpus.")] = Path("voc.duckdb"),
    no_app: Annotated[bool, typer.Option("--no-app", help="Build the store only; do not start the app.")] = False,
    port: Annotated[int, typer.Option(help="Port for the app.")] = 8501,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Analyse the bundled demo corpus (data/demo) into a store, then open the app on it."""
    _set_verbose(verbose)
    cfg = PipelineConfig.load(DEMO_PIPELINE, store={"path": str(store)})
    _run_and_report(cfg, quiet)
    if not no_app:
        _serve(store, port)


@app.command("app")
def app_cmd(
    store: StoreOpt = Path("voc.duckdb"),
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback needs sign-in (app.auth) or --no-auth.")] = "127.0.0.1",
    config: Annotated[Optional[Path], typer.Option("--config", help="YAML with an app section (auth, editors); VOC_APP__* variables override it.")] = None,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="Serve a non-loopback --host without sign-in, read-only (anyone on the network can read it).")] = False,
) -> None:
    """Start the Streamlit app on a store (read-only, but for theme edits by editors)."""
    _serve(store, port, host, config, no_auth)


def _serve(store: Path, port: int, host: str = "127.0.0.1", config: Optional[Path] = None, no_auth: bool = False) -> None:
    from voc.app.exec_server import check_host, check_port, exec_server
    from voc.app.serve import prepare_store
    from voc.config_app import load_app_config
    from voc.store import Store

    warning = check_host(host, load_app_config(config), no_auth)
    check_port(host, port)
    Store(store, read_only=True).count("documents")
    with console.status("Preparing the store for the app…"):
        seconds = prepare_store(store)
    if seconds is not None:
        console.print(f"Store prepared in {seconds:.1f} s")
    if warning:
        err_console.print(f"[bold red]{warning.format(host=host, port=port)}[/bold red]")
    console.print(f"Serving the app on http://{host}:{port} for {store} (Ctrl+C to stop)")
    exec_server(store, host, port, config)


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


@app.command()
def alerts(
    store: StoreOpt = Path("voc.duckdb"),
    since: Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="Only episodes still active on or after this date.")] = None,
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    freq: Annotated[Optional[str], typer.Option(help="week, month or day (default: the YAML's alerts.freq, week).")] = None,
    notify: Annotated[bool, typer.Option("--notify", help="Send ongoing episodes never sent before to the webhook, once each.")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", help="Pipeline YAML whose alerts section (webhook, thresholds) applies.")] = None,
    webhook: Annotated[Optional[str], typer.Option(help="Webhook URL for --notify (overrides alerts.webhook).")] = None,
) -> None:
    """List alert episodes (volume spikes, new themes, negative-share rises, drops, improvements) from a store."""
    from voc.cli_alerts import alerts_command

    alerts_command(store, since.date() if since else None, format, freq, notify, config, webhook)


def main() -> None:
    """Entry point: run the Typer app; VocErrors print a clear message and exit non-zero."""
    logging.basicConfig(level=os.environ.get("VOC_LOG_LEVEL", "WARNING"), format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except VocError as exc:
        err_console.print(f"[bold red]error:[/bold red] {exc}")
        sys.exit(2)


from voc import cli_models, cli_themes  # noqa: E402,F401  (register the eval, train and themes commands)
from voc import cli_teach  # noqa: E402,F401  (register labels and rescore)
from voc import cli_journey  # noqa: E402,F401  (train/eval journey and churn)


if __name__ == "__main__":  # `python -m voc.cli`: run the imported voc.cli, where the sub-commands registered
    from voc.cli import main as registered_main

    registered_main()
