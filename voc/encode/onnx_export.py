"""Export any BERT-like Hugging Face model to ONNX (fp32 or int8) and run it for token states.

Reusable outside the encoder, e.g. for a fine-tuned MiniLM sentiment model::

    from voc.encode.onnx_export import export_onnx, OnnxTokenModel

    # a model folder (config.json + weights) or an in-memory torch module
    export_onnx("models/sentiment-minilm", "/tmp/sent.onnx", int8=False)
    export_onnx(my_torch_module, "/tmp/sent.int8.onnx", int8=True)

    model = OnnxTokenModel("/tmp/sent.onnx", "models/sentiment-minilm/tokenizer.json", threads=2)
    states, mask, offsets = model.run(["great flight", "lost my bag"], max_length=128)
    # states (B, L, H) float32, mask (B, L) int64, offsets (B, L, 2) int64 char offsets ((0, 0) for
    # special and padding tokens); mean-pool with the mask yourself.

How the export is done (measured on this machine, see NOTES.md): the legacy TorchScript exporter
(`torch.onnx.export(..., dynamo=False)`) at opset 17, inputs `input_ids`, `attention_mask` and, when the
model's forward takes it, `token_type_ids`, with dynamic batch and sequence axes. The first output of the
module (``last_hidden_state`` for an ``AutoModel``; a ``.logits``/tensor/tuple's first item otherwise) is the
ONNX output. A module whose forward returns something else can pass ``output_name`` to label it.
int8 is `onnxruntime.quantization.quantize_dynamic(per_channel=True, weight_type=QInt8)` (mean cosine 0.992
to fp32 for MiniLM; the default per-tensor quantisation is too lossy). No onnxruntime BERT optimizer and no
`quant_pre_process`: they made things slower or failed here. Exports are written to a temporary file and
renamed into place, so a reader never sees a half-written model.
"""

from __future__ import annotations

import inspect
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from voc.errors import ModelError

log = logging.getLogger(__name__)

OPSET = 17
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def load_module(model_dir_or_module: Any):
    """A torch module in eval mode from a folder path or a module."""
    import torch

    if isinstance(model_dir_or_module, torch.nn.Module):
        return model_dir_or_module.eval()
    from transformers import AutoModel

    folder = Path(model_dir_or_module)
    if not (folder / "config.json").is_file():
        raise ModelError(
            f"Cannot export {folder}: no config.json; pass a Hugging Face model folder or module."
        )
    from voc.quiet import quiet_transformers

    try:
        with quiet_transformers():
            return AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"Cannot load model folder {folder} for ONNX export: {exc}") from None


def _takes_token_type_ids(module) -> bool:
    try:
        return "token_type_ids" in inspect.signature(module.forward).parameters
    except (TypeError, ValueError):
        return False


def _first_output(out):
    for attr in ("last_hidden_state", "logits"):
        if hasattr(out, attr) and getattr(out, attr) is not None:
            return getattr(out, attr)
    if isinstance(out, (tuple, list)):
        return out[0]
    if isinstance(out, dict):
        return next(iter(out.values()))
    return out


def _atomic_target(out_path: Path) -> Path:
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=out_path.stem + ".", suffix=".tmp.onnx", dir=out_path.parent)
    os.close(fd)
    return Path(tmp)


def export_onnx(
    model_dir_or_module: Any,
    out_path: str | os.PathLike[str],
    int8: bool = False,
    *,
    opset: int = OPSET,
    output_name: str = "last_hidden_state",
) -> Path:
    """Export a BERT-like HF model folder or torch module to ONNX (fp32, or int8 per-channel) at out_path."""
    import torch

    out_path = Path(out_path)
    module = load_module(model_dir_or_module)
    with_types = _takes_token_type_ids(module)
    names = list(_INPUTS if with_types else _INPUTS[:2])

    class _Wrapped(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *args):
            return _first_output(self.inner(**dict(zip(names, args))))

    wrapped = _Wrapped(module).eval()
    dummy = tuple(
        torch.ones(2, 8, dtype=torch.long) if n != "token_type_ids" else torch.zeros(2, 8, dtype=torch.long)
        for n in names
    )
    with torch.no_grad():
        rank = _first_output(wrapped(*dummy)).dim()
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes[output_name] = {0: "batch", 1: "sequence"} if rank >= 3 else {0: "batch"}
    fp32_tmp = _atomic_target(out_path)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # legacy-exporter deprecation and tracer warnings are expected
            torch.onnx.export(
                wrapped,
                dummy,
                str(fp32_tmp),
                dynamo=False,
                opset_version=opset,
                input_names=names,
                output_names=[output_name],
                dynamic_axes=axes,
                do_constant_folding=True,
            )
        if int8:
            int8_tmp = _atomic_target(out_path)
            try:
                quantize_int8(fp32_tmp, int8_tmp, _atomic=False)
                os.replace(int8_tmp, out_path)
            finally:
                int8_tmp.unlink(missing_ok=True)
        else:
            os.replace(fp32_tmp, out_path)
    finally:
        fp32_tmp.unlink(missing_ok=True)
    log.info(
        "Exported %s to %s (%s)",
        getattr(model_dir_or_module, "name_or_path", model_dir_or_module),
        out_path,
        "int8" if int8 else "fp32",
    )
    return out_path


