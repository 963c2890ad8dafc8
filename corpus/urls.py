"""Article URLs reduced to a key, so that a link and the page it names compare equal.

An English edition links its Korean original in many spellings: http or https, with or
without ``www.``, the mobile host (``m.``, ``mobile.``), tracking queries, fragments,
trailing slashes. Hankyoreh pages are named by a number (``/arti/<section>/<digits>.html``)
and the section part changes when an article is re-filed, so the number alone names it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_HANI_ARTICLE = re.compile(r"/arti/(?:.*/)?(\d+)\.html?$")
# Queries are dropped, except on script pages where the query *is* the article's name
# (``read.php?id=123``); tracking parameters never count.
_SCRIPT_PATH = re.compile(r"(\.(php|asp|aspx|jsp|cgi)|^/)$", re.IGNORECASE)
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|ref$|from$|share)", re.IGNORECASE)


def url_key(url: str | None) -> str | None:
    """The comparison key of an article URL, or None when there is no usable URL."""
    if not url or not url.strip():
        return None
    text = url.strip()
    if "://" not in text:
        text = "http://" + text.removeprefix("//")
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return None
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host.removeprefix(prefix)
            break
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    hani = _HANI_ARTICLE.search(path)
    if host.endswith("hani.co.kr") and hani:
        return f"{host}/arti/{hani.group(1)}"
    query = ""
    if _SCRIPT_PATH.search(path) and parts.query:
        kept = sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k))
        query = "?" + urlencode(kept) if kept else ""
    path = path.rstrip("/") or "/"
    return host + path + query
