"""voc.analyze (implemented here): ingest checks, clean, the shared encoder and every lens over in-memory data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voc.config import ColumnMap, InputConfig, PipelineConfig
from voc.errors import ConfigError, InputError

OUTPUT_FRONT = ("doc_id", "text")


def _config(config: Any) -> PipelineConfig:
    if config is None:
        return PipelineConfig()
    if isinstance(config, PipelineConfig):
        return config
    if isinstance(config, (str, Path)):
        return PipelineConfig.load(config)
    if isinstance(config, dict):
        return PipelineConfig.load(None, **config)
    raise ConfigError("config must be a PipelineConfig, a YAML path or a dict of sections.")


def _source(data: Any, text: str, cfg: PipelineConfig):
    from voc.ingest import frame_source, open_source

    base = cfg.inputs[0] if cfg.inputs else InputConfig()
    if isinstance(data, (str, Path)):
        path = Path(data)
        inp = base.model_copy(update={"path": path})
        if text != "text" and inp.columns.text is None:
            inp = inp.model_copy(update={"columns": inp.columns.model_copy(update={"text": text})})
        return open_source(inp)
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, (list, tuple, pd.Series)):
        frame = pd.DataFrame({text: list(data)})
    else:
        raise InputError("voc.analyze takes a DataFrame, a list of strings or a file path.")
    if text not in frame.columns:
        raise InputError(f"Column {text!r} is not in the DataFrame; columns are {list(frame.columns)}. Pass text=.")
    columns = base.columns.model_copy(update={"text": text}) if base.columns else ColumnMap(text=text)
    return frame_source(frame.reset_index(drop=True), base.model_copy(update={"columns": columns}))


def analyze(data: Any, *, text: str = "text", config: Any = None, profile: str | None = None) -> pd.DataFrame:
    """Analyse feedback; one row per input row in input order, with predictions and a reject_reason.

    `profile="fast"` selects the fast profile (int8 shared pass, sentiment from a head on its vectors).
    """
    from voc.engine.chunks import process_chunk
    from voc.engine.stages import load_models

    cfg = _config(config)
    if profile is not None:
        cfg = cfg.with_profile(profile)
    source = _source(data, text, cfg)
    models = load_models(cfg)
    parts, rejects, vectors = [], [], []
    for batch in source.batches():
        done = process_chunk(batch.frame, cfg, models, dedupe=False)  # the store dedupes; analyze does not
        rejects += [r for r in (batch.rejects, done.rejects) if len(r)]
        if done.analysed is not None:
            preds = done.analysed.predictions.drop(columns=["doc_id"])
            parts.append(pd.concat([done.cleaned.reset_index(drop=True), preds], axis=1))
            vectors.append(done.analysed.vectors)
    docs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["row_number", *OUTPUT_FRONT])
    if "themes" in cfg.lenses and cfg.themes.enabled and len(docs):
        from voc.engine.themes_stage import themes_in_memory

        themed = themes_in_memory(
            docs["text"].tolist(), np.vstack(vectors), cfg, models.encoder, docs["language"].tolist()
        )
        for name, values in zip(("theme_id", "theme_label", "theme_similarity", "theme_secondary"), themed):
            docs[name] = values
    columns = list(dict.fromkeys(o.name for o in models.outputs() if o.level == "document"))
    return _in_input_order(docs, rejects, columns)


def _in_input_order(docs: pd.DataFrame, rejects: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    docs = docs.copy()
    docs["reject_reason"] = None
    if rejects:
        rej = pd.concat(rejects, ignore_index=True)[["row_number", "reason"]].rename(columns={"reason": "reject_reason"})
        docs = pd.concat([docs, rej], ignore_index=True)
    for col in (*OUTPUT_FRONT, *columns):
        if col not in docs.columns:
            docs[col] = None
    docs = docs.sort_values("row_number", kind="stable").reset_index(drop=True)
    front = [*OUTPUT_FRONT, *columns, "reject_reason"]
    rest = [c for c in docs.columns if c not in front]
    return docs[front + rest]
