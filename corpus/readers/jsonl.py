"""JSON Lines: one article a line, for corpora exported by other tools or scrapers.

Each line is an object ``{"id", "lang", "title", "published", "url", "original_url",
"text"}``; only ``text`` is required. Paragraphs in ``text`` are separated by blank lines
(single line breaks inside a paragraph are joined). A given ``id`` is the article id
(otherwise it comes from ``url``, else from the file path and line number). A given
``lang`` is checked against the text by :func:`read_document`: when the text settles it
(Korean or not is exact; other languages need 200+ characters) the detected language
wins, otherwise the declared one stays; either way the mismatch is a warning and the
other code is kept in ``extra``. A time without an offset in ``published`` is UTC. One
bad line is one error naming its line number; the other lines still read.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus.article import Article, Paragraph
from corpus.language import primary_language
from corpus.readers import ItemError, Reader, ReadError, ReadItem, ReadResult, register

NAME = "jsonl"
SUFFIXES = {".jsonl", ".ndjson", ".json"}
KNOWN_FIELDS = {
    "id",
    "lang",
    "title",
    "subtitle",
    "published",
    "byline",
    "url",
    "original_url",
    "rights",
    "text",
}
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def sniff(path: Path, text: str) -> bool:
    """The first non-blank line is a JSON object (or starts like one in a .jsonl file)."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if not first.startswith("{"):
        return False
    if path.suffix.lower() in SUFFIXES:
        return True
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def read(path: Path, text: str) -> ReadResult:
    result = ReadResult()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        raw = line.encode("utf-8")
        try:
            article = article_from_record(_parse_object(line))
        except ReadError as exc:
            result.errors.append(ItemError(number, str(exc), raw))
            continue
        result.items.append(ReadItem(article, raw=raw, line=number))
    return result


def article_from_record(record: dict[str, Any]) -> Article:
    text = _string_field(record, "text", required=True)
    paragraphs = [
        Paragraph(" ".join(chunk.split()))
        for chunk in _PARAGRAPH_BREAK.split(text or "")
        if chunk.strip()
    ]
    if not paragraphs:
        raise ReadError("'text' is empty")
    return Article(
        id=_string_field(record, "id") or "",
        language=primary_language(_string_field(record, "lang")),
        title=" ".join((_string_field(record, "title") or "").split()),
        paragraphs=paragraphs,
        subtitle=_string_field(record, "subtitle"),
        published=_published(_string_field(record, "published")),
        byline=_string_field(record, "byline"),
        url=_string_field(record, "url"),
        original_url=_string_field(record, "original_url"),
        rights=_string_field(record, "rights"),
        extra={
            key: str(value)
            for key, value in record.items()
            if key not in KNOWN_FIELDS and isinstance(value, str | int | float | bool)
        },
    )


def _parse_object(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise ReadError(f"expected a JSON object, got {type(record).__name__}")
    _refuse_lone_surrogates(record)
    return record


def _refuse_lone_surrogates(record: dict[str, Any]) -> None:
    """JSON may escape half a UTF-16 pair (``"\\ud800"``), which is not a character: it
    cannot be stored as UTF-8, so the line is refused here instead of crashing the store."""
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(exc.object[exc.start])
        raise ReadError(
            f"invalid text: \\u{code:04x} is half of a UTF-16 surrogate pair, not a character"
        ) from None


def _string_field(record: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ReadError(f"missing '{key}'")
        return None
    if isinstance(value, int) and key == "id":
        return str(value)
    if not isinstance(value, str):
        raise ReadError(f"'{key}' must be a string, not {type(value).__name__}")
    return value.strip()


def _published(value: str | None) -> datetime | None:
    """ISO 8601 to aware UTC; a time without an offset is taken as UTC."""
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise ReadError(f"'published' is not an ISO 8601 date: {value!r}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


register(Reader(NAME, sniff, read, priority=40))
