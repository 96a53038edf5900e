"""CLI commands for the journey-stage and churn lenses: `voc train journey|churn`, `voc eval journey`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from voc.cli import eval_app, train_app
from voc.console import console


def _summary(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "oof_dev_train"}


@train_app.command("journey")
def train_journey_cmd(
    taxonomy: Annotated[
        Path | None, typer.Option(help="Stage taxonomy YAML (default models/journey/taxonomy.yaml).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default models/journey).")] = None,
    dev: Annotated[Path | None, typer.Option(help="Dev set JSONL (default data/journey/dev.jsonl).")] = None,
) -> None:
    """Re-fit the journey-stage head from the taxonomy and the dev set's train part (about a minute)."""
    from voc.train.journey import train_journey

    console.print(_summary(train_journey(taxonomy, out, dev)))


@train_app.command("churn")
def train_churn_cmd(
    taxonomy: Annotated[
        Path | None, typer.Option(help="Signal taxonomy YAML (default models/churn/taxonomy.yaml).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default models/churn).")] = None,
    dev: Annotated[Path | None, typer.Option(help="Dev set JSONL (default data/churn/dev.jsonl).")] = None,
) -> None:
    """Re-fit the churn-signal head from the taxonomy and the dev set's train part (about a minute)."""
    from voc.train.journey import train_churn

    console.print(_summary(train_churn(taxonomy, out, dev)))


@eval_app.command("journey")
def eval_journey_cmd(
    part: Annotated[
        str, typer.Option(help="train, test (the held-out part; score it rarely) or all.")
    ] = "train",
) -> None:
    """Journey accuracy and churn F1 / hard-negative figures on a part of the dev sets, as JSON."""
    from voc.evaluate.journey import evaluate_churn, evaluate_journey

    console.print_json(json.dumps({"journey": evaluate_journey(part), "churn": evaluate_churn(part)}))
