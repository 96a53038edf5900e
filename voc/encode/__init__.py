"""voc.encode."""
