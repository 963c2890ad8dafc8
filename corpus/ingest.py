"""Ingest: files and folders -> articles and sentences in the store.

Files are streamed one at a time in a sorted, deterministic order, so a folder of
100,000 pages needs no more memory than one page and two runs visit files alike. With
``workers`` > 1, sentence splitting (the costly step) runs in a pool of processes a few
articles ahead, and articles are still stored in input order by this process. Every
article is one store transaction: an interrupted run keeps what it finished and never
leaves half an article; a rerun skips what is already there (same content hash) and
turns changed articles into new versions. A file that cannot be read is recorded as a
reject (with its bytes, so a better reader can retry it) and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from corpus import decoding
from corpus.article import Article, content_hash
from corpus.readers import Reader, ReadError, ReadResult, pick_reader, read_document
from corpus.segment import segment_article
from corpus.store import Store, StoredSentence

# Documentation that travels with a folder of articles (README.md, LICENSE, NOTICE.txt).
DOCUMENTATION_STEMS = frozenset(
    ["readme", "license", "licence", "copying", "notice", "changelog", "authors", "citation"]
)

# Files that come with "save page as… complete" and are never articles.
PAGE_ASSET_SUFFIXES = frozenset(
    [
        ".css",
        ".js",
        ".mjs",
        ".map",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".avif",
        ".svg",
        ".ico",
        ".bmp",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".mp3",
        ".mp4",
        ".webm",
    ]
)
HTML_SUFFIXES = (".html", ".htm")
# The store and SQLite's companion files, which may well sit in the folder being ingested.
STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class IngestEvent:
    """One outcome: kind is 'new', 'version', 'same', 'rejected' or 'warning'."""

    kind: str
    path: str
    detail: str = ""


@dataclass
class IngestCounts:
    files: int = 0
    new: int = 0
    versions: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0

    def count(self, event: IngestEvent) -> None:
        field = {"new": "new", "version": "versions", "same": "unchanged"}.get(event.kind)
        if field is None:
            field = "rejected" if event.kind == "rejected" else "warnings"
        setattr(self, field, getattr(self, field) + 1)

    def summary(self) -> str:
        text = (
            f"{self.files} files: {self.new} new, {self.versions} new versions, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )
        return text + (f", {self.warnings} warnings" if self.warnings else "")


EventHandler = Callable[[IngestEvent], None]
Segmenter = Callable[[Article], "Future[list[StoredSentence]]"]
# JSON Lines files larger than this are read a block of this many bytes (rounded up to a
# whole line) at a time.
LINES_SUFFIXES = (".jsonl", ".ndjson")
BLOCK_BYTES = 4 << 20
# Articles being split ahead of the one being stored, per worker process.
AHEAD_PER_WORKER = 8


@dataclass(frozen=True)
class _ToStore:
    """An article read from ``path`` (at ``where``, with the line) whose sentences are
    being split."""

    path: str
    where: str
    article: Article
    raw: bytes
    sentences: Future[list[StoredSentence]]


def report_problems(event: IngestEvent) -> None:
    """Default handler: one line ``path: reason`` on stderr for each reject or warning."""
    if event.kind == "rejected":
        print(f"{event.path}: {event.detail}", file=sys.stderr, flush=True)
    elif event.kind == "warning":
        print(f"{event.path}: warning: {event.detail}", file=sys.stderr, flush=True)


def ingest_paths(
    paths: Iterable[str | Path],
    store: Store,
    on_event: EventHandler = report_problems,
    workers: int = 1,
) -> IngestCounts:
    """Ingest files and folders into ``store``; each outcome is passed to ``on_event``.

    Never raises for bad input (it becomes a reject); KeyboardInterrupt propagates after
    the article being stored is rolled back, so the store stays consistent.
    """
    counts = IngestCounts()

    def emit(event: IngestEvent) -> None:
        counts.count(event)
        on_event(event)

    def missing(path: Path) -> None:
        counts.files += 1  # a named input counts, so the summary's numbers add up
        _reject(store, emit, path, None)

    store_files = {store.path.resolve().with_name(store.path.name + x) for x in STORE_SUFFIXES}
    # One process stores each article as soon as it is split; a pool works ahead.
    limit = AHEAD_PER_WORKER * workers if workers > 1 else 0
    with _segmenter(workers) as segment:
        ahead: deque[_ToStore] = deque()

        def missing(path: Path) -> None:
            counts.files += 1  # a named input counts, so the summary's numbers add up
            _reject(store, emit, path, None)

        for path in iter_input_files(paths, on_missing=missing):
            if path.resolve() in store_files:
                continue
            counts.files += 1
            for item in ingest_file(path, store, emit, segment):
                ahead.append(item)
                while len(ahead) > limit:
                    _store_article(ahead.popleft(), store, emit)
        while ahead:
            _store_article(ahead.popleft(), store, emit)
    return counts


@contextmanager
def _segmenter(workers: int) -> Iterator[Segmenter]:
    """Split sentences here (one worker) or in a pool of spawned processes: Kiwi and
    pysbd are pure CPU work that one process cannot spread over cores."""
    if workers <= 1:
        yield _segment_here
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield lambda article: pool.submit(segment_article, article)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _segment_here(article: Article) -> Future[list[StoredSentence]]:
    future: Future[list[StoredSentence]] = Future()
    try:
        future.set_result(segment_article(article))
    except Exception as exc:
        future.set_exception(exc)
    return future


def _store_article(item: _ToStore, store: Store, emit: EventHandler) -> None:
    try:
        sentences = item.sentences.result()
    except Exception as exc:
        _reject(store, emit, item.where, item.raw, _unexpected(exc))
        return
    _, outcome = store.add_article(item.article, item.raw, sentences)
    emit(IngestEvent(outcome, item.path, item.article.id))


def iter_input_files(
    paths: Iterable[str | Path], on_missing: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """Files named and files under folders named, recursively, sorted, hidden ones skipped.

    A file named explicitly is always read; inside folders, hidden entries, page assets,
    documentation files (README, LICENSE, ...) and the ``NAME_files`` folder a browser
    saves next to ``NAME.html`` are skipped.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path
        elif on_missing is not None:
            on_missing(path)


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        visible_files = sorted(name for name in files if not name.startswith("."))
        html_stems = {
            name.rsplit(".", 1)[0] for name in visible_files if name.endswith(HTML_SUFFIXES)
        }
        dirs[:] = sorted(
            name
            for name in dirs
            if not name.startswith(".")
            and not (name.endswith("_files") and name.removesuffix("_files") in html_stems)
        )
        for name in visible_files:
            if not _is_page_asset_or_documentation(name):
                yield Path(root) / name


