"""Reader for saved Hankyoreh pages: english.hani.co.kr editions and www.hani.co.kr originals.

Two layouts are understood:

* the English edition (``/arti/english_edition/e_<section>/<id>.html``): a ``.title`` headline,
  "Posted on : 2024-01-22 16:58 KST  Modified on : …", a ``.subtitle`` standfirst, the body in
  ``.article-text`` (``<p>`` or ``<br>``-separated text), photo captions, a "By NAME, …"
  byline, the "Please direct questions…" footer and related / most-viewed lists;
* the Korean site's 2023 layout, built with CSS modules (``ArticleDetailView_title__9kRU_``):
  the hash suffix changes with every site build, so elements are found by class *prefix* only.

The link to the other-language version is taken only from ``<link rel="alternate" hreflang>``
or from an anchor inside the article itself. Related and most-viewed lists link other Hankyoreh
articles too, and pairing an article with one of those would silently corrupt a corpus, so
when no trustworthy link exists the reader says so in ``link_note`` instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlparse

import lxml.html
from lxml import etree

from corpus.article import Article, Paragraph
from corpus.language import detect_language
from corpus.readers import Reader, ReadError, register
from corpus.readers.dates import kst_to_utc

# Korea has not observed daylight saving time since 1988, so a fixed offset is exact.

_KOREAN_PREFIX = "ArticleDetailView_"
_ARTICLE_PATH = re.compile(r"^/arti/(?:[\w.-]+/)*(\d+)\.html?$")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_LOOKS_LIKE_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)

_POSTED = re.compile(r"(?:Posted on|등록)\s*:?\s*(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})")
_MODIFIED = re.compile(r"(?:Modified on|수정)\s*:?\s*(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})")

_ENGLISH_BYLINE = re.compile(r"^By\s+(?:[A-Z][\w'’.-]*\s*){1,5}(?:,\s*[^,]{0,60})?$")
_ENGLISH_FOOTER = re.compile(r"^Please direct (?:questions|comments)", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_REPORTER_TITLE = r"(?:선임기자|기자|특파원|통신원|논설위원|객원기자|인턴기자)"
_EMAIL_CREDIT_REST = re.compile(rf"^[\w\s·,]{{0,40}}{_REPORTER_TITLE}?[\s,]*$")
_DATELINE = re.compile(
    rf"^(?:[\w\s·]{{1,20}}/\s*[\w\s·,]{{1,30}}{_REPORTER_TITLE}"
    r"|[(\[][^()\[\]]{1,30}=[^()\[\]]{1,30}[)\]](?:\s*[\w\s·]{1,20}"
    + _REPORTER_TITLE
    + r"\s*=?)?)$"
)
_RIGHTS = re.compile(r"all rights reserved", re.IGNORECASE)

# The whole heading must match: a headline such as "Popular anger grows" is not a list title.
_LIST_HEADING = re.compile(
    r"^(?:related(?: stories| articles| news)?|most[- ]?(?:viewed|read|popular)"
    r"(?: articles| stories| news)?|popular(?: articles| stories| news)?|"
    r"관련\s*기사|많이\s*본\s*기사|인기\s*기사|주요\s*기사|추천\s*기사|함께\s*보면\s*좋은\s*기사)"
    r"\s*[:›»>]?$",
    re.IGNORECASE,
)
# Class/id tokens that mark page furniture: ads, players, sharing, lists of other articles.
_CHROME_TOKEN = re.compile(
    r"(?:^|[-_])ads?(?:$|[-_A-Z0-9])|advert|banner|related|popular|most-?view|mostview|"
    r"most_view|ranking|recommend|audio|player|share|sns|subscri|promotion|newsletter|comment",
    re.IGNORECASE,
)
_CHROME_TAGS = frozenset(
    {"script", "style", "noscript", "nav", "aside", "footer", "form", "button", "iframe", "svg"}
)
_MEDIA_TAGS = frozenset({"img", "picture", "video", "audio", "source", "template"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "li", "ul", "ol", "blockquote", "table", "tr"}
    | {"td", "th", "dl", "dt", "dd", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_CAPTION_CLASSES = frozenset({"desc", "caption", "image-desc", "photo-caption", "img-caption"})


@dataclass(frozen=True)
class _Link:
    url: str
    source: str


def normalize_space(text: str) -> str:
    """Collapse HTML whitespace the way a browser renders it."""
    return " ".join(text.split())


@lru_cache(maxsize=4)
def _parse(text: str) -> etree._Element:
    """Parse once for both sniff and read (the registry calls them back to back)."""
    return lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))


def _class_tokens(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def _has_class_prefix(element: etree._Element, prefix: str) -> bool:
    """True for ``prefix`` itself or a CSS-module name ``prefix__<hash>``."""
    return any(t == prefix or t.startswith(prefix + "__") for t in _class_tokens(element))


def find_by_class_prefix(root: etree._Element, prefix: str) -> list[etree._Element]:
    """Elements carrying a CSS-module class ``prefix__<hash>``, whatever the hash."""
    candidates = root.xpath(".//*[contains(@class, $prefix)]", prefix=prefix)
    return [el for el in candidates if _has_class_prefix(el, prefix)]


def _find_by_class(root: etree._Element, name: str) -> list[etree._Element]:
    candidates = root.xpath(".//*[contains(@class, $name)]", name=name)
    return [el for el in candidates if name in _class_tokens(el)]


def _text(element: etree._Element) -> str:
    return normalize_space(element.text_content())


def _short_text(element: etree._Element, limit: int = 60) -> str | None:
    """The element's text if it is short, without walking a whole large subtree."""
    pieces, length = [], 0
    for piece in element.itertext():
        pieces.append(piece)
        length += len(piece)
        if length > limit * 4:
            return None
    text = normalize_space("".join(pieces))
    return text if len(text) <= limit else None


