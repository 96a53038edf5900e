"""Settings of a store's latest finished run, for readers that must use what the run used (not the defaults)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from voc.config_dicts import format_errors
from voc.errors import ConfigError
from voc.store import Store

M = TypeVar("M", bound=BaseModel)


def latest_run_section(runs: pd.DataFrame | None, section: str, model: type[M]) -> M:
    """The `section:` settings of the latest finished run that recorded its config; model's defaults otherwise."""
    if runs is None or not len(runs) or "config" not in runs:
        return model()
    done = runs[runs["status"] == "done"] if "status" in runs else runs
    for run in reversed(done.sort_values("started_at", kind="stable").to_dict("records")):
        raw = run["config"]
        config = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(config, dict):
            continue  # this run recorded no config (e.g. a store written by a script)
        try:
            return model.model_validate(config.get(section) or {})
        except ValidationError as exc:
            raise ConfigError(
                f"Run {run.get('run_id')}'s stored `{section}:` config is invalid:\n{format_errors(exc)}"
            ) from None
    return model()


def store_run_section(store_path: str | Path, section: str, model: type[M]) -> M:
    """latest_run_section for the store at store_path."""
    return latest_run_section(Store(store_path, read_only=True).runs(), section, model)
