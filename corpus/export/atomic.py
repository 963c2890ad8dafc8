"""Write outputs so that the final name only ever holds a complete file.

Everything is written to a temporary name in the target's own directory (same file system,
so the final ``os.replace`` is atomic) and renamed once the writer has finished and the data
is on disk. A kill, an exception or a full disk leaves at most a hidden temporary
(``.NAME.XXXXXXXX.tmp``), never a truncated corpus under the name a training job will pick up.

A temporary is locked (``flock``) by its writer from its creation until it has been renamed,
and the lock dies with the writer's process. So the next write to the same target can tell
a killed writer's leftovers (unlocked: removed) from a concurrent writer's file (locked:
left alone), and two writes to one target at once both finish, the later rename winning.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows: without flock no temporary is provably stale, so none is removed
    fcntl = None  # type: ignore[assignment]


class ExportError(Exception):
    """An export cannot go ahead; the message is one line naming the path and the problem."""


def is_gzip_path(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


# -- outputs that are inputs ---------------------------------------------------------------


class FileSet:
    """Files known by every name they have: the resolved path (symlinks followed) and, for
    files that exist, device and inode (hard links). ``path in files`` asks whether writing
    ``path`` would write one of them."""

    def __init__(self, paths: Iterable[str | Path] = ()):
        self._keys: set[tuple] = set()
        for path in paths:
            self.add(path)

    @staticmethod
    def _identities(path: str | Path) -> set[tuple]:
        keys: set[tuple] = {("path", os.path.realpath(path))}
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return keys
        keys.add(("inode", info.st_dev, info.st_ino))
        return keys

    def add(self, path: str | Path) -> None:
        self._keys |= self._identities(path)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str | Path) and bool(self._identities(path) & self._keys)


def check_not_input(output: str | Path, inputs: Iterable[tuple[str, str | Path | None]]) -> None:
    """Refuse an output that is one of the ``(description, path)`` inputs, however it is
    spelt: writing it would destroy the data being read."""
    for description, path in inputs:
        if path is not None and str(path) != "-" and output in FileSet([path]):
            raise ExportError(f"{output}: is {description} {path}; choose another output")


# -- checks before writing -------------------------------------------------------------------


def check_target(path: Path, force: bool) -> None:
    """Refuse to overwrite, or to write where the directory does not exist."""
    try:
        if not path.parent.is_dir():
            raise ExportError(f"{path}: directory {path.parent} does not exist")
        if path.is_dir():
            raise ExportError(f"{path}: is a directory")
        exists = path.exists()
    except OSError as exc:  # a name too long, a loop of symbolic links
        raise ExportError(f"{path}: {exc.strerror}") from None
    if exists and not force:
        raise ExportError(f"{path}: already exists (use --force to overwrite)")


def check_directory_target(path: Path, force: bool, replaceable: Callable[[Path], bool]) -> None:
    """Refuse a directory target that holds anything unless ``force`` is given and
    ``replaceable`` recognises the whole directory as an earlier export."""
    if not path.parent.is_dir():
        raise ExportError(f"{path}: directory {path.parent} does not exist")
    if path.exists() and not path.is_dir():
        raise ExportError(f"{path}: exists and is not a directory")
    if path.is_dir() and any(path.iterdir()):
        if not force:
            raise ExportError(f"{path}: already exists (use --force to overwrite)")
        if not replaceable(_final_path(path)):
            raise ExportError(
                f"{path}: holds files other than an earlier XCES export; not replacing it"
            )


# -- locked temporaries ----------------------------------------------------------------------


def _final_path(path: Path) -> Path:
    """Where to write: through a symbolic link, so that the link itself survives."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _is_special(path: Path) -> bool:
    """A FIFO, a device (``/dev/null``) or a socket: written in place, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _temporary_name(final: Path) -> re.Pattern[str]:
    """``.NAME.XXXXXXXX.tmp`` (and ``.old``): ``tempfile``'s eight random characters, so
    the temporaries of ``corpus`` never include those of ``corpus.en``."""
    return re.compile(rf"\.{re.escape(final.name)}\.[a-z0-9_]{{8}}\.(?:tmp|old)")


def _try_lock(fd: int, wait: bool) -> bool:
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def _still_named(path: Path, fd: int) -> bool:
    """True while ``path`` is the file or directory open as ``fd``."""
    try:
        named, held = os.lstat(path), os.fstat(fd)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _open_for_lock(path: Path) -> int:
    """A descriptor to lock: read-only, never following a link, never blocking on a FIFO."""
    return os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))


@contextmanager
def _locked_temporary(final: Path, suffix: str, directory: bool) -> Iterator[Path]:
    """A new temporary beside ``final``, locked until the block ends (so also while it is
    renamed). A cleaner may remove it between its creation and the lock; then another one
    is made."""
    while True:
        if directory:
            name = tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=suffix)
        else:
            made, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=suffix)
            os.close(made)
        path = Path(name)
        fd = _open_for_lock(path)
        _try_lock(fd, wait=True)
        if _still_named(path, fd):
            break
        os.close(fd)
    try:
        yield path
    finally:
        os.close(fd)


def remove_stale_temporaries(final: Path) -> int:
    """Remove the temporaries of ``final`` that no live process holds (left by a killed
    write); return how many were removed."""
    pattern = _temporary_name(final)
    try:
        names = [entry.name for entry in os.scandir(final.parent) if pattern.fullmatch(entry.name)]
    except OSError:
        return 0
    return sum(_remove_if_unlocked(final.parent / name) for name in names)


def _remove_if_unlocked(path: Path) -> bool:
    try:
        fd = _open_for_lock(path)
    except OSError:
        return False  # a symbolic link, or gone already
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) or not _try_lock(fd, wait=False):
            return False
        if not _still_named(path, fd):
            return False
        if stat.S_ISDIR(mode):
            shutil.rmtree(path)
        else:
            path.unlink()
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


# -- writing ---------------------------------------------------------------------------------


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
    """Binary streams for ``paths``; all of them appear at the end, or none of them.

    A path that is a FIFO or a device (``-o /dev/null``) is written in place: replacing it
    would destroy it, and a reader at its other end wants the stream itself. An ``OSError``
    about a temporary (or about no file: a failed write) names the final path instead.
    """
    finals = [_final_path(path) for path in paths]
    try:
        with _temporaries(finals) as temps:
            with ExitStack() as stack:
                streams: list[BinaryIO] = []
                for tmp, final in zip(temps, finals, strict=True):
                    raw = stack.enter_context(open(tmp or final, "wb"))  # noqa: SIM115
                    streams.append(stack.enter_context(_gzip_or_plain(raw, compress)))
                yield streams
                for stream in streams:
                    stream.flush()
                stack.close()  # finishes the gzip trailers before the raw files close
            written = [(tmp, final) for tmp, final in zip(temps, finals, strict=True) if tmp]
            for tmp, _ in written:
                with open(tmp, "rb") as done:
                    os.fsync(done.fileno())
            for tmp, final in written:
                _publish(tmp, final)
    except OSError as exc:
        _blame_the_output(exc, paths, finals)
        raise


@contextmanager
def _temporaries(finals: list[Path]) -> Iterator[list[Path | None]]:
    """A locked temporary beside each final path (None for a FIFO or device), after removing
    the stale ones; all of them are removed if the block fails."""
    for final in finals:
        remove_stale_temporaries(final)
    with ExitStack() as locks:
        temps: list[Path | None] = [
            None
            if _is_special(final)
            else locks.enter_context(_locked_temporary(final, ".tmp", directory=False))
            for final in finals
        ]
        try:
            yield temps
        except BaseException:
            for tmp in temps:
                if tmp is not None:
                    tmp.unlink(missing_ok=True)
            raise


def _blame_the_output(exc: OSError, paths: list[Path], finals: list[Path]) -> None:
    """Point ``exc`` at the output the user named rather than at a temporary of it."""
    blamed = Path(exc.filename).name if isinstance(exc.filename, str) else None
    for path, final in zip(paths, finals, strict=True):
        if blamed is None or blamed.startswith(f".{final.name}."):
            exc.filename = str(path)
            return


@contextmanager
def atomic_file(path: Path, compress: bool) -> Iterator[BinaryIO]:
    with atomic_files([path], compress) as (stream,):
        yield stream


@contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """A temporary directory beside ``path`` that replaces it once the writer has finished."""
    final = _final_path(path)
    remove_stale_temporaries(final)
    with _locked_temporary(final, ".tmp", directory=True) as tmp:
        try:
            yield tmp
            os.chmod(tmp, 0o777 & ~_umask())
            if final.exists():
                with _locked_temporary(final, ".old", directory=True) as old:
                    os.replace(final, old / "previous")
                    try:
                        os.replace(tmp, final)
                    except OSError:
                        os.replace(old / "previous", final)
                        raise
                    shutil.rmtree(old, ignore_errors=True)  # what is left goes next time
            else:
                os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
