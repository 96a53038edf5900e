"""Check that the sentiment model's frozen layers are the base encoder's: the premise of the shared trunk.

Run: python -m bench.frozen_layers [--model DIR]
The shipped sentiment graph (models/sentiment/model.int8.onnx, or DIR's) is compared, tensor by tensor (matched by the
node that reads it), with the base all-MiniLM-L6-v2 export quantised the same way (per-channel int8, cached
by voc.encode.backends.ensure_onnx). Prints, per part of the model, how many tensors are bit-identical.
Expected: the embeddings and the bottom freeze_layers layers (meta.json; 2 for the shipped model) all
identical (frozen in fine-tuning), the layers above not.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np

import voc  # noqa: F401  (sets HF_HUB_OFFLINE)
from voc.encode.backends import ensure_onnx
from voc.encode.source import resolve_model
from voc.lenses.sentiment import default_model_dir


def _tensors(path) -> dict[str, np.ndarray]:
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    return {f"{n.name}#{j}": init[x] for n in graph.node for j, x in enumerate(n.input) if x in init}


def _part(key: str) -> str:
    m = re.search(r"layer\.(\d+)/", key)
    return f"layer {m.group(1)}" if m else ("embeddings" if "embeddings" in key else "other")


def main() -> None:
    """Print identical/total tensors per part of the model."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None, help="sentiment model folder (default: shipped)")
    folder = ap.parse_args().model or default_model_dir()
    tuned = _tensors(folder / "model.int8.onnx")
    base = _tensors(ensure_onnx(resolve_model(None), "int8"))
    parts: dict[str, list[bool]] = {}
    for key in sorted(set(tuned) & set(base)):
        same = tuned[key].shape == base[key].shape and np.array_equal(tuned[key], base[key])
        parts.setdefault(_part(key), []).append(same)
    for part, flags in parts.items():
        print(f"{part:12s} {sum(flags)}/{len(flags)} tensors identical")
    print(f"only in one graph: {len(set(tuned) ^ set(base))}")


if __name__ == "__main__":
    main()
