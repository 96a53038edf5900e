"""Encoder backends: ONNX Runtime (default, exported once into the cache) and torch (the reference)."""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import Protocol

import numpy as np

from voc.encode.onnx_export import export_onnx, make_session, quantize_int8
from voc.encode.source import ModelSource
from voc.errors import ConfigError, ModelError

log = logging.getLogger(__name__)


class Backend(Protocol):
    """Runs the transformer over a padded batch and returns its token states (B, L, D) float32."""

    name: str
    calls: int

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray: ...


def onnx_dir(source: ModelSource) -> Path:
    """Where a model's ONNX exports live: <cache>/onnx/<model key>."""
    from voc.paths import cache_dir

    safe = source.key.replace("/", "_")
    return cache_dir() / "onnx" / safe


def ensure_onnx(source: ModelSource, precision: str) -> Path:
    """The cached ONNX file for this model and precision, exported on first use under a file lock."""
    from filelock import FileLock

    folder = onnx_dir(source)
    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / "model.onnx"
    target = fp32 if precision == "fp32" else folder / "model.int8.onnx"
    if target.is_file():
        return target
    with FileLock(str(folder / ".export.lock"), timeout=900):
        if not fp32.is_file():
            log.info("Exporting %s to ONNX (once) at %s", source.key, fp32)
            export_onnx(source.path, fp32, int8=False)
        if precision == "int8" and not target.is_file():
            log.info("Quantising %s to int8 (per-channel) at %s", source.key, target)
            quantize_int8(fp32, target)
    return target


class OnnxBackend:
    """ONNX Runtime session over the cached export of the model."""

    name = "onnx"

    def __init__(self, source: ModelSource, precision: str, threads: int | None):
        self.path = ensure_onnx(source, precision)
        self.session = make_session(self.path, threads)
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.calls = 0

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        self.calls += 1
        return self.session.run(None, feed)[0]


class TorchBackend:
    """transformers AutoModel in eval mode: the reference implementation."""

    name = "torch"

    def __init__(self, source: ModelSource, precision: str, threads: int | None):
        if precision != "fp32":
            raise ConfigError(
                f"encoder.precision={precision!r} is only available with encoder.backend='onnx'; "
                "use precision 'fp32' with the torch backend."
            )
        import torch
        from transformers import AutoModel

        if threads:
            torch.set_num_threads(int(threads))
        from voc.quiet import quiet_transformers

        try:
            with quiet_transformers():
                self.model = AutoModel.from_pretrained(str(source.path)).eval()
        except Exception as exc:  # noqa: BLE001
            raise ModelError(f"Cannot load encoder model from {source.path}: {exc}") from None
        self.with_types = "token_type_ids" in inspect.signature(self.model.forward).parameters
        self.calls = 0

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        import torch

        self.calls += 1
        with torch.inference_mode():
            feed = {
                "input_ids": torch.from_numpy(input_ids),
                "attention_mask": torch.from_numpy(attention_mask),
            }
            if self.with_types:
                feed["token_type_ids"] = torch.zeros_like(feed["input_ids"])
            out = self.model(**feed)
        return out.last_hidden_state.float().numpy()


class SplitOnnxBackend:
    """ONNX Runtime over the export split after k layers: a shared trunk (voc.encode.trunk), then the top."""

    name = "onnx"

    def __init__(
        self, source: ModelSource, precision: str, threads: int | None, k: int, trunk_precision: str
    ):
        from voc.encode.trunk import Top, get_trunk

        self.path = ensure_onnx(source, precision)
        self.trunk = get_trunk(str(ensure_onnx(source, trunk_precision)), k, threads)
        self.top = Top(self.path, k, threads)
        self.calls = 0

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        self.calls += 1
        return self.top(*self.trunk(input_ids, attention_mask))


def make_backend(
    name: str,
    source: ModelSource,
    precision: str,
    threads: int | None,
    trunk_layers: int = 0,
    trunk_precision: str | None = None,
) -> Backend:
    """The backend named in the encoder config (split after trunk_layers layers when > 0, ONNX only).

    A split backend runs its trunk at trunk_precision (default: precision) and its top at precision.
    """
    if name == "onnx" and trunk_layers > 0:
        return SplitOnnxBackend(source, precision, threads, trunk_layers, trunk_precision or precision)
    if name == "onnx":
        return OnnxBackend(source, precision, threads)
    if name == "torch":
        return TorchBackend(source, precision, threads)
    raise ConfigError(f"Unknown encoder.backend {name!r}; use 'onnx' or 'torch'.")
