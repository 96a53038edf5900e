"""voc.store: the DuckDB store (runs, documents, predictions, sentences, themes, edits, rejects).

Every call opens a short-lived connection, so a pipeline (one writer per chunk commit) and the app
(read-only) can share one file; opens retry while another process holds the lock.

    store = Store("voc.duckdb")                      # created/migrated on the first writer open
    run_id = store.begin_run(cfg.config_hash(), cfg.model_dump(mode="json"), inputs)
    with store.writer() as w:                        # one chunk = one transaction
        new = w.write_documents(docs, run_id=run_id)
        w.write_predictions(preds, run_id=run_id)
        w.write_rejects(run_id, rejects)
        w.add_run_counts(run_id, read=n, accepted=new, duplicates=dup, rejected=len(rejects))
    store.finish_run(run_id, "done", timings, model_versions, peak_rss_mb)
    Store("voc.duckdb", read_only=True).documents_with_predictions("sentiment = ?", ["negative"])
"""

from voc.store.schema import MIGRATIONS, SCHEMA_VERSION, Migration
from voc.store.store import DEFAULT_PATH, Store, StoreSession

__all__ = ["DEFAULT_PATH", "MIGRATIONS", "SCHEMA_VERSION", "Migration", "Store", "StoreSession"]
