"""Sentence alignment and pair scoring: one module per method behind one interface."""
