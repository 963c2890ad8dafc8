"""Parquet output through pyarrow (the optional ``parquet`` extra), written in row batches.

Batches keep memory bounded by the batch size rather than the corpus; the column layout
matches the JSONL export so a dataset can switch format without changing its loader.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, BinaryIO

from corpus.export.atomic import ExportError
from corpus.export.options import LangCodes
from corpus.export.records import ExportRecord

BATCH_ROWS = 10_000


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        raise ExportError("parquet export needs pyarrow: pip install 'dari[parquet]'") from exc
    return pyarrow, pyarrow.parquet


def parquet_schema(pa: Any, codes: LangCodes) -> Any:
    return pa.schema(
        [
            ("translation", pa.struct([(tag, pa.string()) for tag in codes.tags])),
            ("score", pa.float64()),
            ("flags", pa.list_(pa.string())),
            ("bead", pa.string()),
            ("en_doc", pa.string()),
            ("ko_doc", pa.string()),
            ("en_url", pa.string()),
            ("ko_url", pa.string()),
            ("en_published", pa.string()),
            ("ko_published", pa.string()),
            ("restricted", pa.bool_()),
        ]
    )


def _columns(batch: tuple[ExportRecord, ...], codes: LangCodes) -> dict[str, list[object]]:
    return {
        "translation": [codes.labelled(r.en, r.ko) for r in batch],
        "score": [r.score for r in batch],
        "flags": [list(r.flags) for r in batch],
        "bead": [r.bead_type for r in batch],
        "en_doc": [r.en_doc for r in batch],
        "ko_doc": [r.ko_doc for r in batch],
        "en_url": [r.en_url for r in batch],
        "ko_url": [r.ko_url for r in batch],
        "en_published": [r.en_published for r in batch],
        "ko_published": [r.ko_published for r in batch],
        "restricted": [r.restricted for r in batch],
    }


def _batches(records: Iterable[ExportRecord], size: int) -> Iterator[tuple[ExportRecord, ...]]:
    """``itertools.batched`` (Python 3.12+) for Python 3.11."""
    iterator = iter(records)
    while batch := tuple(islice(iterator, size)):
        yield batch


def require_pyarrow() -> None:
    """Fail before any output is created when the extra is not installed."""
    _pyarrow()


def write_parquet(records: Iterable[ExportRecord], out: BinaryIO, codes: LangCodes) -> None:
    pa, pq = _pyarrow()
    schema = parquet_schema(pa, codes)
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for batch in _batches(records, BATCH_ROWS):
            writer.write_table(pa.Table.from_pydict(_columns(batch, codes), schema=schema))
