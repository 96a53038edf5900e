"""voc.app."""
