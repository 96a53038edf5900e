"""voc.engine."""