def _is_list_heading(element: etree._Element | None) -> bool:
    if element is None or not isinstance(element.tag, str) or element.tag in ("a", "li"):
        return False
    text = _short_text(element)
    return text is not None and bool(_LIST_HEADING.match(text))


def _is_list_section(element: etree._Element) -> bool:
    """A box of links to other articles, known by its heading ("Related stories", "관련기사")."""
    if element.tag in ("ul", "ol") and _is_list_heading(element.getprevious()):
        return True
    first = next((c for c in element if isinstance(c.tag, str)), None)
    return _is_list_heading(first)


def _is_chrome(element: etree._Element) -> bool:
    if element.tag in _CHROME_TAGS:
        return True
    tokens = [*_class_tokens(element), *(element.get("id") or "").split()]
    if any(_CHROME_TOKEN.search(token) for token in tokens):
        return True
    return _is_list_section(element)


def _in_chrome(element: etree._Element, stop: etree._Element | None = None) -> bool:
    current: etree._Element | None = element
    while current is not None and current is not stop:
        if _is_chrome(current):
            return True
        current = current.getparent()
    return stop is not None and _is_chrome(stop)


def _is_caption(element: etree._Element) -> bool:
    if element.tag == "figcaption":
        return True
    tokens = _class_tokens(element)
    if any(t in _CAPTION_CLASSES for t in tokens):
        return True
    return any("caption" in t.split("__")[0].lower() for t in tokens if "_" in t)


def _page_url(root: etree._Element) -> str | None:
    for href in root.xpath("//link[contains(concat(' ', @rel, ' '), ' canonical ')]/@href"):
        if href.strip():
            return href.strip()
    for content in root.xpath("//meta[@property='og:url' or @name='og:url']/@content"):
        if content.strip():
            return content.strip()
    return None


def _is_hani_host(host: str | None) -> bool:
    host = (host or "").lower()
    return host == "hani.co.kr" or host.endswith(".hani.co.kr")


def _article_number(url: str | None) -> str | None:
    if not url:
        return None
    match = _ARTICLE_PATH.match(urlparse(url).path)
    return match.group(1) if match else None


