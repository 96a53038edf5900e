"""voc.evaluate: evaluation tables for the lenses (`voc eval ...`)."""
