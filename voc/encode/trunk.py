"""The shared trunk: an exported MiniLM graph split after its bottom k layers into a trunk and a top.

The trunk graph takes the model inputs and returns the hidden states after layer k plus the additive
attention bias (B, 1, L, L) the layers use; the top graph takes those two and returns the last hidden state.
The shared encoder runs trunk then top; the sentiment model (fine-tuned with its embeddings and bottom
layers frozen, so those weights are the base model's) runs only its own top on the same trunk states.
Splits are cut from the cached ONNX exports with `onnx.utils.extract_model`, so no weight is exported twice
and nothing is shipped: they live in the cache, keyed by the source graph's hash and k.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

from voc.errors import ModelError

log = logging.getLogger(__name__)

BIAS = "/inner/Where_1_output_0"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def hidden_name(k: int) -> str:
    """The graph tensor holding the hidden states after the first k layers (k >= 1)."""
    return f"/inner/encoder/layer.{k - 1}/output/LayerNorm/LayerNormalization_output_0"


def _file_sha(path: Path) -> str:
    st = path.stat()
    return _sha(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _sha(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def split_paths(graph: Path, k: int, part: str) -> Path:
    """The cached trunk ('trunk') or top ('top') graph cut from `graph` after k layers, made on first use."""
    from filelock import FileLock

    from voc.paths import cache_dir

    graph = Path(graph)
    folder = cache_dir() / "onnx" / "split" / f"{_file_sha(graph)}-k{k}"
    target = folder / f"{part}.onnx"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".split.lock"), timeout=900):
        if target.is_file():
            return target
        import onnx  # only when a split is made: importing onnx is slow, and cached splits do not need it
        from onnx.utils import extract_model

        names = [i.name for i in onnx.load(str(graph), load_external_data=False).graph.input]
        if part == "trunk":
            ins, outs = [n for n in INPUTS if n in names], [hidden_name(k), BIAS]
        else:
            ins, outs = [hidden_name(k), BIAS], ["last_hidden_state"]
        tmp = folder / f".{part}.{os.getpid()}.tmp.onnx"
        try:
            extract_model(str(graph), str(tmp), ins, outs)
            os.replace(tmp, target)
        except Exception as exc:  # noqa: BLE001 - onnx raises several types for a graph it cannot cut
            raise ModelError(
                f"Cannot split {graph} after layer {k} ({exc}); set encoder.shared_trunk: 0 to run "
                "the encoder and the sentiment model separately."
            ) from None
        finally:
            tmp.unlink(missing_ok=True)
    log.info("Cut the %s of %s after layer %d at %s", part, graph, k, target)
    return target


class Trunk:
    """The bottom k layers of a graph: token inputs -> (hidden states, attention bias)."""

    def __init__(self, graph: Path, k: int, threads: int | None):
        from voc.encode.onnx_export import make_session

        self.k = k
        self.graph = Path(graph)
        self.session = make_session(split_paths(graph, k, "trunk"), threads)
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.calls = 0

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hidden states (B, L, D) after layer k and the attention bias (B, 1, L, L)."""
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        self.calls += 1
        hidden, bias = self.session.run(None, feed)
        return hidden, bias


class Top:
    """The layers above k of a graph: (hidden states, attention bias) -> last hidden state."""

    def __init__(self, graph: Path, k: int, threads: int | None):
        from voc.encode.onnx_export import make_session

        self.k = k
        self.session = make_session(split_paths(graph, k, "top"), threads)
        self.calls = 0

    def __call__(self, hidden: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """Last hidden state (B, L, D) for trunk states; rows and trailing padding may be cut first."""
        self.calls += 1
        return self.session.run(None, {hidden_name(self.k): hidden, BIAS: bias})[0]


def holds_bottom_of(trunk: Trunk, graph: Path, reference: Path | None = None) -> bool:
    """Whether `graph`'s weights feeding the trunk's nodes are exactly those of `reference` cut after the
    trunk's k layers (default: the trunk's own graph); checked once per pair, cached.

    True for a model fine-tuned with its embeddings and bottom k layers frozen and quantised like the trunk,
    so running its top on the trunk's states is running the model itself. With `reference` the int8 export
    of an fp32 trunk's model, True says `graph` holds the int8 form of the very layers the trunk runs in fp32.
    """
    graph = Path(graph)
    reference = Path(reference) if reference is not None else trunk.graph
    trunk_path = split_paths(reference, trunk.k, "trunk")
    marker = trunk_path.parent / f"same-as-{_file_sha(graph)}.json"
    if marker.is_file():
        return bool(json.loads(marker.read_text(encoding="utf-8"))["same"])
    same = _same_weights(trunk_path, graph)
    tmp = marker.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"same": same, "graph": str(graph)}), encoding="utf-8")
    os.replace(tmp, marker)
    log.info("%s %s the weights of %s", graph, "holds" if same else "does not hold", trunk_path)
    return same


def _same_weights(trunk_path: Path, graph: Path) -> bool:
    import onnx
    from onnx import numpy_helper

    def weights(path: Path) -> dict[tuple[str, int], object]:
        g = onnx.load(str(path)).graph
        init = {i.name: i for i in g.initializer}
        return {(n.name, j): init[x] for n in g.node for j, x in enumerate(n.input) if x in init}

    mine, theirs = weights(trunk_path), weights(graph)
    for key, tensor in mine.items():
        if key not in theirs:
            return False
        a, b = numpy_helper.to_array(tensor), numpy_helper.to_array(theirs[key])
        if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b):
            return False
    return bool(mine)


@functools.lru_cache(maxsize=8)
def get_trunk(graph: str, k: int, threads: int | None) -> Trunk:
    """The process-wide trunk session for this graph and k (the encoder and sentiment share it)."""
    return Trunk(Path(graph), k, threads)


def rows(hidden: np.ndarray, bias: np.ndarray, mask: np.ndarray, keep: list[int]):
    """The trunk output of the rows `keep` only, trailing padding they do not need trimmed."""
    width = int(mask[keep].sum(1).max()) if keep else 0
    return hidden[keep, :width], bias[keep][:, :, :width, :width], mask[keep, :width]