def _is_page_asset_or_documentation(name: str) -> bool:
    path = Path(name)
    if path.suffix.lower() in PAGE_ASSET_SUFFIXES:
        return True
    return path.stem.lower().split("-")[0] in DOCUMENTATION_STEMS


def ingest_file(
    path: Path, store: Store, emit: EventHandler, segment: Segmenter = _segment_here
) -> Iterator[_ToStore]:
    """Read one file; every problem becomes an event, never an exception. Yields the new
    articles with their sentence splitting under way, for the caller to store in order."""
    try:
        if path.suffix.lower() in LINES_SUFFIXES and path.stat().st_size > BLOCK_BYTES:
            yield from _ingest_in_blocks(path, store, emit, segment)
            return
        raw = path.read_bytes()
    except OSError as exc:
        _reject(store, emit, path, None, exc.strerror or str(exc))
        return
    if store.has_content(content_hash(raw)):
        store.clear_rejects(str(path))
        emit(IngestEvent("same", str(path)))
        return
    result = _read(path, raw, store, emit)
    if result is not None:
        store.clear_rejects(str(path))
        yield from _new_articles(path, raw, result, store, emit, segment)


def _ingest_in_blocks(
    path: Path, store: Store, emit: EventHandler, segment: Segmenter
) -> Iterator[_ToStore]:
    """A large JSON Lines file, a block of whole lines at a time: a dump of a million
    articles needs no more memory than one block. Each block is read with the reader
    chosen for the first, and a block that cannot be read at all is rejected on its own
    (named by its line range, its bytes kept) while the others go on."""
    store.clear_rejects(str(path))
    reader = None
    first_line = 1
    with path.open("rb") as lines:
        for block in _line_blocks(lines):
            count = block.count(b"\n") + (not block.endswith(b"\n"))
            where = f"{path}:{first_line}-{first_line + count - 1}"
            if block.strip():
                if reader is None:
                    reader = _reader_for(path, block)
                result = _read(path, block, store, emit, reader, first_line, where)
                if result is not None:
                    yield from _new_articles(path, block, result, store, emit, segment)
            first_line += count


