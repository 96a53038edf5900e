"""voc.store."""
