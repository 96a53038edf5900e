"""Shared fixtures for the encoder tests: one temporary voc cache (ONNX exports) per test process."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

from voc.config import EncoderConfig

_ROOT: list[str] = []


def _root() -> str:
    if not _ROOT:
        path = tempfile.mkdtemp(prefix="voc-encode-tests-")
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        _ROOT.append(path)
    return _ROOT[0]


@pytest.fixture(scope="module")
def cache_root():
    """A clean VOC_CACHE_DIR shared by the encoder test modules (so the ONNX export runs once)."""
    old = os.environ.get("VOC_CACHE_DIR")
    os.environ["VOC_CACHE_DIR"] = _root()
    yield _root()
    if old is None:
        os.environ.pop("VOC_CACHE_DIR", None)
    else:
        os.environ["VOC_CACHE_DIR"] = old


@pytest.fixture(scope="module")
def onnx_fp32(cache_root):
    from voc.encode import get_encoder

    return get_encoder(EncoderConfig(cache=False))


@pytest.fixture(scope="module")
def onnx_int8(cache_root):
    from voc.encode import get_encoder

    return get_encoder(EncoderConfig(precision="int8", cache=False))


@pytest.fixture(scope="module")
def torch_ref(cache_root):
    from voc.encode import get_encoder

    return get_encoder(EncoderConfig(backend="torch", cache=False))
