"""Corpus exports: TMX, XCES (OPUS), Moses, TSV, JSONL and Parquet from one filtered stream.

Entry point: :func:`export_store`. Records come from :class:`RecordSource` (one ordered SQL
query, filters counted), pass the text hygiene in :mod:`corpus.export.records`, and are
written atomically (:mod:`corpus.export.atomic`) by one writer module per format.
"""

from corpus.export.atomic import ExportError
from corpus.export.options import (
    DIRECTIONS,
    FORMATS,
    LangCodes,
    check_min_score,
    parse_flags,
    parse_lang_codes,
    parse_types,
    resolve_creation_date,
)
from corpus.export.records import ExportRecord, TextCleaner
from corpus.export.run import ExportOptions, export_store
from corpus.export.source import ExportFilters, ExportStats, RecordSource, is_restricted

__all__ = [
    "DIRECTIONS",
    "FORMATS",
    "ExportError",
    "ExportFilters",
    "ExportOptions",
    "ExportRecord",
    "ExportStats",
    "LangCodes",
    "RecordSource",
    "TextCleaner",
    "check_min_score",
    "export_store",
    "is_restricted",
    "parse_flags",
    "parse_lang_codes",
    "parse_types",
    "resolve_creation_date",
]
