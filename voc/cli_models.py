"""CLI commands for the models: `voc eval ...`, `voc train ...` and `voc themes ...`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from voc.cli import eval_app, train_app
from voc.console import console, frame_table
from voc.paths import results_dir, trained_model_dir

ProfileOpt = Annotated[Optional[str], typer.Option("--profile", help="Evaluate a profile's models: default or fast (as VOC_PROFILE).")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", help="JSON file for the results (default bench/results/ in a checkout, else ./voc-results/).")]


FromStoreOpt = Annotated[Optional[Path], typer.Option("--from-store", help="Adapt to this store's reviewer labels; needs --out (never the package's models/).")]


def _store(path: Path):
    from voc.errors import InputError
    from voc.store import Store

    store = Store(path, read_only=True)
    if not store.exists():
        raise InputError(f"Store {path} does not exist; give the store your team labelled.")
    return store


def _adapted_out(out: Optional[Path]) -> Path:
    from voc.errors import ConfigError
    from voc.paths import MODELS_DIR

    if out is None:
        raise ConfigError("--from-store needs --out DIR: adapted models go to a folder you name.")
    if out.resolve().is_relative_to(MODELS_DIR.resolve()):
        raise ConfigError(f"--out {out} is inside the package's models/ ({MODELS_DIR}); choose another folder.")
    return out
def _use_profile(profile: str | None) -> None:
    """Select a profile for this evaluation the way VOC_PROFILE does (checked by the pipeline config)."""
    if profile is not None:
        from voc.config import PipelineConfig

        PipelineConfig.load(None).with_profile(profile)  # a clear error for an unknown name
        os.environ["VOC_PROFILE"] = profile


def _print_eval(table, out: Path) -> None:
    console.print(frame_table(table, title=f"Results (JSON: {out})"))


@eval_app.command("sentiment")
def eval_sentiment(out: OutOpt = None, profile: ProfileOpt = None) -> None:
    """Sentiment on SST-2, airline, TweetEval, UCI, Alexa and clothing eval splits, VADER side by side."""
    from voc.evaluate.sentiment import evaluate_sentiment

    _use_profile(profile)
    out = out or results_dir() / "sentiment_eval.json"
    _print_eval(evaluate_sentiment(out), out)


@eval_app.command("rootcause")
def eval_rootcause(out: OutOpt = None, profile: ProfileOpt = None) -> None:
    """Root cause on the project's dev set, airline mapped reasons and MAMS staff, with two baselines."""
    from voc.evaluate.rootcause import evaluate_rootcause

    _use_profile(profile)
    out = out or results_dir() / "rootcause_eval.json"
    _print_eval(evaluate_rootcause(out), out)


@eval_app.command("themes")
def eval_themes(out: OutOpt = None, profile: ProfileOpt = None) -> None:
    """Themes on BANKING77, airline and clothing (NMI, ARI, coverage, NPMI), BERTopic defaults side by side."""
    from voc.evaluate.themes import evaluate_themes

    _use_profile(profile)
    out = out or results_dir() / "themes_eval.json"
    _print_eval(evaluate_themes(out), out)


