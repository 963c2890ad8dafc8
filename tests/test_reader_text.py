"""The Hankyoreh English text-dump reader: exactly the article's paragraphs, nothing of the page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus.readers import ReadError, pick_reader, read_document
from corpus.readers.hankyoreh_text import read, sniff

FIXTURES = Path(__file__).parent / "fixtures" / "hankyoreh_text"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PUTIN = SHARED / "examples" / "hankyoreh-en-2024-01-22-putin-visit.txt"
needs_shared = pytest.mark.skipif(not PUTIN.is_file(), reason=f"{PUTIN} is not available")


def read_file(path: Path):
    result = read_document(path, path.read_bytes())
    assert not result.errors
    (article,) = result.articles
    return article


@needs_shared
def test_putin_dump_body_is_exactly_the_hand_checked_paragraphs():
    article = read_file(PUTIN)
    expected = (FIXTURES / "putin-visit.expected-body.txt").read_text(encoding="utf-8")
    body = [p.text for p in article.body]
    assert body == expected.strip().split("\n")
    assert body[0].startswith("Russian President Vladimir Putin announced")
    assert body[-1].startswith("Kirby also called the “burgeoning relationship”")


@needs_shared
def test_putin_dump_metadata():
    article = read_file(PUTIN)
    assert article.title == (
        "Will Putin’s anticipated visit to North Korea resurrect a military alliance?"
    )
    assert article.subtitle.startswith("If Putin’s visit to North Korea comes to pass")
    assert article.published == datetime(2024, 1, 22, 7, 58, tzinfo=UTC)
    assert article.published.isoformat() == "2024-01-22T07:58:00+00:00"
    assert article.extra["modified"] == "2024-01-22T07:58:00+00:00"
    assert article.byline == "Lee Je-hun, senior staff writer"
    assert article.language == "en"
    assert article.source_format == "hankyoreh-text"
    assert article.rights is None
    assert article.original_url is None
    assert "original Korean article" in article.link_note
    assert "no URL" in article.link_note


@needs_shared
def test_putin_dump_keeps_each_duplicated_caption_once_in_reading_order():
    article = read_file(PUTIN)
    captions = [p.text for p in article.paragraphs if p.kind == "caption"]
    assert captions == [
        "Russian President Vladimir Putin takes part in an end-of-year town hall in Moscow "
        "on Dec. 14, 2023. (Reuters/Yonhap)",
        "Russian President Vladimir Putin greets North Korean Foreign Minister Choe Son-hui "
        "following the latter’s arrival at the Kremlin in Moscow on Jan. 16. (AP/Yonhap)",
    ]
    kinds = [p.kind for p in article.paragraphs]
    assert kinds[0] == "caption"
    assert kinds.index("caption", 1) == 9  # after the eighth body paragraph, as on the page


@needs_shared
def test_putin_dump_has_no_page_chrome_anywhere():
    article = read_file(PUTIN)
    everything = article.text + (article.subtitle or "")
    for chrome in (
        "Posted on",
        "Please direct",
        "button that move",
        "Related stories",
        "Most viewed",
    ):
        assert chrome not in everything
    assert "By Lee Je-hun" not in everything


def test_variant_single_caption_with_credit_byline_and_translator():
    article = read_file(FIXTURES / "variant.txt")
    assert article.title == "Opposition vows to block budget cuts to R&D"
    assert article.subtitle == (
        "The main opposition party says the government’s proposed cuts would set back "
        "research for a decade"
    )
    assert [p.kind for p in article.paragraphs] == ["caption", "body", "body", "body"]
    assert article.paragraphs[0].text.endswith("(Kim Hye-yun/The Hankyoreh)")
    assert article.body[1].text.startswith("By contrast, the ruling party")
    assert article.byline == "Kim Min-ji and Park Soo-hyun, staff reporters"
    assert article.extra["translator"] == "Andrew Jeong"
    assert article.published == datetime(2023, 11, 2, 0, 5, tzinfo=UTC)
    assert article.extra["modified"] == "2023-11-03T01:15:00+00:00"
    assert article.link_note is None  # no original-article button in this dump


def test_variant_drops_related_and_most_viewed_lists():
    article = read_file(FIXTURES / "variant.txt")
    assert "Budget talks stall" not in article.text
    assert "not part of the article" not in article.text
    assert article.body[-1].text == "The budget committee will begin its review next week."


def test_sniffed_by_content_not_by_file_name(tmp_path):
    renamed = tmp_path / "saved.html"
    renamed.write_bytes((FIXTURES / "variant.txt").read_bytes())
    text = renamed.read_text(encoding="utf-8")
    assert pick_reader(renamed, text).name == "hankyoreh-text"
    assert not sniff(tmp_path / "x.txt", "Just a note.\nPosted to the blog yesterday.\n")
    assert not sniff(tmp_path / "x.html", "<html><body><p>Posted on : 2024-01-22 16:58 KST</p>")


def test_dump_with_only_chrome_after_the_date_has_no_body(tmp_path):
    text = "A title\n\nPosted on : 2024-01-22 16:58 KST\n\nRelated stories\n\nOther headline\n"
    with pytest.raises(ReadError, match="no article body"):
        read(tmp_path / "x.txt", text)
