"""Keep known third-party noise off the console where it arises, unless VOC_VERBOSE is set (`--verbose`).

Each helper silences one library's output around one call (a logger's level, transformers' own progress-bar
and verbosity switches, numpy's error state); nothing filters warnings globally.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

VERBOSE_ENV = "VOC_VERBOSE"


def verbose() -> bool:
    """True when the user asked for third-party output (VOC_VERBOSE=1, set by `voc run --verbose`)."""
    return os.environ.get(VERBOSE_ENV, "").strip().lower() not in ("", "0", "false", "no")


@contextlib.contextmanager
def quiet_loggers(*names: str, level: int = logging.ERROR) -> Iterator[None]:
    """Raise these loggers to `level` for the duration (e.g. Streamlit's cache warnings outside a runtime)."""
    if verbose():
        yield
        return
    loggers = [logging.getLogger(name) for name in names]
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(level)
    try:
        yield
    finally:
        for lg, old in zip(loggers, before):
            lg.setLevel(old)


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """No "Loading weights" progress bar and no load-report warnings from transformers' from_pretrained."""
    if verbose():
        yield
        return
    from transformers.utils import logging as hf_logging

    bars, level = hf_logging.is_progress_bar_enabled(), hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def quiet_divide():
    """numpy's error state with divide-by-zero ignored (thread-local), or a no-op when verbose."""
    if verbose():
        return contextlib.nullcontext()
    import numpy as np

    return np.errstate(divide="ignore")
