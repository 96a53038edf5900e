"""voc.lenses: registered lenses (voc.lenses.registry) over the shared encoder pass."""