def sniff(path: Path, text: str) -> bool:
    """A Hankyoreh page names itself in its canonical/og:url, or uses the 2023 class names."""
    head = text[:300_000]
    if "hani.co.kr" not in head and _KOREAN_PREFIX not in head:
        return False
    if not _LOOKS_LIKE_HTML.search(head[:5000]):
        return False
    try:
        root = _parse(text)
    except (etree.ParserError, ValueError):
        return False
    if _is_hani_host(urlparse(_page_url(root) or "").hostname):
        return True
    return bool(find_by_class_prefix(root, _KOREAN_PREFIX + "title"))


def _first_outside_chrome(elements: Iterable[etree._Element]) -> etree._Element | None:
    for element in elements:
        if _text(element) and not _in_chrome(element):
            return element
    return None


def _find_title_element(root: etree._Element) -> etree._Element | None:
    korean = _first_outside_chrome(find_by_class_prefix(root, _KOREAN_PREFIX + "title"))
    if korean is not None:
        return korean
    for name in ("title", "article-title"):
        found = _first_outside_chrome(
            el for el in _find_by_class(root, name) if el.tag not in ("a", "li")
        )
        if found is not None:
            return found
    return None


def _meta_title(root: etree._Element) -> str | None:
    """og:title / <title> without the site's " : Section : News : The Hankyoreh" trail."""
    values = root.xpath("//meta[@property='og:title']/@content") + root.xpath("//title/text()")
    for value in values:
        title = normalize_space(value).split(" : ")[0]
        if title:
            return title
    return None


def _find_body_container(root: etree._Element) -> etree._Element | None:
    return _first_outside_chrome(_find_by_class(root, "article-text"))


def _article_region(title: etree._Element | None, body: etree._Element) -> etree._Element:
    """The smallest element holding headline and body; links are trusted only inside it."""
    if title is None:
        return body
    title_ancestors = {id(a) for a in title.iterancestors()} | {id(title)}
    for candidate in (body, *body.iterancestors()):
        if id(candidate) in title_ancestors:
            return body if candidate.tag in ("body", "html") else candidate
    return body


def _subtitle(root: etree._Element) -> tuple[str | None, etree._Element | None]:
    candidates = find_by_class_prefix(root, _KOREAN_PREFIX + "subtitle") or _find_by_class(
        root, "subtitle"
    )
    element = _first_outside_chrome(candidates)
    if element is None:
        return None, None
    lines = [text for text, _ in _blocks(element, lambda _: "text")]
    return "\n".join(lines) or None, element


def _blocks(
    container: etree._Element, role: Callable[[etree._Element], str]
) -> list[tuple[str, str]]:
    """Text of a container split at block elements and <br>, as a browser lays it out.

    ``role(element)`` says "text" (walk into it), "skip" (page furniture) or "caption"
    (emit the element's text as one caption, in page order).
    """
    blocks: list[tuple[str, str]] = []
    buffer: list[str] = [container.text or ""]

    def flush() -> None:
        text = normalize_space("".join(buffer))
        buffer.clear()
        if text:
            blocks.append((text, "body"))

    def walk(element: etree._Element) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                buffer.append(child.tail or "")
                continue
            kind = "text" if child.tag == "br" else role(child)
            if child.tag == "br" or kind != "text":
                flush()
                if kind == "caption":
                    blocks.append((_text(child), "caption"))
                buffer.append(child.tail or "")
                continue
            is_block = child.tag in _BLOCK_TAGS
            if is_block:
                flush()
            buffer.append(child.text or "")
            walk(child)
            if is_block:
                flush()
            buffer.append(child.tail or "")

    walk(container)
    flush()
    return blocks


def _korean_paragraphs(container: etree._Element) -> list[tuple[str, str]]:
    """``p.text`` body paragraphs and figure captions of the 2023 layout, in page order."""
    found: list[tuple[str, str]] = []
    for element in container.iter():
        if not isinstance(element.tag, str) or _in_chrome(element, container):
            continue
        if element.tag == "p" and "text" in _class_tokens(element):
            found.append((_text(element), "body"))
        elif _is_caption(element):
            found.append((_text(element), "caption"))
    return found


