"""voc.insights."""
