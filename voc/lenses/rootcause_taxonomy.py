"""Root-cause taxonomy as data: load and validate the YAML (labels, descriptions, examples, patterns)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from voc.errors import ConfigError
from voc.paths import MODELS_DIR

DEFAULT_DIR = MODELS_DIR / "rootcause"
DEFAULT_TAXONOMY = DEFAULT_DIR / "taxonomy.yaml"
MIN_EXAMPLES = 3


@dataclass
class Label:
    """One cause label: its name, description, example texts and regex patterns."""

    name: str
    description: str
    examples: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)


@dataclass
class Taxonomy:
    """An ordered set of cause labels plus `none` examples (texts without a cause)."""

    labels: list[Label]
    none_examples: list[str] = field(default_factory=list)
    none_description: str = ""

    @property
    def names(self) -> list[str]:
        """Label names in taxonomy order."""
        return [label.name for label in self.labels]

    def get(self, name: str) -> Label:
        """The label called `name`."""
        for label in self.labels:
            if label.name == name:
                return label
        raise KeyError(name)

    def to_dict(self) -> dict:
        """A YAML-ready mapping (the same shape load_taxonomy reads)."""
        out: dict = {"version": 1, "labels": {}}
        for label in self.labels:
            out["labels"][label.name] = {
                "description": label.description,
                "examples": list(label.examples),
                "patterns": list(label.patterns),
            }
        out["none"] = {"description": self.none_description, "examples": list(self.none_examples)}
        return out


def _read_yaml(path: Path, what: str) -> dict:
    if not Path(path).is_file():
        raise ConfigError(f"Root-cause {what} {path} does not exist; pass an existing YAML file.")
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"Root-cause {what} {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"Root-cause {what} {path} must be a mapping with a `labels:` section.")
    return data


def _str_list(value, path: Path, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{path}: `{where}` must be a list of non-empty strings.")
    return [v.strip() for v in value]


def _parse_labels(data: dict, path: Path) -> list[Label]:
    labels_data = data.get("labels")
    if labels_data is None:
        return []
    if isinstance(labels_data, list):  # also accept a list of {name, description, examples}
        labels_data = {item.get("name"): item for item in labels_data if isinstance(item, dict)}
    if not isinstance(labels_data, dict):
        raise ConfigError(f"{path}: `labels` must map label names to {{description, examples, patterns}}.")
    labels = []
    for name, spec in labels_data.items():
        if not isinstance(name, str) or not name.strip() or name == "none":
            raise ConfigError(
                f"{path}: label name {name!r} is invalid; use a non-empty name other than 'none'."
            )
        if isinstance(spec, list):  # `label: [examples...]` shorthand
            spec = {"examples": spec}
        if not isinstance(spec, dict):
            raise ConfigError(f"{path}: label {name!r} must be a mapping with description and examples.")
        patterns = _str_list(spec.get("patterns"), path, f"labels.{name}.patterns")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"{path}: labels.{name}.patterns: {pattern!r} is not a valid regex ({exc})."
                ) from None
        labels.append(
            Label(
                name=name.strip(),
                description=str(spec.get("description") or "").strip(),
                examples=_str_list(spec.get("examples"), path, f"labels.{name}.examples"),
                patterns=patterns,
            )
        )
    return labels


def load_taxonomy(path: Path | None = None, extra_examples: Path | None = None) -> Taxonomy:
    """Read a taxonomy YAML (default: the shipped one) and merge an optional YAML of extra labels/examples."""
    path = Path(path) if path is not None else DEFAULT_TAXONOMY
    data = _read_yaml(path, "taxonomy")
    labels = _parse_labels(data, path)
    none = data.get("none") or {}
    none_examples = _str_list(none.get("examples") if isinstance(none, dict) else none, path, "none.examples")
    none_description = str(none.get("description") or "") if isinstance(none, dict) else ""
    if extra_examples is not None:
        extra_path = Path(extra_examples)
        extra = _read_yaml(extra_path, "examples file")
        by_name = {label.name: label for label in labels}
        for new in _parse_labels(extra, extra_path):
            if new.name in by_name:
                old = by_name[new.name]
                old.examples.extend(e for e in new.examples if e not in old.examples)
                old.patterns.extend(p for p in new.patterns if p not in old.patterns)
                old.description = new.description or old.description
            else:
                labels.append(new)
                by_name[new.name] = new
        extra_none = extra.get("none") or {}
        none_examples += _str_list(
            extra_none.get("examples") if isinstance(extra_none, dict) else extra_none,
            extra_path,
            "none.examples",
        )
    if not labels:
        raise ConfigError(f"{path}: the taxonomy has no labels; add a `labels:` section.")
    for label in labels:
        if len(label.examples) < MIN_EXAMPLES:
            raise ConfigError(
                f"{path}: label {label.name!r} has {len(label.examples)} examples; give at least {MIN_EXAMPLES} "
                "(8-20 recommended) short customer texts under `examples:`."
            )
        if not label.description:
            label.description = label.name.replace("_", " ")
    return Taxonomy(labels=labels, none_examples=none_examples, none_description=none_description)
