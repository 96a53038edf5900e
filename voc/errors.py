"""The voc exception family: every user-facing failure is a VocError with an actionable message."""


class VocError(Exception):
    """Base class for errors voc reports to users (the CLI prints the message, not a traceback)."""


class InputError(VocError):
    """An input file or DataFrame cannot be read as asked: names the file, column or row and what to do."""


class ConfigError(VocError):
    """A pipeline config or option is invalid."""


class ModelError(VocError):
    """A model or trained artifact is missing or cannot be loaded."""


class StoreError(VocError):
    """The DuckDB store cannot be opened, migrated or written."""
