"""The Hankyoreh reader on small hand-written pages in both layouts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus.readers import READERS, ReadError, hani_html, pick_reader

FIXTURES = Path(__file__).parent / "fixtures" / "hani"


def read_fixture(name: str):
    path = FIXTURES / name
    text = path.read_text(encoding="utf-8")
    assert hani_html.sniff(path, text)
    (article,) = hani_html.read(path, text)
    return article


def body_texts(article) -> list[str]:
    return [p.text for p in article.body]


def captions(article) -> list[str]:
    return [p.text for p in article.paragraphs if p.kind == "caption"]


def test_english_page_metadata_and_hreflang_link():
    article = read_fixture("en_hreflang.html")
    assert article.id == "hani-en-1101234"
    assert article.language == "en"
    assert article.title == "Seoul subway fares to rise by 150 won in October"
    assert article.subtitle.startswith("The city says the increase")
    assert article.published == datetime(2024, 1, 22, 7, 58, tzinfo=UTC)
    assert article.published.utcoffset().total_seconds() == 0
    assert article.extra["modified"] == "2024-01-22T08:30:00+00:00"
    assert article.url == "https://english.hani.co.kr/arti/english_edition/e_national/1101234.html"
    assert (
        article.original_url == "https://www.hani.co.kr/arti/society/society_general/1100987.html"
    )
    assert article.extra["original_link_source"] == "hreflang"
    assert article.link_note is None
    assert article.byline == "Kim Ga-yoon, staff reporter"
    assert article.rights == "ⓒ The Hankyoreh. All Rights Reserved."
    assert article.source_format == "hani_html"


def test_english_body_drops_byline_footer_and_repeated_caption():
    article = read_fixture("en_hreflang.html")
    assert body_texts(article) == [
        "Seoul Metropolitan Government said Monday that subway fares will rise by 150 won in "
        "October.",
        "The basic fare will go from 1,400 won to 1,550 won, officials said.",
        # Starts with "By" but is a sentence, not a byline.
        "By that stage, the deficit had grown for eight years in a row, the city added.",
    ]
    assert captions(article) == ["Commuters at City Hall Station in Seoul on Jan. 21. (Yonhap)"]
    assert all("Please direct" not in p.text for p in article.paragraphs)


def test_english_link_from_in_article_original_button():
    article = read_fixture("en_anchor.html")
    assert article.original_url == "https://www.hani.co.kr/arti/politics/defense/1125389.html"
    assert article.extra["original_link_source"] == "anchor"
    assert article.link_note is None


def test_english_caption_kept_once_in_page_order():
    article = read_fixture("en_anchor.html")
    kinds = [p.kind for p in article.paragraphs]
    assert kinds == ["body", "caption", "body", "body"]
    assert captions(article) == ["Vladimir Putin in Moscow on Dec. 14, 2023. (Reuters/Yonhap)"]
    assert article.byline == "Lee Je-hun, senior staff writer"


def test_links_in_related_and_most_viewed_lists_are_never_taken():
    article = read_fixture("en_lists_only.html")
    assert article.original_url is None
    assert article.link_note == "no link to the Korean original on the page"
    assert "original_link_source" not in article.extra
    assert body_texts(article)[-1] == "See also our earlier report on chip prices."


def test_korean_2023_layout():
    article = read_fixture("ko_2023.html")
    assert article.id == "hani-ko-1100987"
    assert article.language == "ko"
    assert article.title == "서울 지하철 요금 10월부터 150원 오른다"
    assert article.subtitle == "기본요금 1400원→1550원\n“적자 1조원 넘어”"
    assert article.published == datetime(2026, 1, 6, 6, 45, tzinfo=UTC)
    assert article.extra["modified"] == "2026-01-06T08:19:00+00:00"
    assert article.byline == "김가윤"
    assert article.rights == (
        "© 한겨레신문사 All Rights Reserved. 무단 전재, 재배포, AI 학습 및 활용 금지"
    )


def test_korean_body_drops_ads_audio_and_email_credit():
    article = read_fixture("ko_2023.html")
    assert body_texts(article) == [
        "서울시는 10월부터 지하철 기본요금을 150원 올린다고 22일 밝혔다.",
        "기본요금은 1400원에서 1550원이 된다.",
        "시는 적자가 8년째 이어졌다고 설명했다.",
    ]
    assert captions(article) == ["21일 서울 시청역에서 시민들이 지하철을 기다리고 있다. 연합뉴스"]


def test_korean_link_to_english_edition_ignores_related_box():
    article = read_fixture("ko_2023.html")
    assert article.original_url is None
    assert article.link_note == "no link to the English edition on the page"


def test_korean_page_with_other_hash_suffixes_datelines_and_hreflang():
    article = read_fixture("ko_2023_other_hash.html")
    assert article.title == "러시아 대통령, 방북 의사 밝혀"
    assert article.published == datetime(2024, 1, 21, 14, 10, tzinfo=UTC)
    assert body_texts(article) == [
        "블라디미르 푸틴 러시아 대통령이 가까운 시일 안에 북한을 방문할 의사를 밝혔다.",
        "북한 외무성은 21일 이렇게 밝혔다.",
        "그는 이메일(jo@example.org)로도 의견을 보냈다며 자세한 설명은 하지 않았다고 전했다.",
    ]
    assert article.byline == "이제훈 선임기자"
    assert article.original_url == (
        "https://english.hani.co.kr/arti/english_edition/e_northkorea/1125467.html"
    )


def test_reading_does_not_depend_on_css_module_hashes():
    original = (FIXTURES / "ko_2023.html").read_text(encoding="utf-8")
    rehashed = re.sub(r"(\w+_\w+)__[\w-]+", r"\1__zz9Q_", original)
    assert rehashed != original
    path = FIXTURES / "ko_2023.html"
    (before,) = hani_html.read(path, original)
    (after,) = hani_html.read(path, rehashed)
    assert after.paragraphs == before.paragraphs
    assert (after.title, after.subtitle, after.published) == (
        before.title,
        before.subtitle,
        before.published,
    )


def test_page_without_body_is_a_read_error():
    path = FIXTURES / "no_body.html"
    with pytest.raises(ReadError, match="without article body"):
        hani_html.read(path, path.read_text(encoding="utf-8"))


def test_empty_page_is_a_read_error():
    with pytest.raises(ReadError):
        hani_html.read(Path("empty.html"), "   ")


OTHER_SITE = """<!DOCTYPE html><html><head>
<link rel="canonical" href="https://www.koreaherald.com/view.php?ud=20240122000600">
</head><body><div class="article-text"><p>As the Hankyoreh reported
(<a href="https://www.hani.co.kr/arti/politics/1125389.html">link</a>), talks went on.</p>
</div></body></html>"""


def test_sniff_rejects_other_sites_that_link_the_hankyoreh():
    assert not hani_html.sniff(Path("herald.html"), OTHER_SITE)
    assert not hani_html.sniff(Path("notes.txt"), "see https://www.hani.co.kr/arti/1.html")


def test_registered_before_the_generic_html_reader():
    names = [reader.name for reader in READERS]
    assert "hani_html" in names
    hani = next(r for r in READERS if r.name == "hani_html")
    assert hani.priority == 10
    assert all(r.priority > hani.priority for r in READERS if r.name != "hani_html")
    for name in ("en_anchor.html", "ko_2023_other_hash.html"):
        path = FIXTURES / name
        assert pick_reader(path, path.read_text(encoding="utf-8")).name == "hani_html"


HEADLINE_LIKE_A_LIST_TITLE = """<!DOCTYPE html><html><head>
<link rel="canonical" href="https://english.hani.co.kr/arti/english_edition/e_national/1140000.html">
</head><body><div id="contents"><h4 class="title">Popular anger grows over fare rise</h4>
<p class="date-time">Posted on : 2024-03-01 10:00 KST</p>
<div class="article-text"><p>Protesters gathered in Seoul on Friday.</p>
<p>Read the <a href="https://www.hani.co.kr/arti/society/society_general/1139990.html">Korean
original</a> for details.</p></div></div></body></html>"""


def test_headline_that_starts_like_a_list_title_does_not_hide_the_article():
    (article,) = hani_html.read(Path("popular.html"), HEADLINE_LIKE_A_LIST_TITLE)
    assert article.title == "Popular anger grows over fare rise"
    assert body_texts(article)[0] == "Protesters gathered in Seoul on Friday."
    assert article.original_url == (
        "https://www.hani.co.kr/arti/society/society_general/1139990.html"
    )