def _line_blocks(lines: BinaryIO) -> Iterator[bytes]:
    while block := lines.read(BLOCK_BYTES):
        yield block + (lines.readline() if not block.endswith(b"\n") else b"")


def _reader_for(path: Path, block: bytes) -> Reader | None:
    try:
        return pick_reader(path, decoding.decode(block, path))
    except ReadError:
        return None  # the block's own read reports why


def _read(
    path: Path,
    raw: bytes,
    store: Store,
    emit: EventHandler,
    reader: Reader | None = None,
    first_line: int = 1,
    where: str | None = None,
) -> ReadResult | None:
    try:
        return read_document(path, raw, reader, first_line)
    except ReadError as exc:
        _reject(store, emit, where or path, raw, str(exc))
    except Exception as exc:  # a reader bug or a library crash must not end a batch
        _reject(store, emit, where or path, raw, _unexpected(exc))
    return None


def _new_articles(
    path: Path,
    raw: bytes,
    result: ReadResult,
    store: Store,
    emit: EventHandler,
    segment: Segmenter,
) -> Iterator[_ToStore]:
    for error in result.errors:
        _reject(store, emit, _where(path, error.line), error.raw, error.reason)
    for warning in result.warnings:
        emit(IngestEvent("warning", _where(path, warning.line), warning.reason))
    for item in result.items:
        if store.has_content(item.article.content_hash):
            # Checked before segmenting, the costly step, so that reruns are quick.
            emit(IngestEvent("same", str(path), item.article.id))
            continue
        item_raw = item.raw if item.raw is not None else raw
        yield _ToStore(
            str(path), _where(path, item.line), item.article, item_raw, segment(item.article)
        )


def _where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line is not None else str(path)


def _unexpected(exc: Exception) -> str:
    message = " ".join(str(exc).split())
    return f"internal error ({type(exc).__name__}: {message}); please report it"


def _reject(
    store: Store,
    emit: EventHandler,
    path: str | Path,
    raw: bytes | None,
    reason: str = "no such file or directory",
) -> None:
    store.add_reject(str(path), reason, raw)
    emit(IngestEvent("rejected", str(path), reason))


def format_stats(stats: Mapping[str, Any], store_path: str | Path) -> str:
    """Human-readable view of :meth:`Store.stats` for ``dari stats``."""
    rows = stats["by_language_and_source"]
    english = sum(row["documents"] for row in rows if row["lang"] == "en")
    paired = stats["paired_english_documents"]
    lines = [
        f"store: {store_path}",
        f"documents: {stats['documents']} current, {stats['old_versions']} old versions",
    ]
    lines.extend(
        f"  {row['lang']:<4} {row['source_format']:<16} {row['documents']:>7} documents "
        f"{row['sentences'] or 0:>9} sentences"
        for row in rows
    )
    lines.append(f"English documents: {paired} paired, {max(english - paired, 0)} unpaired")
    recent = stats["recent_rejects"]
    lines.append(f"rejected: {stats['rejected_files']}")
    lines.extend(f"  {row['source_path']}: {row['reason']}" for row in recent)
    if stats["rejected_files"] > len(recent):
        lines.append(f"  … and {stats['rejected_files'] - len(recent)} more")
    return "\n".join(lines)
