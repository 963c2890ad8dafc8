"""One export: open the store, stream filtered records into the chosen writer, report counts.

Every format reads the same :class:`RecordSource`, so a filter means the same thing in TMX
as in Parquet, and the summary's counts hold for whichever file was written.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from corpus.export import lines, parquet, tmx, xces
from corpus.export.atomic import (
    ExportError,
    FileSet,
    atomic_directory,
    atomic_file,
    atomic_files,
    check_directory_target,
    check_target,
    is_gzip_path,
)
from corpus.export.options import FORMATS, LangCodes, resolve_creation_date, tool_version
from corpus.export.records import ExportRecord, TextCleaner
from corpus.export.source import ExportFilters, ExportStats, RecordSource, summary_lines
from corpus.store import Store, StoreError

STDOUT = "-"
# Formats that are one stream, and so can go to stdout.
STREAM_FORMATS = ("tmx", "tsv", "jsonl")


@dataclass(frozen=True)
class ExportOptions:
    format: str
    output: str
    filters: ExportFilters = field(default_factory=ExportFilters)
    codes: LangCodes = field(default_factory=LangCodes)
    creation_date: datetime | None = None
    header: bool = False
    force: bool = False


def moses_paths(path: Path, codes: LangCodes) -> list[Path]:
    """``corpus`` -> corpus.en, corpus.ko; ``corpus.gz`` -> corpus.en.gz, corpus.ko.gz;
    the direction's source side first."""
    if is_gzip_path(path):
        base = path.with_suffix("")
        return [base.with_name(f"{base.name}.{code}.gz") for code in codes.tags]
    return [path.with_name(f"{path.name}.{code}") for code in codes.tags]


def target_paths(options: ExportOptions) -> list[Path]:
    """Every path the export writes under its final name (none for stdout)."""
    if options.output == STDOUT:
        return []
    if options.format == "moses":
        return moses_paths(Path(options.output), options.codes)
    return [Path(options.output)]


def check_options(options: ExportOptions) -> None:
    """Reject impossible combinations before the store is opened or a file is created."""
    fmt, output = options.format, options.output
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if output == STDOUT and fmt not in STREAM_FORMATS:
        why = {"moses": "it writes two files", "xces": "it writes a directory"}.get(
            fmt, "it needs a seekable file"
        )
        raise ExportError(f"-o -: --format {fmt} cannot write to stdout ({why}); give a path")
    if fmt == "moses" and (output.endswith(("/", os.sep)) or Path(output).is_dir()):
        raise ExportError(
            f"{output}: is a directory; moses writes PATH.en and PATH.ko, so give PATH"
        )
    if output != STDOUT and fmt in ("xces", "parquet") and is_gzip_path(Path(output)):
        raise ExportError(f"{output}: --format {fmt} cannot be gzip-compressed; drop the .gz")
    if fmt == "parquet":
        parquet.require_pyarrow()


def _write_stream(
    fmt: str, records: Iterable[ExportRecord], out: BinaryIO, options: ExportOptions
) -> None:
    codes = options.codes
    if fmt == "tmx":
        header = tmx.TmxHeader(
            codes, options.creation_date or resolve_creation_date(None), tool_version()
        )
        tmx.write_tmx(records, out, header)
    elif fmt == "tsv":
        lines.write_tsv(records, out, codes, header=options.header)
    elif fmt == "jsonl":
        lines.write_jsonl(records, out, codes)
    elif fmt == "parquet":
        parquet.write_parquet(records, out, codes)
    else:
        raise ExportError(f"--format {fmt} is not a single-stream format")


def _sentence_loader(db: sqlite3.Connection) -> xces.SentenceLoader:
    def load(doc_id: int) -> Iterable[tuple[int, int, str]]:
        return db.execute(
            "SELECT idx, paragraph, text FROM sentences WHERE doc_id = ? ORDER BY idx",
            (doc_id,),
        )

    return load


def _write(
    source: RecordSource, db: sqlite3.Connection, options: ExportOptions, stdout: BinaryIO
) -> None:
    fmt = options.format
    if options.output == STDOUT:
        _write_stream(fmt, source, stdout, options)
        stdout.flush()
        return
    path = Path(options.output)
    if fmt == "xces":
        check_directory_target(path, options.force, xces.is_xces_export)
        with atomic_directory(path) as tmp:
            xces.write_xces(source, tmp, options.codes, _sentence_loader(db), source.cleaner)
    elif fmt == "moses":
        paths = moses_paths(path, options.codes)
        for each in paths:
            check_target(each, options.force)
        with atomic_files(paths, is_gzip_path(path)) as streams:
            en_out, ko_out = options.codes.in_order(*streams)  # streams are source first
            lines.write_moses(source, en_out, ko_out)
    else:
        check_target(path, options.force)
        with atomic_file(path, is_gzip_path(path)) as out:
            _write_stream(fmt, source, out, options)


def _target_name(options: ExportOptions) -> str:
    if options.format == "moses" and options.output != STDOUT:
        return " and ".join(str(p) for p in target_paths(options))
    return "stdout" if options.output == STDOUT else options.output


def export_store(
    store_path: str | Path,
    options: ExportOptions,
    report: Callable[[str], None],
    stdout: BinaryIO | None = None,
) -> ExportStats:
    """Export the store's aligned pairs; ``report`` receives the summary lines.

    Raises :class:`ExportError` (one line, naming the path) for anything the user can fix.
    """
    check_options(options)
    store_path = Path(store_path)
    if not store_path.is_file():
        raise ExportError(f"{store_path}: no such store")
    store_files = FileSet([store_path])
    for target in target_paths(options):
        if target in store_files:
            raise ExportError(f"{target}: is the store being exported; choose another path")
    cleaner = TextCleaner()
    try:
        with Store(store_path) as store:
            source = RecordSource(store.db, options.filters, cleaner)
            _write(source, store.db, options, stdout or sys.stdout.buffer)
    except StoreError as exc:
        raise ExportError(str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise ExportError(f"{store_path}: {exc}") from exc
    except BrokenPipeError:
        raise  # a reader like `head` closed stdout: Click exits quietly, as Unix tools do
    except OSError as exc:
        raise ExportError(f"{options.output}: {exc.strerror or exc}") from exc
    for line in summary_lines(source.stats, options.filters, cleaner, _target_name(options)):
        report(line)
    if options.format == "xces" and options.output != STDOUT:
        report(f"  read it with: {xces.reader_command(Path(options.output), options.codes)}")
    if source.stats.written == 0:
        report(
            f"warning: nothing to export (empty store or no pair passed the filters); "
            f"wrote an empty {options.format} output to {_target_name(options)}"
        )
    return source.stats
