"""voc.clean."""
