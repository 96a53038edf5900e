"""voc.export."""
