"""Readers: one module per source format, all producing :class:`corpus.article.Article`.

A reader is registered with a ``sniff`` test (does this decoded file look like my format?)
and a ``read`` function. :func:`read_document` decodes the bytes, asks each reader in
priority order, and fills in what every article needs whatever the format: content hash,
source path, a stable id and the language detected from the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from courlan import normalize_url

from corpus.article import Article, content_hash
from corpus.language import detect_language


class ReadError(Exception):
    """A file cannot be read as an article; the message is one line naming the problem."""


@dataclass(frozen=True)
class Reader:
    name: str
    sniff: Callable[[Path, str], bool]
    read: Callable[[Path, str], list[Article] | ReadResult]
    priority: int = 50


READERS: list[Reader] = []


def register(reader: Reader) -> Reader:
    READERS.append(reader)
    READERS.sort(key=lambda r: r.priority)
    return reader


# -- reading one file ------------------------------------------------------------------


@dataclass(frozen=True)
class ItemError:
    """A problem with one item of a multi-article file (a JSONL line); the rest still read."""

    line: int | None
    reason: str
    raw: bytes | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


@dataclass
class ReadItem:
    """One article and the bytes it was read from.

    ``raw`` is None when the article is the whole file; formats with one article a line
    give the line, so that the store keeps (and hashes) each article's own source and
    editing one line of a big file re-versions only that article.
    """

    article: Article
    raw: bytes | None = None
    line: int | None = None


@dataclass
class ReadResult:
    """What a file yielded: articles, plus per-item errors and warnings that did not stop it.

    Readers of one-article formats simply return ``list[Article]``; readers of
    multi-article formats return a ReadResult so that one bad line is one error.
    """

    items: list[ReadItem] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    warnings: list[ItemError] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [item.article for item in self.items]


def read_document(
    path: Path, raw: bytes, reader: Reader | None = None, first_line: int = 1
) -> ReadResult:
    """Decode a file, read it with the first reader that recognises it, and complete its articles.

    Raises :class:`ReadError` when the whole file cannot be read; problems with single
    items of a multi-article file come back in ``errors`` instead. A block of a large
    one-article-a-line file is read with the ``reader`` chosen for the file, and its line
    numbers start at ``first_line``.
    """
    text = decoding.decode(raw, path)
    reader = reader or pick_reader(path, text)
    produced = reader.read(path, text)
    multi = isinstance(produced, ReadResult)
    found = produced if multi else ReadResult([ReadItem(a) for a in produced])
    if multi and first_line != 1:
        _shift_lines(found, first_line - 1)
    result = ReadResult(errors=list(found.errors), warnings=list(found.warnings))
    for number, item in enumerate(found.items, start=1):
        line = item.line if item.line is not None else number
        try:
            warning = _complete(item, path, raw, reader.name, line if multi else None)
        except ReadError as exc:
            if not multi:
                raise
            result.errors.append(ItemError(line, str(exc), item.raw))
            continue
        if warning:
            result.warnings.append(ItemError(line if multi else None, warning))
        result.items.append(item)
    if not result.items and not result.errors:
        raise ReadError(f"no articles found ({reader.name})")
    return result


def _shift_lines(found: ReadResult, offset: int) -> None:
    for item in found.items:
        item.line = item.line + offset if item.line is not None else None
    found.errors[:] = [
        ItemError(e.line + offset if e.line is not None else None, e.reason, e.raw)
        for e in found.errors
    ]
    found.warnings[:] = [
        ItemError(w.line + offset if w.line is not None else None, w.reason, w.raw)
        for w in found.warnings
    ]


def pick_reader(path: Path, text: str) -> Reader:
    for reader in READERS:
        if reader.sniff(path, text):
            return reader
    start = " ".join(text[:60].split())
    raise ReadError(f"unrecognised format (no reader accepts a file starting {start!r})")


def _complete(
    item: ReadItem, path: Path, file_raw: bytes, reader_name: str, line: int | None
) -> str | None:
    """Fill what every article needs whatever its format; return a warning, if any."""
    article = item.article
    if not article.content_hash:
        own = item.raw if item.raw is not None else file_raw
        suffix = f"#{line}".encode() if line is not None and item.raw is None else b""
        article.content_hash = content_hash(own + suffix)
    article.source_path = str(path)
    article.source_format = article.source_format or reader_name
    warning = _settle_language(article)
    if not article.id:
        article.id = (
            article_id_from_url(article.url)
            if article.url
            else str(path.resolve()) + (f"#{line}" if line is not None else "")
        )
    return warning


# Below this many characters py3langid's verdict does not overrule a declared language.
MIN_CHARS_TO_OVERRULE = 200


def _settle_language(article: Article) -> str | None:
    """Set the language from the body text; a contradicting declared one is flagged.

    The text is the better witness: a mislabelled Korean article filed as English would
    poison pairing, and Korean vs. not-Korean is decided exactly from the script. For
    other languages a short text is weak evidence, so there the declared code stands.
    Whichever loses is kept in ``extra`` and the mismatch is returned as a warning.
    """
    body = "\n".join(p.text for p in article.body) or article.text
    detected = detect_language(body)
    declared = article.language
    if detected is None:
        if not declared:
            raise ReadError("no text with letters to identify the language")
        return None
    if not declared or declared == detected:
        article.language = detected
        return None
    if "ko" in (declared, detected) or len(body) >= MIN_CHARS_TO_OVERRULE:
        article.language = detected
        article.extra["declared_language"] = declared
        return f"declared language {declared!r} but the text is {detected!r}; using {detected!r}"
    article.extra["detected_language"] = detected
    return (
        f"declared language {declared!r}, the short text looks {detected!r}; keeping {declared!r}"
    )


def article_id_from_url(url: str) -> str:
    """A stable article id from a URL: host and path, whatever the scheme, www. or tracking."""
    try:
        parts = urlsplit(normalize_url(url.strip()))
    except ValueError:
        return url.strip()
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return host + path + (f"?{parts.query}" if parts.query else "")


# Imported last: these modules use the names defined above (reader modules register
# themselves on import).
from corpus import decoding  # noqa: E402
from corpus.readers import generic_html, hani_html, hankyoreh_text, jsonl  # noqa: E402, F401
