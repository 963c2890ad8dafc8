"""The one record every reader produces, whatever the source format."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

PARAGRAPH_KINDS = ("body", "caption", "heading")


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "body"

    def __post_init__(self) -> None:
        if self.kind not in PARAGRAPH_KINDS:
            raise ValueError(f"unknown paragraph kind {self.kind!r}")


@dataclass
class Article:
    """One article in one language, cleaned of page chrome.

    ``published`` is always timezone-aware UTC (readers convert KST).
    ``original_url`` links to the other-language version when the page names one;
    ``link_note`` says why it is missing when a reader looked and found none.
    """

    id: str
    language: str
    title: str
    paragraphs: list[Paragraph]
    subtitle: str | None = None
    published: datetime | None = None
    byline: str | None = None
    url: str | None = None
    original_url: str | None = None
    link_note: str | None = None
    rights: str | None = None
    source_path: str | None = None
    source_format: str = ""
    content_hash: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.kind == "body"]

    @property
    def text(self) -> str:
        """Title and paragraphs as one text, one paragraph a line."""
        return "\n".join([self.title, *(p.text for p in self.paragraphs)])


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
