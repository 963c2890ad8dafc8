"""Saved HTML pages from any outlet: the fallback reader for pages no site-specific reader knows.

The main text comes from trafilatura (boilerplate removal that keeps paragraph structure);
metadata comes from what publishers declare for search engines and social media, which is
far more reliable than anything guessed from the page text: ``og:*``, ``article:*``,
canonical and ``hreflang`` links, JSON-LD. Rights notices are kept because whether a
corpus may be shared depends on them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml import etree

from corpus.article import Article, Paragraph
from corpus.language import detect_language, primary_language
from corpus.readers import Reader, ReadError, register
from corpus.readers.dates import KST

NAME = "generic-html"
MAX_RIGHTS_CHARS = 300
# Marks a line break while flattening; decode() rejects text with NUL bytes, so it is free.
_BREAK = "\x00"

_LOOKS_LIKE_HTML = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|p|div)\b", re.IGNORECASE
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_RIGHTS = re.compile(
    r"all rights reserved|©|\(c\)\s*\d{4}|copyright|무단\s*(?:전재|복제|배포)|재배포\s*금지|"
    r"AI\s*학습",
    re.IGNORECASE,
)
_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date.issued",
    "dcterms.created",
    "parsely-pub-date",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "byl", "parsely-author")
_RIGHTS_META = ("copyright", "dcterms.rights", "dc.rights", "rights")


def sniff(path: Path, text: str) -> bool:
    return _LOOKS_LIKE_HTML.search(text[:4096]) is not None


def read(path: Path, text: str) -> list[Article]:
    markup = _XML_DECLARATION.sub("", text, count=1)
    page = _parse(markup)
    paragraphs = _main_text(markup, page)
    if not any(p.kind == "body" for p in paragraphs):
        raise ReadError("no article body found")
    url = _page_url(page)
    title = _title(page) or paragraphs[0].text
    paragraphs = [p for p in paragraphs if p.text != title]
    language = detect_language("\n".join(p.text for p in paragraphs if p.kind == "body")) or ""
    extra: dict[str, str] = {}
    published = _published(page, url, language, extra)
    return [
        Article(
            id="",
            language=_declared_language(page) or language,
            title=title,
            paragraphs=paragraphs,
            subtitle=_meta(page, "og:description", "description"),
            published=published,
            byline=_author(page),
            url=url,
            original_url=_other_language_url(page, url, language),
            rights=_rights(page),
            extra=extra,
        )
    ]


def _parse(markup: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"cannot parse HTML ({exc})") from None


# -- main text -------------------------------------------------------------------------


def _main_text(markup: str, page: lxml.html.HtmlElement) -> list[Paragraph]:
    extracted = trafilatura.bare_extraction(
        markup,
        with_metadata=False,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )
    if extracted is None or extracted.body is None:
        return []
    paragraphs: list[Paragraph] = []
    for element in extracted.body:
        paragraphs.extend(_paragraphs_of(element))
    return [p for p in paragraphs if not _is_rights_line(p.text)]


def _paragraphs_of(element: etree._Element) -> Iterator[Paragraph]:
    """trafilatura's XML: <head>, <p>, <list><item>, <quote>; <lb/> splits a paragraph."""
    if element.tag == "head":
        kind = "heading"
    elif element.tag in {"p", "quote", "item"}:
        kind = "body"
    elif element.tag == "list":
        for item in element:
            yield from _paragraphs_of(item)
        return
    else:
        return
    for piece in _text_split_at_line_breaks(element):
        yield Paragraph(piece, kind)


def _text_split_at_line_breaks(element: etree._Element) -> list[str]:
    """Pages that separate paragraphs with <br> arrive as one <p> with <lb/>s: split there."""
    for line_break in element.iter("lb"):
        line_break.tail = _BREAK + (line_break.tail or "")
    text = "".join(element.itertext())
    return [" ".join(piece.split()) for piece in text.split(_BREAK) if piece.strip()]


def _is_rights_line(text: str) -> bool:
    return len(text) <= MAX_RIGHTS_CHARS and _RIGHTS.search(text) is not None


# -- metadata --------------------------------------------------------------------------


def _meta(page: lxml.html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for attribute in ("property", "name", "itemprop"):
            values = page.xpath(
                f"//meta[translate(@{attribute}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                f"'abcdefghijklmnopqrstuvwxyz') = $name]/@content",
                name=name.lower(),
            )
            for value in values:
                if value.strip():
                    return " ".join(value.split())
    return None


