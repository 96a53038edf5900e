"""`voc themes ...`: list, export/import the taxonomy as YAML, and rename, merge, split or pin a theme.

Edits go to the store's ordered edit log and are replayed at once (and on every later run), so theme
ids, names and merges survive re-runs.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from voc.cli import StoreOpt, themes_app
from voc.console import console, frame_table
from voc.errors import VocError


def _store(path: Path, read_only: bool = False):
    from voc.store import Store

    store = Store(path, read_only=read_only)
    if not store.exists():
        raise VocError(f"No store at {path}; run `voc run` or `voc demo` first.")
    return store


def _replay(path: Path) -> None:
    """Re-apply the edit log now with the config of the store's last successful run."""
    from voc.config import PipelineConfig
    from voc.encode import get_encoder
    from voc.engine.themes_stage import refresh_themes

    store = _store(path)
    runs = store.runs()
    done = runs[runs["status"] == "done"]
    if done.empty:
        raise VocError(f"{path} has no finished run to take the themes config from; run `voc run` first.")
    last = done.sort_values("started_at").iloc[-1]
    config = last["config"] if isinstance(last["config"], dict) else json.loads(last["config"])
    cfg = PipelineConfig.model_validate(config)
    refresh_themes(store, get_encoder(cfg.encoder), cfg, str(last["run_id"]))


def cli_actor() -> str:
    """Who the edit log records for edits made from the command line."""
    return f"cli:{getpass.getuser()}"


def _edit(path: Path, op: str, payload: dict, apply: bool) -> None:
    edit_id = _store(path).append_edit(op, payload, actor=cli_actor())
    if apply:
        _replay(path)
    console.print(f"Edit {edit_id} ({op}) recorded{' and applied' if apply else '; it applies on the next run'}.")


ApplyOpt = Annotated[bool, typer.Option("--apply/--no-apply", help="Replay the edit log now (uses the encoder cache).")]


@themes_app.command("list")
def list_themes(store: StoreOpt = Path("voc.duckdb"), retired: bool = False) -> None:
    """List themes with ids, labels, sizes and parents."""
    frame = _store(store, read_only=True).themes(include_retired=retired)
    cols = [c for c in ("theme_id", "label", "user_label", "size", "parent_id", "level", "status") if c in frame]
    console.print(frame_table(frame[cols].sort_values("theme_id"), title=f"Themes in {store}", floatfmt="{:.0f}"))


@themes_app.command("log")
def log_cmd(
    store: StoreOpt = Path("voc.duckdb"),
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Print the theme edit history: when, who, what (oldest first)."""
    frame = _store(store, read_only=True).edits()
    if format not in ("table", "json"):
        raise VocError(f"--format must be table or json, not {format!r}.")
    if "actor" not in frame:
        frame["actor"] = None
    frame = frame[["edit_id", "at", "actor", "op", "payload"]]
    if format == "json":
        rows = frame.assign(at=frame["at"].map(lambda t: t.isoformat()), actor=frame["actor"].where(frame["actor"].notna(), None))
        typer.echo(json.dumps(rows.to_dict("records"), ensure_ascii=False, indent=2))
        return
    shown = frame.assign(
        at=frame["at"].map(lambda t: t.strftime("%Y-%m-%d %H:%M UTC") if hasattr(t, "strftime") else str(t)),
        actor=frame["actor"].fillna("(unknown)"),
        payload=frame["payload"].map(lambda p: json.dumps(p, ensure_ascii=False)),
    )
    console.print(frame_table(shown, title=f"Theme edits in {store}"))


@themes_app.command("export")
def export_cmd(
    store: StoreOpt = Path("voc.duckdb"),
    out: Annotated[Path, typer.Option(help="YAML file to write.")] = Path("taxonomy.yaml"),
) -> None:
    """Write the taxonomy (themes, hierarchy, names, pins, confirmed root causes) as YAML: taxonomy-as-code."""
    from voc.insights.cause_map import add_causes_to_yaml, confirmed_causes
    from voc.lenses.themes import export_taxonomy

    st = _store(store, read_only=True)
    text = add_causes_to_yaml(export_taxonomy(st.themes(include_retired=True)), confirmed_causes(st.edits()))
    out.write_text(text, encoding="utf-8")
    console.print(f"Wrote {out}")


@themes_app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="Taxonomy YAML written by `voc themes export` and edited.")],
    store: StoreOpt = Path("voc.duckdb"),
    apply: ApplyOpt = True,
) -> None:
    """Turn an edited taxonomy YAML into rename/pin edits (and `root_cause` into cause edits) in the log."""
    from voc.lenses.themes import import_taxonomy, taxonomy_edits

    if not path.is_file():
        raise VocError(f"Taxonomy file {path} does not exist.")
    st = _store(store)
    edits = taxonomy_edits(import_taxonomy(path.read_text(encoding="utf-8")), st.themes(include_retired=True))
    for row in edits.itertuples():
        st.append_edit(row.op, json.loads(row.payload), actor=cli_actor())
    from voc.insights.cause_map import cause_edits_from_yaml, confirmed_causes

    causes = cause_edits_from_yaml(path.read_text(encoding="utf-8"), confirmed_causes(st.edits()))
    for payload in causes:
        st.append_edit("cause", payload, actor=cli_actor())
    if apply and len(edits):
        _replay(store)
    console.print(f"{len(edits) + len(causes)} edits recorded from {path}.")


@themes_app.command("rename")
def rename(theme_id: int, label: str, store: StoreOpt = Path("voc.duckdb"), apply: ApplyOpt = True) -> None:
    """Give a theme a name of your own (kept across runs)."""
    _edit(store, "rename", {"theme_id": theme_id, "label": label}, apply)


@themes_app.command("pin")
def pin(theme_id: int, store: StoreOpt = Path("voc.duckdb"), apply: ApplyOpt = True) -> None:
    """Pin a theme's current label so re-runs never relabel it."""
    _edit(store, "pin", {"theme_id": theme_id, "pinned": True}, apply)


@themes_app.command("merge")
def merge(
    theme_ids: Annotated[list[int], typer.Argument(help="Two or more theme ids; the first one survives.")],
    label: Annotated[Optional[str], typer.Option(help="Name for the merged theme.")] = None,
    store: StoreOpt = Path("voc.duckdb"),
    apply: ApplyOpt = True,
) -> None:
    """Merge themes into the first one given."""
    if len(theme_ids) < 2:
        raise VocError("merge needs at least two theme ids.")
    payload = {"theme_ids": theme_ids, "into": theme_ids[0], **({"label": label} if label else {})}
    _edit(store, "merge", payload, apply)


@themes_app.command("split")
def split(
    theme_id: int,
    k: Annotated[int, typer.Option(help="Number of sub-themes.")] = 2,
    store: StoreOpt = Path("voc.duckdb"),
    apply: ApplyOpt = True,
) -> None:
    """Split a theme by re-clustering its documents into k themes."""
    from voc.lenses.themes.edits import make_split_edit

    _edit(store, "split", make_split_edit(_store(store, read_only=True).themes(include_retired=True), theme_id, k), apply)