def quantize_int8(
    fp32_path: str | os.PathLike[str], out_path: str | os.PathLike[str], _atomic: bool = True
) -> Path:
    """Dynamic int8 quantisation of an fp32 ONNX model: per-channel, signed int8 weights."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_path = Path(out_path)
    target = _atomic_target(out_path) if _atomic else out_path
    try:
        root = logging.getLogger()
        level = root.level
        # quantize_dynamic warns about pre-processing on the root logger
        root.setLevel(max(level, logging.ERROR))
        try:
            quantize_dynamic(str(fp32_path), str(target), per_channel=True, weight_type=QuantType.QInt8)
        finally:
            root.setLevel(level)
        if _atomic:
            os.replace(target, out_path)
    finally:
        if _atomic:
            target.unlink(missing_ok=True)
    return out_path


def make_session(path: str | os.PathLike[str], threads: int | None = None):
    """An onnxruntime CPU InferenceSession with intra-op threads = threads or os.cpu_count()."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = int(threads or os.cpu_count() or 1)
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"Cannot load ONNX model {path}: {exc}. Delete the file to re-export it.") from None


class OnnxTokenModel:
    """Runs an exported ONNX model over texts and returns token states, attention mask and char offsets."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        tokenizer_json_path: str | os.PathLike[str],
        threads: int | None = None,
    ):
        from voc.encode.source import load_tokenizer

        self.path = Path(path)
        self.session = make_session(self.path, threads)
        self.input_names = [i.name for i in self.session.get_inputs()]
        tok_path = Path(tokenizer_json_path)
        self.tokenizer = load_tokenizer(tok_path.parent, tok_path)
        self.pad_id = pad_token_id(self.tokenizer)
        self._lock = threading.Lock()
        self.calls = 0  # number of model invocations (batches), for tests and stats

    def run_ids(
        self, input_ids: np.ndarray, attention_mask: np.ndarray, token_type_ids: np.ndarray | None = None
    ) -> np.ndarray:
        """Model output (token states) for a padded int64 batch."""
        feed = {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = (
                np.zeros_like(feed["input_ids"])
                if token_type_ids is None
                else token_type_ids.astype(np.int64)
            )
        self.calls += 1
        return self.session.run(None, {k: v for k, v in feed.items() if k in self.input_names})[0]

    def tokenize(
        self, texts: Sequence[str], max_length: int = 128
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Padded input_ids, attention_mask, token_type_ids (B, L) and char offsets (B, L, 2), truncated."""
        with self._lock:  # truncation is tokenizer state
            self.tokenizer.enable_truncation(max_length)
            try:
                encs = self.tokenizer.encode_batch(list(texts))
            finally:
                self.tokenizer.no_truncation()
        width = max((len(e.ids) for e in encs), default=0)
        ids = np.full((len(encs), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        types = np.zeros((len(encs), width), dtype=np.int64)
        offsets = np.zeros((len(encs), width, 2), dtype=np.int64)
        for i, e in enumerate(encs):
            n = len(e.ids)
            ids[i, :n], mask[i, :n], types[i, :n] = e.ids, e.attention_mask, e.type_ids
            offs = np.asarray(e.offsets, dtype=np.int64).reshape(n, 2)
            offs[np.asarray(e.special_tokens_mask, dtype=bool)] = 0
            offsets[i, :n] = offs
        return ids, mask, types, offsets

    def run(self, texts: Sequence[str], max_length: int = 128) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Token states (B, L, H) (or the model's output), attention mask (B, L) and offsets (B, L, 2)."""
        ids, mask, types, offsets = self.tokenize(texts, max_length)
        if not len(ids):
            return np.zeros((0, 0, 0), np.float32), mask, offsets
        return self.run_ids(ids, mask, types), mask, offsets


def pad_token_id(tokenizer) -> int:
    """The padding token id of a `tokenizers.Tokenizer` ([PAD] or <pad>; 0 if neither exists)."""
    pad = tokenizer.padding
    if pad and pad.get("pad_id") is not None:
        return int(pad["pad_id"])
    for tok in ("[PAD]", "<pad>"):
        tid = tokenizer.token_to_id(tok)
        if tid is not None:
            return int(tid)
    return 0
