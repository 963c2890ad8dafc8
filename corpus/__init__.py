"""Documents: reading, cleaning, segmenting, storing, pairing and writing corpora."""
