"""The reusable ONNX helpers: export any BERT-like model or module, and run it for token states."""

from __future__ import annotations

import numpy as np
import pytest

pytest_plugins = ["test_encode_support"]  # shared fixtures: one ONNX export per test run


def test_onnx_token_model_runs_the_cached_export(onnx_fp32):
    from voc.encode.onnx_export import OnnxTokenModel

    texts = ["Lost my bag in Denver.", "Great crew, smooth flight and the snacks were good too!"]
    model = OnnxTokenModel(onnx_fp32.backend.path, onnx_fp32.source.path / "tokenizer.json", threads=2)
    states, mask, offsets = model.run(texts, max_length=128)
    assert states.shape[:2] == mask.shape == offsets.shape[:2] and states.shape[2] == 384
    assert mask[0].sum() < mask[1].sum() and mask[0, -1] == 0
    assert tuple(offsets[0, 0]) == (0, 0)  # [CLS]
    assert texts[0][offsets[0, 1, 0] : offsets[0, 1, 1]].lower() == "lost"
    pooled = (states * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    assert ((pooled * onnx_fp32.encode(texts)).sum(1) > 0.9999).all()
    short, mask8, _ = model.run(texts, max_length=8)
    assert short.shape[1] == 8 and mask8.sum() == 16


def _tiny_bert():
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    cfg = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    return BertModel(cfg).eval()


def test_export_module_fp32_and_int8(tmp_path, onnx_fp32):
    import torch

    from voc.encode.onnx_export import OnnxTokenModel, export_onnx

    bert = _tiny_bert()
    tok_json = onnx_fp32.source.path / "tokenizer.json"
    fp32 = export_onnx(bert, tmp_path / "tiny.onnx", int8=False)
    int8 = export_onnx(bert, tmp_path / "tiny.int8.onnx", int8=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.int8.onnx", "tiny.onnx"]  # no temp files left
    texts = ["refund please", "the seat was broken and the crew did not care at all"]
    states, mask, _ = OnnxTokenModel(fp32, tok_json, threads=1).run(texts, max_length=32)
    ids = OnnxTokenModel(fp32, tok_json).tokenizer.encode_batch(texts)
    with torch.no_grad():
        for i, e in enumerate(ids):
            ref = bert(input_ids=torch.tensor([e.ids])).last_hidden_state[0].numpy()
            assert np.abs(states[i, : len(e.ids)] - ref).max() < 1e-4
    q, _, _ = OnnxTokenModel(int8, tok_json, threads=1).run(texts, max_length=32)
    m = mask[..., None]
    a, b = (states * m).sum(1), (q * m).sum(1)
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    assert cos.min() > 0.9


def test_export_head_module_without_token_types(tmp_path, onnx_fp32):
    """A fine-tuned classifier (mean pooling + linear head) exports with its logits as output."""
    import torch

    from voc.encode.onnx_export import OnnxTokenModel, export_onnx

    class Head(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = _tiny_bert()
            self.head = torch.nn.Linear(32, 3)

        def forward(self, input_ids, attention_mask):
            h = self.body(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).float()
            return self.head((h * m).sum(1) / m.sum(1))

    model = Head().eval()
    path = export_onnx(model, tmp_path / "head.onnx", output_name="logits")
    runner = OnnxTokenModel(path, onnx_fp32.source.path / "tokenizer.json", threads=1)
    assert runner.input_names == ["input_ids", "attention_mask"]
    logits, mask, _ = runner.run(["good", "bad service overall"], max_length=16)
    with torch.no_grad():
        ref = model(
            torch.from_numpy(runner.tokenize(["good", "bad service overall"], 16)[0]), torch.from_numpy(mask)
        ).numpy()
    assert logits.shape == (2, 3) and np.abs(logits - ref).max() < 1e-4


def test_export_rejects_a_folder_without_config(tmp_path):
    from voc.encode.onnx_export import export_onnx
    from voc.errors import ModelError

    with pytest.raises(ModelError):
        export_onnx(tmp_path, tmp_path / "x.onnx")


@pytest.mark.slow  # two fresh processes importing torch: ~10 s of CPU
def test_concurrent_first_use_exports_once(tmp_path):
    """Two processes asking for the same export at once: one exports, the other waits; no torn files."""
    import subprocess
    import sys
    import textwrap

    from voc.encode.onnx_export import make_session

    model_dir = tmp_path / "tiny-bert"
    _tiny_bert().save_pretrained(model_dir)
    script = textwrap.dedent(f"""
        import os
        os.environ["VOC_CACHE_DIR"] = {str(tmp_path / "cache")!r}
        from voc.encode.backends import ensure_onnx
        from voc.encode.source import resolve_model
        print(ensure_onnx(resolve_model({str(model_dir)!r}), "int8"))
    """)
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outs = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and outs[0] == outs[1]
    folder = tmp_path / "cache" / "onnx"
    files = sorted(p.name for p in folder.rglob("*.onnx"))
    assert files == ["model.int8.onnx", "model.onnx"]  # no leftover temporary files
    make_session(outs[0], threads=1)
