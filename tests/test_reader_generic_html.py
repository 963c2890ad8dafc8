"""Generic HTML pages: trafilatura's main text plus declared metadata and rights."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus.readers import READERS, ReadError, pick_reader, read_document

FIXTURES = Path(__file__).parent / "fixtures" / "generic"
HANI_FIXTURE = Path(__file__).parent / "fixtures" / "hani" / "en_hreflang.html"


def read_one(path: Path, raw: bytes | None = None):
    result = read_document(path, path.read_bytes() if raw is None else raw)
    (article,) = result.articles
    return article, result


def test_english_page_body_keeps_paragraphs_and_headings_without_chrome():
    article, _ = read_one(FIXTURES / "article_en.html")
    assert [p.kind for p in article.paragraphs] == ["body", "body", "heading", "body", "body"]
    assert article.body[0].text.startswith("The Seoul Metropolitan Government said Tuesday")
    assert article.body[-1].text.startswith("“We cannot wait another decade")
    for chrome in ("Home", "Related stories", "Bus fares", "About us", "All Rights Reserved"):
        assert chrome not in article.text


def test_english_page_metadata():
    article, result = read_one(FIXTURES / "article_en.html")
    assert article.title == "Seoul to expand rail links to satellite cities"
    assert article.language == "en"
    assert article.source_format == "generic-html"
    assert article.published == datetime(2024, 3, 5, 0, 30, tzinfo=UTC)
    assert article.byline == "Park Ji-won"
    assert article.url.startswith("https://www.example-herald.com/news/2024/03/rail-links")
    # hreflang="ko" is relative on the page: resolved against the page URL
    assert article.original_url == "https://www.example-herald.com/ko/news/2024/03/rail-links"
    assert article.rights == "Copyright © Example Herald. All Rights Reserved."
    # the id comes from the URL, normalised: no scheme, www. or tracking parameters
    assert article.id == "example-herald.com/news/2024/03/rail-links"
    assert not result.warnings


def test_korean_page_metadata_json_ld_and_naive_time_read_as_kst():
    article, _ = read_one(FIXTURES / "article_ko.html")
    assert article.language == "ko"
    assert article.title == "서울시, 수도권 급행철도 3개 노선 신설"
    assert len(article.body) == 4
    assert article.byline == "박지원 기자"
    assert article.published == datetime(2024, 3, 5, 0, 30, tzinfo=UTC)
    assert article.extra["published_timezone"] == "assumed KST"
    assert "무단전재" in article.rights and "AI 학습 및 활용 금지" in article.rights
    assert article.id == "example-ilbo.co.kr/news/articleView.html?idxno=12345"
    assert article.original_url is None


def _as_cp949(declare: bool) -> bytes:
    text = (FIXTURES / "article_ko.html").read_text(encoding="utf-8")
    replacement = '<meta charset="euc-kr">' if declare else ""
    text = text.replace('<meta charset="utf-8">', replacement)
    # CP949 has no ©: pages saved in it write the entity, as real ones do.
    return text.replace("©", "&copy;").encode("cp949")


@pytest.mark.parametrize("declare", [True, False], ids=["declared-euc-kr", "undeclared"])
def test_cp949_page_reads_like_its_utf8_original(tmp_path, declare):
    path = tmp_path / "ko.html"
    path.write_bytes(_as_cp949(declare))
    article, _ = read_one(path)
    original, _ = read_one(FIXTURES / "article_ko.html")
    assert article.paragraphs == original.paragraphs
    assert article.title == original.title
    assert article.rights == original.rights


def test_truncated_page_with_a_body_still_reads(tmp_path):
    text = (FIXTURES / "article_en.html").read_text(encoding="utf-8")
    cut = text[: text.index("<h2>")] + "<p>The plan, which will cost an estim"
    path = tmp_path / "truncated.html"
    path.write_text(cut, encoding="utf-8")
    article, _ = read_one(path)
    assert article.body[0].text.startswith("The Seoul Metropolitan Government said Tuesday")
    assert article.title == "Seoul to expand rail links to satellite cities"


def test_page_without_article_body_is_refused():
    path = FIXTURES / "no_body.html"
    with pytest.raises(ReadError, match="^no article body found$"):
        read_document(path, path.read_bytes())


def test_generic_reader_comes_after_site_specific_readers():
    names = [reader.name for reader in READERS]
    assert names[-1] == "generic-html"
    assert names.index("hani_html") < names.index("generic-html")


@pytest.mark.skipif(not HANI_FIXTURE.is_file(), reason="hani_html fixture not present")
def test_hankyoreh_page_goes_to_the_hankyoreh_reader():
    text = HANI_FIXTURE.read_text(encoding="utf-8")
    assert pick_reader(HANI_FIXTURE, text).name == "hani_html"


def test_other_outlet_page_goes_to_the_generic_reader():
    path = FIXTURES / "article_en.html"
    assert pick_reader(path, path.read_text(encoding="utf-8")).name == "generic-html"


def test_page_declaring_the_wrong_language_is_flagged(tmp_path):
    text = (FIXTURES / "article_ko.html").read_text(encoding="utf-8")
    path = tmp_path / "mislabelled.html"
    path.write_text(text.replace('<html lang="ko">', '<html lang="en">'), encoding="utf-8")
    article, result = read_one(path)
    assert article.language == "ko"
    assert article.extra["declared_language"] == "en"
    assert "declared language 'en'" in result.warnings[0].reason


def test_a_declared_language_with_spaces_and_region_matches_the_text(tmp_path):
    text = (FIXTURES / "article_en.html").read_text(encoding="utf-8")
    path = tmp_path / "spaced.html"
    path.write_text(text.replace('<html lang="en">', '<html lang=" EN_gb ">'), encoding="utf-8")
    article, result = read_one(path)
    assert article.language == "en"
    assert "declared_language" not in article.extra
    assert not result.warnings
