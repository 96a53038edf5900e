"""voc.ingest."""
