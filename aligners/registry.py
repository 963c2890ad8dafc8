"""Imports every aligner module so that each registers itself under its name."""

from aligners import bleualign, dari, length  # noqa: F401
