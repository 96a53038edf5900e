"""Helpers over raw settings: reading the YAML, deprecated keys, section-wise updates and readable errors."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from voc.errors import ConfigError

DEPRECATED = (("seed",), ("sentiment", "sentence_level"))  # settings that were never read


def read_yaml(path: Path, what: str) -> Any:
    """A YAML file's content ({} when empty); a ConfigError names the `what` file when missing or not YAML."""
    if not path.is_file():
        raise ConfigError(f"{what} {path} does not exist; pass an existing YAML file.")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what} {path} is not valid YAML: {exc}") from None


def drop_deprecated(data: Any) -> Any:
    """Remove settings that never had an effect, so old YAMLs and stored run configs still load (with a warning)."""
    if not isinstance(data, dict):
        return data
    for keys in DEPRECATED:
        section = data
        for key in keys[:-1]:
            section = section.get(key) if isinstance(section.get(key), dict) else {}
        if keys[-1] in section:
            del section[keys[-1]]
            warnings.warn(
                f"The pipeline setting {'.'.join(keys)} has no effect and is ignored; remove it "
                "(the themes seed is themes.seed).",
                FutureWarning,
                stacklevel=2,
            )
    return data


def deep_update(base: dict[str, Any], updates: dict[str, Any]) -> None:
    """Merge `updates` into `base` in place, section by section; None values leave the base value."""
    for key, value in updates.items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_update(base[key], value)
        else:
            base[key] = value


def format_errors(exc: ValidationError) -> str:
    """One line per validation error: the dotted setting path and what is wrong."""
    return "\n".join(f"  - {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
