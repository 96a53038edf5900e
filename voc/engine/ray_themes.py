"""The Ray engine's themes stage: fit on the store's sample at the driver, assign every document on Ray actors.

Mirrors voc.engine.themes_stage.refresh_themes (same sample, same fit, same assignment rules), but the
assignment pass (encode from each worker's cache, nearest centroid, per-sentence themes) runs through
Ray Data `map_batches` on an actor pool that loads the encoder once per actor. The driver never holds every
text at once: it reads the store's text pages one at a time and puts each into Ray's object store (which
spills to disk when memory runs short), as it does with the input chunks, so Ray Data streams the pages
to the actors on any node.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator

import pandas as pd

from voc.config import PipelineConfig
from voc.engine.themes_stage import ASSIGN_BATCH, assign_batch, fit_themes, store_themes

TEXT_COLUMNS = ["doc_id", "text", "language"]


class ThemeAssigner:
    """A Ray Data actor: loads the encoder once, then assigns batches of documents (and sentences) to themes."""

    def __init__(self, cfg_json: str, fitted) -> None:
        import ray

        from voc.encode import get_encoder

        self.cfg = PipelineConfig.model_validate_json(cfg_json)
        self.encoder = get_encoder(self.cfg.encoder)
        self.fitted = ray.get(fitted) if isinstance(fitted, ray.ObjectRef) else fitted

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        """A page of documents in, one row out: the pickled (document themes, sentence themes)."""
        ids, texts, languages = (batch[c].tolist() for c in TEXT_COLUMNS)
        out = assign_batch(self.fitted, ids, texts, self.encoder, self.cfg, languages)
        return pd.DataFrame({"payload": [pickle.dumps(out)]})


def page_refs(pages: Iterable[pd.DataFrame]) -> Iterator:
    """Each page's (doc_id, text, language) put into Ray's object store as it is read: one page in memory at a time."""
    import ray

    for page in pages:
        yield ray.put(page[TEXT_COLUMNS].reset_index(drop=True))


def refresh_themes_ray(
    store, encoder, cfg: PipelineConfig, run_id: str, workers: int, progress=None
) -> pd.DataFrame:
    """Fit themes on the sample at the driver, assign all documents on Ray actors, store it all in one go."""
    import ray

    fitted = fit_themes(store, encoder, cfg, run_id)
    if fitted is None:
        return pd.DataFrame()
    refs = list(page_refs(store.text_pages(ASSIGN_BATCH)))  # object references only: the texts are in Ray
    doc_themes, sentence_themes = [], []
    if refs:
        ds = ray.data.from_pandas_refs(refs).map_batches(
            ThemeAssigner,
            fn_constructor_kwargs={"cfg_json": cfg.model_dump_json(), "fitted": ray.put(fitted)},
            compute=ray.data.ActorPoolStrategy(size=max(1, min(workers, len(refs)))),
            batch_size=ASSIGN_BATCH,
            batch_format="pandas",
            num_cpus=1,
        )  # fmt: skip
        task = progress.task("assigning themes (ray)") if progress else None
        for row in ds.iter_rows():
            docs_part, sentences_part = pickle.loads(row["payload"])
            doc_themes.append(docs_part)
            sentence_themes.append(sentences_part)
            if progress:
                progress.advance(task, len(docs_part))
    return store_themes(store, fitted, doc_themes, sentence_themes)