def _generic_paragraphs(
    container: etree._Element, subtitle_element: etree._Element | None
) -> list[tuple[str, str]]:
    """Body blocks and captions for pages with free-form bodies (the English edition)."""

    def role(element: etree._Element) -> str:
        if _is_caption(element):
            return "caption"
        if element is subtitle_element or element.tag in _MEDIA_TAGS or _is_chrome(element):
            return "skip"
        return "text"

    return _blocks(container, role)


def _leading_captions(region: etree._Element, container: etree._Element) -> list[tuple[str, str]]:
    """Captions of a lead photo placed between the headline and the body container."""
    captions = []
    for element in region.iter():
        if not isinstance(element.tag, str) or not _is_caption(element):
            continue
        inside_body = any(a is container for a in element.iterancestors())
        if not inside_body and not _in_chrome(element, region):
            captions.append((_text(element), "caption"))
    return captions


def _is_email_credit(text: str) -> bool:
    """ "최하얀 기자 chy@hani.co.kr": a reporter credit, not article text."""
    if not _EMAIL.search(text):
        return False
    return bool(_EMAIL_CREDIT_REST.match(_EMAIL.sub("", text).strip()))


@dataclass
class _Cleaned:
    paragraphs: list[Paragraph]
    byline: str | None


def _clean_paragraphs(raw: list[tuple[str, str]], subtitle: str | None, language: str) -> _Cleaned:
    """Drop credits, datelines, footers and repeats; keep each caption once."""
    paragraphs: list[Paragraph] = []
    bylines: list[str] = []
    captions: set[str] = set()
    for text, kind in raw:
        if not text or text == subtitle:
            continue
        if kind == "caption":
            if text not in captions:
                captions.add(text)
                paragraphs.append(Paragraph(text, "caption"))
            continue
        if text in captions or _ENGLISH_FOOTER.match(text):
            continue
        if language == "en" and _ENGLISH_BYLINE.match(text):
            bylines.append(text.removeprefix("By").strip())
            continue
        if _is_email_credit(text):
            bylines.append(normalize_space(_EMAIL.sub("", text)))
            continue
        if _DATELINE.match(text):
            continue
        paragraphs.append(Paragraph(text, "body"))
    return _Cleaned(paragraphs, "; ".join(b for b in bylines if b) or None)


def _korean_byline(root: etree._Element) -> str | None:
    names = [_text(el) for el in find_by_class_prefix(root, _KOREAN_PREFIX + "reporterLink")]
    names = [n for n in names if n]
    return ", ".join(dict.fromkeys(names)) or None


def _kst_to_utc(match: re.Match[str] | None) -> datetime | None:
    return kst_to_utc(f"{match.group(1)} {match.group(2)}") if match else None


def _dates(root: etree._Element, region: etree._Element) -> tuple[datetime | None, datetime | None]:
    """Posted/modified times; the 2023 layout lists them as "등록 …" / "수정 …" items."""
    date_lists = find_by_class_prefix(root, _KOREAN_PREFIX + "dateList")
    texts = [" ".join(_text(el) for el in date_lists), _text(region)]
    texts.append(normalize_space(" ".join(root.xpath("//body//text()[not(ancestor::script)]"))))
    for text in texts:
        posted = _kst_to_utc(_POSTED.search(text))
        if posted is not None:
            return posted, _kst_to_utc(_MODIFIED.search(text))
    return None, None


def _rights(root: etree._Element) -> str | None:
    """The page's rights notice ("© 한겨레신문사 All Rights Reserved. 무단 전재…"), footer last."""
    notice = None
    for node in root.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"):
        if not _RIGHTS.search(node):
            continue
        parent = node.getparent()
        text = _text(parent) if parent is not None else ""
        notice = text if 0 < len(text) <= 300 else normalize_space(node)
    return notice


