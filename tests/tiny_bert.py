"""Test helper: a tiny WordPiece tokenizer and BERT config built locally (no hub download)."""

from __future__ import annotations

from pathlib import Path

WORDS = ["the", "staff", "were", "lovely", "app", "keeps", "crashing", "great", "flight", "lost", "my", "bag",
         "bad", "good", "service", ",", ".", "!"]  # fmt: skip
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def save_tokenizer(folder: Path):
    """Write a small WordPiece vocab (words, letters, ##letters) and a fast tokenizer into folder."""
    from transformers import BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *(f"##{c}" for c in LETTERS), *LETTERS]
    (folder / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    tok = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    tok.save_pretrained(str(folder))
    return tok


def tiny_config(vocab_size: int, **extra):
    """A 2-layer, 32-wide BertConfig (random weights are made from it with a fixed torch seed)."""
    from transformers import BertConfig

    return BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=37, max_position_embeddings=64, **extra)  # fmt: skip


def save_tiny_classifier(folder: Path, id2label: dict[int, str]) -> Path:
    """Save a random-init (seed 0) tiny BERT sequence classifier and its tokenizer into folder."""
    import torch
    from transformers import BertForSequenceClassification

    tok = save_tokenizer(folder)
    torch.manual_seed(0)
    cfg = tiny_config(
        len(tok), num_labels=len(id2label), id2label=id2label, label2id={v: k for k, v in id2label.items()}
    )
    BertForSequenceClassification(cfg).eval().save_pretrained(str(folder))
    return folder
