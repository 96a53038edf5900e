"""voc.lenses."""