def _json_ld(page: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in page.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                yield node
                stack.extend(v for k, v in node.items() if k == "@graph")


def _title(page: lxml.html.HtmlElement) -> str | None:
    title = _meta(page, "og:title", "twitter:title")
    if title:
        return title
    for node in _json_ld(page):
        if isinstance(node.get("headline"), str) and node["headline"].strip():
            return " ".join(node["headline"].split())
    found = page.xpath("//h1")
    if found and found[0].text_content().strip():
        return " ".join(found[0].text_content().split())
    return " ".join(page.findtext(".//title", "").split()) or None


def _page_url(page: lxml.html.HtmlElement) -> str | None:
    url = _meta(page, "og:url")
    if url and _is_absolute(url):
        return url
    for href in page.xpath("//link[translate(@rel, 'CANOLI', 'canoli') = 'canonical']/@href"):
        if _is_absolute(href.strip()):
            return href.strip()
    return None


def _is_absolute(url: str) -> bool:
    return urlsplit(url).scheme in {"http", "https"}


def _author(page: lxml.html.HtmlElement) -> str | None:
    author = _meta(page, *_AUTHOR_META)
    if author and not _is_absolute(author):
        return author
    for node in _json_ld(page):
        names = _json_ld_names(node.get("author"))
        if names:
            return ", ".join(names)
    return None


def _json_ld_names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() and not _is_absolute(value.strip()) else []
    if isinstance(value, dict):
        return _json_ld_names(value.get("name"))
    if isinstance(value, list):
        return [name for entry in value for name in _json_ld_names(entry)]
    return []


def _declared_language(page: lxml.html.HtmlElement) -> str | None:
    """The page's ``<html lang>``; read_document checks it against the text."""
    lang = page.get("lang") or page.get("{http://www.w3.org/XML/1998/namespace}lang")
    return primary_language(lang) or None


def _published(
    page: lxml.html.HtmlElement, url: str | None, language: str, extra: dict[str, str]
) -> datetime | None:
    """Publication time as aware UTC.

    A time without an offset is read as KST on Korean pages (.kr host or Korean text,
    where sites print local time) and as UTC elsewhere; the assumption is noted in extra.
    """
    candidates = [_meta(page, name) for name in _PUBLISHED_META]
    candidates += [
        n["datePublished"] for n in _json_ld(page) if isinstance(n.get("datePublished"), str)
    ]
    candidates += page.xpath("//time/@datetime")
    for candidate in candidates:
        stamp = _parse_time(candidate)
        if stamp is None:
            continue
        if stamp.tzinfo is None:
            korean = language == "ko" or (urlsplit(url or "").hostname or "").endswith(".kr")
            stamp = stamp.replace(tzinfo=KST if korean else UTC)
            extra["published_timezone"] = "assumed KST" if korean else "assumed UTC"
        return stamp.astimezone(UTC)
    return None


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None


def _other_language_url(page: lxml.html.HtmlElement, url: str | None, language: str) -> str | None:
    """The ``hreflang`` alternate in another language; Korean for English pages and vice versa."""
    alternates: dict[str, str] = {}
    for link in page.xpath("//link[@hreflang][@href]"):
        if "alternate" not in (link.get("rel") or "").lower().split():
            continue
        lang = link.get("hreflang").strip().split("-")[0].lower()
        if lang and lang != "x" and lang != language and lang not in alternates:
            alternates[lang] = urljoin(url or "", link.get("href").strip())
    preferred = {"en": "ko", "ko": "en"}.get(language)
    if preferred in alternates:
        return alternates[preferred]
    return next(iter(alternates.values()), None)


def _rights(page: lxml.html.HtmlElement) -> str | None:
    """The page's rights notice: a declared one, else the short text blocks that state it."""
    declared = _meta(page, *_RIGHTS_META)
    notices = [declared] if declared else []
    for node in page.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"):
        if not _RIGHTS.search(node):
            continue
        holder = node.getparent()
        if node.is_tail and holder is not None:
            holder = holder.getparent()
        block = " ".join(holder.text_content().split()) if holder is not None else ""
        notice = block if 0 < len(block) <= MAX_RIGHTS_CHARS else " ".join(node.split())
        if notice and not any(notice in seen or seen in notice for seen in notices):
            notices.append(notice)
    return " ".join(notices)[: MAX_RIGHTS_CHARS * 2] or None


register(Reader(NAME, sniff, read, priority=90))
