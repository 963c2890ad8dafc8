"""Plain-text dumps of Hankyoreh English articles (text copied or saved from english.hani.co.kr).

The dump keeps the page's reading order: title, a "Posted on : … KST Modified on : …"
line, the standfirst, photo captions (the page shows each twice: once as alt text, once
under the photo), body paragraphs, "By NAME, role", then page chrome (contact line, the
button to the Korean original, related and most-viewed lists). Only the article's own
paragraphs may reach the body: chrome in a corpus becomes bogus sentence pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from corpus.article import Article, Paragraph
from corpus.readers import Reader, ReadError, register
from corpus.readers.dates import kst_to_utc

NAME = "hankyoreh-text"

_POSTED = re.compile(
    r"^\s*Posted on\s*:\s*(?P<posted>\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2})\s*KST"
    r"(?:\s*Modified on\s*:\s*(?P<modified>\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2})\s*KST)?",
    re.MULTILINE,
)
_BYLINE = re.compile(r"^By\s+(?P<byline>[A-Z][\w'’.-]*(?:[ -][\w'’.-]+)*(?:,\s*[^,]{2,60})?)$")
_BYLINE_ROLE = re.compile(r"writer|reporter|correspondent|editor|columnist|staff|professor", re.I)
_CREDIT_LINE = re.compile(r"^(?P<role>Translated|Edited) by\s+(?P<name>.+)$", re.IGNORECASE)
# A photo credit closing a caption: "(Reuters/Yonhap)", "(Kim Hye-yun/The Hankyoreh)", "(Yonhap)".
_PHOTO_CREDIT = re.compile(
    r"\((?:[^()]*/\s*)?(?:Yonhap|Reuters|AP|AFP|EPA|KCNA|Xinhua|Kyodo|Getty Images|"
    r"(?:The )?Hankyoreh|pool photo|courtesy of [^()]+|provided by [^()]+)\)\s*$",
    re.IGNORECASE,
)
_CREDIT_ROLES = {"translated": "translator", "edited": "editor"}
_CONTACT = re.compile(r"^Please direct questions or comments to\b", re.IGNORECASE)
_ORIGINAL_BUTTON = re.compile(r"^button that move to original korean article", re.IGNORECASE)
_END_OF_ARTICLE = re.compile(r"^(?:Related stories|Most viewed articles)\s*$", re.IGNORECASE)
_KOREAN_URL = re.compile(r"https?://(?:www\.)?hani\.co\.kr/arti/[^\s\])>]+")
_ENGLISH_URL = re.compile(r"https?://english\.hani\.co\.kr/arti/[^\s\])>]+")
_SNIFF_LINES = 12


def sniff(path: Path, text: str) -> bool:
    """A "Posted on : … KST" line near the top of plain text (not markup) marks a dump."""
    if text.lstrip().startswith("<"):
        return False
    head = "\n".join(text.split("\n")[:_SNIFF_LINES])
    return _POSTED.search(head) is not None


def read(path: Path, text: str) -> list[Article]:
    lines = text.split("\n")
    posted_at = _posted_line_index(lines)
    match = _POSTED.match(lines[posted_at])
    assert match is not None  # _posted_line_index only returns matching lines
    title = " ".join(line.strip() for line in lines[:posted_at] if line.strip())
    if not title:
        raise ReadError("Hankyoreh text dump without a title before 'Posted on'")
    parsed = _parse_after_posted(lines[posted_at + 1 :])
    if not parsed.paragraphs or not any(p.kind == "body" for p in parsed.paragraphs):
        raise ReadError("no article body found")
    extra = dict(parsed.extra)
    if match["modified"]:
        extra["modified"] = kst_to_utc(match["modified"]).isoformat()
    return [
        Article(
            id="",
            language="",
            title=title,
            paragraphs=parsed.paragraphs,
            subtitle=" ".join(parsed.standfirst) or None,
            published=kst_to_utc(match["posted"]),
            byline=parsed.byline,
            url=_first(_ENGLISH_URL, text),
            original_url=_first(_KOREAN_URL, text),
            link_note=parsed.link_note if not _first(_KOREAN_URL, text) else None,
            extra=extra,
        )
    ]


@dataclass
class _Parsed:
    standfirst: list[str] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    byline: str | None = None
    link_note: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _posted_line_index(lines: list[str]) -> int:
    for index, line in enumerate(lines[:_SNIFF_LINES]):
        if _POSTED.match(line):
            return index
    raise ReadError("no 'Posted on : … KST' line: not a Hankyoreh text dump")


def _parse_after_posted(lines: list[str]) -> _Parsed:
    """Walk the lines after the date line; the header block runs to the first blank line."""
    parsed = _Parsed()
    in_header = True
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line:
            in_header = in_header and not (parsed.standfirst or parsed.paragraphs)
            continue
        if _END_OF_ARTICLE.match(line):
            break
        if _is_repeated_caption(line, lines, index):
            parsed.paragraphs.append(Paragraph(line, "caption"))
            index = _skip_repeats(line, lines, index)
        elif _PHOTO_CREDIT.search(line) and len(line) < 400:
            parsed.paragraphs.append(Paragraph(line, "caption"))
        elif not _take_chrome_or_credit(line, lines[index:], parsed):
            if in_header:
                parsed.standfirst.append(line)
            else:
                parsed.paragraphs.append(Paragraph(line, "body"))
    return parsed


def _is_repeated_caption(line: str, lines: list[str], index: int) -> bool:
    return index < len(lines) and lines[index].strip() == line


def _skip_repeats(line: str, lines: list[str], index: int) -> int:
    while index < len(lines) and lines[index].strip() == line:
        index += 1
    return index


def _take_chrome_or_credit(line: str, rest: list[str], parsed: _Parsed) -> bool:
    """Consume a line that is about the article rather than part of it; True if consumed."""
    if _CONTACT.match(line):
        return True
    if _ORIGINAL_BUTTON.match(line):
        parsed.link_note = (
            "the page had a button to the original Korean article, but the text dump "
            "has no URL for it"
        )
        return True
    credit = _CREDIT_LINE.match(line)
    if credit:
        parsed.extra[_CREDIT_ROLES[credit["role"].lower()]] = credit["name"].strip()
        return True
    byline = _BYLINE.match(line)
    if byline and (_BYLINE_ROLE.search(line) or _only_chrome_follows(rest)):
        parsed.byline = byline["byline"].strip()
        return True
    return False


def _only_chrome_follows(rest: list[str]) -> bool:
    """True when no article text follows: what is left is blank, chrome or credits."""
    for raw_line in rest:
        line = raw_line.strip()
        if not line or _CONTACT.match(line) or _ORIGINAL_BUTTON.match(line):
            continue
        if _CREDIT_LINE.match(line):
            continue
        return bool(_END_OF_ARTICLE.match(line))
    return True


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0) if match else None


register(Reader(NAME, sniff, read, priority=30))
