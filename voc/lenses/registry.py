"""The lens contract and the lens registry: every lens declares its name, needs and output columns.

A lens is a class registered by name (spaCy-style, through `catalogue`), so a third-party package can add one
with `@voc.lenses.registry.lenses.register("my_lens")` or an entry point in the group `voc_lenses`. The pipeline
YAML's `lenses:` list names the enabled ones. Everything downstream (the store's prediction and sentence
columns, `voc.analyze`, the document exports, the app's filters and cause mix) reads the declared outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import catalogue
import numpy as np
import pandas as pd

from voc.errors import ConfigError

lenses = catalogue.create("voc", "lenses")
ENTRY_POINT_GROUP = "voc_lenses"

Level = Literal["document", "sentence"]
NEEDS = frozenset({"text", "doc_vectors", "sentence_spans", "sentence_vectors", "token_states"})
DEFAULT_LENSES = ("sentiment", "themes", "rootcause")  # their outputs are the store's base prediction columns
DEFAULT_ENABLED = (*DEFAULT_LENSES, "journey", "churn", "subcause")  # a pipeline's lenses when its YAML lists none


@dataclass(frozen=True)
class Output:
    """One declared output column: name, DuckDB type, level, label set (label columns) and whether it is stored."""

    name: str
    dtype: str  # DuckDB type: VARCHAR, DOUBLE, INTEGER, BOOLEAN, VARCHAR[], JSON
    level: Level = "document"
    labels: tuple[str, ...] | None = None  # the values a label column (VARCHAR or VARCHAR[]) can take
    stored: bool = True  # False: derived when read (theme_label comes from the themes table)

    @property
    def filterable(self) -> bool:
        """Whether the app offers it as a filter: a boolean, or a label column with a known label set."""
        return self.dtype == "BOOLEAN" or (self.labels is not None and self.dtype in ("VARCHAR", "VARCHAR[]"))

    def null(self, n: int) -> Any:
        """A column of n missing values of this type, for a frame."""
        if self.dtype == "DOUBLE":
            return np.full(n, np.nan)
        if self.dtype == "INTEGER":
            return pd.array([pd.NA] * n, dtype="Int64")
        return None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, as recorded in the store."""
        return {"name": self.name, "dtype": self.dtype, "level": self.level,
                "labels": list(self.labels) if self.labels is not None else None, "stored": self.stored}  # fmt: skip


@dataclass
class SharedPass:
    """What the shared encoder pass gives every lens for one batch of documents."""

    doc_ids: list[str]
    texts: list[str]
    spans: list[list[tuple[int, int]]]  # sentence character spans per document
    doc_vectors: np.ndarray
    sentence_vectors: list[np.ndarray]
    taps: dict[str, Any] = field(default_factory=dict)  # lens name -> what it computed on the shared trunk


@dataclass
class LensResult:
    """A lens's predictions: one row per document, and one row per sentence (flat, documents in order)."""

    documents: pd.DataFrame
    sentences: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Lens(Protocol):
    """A per-document lens: built from the pipeline config, it reads the shared pass and returns its outputs.

    Optional class attributes: `corpus_level = True` for a lens that runs over the stored corpus after the
    chunks (themes), and `enabled(cfg)` for a lens its own config section can switch off.
    """

    name: ClassVar[str]
    needs: ClassVar[frozenset[str]]
    outputs: ClassVar[tuple[Output, ...]]  # static declaration; labels may be filled once loaded
    version: str

    @classmethod
    def from_config(cls, cfg: Any) -> Lens: ...

    def declared_outputs(self) -> tuple[Output, ...]: ...

    def predict_pass(self, shared: SharedPass) -> LensResult: ...


def lens_class(name: str) -> type:
    """The lens class registered under `name`; a ConfigError names the registered ones otherwise."""
    if not catalogue.check_exists(*lenses.namespace, name):
        _load_entry_points()
    try:
        return lenses.get(name)
    except catalogue.RegistryError:
        raise ConfigError(
            f"Unknown lens {name!r} in `lenses:`; registered lenses are {', '.join(lens_names())}. "
            "A lens from another package must be installed (entry point group voc_lenses) or imported first."
        ) from None


def _load_entry_points() -> None:
    """Register the lenses other installed packages declare under the entry point group voc_lenses."""
    from importlib.metadata import entry_points

    for point in entry_points(group=ENTRY_POINT_GROUP):
        if not catalogue.check_exists(*lenses.namespace, point.name):
            lenses.register(point.name, func=point.load())


def lens_names() -> list[str]:
    """Every registered lens name, built-in ones first."""
    _load_entry_points()
    names = list(lenses.get_all())
    return [n for n in DEFAULT_LENSES if n in names] + sorted(n for n in names if n not in DEFAULT_LENSES)


def check_lens_names(names: list[str]) -> list[str]:
    """The names, checked against the registry (ConfigError on an unknown or repeated name)."""
    seen = set()
    for name in names:
        lens_class(name)
        if name in seen:
            raise ConfigError(f"Lens {name!r} is listed twice in `lenses:`; list each lens once.")
        seen.add(name)
    return names


def is_corpus_lens(name: str) -> bool:
    """Whether the lens runs over the whole corpus after the chunks (themes), not chunk by chunk."""
    return bool(getattr(lens_class(name), "corpus_level", False))


def static_outputs(names: list[str] | tuple[str, ...], level: Level | None = None) -> list[Output]:
    """The declared outputs of the named lenses (class-level, labels unknown until loaded), in order."""
    return [o for n in names for o in lens_class(n).outputs if level is None or o.level == level]


def output_names(names: list[str] | tuple[str, ...], level: Level = "document", stored_only: bool = False) -> list[str]:
    """Declared output column names of the named lenses at one level."""
    return [o.name for o in static_outputs(names, level) if o.stored or not stored_only]


def with_labels(outputs: tuple[Output, ...], column: str, labels: list[str] | tuple[str, ...]) -> tuple[Output, ...]:
    """The outputs with `column`'s label set filled in (at every level)."""
    return tuple(replace(o, labels=tuple(labels)) if o.name == column else o for o in outputs)


def _register_builtins() -> None:
    from voc.lenses.builtin import RootCauseLensSpec, SentimentLensSpec, ThemesLensSpec
    from voc.lenses.journey_specs import ChurnLensSpec, JourneyLensSpec

    from voc.lenses.subcause import SubCauseLensSpec

    for cls in (SentimentLensSpec, ThemesLensSpec, RootCauseLensSpec, JourneyLensSpec, ChurnLensSpec, SubCauseLensSpec):
        lenses.register(cls.name, func=cls)


_register_builtins()
