"""voc.train: reproducible training recipes for the shipped models (`voc train ...`)."""
