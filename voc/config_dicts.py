"""Helpers over raw pipeline settings: deprecated keys, section-wise updates and readable validation errors."""

from __future__ import annotations

import warnings
from typing import Any

from pydantic import ValidationError

DEPRECATED = (("seed",), ("sentiment", "sentence_level"))  # settings that were never read


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
