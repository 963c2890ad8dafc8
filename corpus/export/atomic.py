"""Write outputs so that the final name only ever holds a complete file.

Everything is written to a temporary name in the target's own directory (same file system,
so the final ``os.replace`` is atomic) and renamed once the writer has finished and the data
is on disk. A kill, an exception or a full disk leaves at most a hidden ``.tmp`` file, never
a truncated corpus under the name a training job will pick up.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO


class ExportError(Exception):
    """An export cannot go ahead; the message is one line naming the path and the problem."""


def is_gzip_path(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


def check_target(path: Path, force: bool) -> None:
    """Refuse to overwrite, or to write where the directory does not exist."""
    if not path.parent.is_dir():
        raise ExportError(f"{path}: directory {path.parent} does not exist")
    if path.is_dir():
        raise ExportError(f"{path}: is a directory")
    if path.exists() and not force:
        raise ExportError(f"{path}: already exists (use --force to overwrite)")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _publish(tmp: Path, final: Path) -> None:
    """Give the finished file normal permissions (mkstemp makes it 0600), then rename it."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, final)


@contextmanager
def _gzip_or_plain(raw: BinaryIO, compress: bool) -> Iterator[BinaryIO]:
    """Compressed output without a name or time stamp in the header: same input, same bytes."""
    if not compress:
        yield raw
        return
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
        yield zipped  # type: ignore[misc]


@contextmanager
def atomic_files(paths: list[Path], compress: bool) -> Iterator[list[BinaryIO]]:
    """Binary streams for ``paths``; all of them appear at the end, or none of them."""
    temps: list[Path] = []
    try:
        with ExitStack() as stack:
            streams: list[BinaryIO] = []
            raws: list[BinaryIO] = []
            for path in paths:
                fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
                temps.append(Path(name))
                raw = stack.enter_context(os.fdopen(fd, "wb"))
                raws.append(raw)
                streams.append(stack.enter_context(_gzip_or_plain(raw, compress)))
            yield streams
            for stream in streams:
                stream.flush()
            stack.close()  # finishes the gzip trailers before the raw files close
        for tmp in temps:
            with open(tmp, "rb") as written:
                os.fsync(written.fileno())
        for tmp, path in zip(temps, paths, strict=True):
            _publish(tmp, path)
    except BaseException:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_file(path: Path, compress: bool) -> Iterator[BinaryIO]:
    with atomic_files([path], compress) as (stream,):
        yield stream


def _looks_like_export(directory: Path) -> bool:
    """Only an earlier export (XML files and language folders) may be replaced by --force."""
    return all(entry.is_dir() or entry.suffix == ".xml" for entry in directory.iterdir())


def check_directory_target(path: Path, force: bool) -> None:
    if not path.parent.is_dir():
        raise ExportError(f"{path}: directory {path.parent} does not exist")
    if path.exists() and not path.is_dir():
        raise ExportError(f"{path}: exists and is not a directory")
    if path.is_dir() and any(path.iterdir()):
        if not force:
            raise ExportError(f"{path}: already exists (use --force to overwrite)")
        if not _looks_like_export(path):
            raise ExportError(f"{path}: holds files other than an XCES export; not replacing it")


@contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """A temporary directory beside ``path`` that replaces it once the writer has finished."""
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
            os.replace(path, old / "previous")
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