@train_app.command("sentiment")
def train_sentiment_cmd(
    out: Annotated[Optional[Path], typer.Option(help="Folder for the trained model (default models/sentiment).")] = None,
    reuse: Annotated[bool, typer.Option(help="Reuse a finished fit in the work folder (re-export only).")] = False,
    work_dir: Annotated[Optional[Path], typer.Option(help="Work folder for checkpoints (default: the voc cache).")] = None,
    epochs: Annotated[Optional[float], typer.Option(help="Epochs over the training mix (default: the recipe's).")] = None,
    threads: Annotated[Optional[int], typer.Option(help="Torch threads (default: the recipe's).")] = None,
    freeze_layers: Annotated[Optional[int], typer.Option(help="Bottom layers kept frozen (default: the recipe's 2); the shared trunk can be that deep.")] = None,
    from_store: FromStoreOpt = None,
    from_ratings: Annotated[bool, typer.Option("--from-ratings", help="With --from-store: ratings as weak labels (stars 1-2, NPS 0-6 negative; 4-5, 9-10 positive).")] = False,
    full: Annotated[bool, typer.Option("--full", help="With --from-store: run the full fine-tune recipe with the labels added (30-50 min on 2 cores) instead of refitting the head.")] = False,
) -> None:
    """Fine-tune the sentiment model (about 30 min), or with --from-store refit its head on your labels (seconds)."""
    from voc.train.sentiment import train_sentiment

    given = (("epochs", epochs), ("threads", threads), ("freeze_layers", freeze_layers))
    overrides = {k: v for k, v in given if v is not None}
    if from_store is not None:
        from voc.teach import train_store

        if full:
            console.print(train_store.train_sentiment_full_from_store(_store(from_store), _adapted_out(out), from_ratings, **overrides))
        else:
            console.print(train_store.train_sentiment_from_store(_store(from_store), _adapted_out(out), from_ratings=from_ratings))
        return
    if full:
        from voc.errors import ConfigError

        raise ConfigError("--full needs --from-store STORE: it adds that store's labels to the fine-tune.")
    console.print(train_sentiment(out or trained_model_dir("sentiment"), work_dir, reuse=reuse, **overrides))


@train_app.command("sentiment-fast")
def train_sentiment_fast_cmd(
    out: Annotated[Optional[Path], typer.Option(help="Folder for the head (default models/sentiment-fast).")] = None,
    max_rows: Annotated[Optional[int], typer.Option(help="Use only the first N rows of the training mix (the shipped head: 4096).")] = None,
) -> None:
    """Fit the fast profile's sentiment head on the int8 shared vectors of the train splits (minutes)."""
    from voc.train.sentiment_fast import train_fast_head

    console.print(train_fast_head(out, max_rows=max_rows))


@train_app.command("rootcause")
def train_rootcause_cmd(
    taxonomy: Annotated[Optional[Path], typer.Option(help="Taxonomy YAML (default models/rootcause/taxonomy.yaml).")] = None,
    examples: Annotated[Optional[Path], typer.Option(help="YAML of extra labelled examples, e.g. a new label.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default models/rootcause).")] = None,
    weak: Annotated[bool, typer.Option(help="Add weak labels from the shared airline and MAMS train splits.")] = True,
    from_store: FromStoreOpt = None,
) -> None:
    """Re-fit the root-cause head from the taxonomy, the dev set and your examples (+ a store's labels) (seconds)."""
    from voc.train.rootcause import train_rootcause

    if from_store is not None:
        from voc.teach.train_store import train_rootcause_from_store

        console.print(train_rootcause_from_store(_store(from_store), _adapted_out(out)))
        return

    console.print(train_rootcause(taxonomy=taxonomy, extra_examples=examples, out_dir=out, weak=weak))


@eval_app.command("subcause")
def eval_subcause(out: OutOpt = None) -> None:
    """Sub-causes, blamed and likely cause on the held-out part of the sub-cause dev set, and throughput."""
    from voc.evaluate.subcause import evaluate_subcause

    out = out or results_dir() / "subcause_eval.json"
    _print_eval(evaluate_subcause(out), out)


@train_app.command("subcause")
def train_subcause_cmd(
    taxonomy: Annotated[Optional[Path], typer.Option(help="Sub-cause taxonomy YAML (default models/subcause/taxonomy.yaml).")] = None,
    examples: Annotated[Optional[Path], typer.Option(help="YAML of extra sub-causes or examples (each new label with `parent:`).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default models/subcause).")] = None,
) -> None:
    """Re-fit the sub-cause, blame and likely-cause models from the taxonomy, the dev set and your examples."""
    from voc.train.subcause import train_subcause

    console.print(train_subcause(taxonomy=taxonomy, extra_examples=examples, out_dir=out))
