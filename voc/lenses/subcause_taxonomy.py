"""Sub-cause taxonomy as data: failure points under each root cause, with parents, titles and blame words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from voc.errors import ConfigError
from voc.lenses.rootcause_taxonomy import Taxonomy, load_taxonomy
from voc.paths import MODELS_DIR

DEFAULT_DIR = MODELS_DIR / "subcause"
DEFAULT_TAXONOMY = DEFAULT_DIR / "taxonomy.yaml"
CAUSES = ("people", "process", "technology")


@dataclass
class SubCauseTaxonomy:
    """Sub-cause labels (a root-cause style taxonomy) plus each label's parent, title and likely patterns."""

    base: Taxonomy
    parents: dict[str, str]
    titles: dict[str, str]
    likely_patterns: dict[str, list[str]]
    blame_patterns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Sub-cause names in taxonomy order."""
        return self.base.names


def _check_patterns(patterns: list, path: Path, where: str) -> list[str]:
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ConfigError(f"{path}: `{where}` must be a list of regex strings.")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{path}: {where}: {pattern!r} is not a valid regex ({exc}).") from None
    return list(patterns)


def _extras(path: Path) -> dict:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def load_subcause_taxonomy(path: Path | None = None, extra_examples: Path | None = None) -> SubCauseTaxonomy:
    """Read the sub-cause taxonomy (default: the shipped one) and merge a team's YAML of extra sub-causes."""
    path = Path(path) if path is not None else DEFAULT_TAXONOMY
    base = load_taxonomy(path, extra_examples)
    parents: dict[str, str] = {}
    titles: dict[str, str] = {}
    likely: dict[str, list[str]] = {}
    blame: dict[str, list[str]] = {c: [] for c in CAUSES}
    for source in [path] + ([Path(extra_examples)] if extra_examples is not None else []):
        data = _extras(source)
        for name, spec in (data.get("labels") or {}).items():
            if not isinstance(spec, dict):
                continue
            if spec.get("parent") is not None:
                parents[name] = str(spec["parent"])
            if spec.get("title"):
                titles[name] = str(spec["title"])
            if spec.get("likely_patterns"):
                likely.setdefault(name, []).extend(
                    _check_patterns(spec["likely_patterns"], source, f"labels.{name}.likely_patterns")
                )
        for cause, pats in (data.get("blame") or {}).items():
            if cause not in CAUSES:
                raise ConfigError(
                    f"{source}: `blame.{cause}` is not a cause; use one of {', '.join(CAUSES)}."
                )
            blame[cause].extend(_check_patterns(pats, source, f"blame.{cause}"))
    for name in base.names:
        if parents.get(name) not in CAUSES:
            raise ConfigError(
                f"{path}: sub-cause {name!r} needs `parent:` set to one of {', '.join(CAUSES)} "
                f"(got {parents.get(name)!r})."
            )
        titles.setdefault(name, name.replace("_", " "))
    return SubCauseTaxonomy(base, parents, titles, likely, blame)