def _is_link_to_other_language(url: str, language: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not _is_hani_host(parsed.hostname):
        return False
    if not _ARTICLE_PATH.match(parsed.path):
        return False
    english_edition = "english_edition" in parsed.path
    if language == "en":
        return not english_edition and not (parsed.hostname or "").startswith("english.")
    return english_edition


def _hreflang_link(root: etree._Element, base: str, other: str) -> _Link | None:
    for link in root.xpath("//link[@hreflang and @href]"):
        if "alternate" not in (link.get("rel") or "").lower().split():
            continue
        if (link.get("hreflang") or "").lower().split("-")[0] == other:
            return _Link(urljoin(base, link.get("href").strip()), "hreflang")
    return None


def _anchor_link(region: etree._Element, base: str, language: str, own: str | None) -> _Link | None:
    for anchor in region.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or _in_chrome(anchor, region):
            continue
        url = urljoin(base, href)
        if url != own and _is_link_to_other_language(url, language):
            return _Link(url, "anchor")
    return None


def _other_language_link(
    root: etree._Element, region: etree._Element, url: str | None, language: str
) -> _Link | None:
    base = url or ""
    other = "ko" if language == "en" else "en"
    return _hreflang_link(root, base, other) or _anchor_link(region, base, language, url)


def _missing_link_note(language: str) -> str:
    if language == "en":
        return "no link to the Korean original on the page"
    return "no link to the English edition on the page"


def read(path: Path, text: str) -> list[Article]:
    """Read one saved Hankyoreh article page (English edition or Korean 2023 layout)."""
    try:
        root = _parse(text)
    except (etree.ParserError, ValueError) as error:
        raise ReadError(f"not parseable as HTML ({error})") from None
    body = _find_body_container(root)
    if body is None:
        raise ReadError("Hankyoreh page without an article body (no .article-text element)")
    title_element = _find_title_element(root)
    title = _text(title_element) if title_element is not None else _meta_title(root)
    if not title:
        raise ReadError("Hankyoreh page without a headline")
    region = _article_region(title_element, body)
    subtitle, subtitle_element = _subtitle(root)
    korean_layout = bool(find_by_class_prefix(root, _KOREAN_PREFIX + "title"))
    raw = _korean_paragraphs(body) if korean_layout else []
    if not any(kind == "body" for _, kind in raw):
        raw = _generic_paragraphs(body, subtitle_element)
    raw = _leading_captions(region, body) + raw
    url = _page_url(root)
    language = _page_language(url, title, raw)
    cleaned = _clean_paragraphs(raw, subtitle, language)
    if not cleaned.paragraphs or not any(p.kind == "body" for p in cleaned.paragraphs):
        raise ReadError("Hankyoreh page without article body paragraphs")
    published, modified = _dates(root, region)
    link = _other_language_link(root, region, url, language)
    number = _article_number(url)
    extra = {"layout": "hani-2023" if korean_layout else "hani-english"}
    if modified is not None:
        extra["modified"] = modified.isoformat()
    if link is not None:
        extra["original_link_source"] = link.source
    byline = _korean_byline(root) if korean_layout else None
    article = Article(
        id=f"hani-{language}-{number}" if number else "",
        language=language,
        title=title,
        paragraphs=cleaned.paragraphs,
        subtitle=subtitle,
        published=published,
        byline=byline or cleaned.byline,
        url=url,
        original_url=link.url if link else None,
        link_note=None if link else _missing_link_note(language),
        rights=_rights(root),
        source_path=str(path),
        source_format="hani_html",
        extra=extra,
    )
    return [article]


def _page_language(url: str | None, title: str, raw: list[tuple[str, str]]) -> str:
    """Language from the text itself; the host only breaks a tie when the text has no letters."""
    sample = " ".join([title, *(t for t, kind in raw if kind == "body")][:20])
    detected = detect_language(sample)
    if detected in ("en", "ko"):
        return detected
    host = urlparse(url or "").hostname or ""
    return "en" if host.startswith("english.") else detected or "ko"


register(Reader(name="hani_html", sniff=sniff, read=read, priority=10))
