"""voc: voice-of-customer analytics: themes and root cause from one shared encoder pass, sentiment from its own."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__version__ = "0.1.0"
__all__ = ["analyze", "__version__"]


def analyze(data, *, text: str = "text", config=None, profile: str | None = None):
    """Analyse feedback (DataFrame, list of strings or file path); one output row per input row."""
    from voc.api import analyze as _analyze

    return _analyze(data, text=text, config=config, profile=profile)
