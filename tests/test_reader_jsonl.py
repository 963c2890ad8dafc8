"""JSON Lines: one article a line; one bad line is one error and the others still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus.article import content_hash
from corpus.readers import ReadError, pick_reader, read_document

ARTICLES = Path(__file__).parent / "fixtures" / "jsonl" / "articles.jsonl"


@pytest.fixture(scope="module")
def result():
    return read_document(ARTICLES, ARTICLES.read_bytes())


def by_id(result, article_id):
    return next(a for a in result.articles if a.id == article_id)


def test_good_lines_become_articles_in_file_order(result):
    ids = [a.id for a in result.articles]
    assert ids == [
        "herald-2024-0305",
        "ilbo-12345",
        "example-herald.com/news/2024/03/bus-fares",
        "mislabelled",
        f"{ARTICLES.resolve()}#9",
    ]


def test_each_bad_line_is_one_error_naming_its_line(result):
    errors = {error.line: error.reason for error in result.errors}
    assert set(errors) == {3, 4, 8, 10}
    assert errors[3].startswith("invalid JSON")
    assert errors[4] == "missing 'text'"
    assert errors[8] == "expected a JSON object, got list"
    assert errors[10].startswith("'published' is not an ISO 8601 date")
    assert all("\n" not in reason for reason in errors.values())
    broken_line = ARTICLES.read_bytes().split(b"\n")[2]
    assert next(e for e in result.errors if e.line == 3).raw == broken_line


def test_fields_map_onto_the_article(result):
    article = by_id(result, "herald-2024-0305")
    assert article.title == "Seoul to expand rail links"
    assert article.language == "en"
    assert article.published == datetime(2024, 3, 5, 0, 30, tzinfo=UTC)
    assert article.url == "https://www.example-herald.com/news/2024/03/rail-links"
    assert article.original_url.endswith("articleView.html?idxno=12345")
    assert article.source_format == "jsonl"
    assert article.source_path == str(ARTICLES)


def test_paragraphs_split_on_blank_lines_and_line_breaks_inside_are_joined(result):
    article = by_id(result, "herald-2024-0305")
    assert [p.text for p in article.paragraphs] == [
        "The Seoul Metropolitan Government said Tuesday it will build three new express "
        "rail lines.",
        "The plan will cost an estimated 4.2 trillion won and aims to cut commuting times "
        "by a third.",
    ]


def test_declared_language_contradicted_by_the_text_is_flagged_and_text_wins(result):
    article = by_id(result, "mislabelled")
    assert article.language == "ko"
    assert article.extra["declared_language"] == "en"
    (warning,) = result.warnings
    assert warning.line == 7
    assert "declared language 'en' but the text is 'ko'" in warning.reason
    assert by_id(result, "ilbo-12345").language == "ko"


def test_each_article_is_hashed_on_its_own_line(result):
    lines = ARTICLES.read_bytes().split(b"\n")
    assert by_id(result, "herald-2024-0305").content_hash == content_hash(lines[0])


def test_editing_one_line_leaves_the_other_hashes_alone(tmp_path, result):
    text = ARTICLES.read_text(encoding="utf-8").replace("Bus fares", "Taxi fares")
    edited = tmp_path / "edited.jsonl"
    edited.write_text(text, encoding="utf-8")
    again = read_document(edited, edited.read_bytes())
    before = {a.title: a.content_hash for a in result.articles}
    after = {a.title: a.content_hash for a in again.articles}
    changed = {title for title in before if before[title] != after[title]}
    assert changed == {"No id, but a URL"}


def test_sniffed_by_content_even_without_the_suffix(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(json.dumps({"id": "x", "text": "Hello there."}) + "\n", encoding="utf-8")
    assert pick_reader(path, path.read_text(encoding="utf-8")).name == "jsonl"


def test_a_file_of_only_bad_lines_reports_them_all(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1\n{"id": "a"}\n', encoding="utf-8")
    result = read_document(path, path.read_bytes())
    assert not result.items
    assert [e.line for e in result.errors] == [1, 2]


def test_a_line_without_letters_is_an_error_for_that_line_only(tmp_path):
    path = tmp_path / "digits.jsonl"
    lines = [{"id": "n", "text": "12 345 678"}, {"id": "ok", "text": "Words are here."}]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    result = read_document(path, path.read_bytes())
    assert [a.id for a in result.articles] == ["ok"]
    assert result.errors[0].line == 1
    assert "language" in result.errors[0].reason


def test_json_that_is_not_one_object_a_line_is_not_jsonl(tmp_path):
    path = tmp_path / "pretty.txt"
    path.write_text('[\n  {"id": "a"}\n]\n', encoding="utf-8")
    with pytest.raises(ReadError, match="unrecognised format"):
        read_document(path, path.read_bytes())


def test_short_non_korean_text_does_not_overrule_the_declared_language(tmp_path):
    path = tmp_path / "short.jsonl"
    record = {"id": "s", "lang": "de", "text": "The minister resigned on Friday."}
    path.write_text(json.dumps(record), encoding="utf-8")
    result = read_document(path, path.read_bytes())
    (article,) = result.articles
    assert article.language == "de"
    assert article.extra["detected_language"] == "en"
    assert "keeping 'de'" in result.warnings[0].reason


def test_a_lone_surrogate_escape_rejects_its_line_and_the_rest_is_stored(tmp_path):
    """Valid JSON, but '\\ud800' is no character: it used to crash ingest at the store."""
    from corpus.ingest import ingest_paths
    from corpus.store import Store

    good = {"id": "good", "lang": "en", "text": "The council met on Monday to vote."}
    bad = {"id": "bad", "lang": "en", "text": "Half a pair \ud800 here."}
    path = tmp_path / "surrogate.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="ascii")
    events = []
    with Store(tmp_path / "dari.sqlite") as store:
        counts = ingest_paths([path], store, on_event=events.append)
        stored = [article.id for _, article in store.articles()]
        (reject,) = store.db.execute("SELECT source_path, reason FROM rejects").fetchall()
    assert (counts.new, counts.rejected) == (1, 1)
    assert stored == ["good"]
    assert reject[0] == f"{path}:2"
    assert "\\ud800 is half of a UTF-16 surrogate pair" in reject[1]
