"""Readers: one module per source format, all producing :class:`corpus.article.Article`.

A reader is registered with a ``sniff`` test (does this decoded file look like my format?)
and a ``read`` function. :func:`read_document` decodes the bytes, asks each reader in
priority order, and fills in what every article needs whatever the format: content hash,
source path, a stable id and the language detected from the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpus.article import Article


class ReadError(Exception):
    """A file cannot be read as an article; the message is one line naming the problem."""


@dataclass(frozen=True)
class Reader:
    name: str
    sniff: Callable[[Path, str], bool]
    read: Callable[[Path, str], list[Article]]
    priority: int = 50


READERS: list[Reader] = []


def register(reader: Reader) -> Reader:
    READERS.append(reader)
    READERS.sort(key=lambda r: r.priority)
    return reader
