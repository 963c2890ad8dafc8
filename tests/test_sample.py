"""The bundled sample (examples/sample): every page reads, and it regenerates byte for byte."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corpus.language import detect_language
from corpus.readers import hani_html, pick_reader

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample"
PAIRS = REPO / "tests" / "fixtures" / "sample-pairs.tsv"
NTREX = REPO.parent / "shared" / "evaldata" / "ntrex128-en-ko"
needs_ntrex = pytest.mark.skipif(
    not NTREX.is_dir(), reason=f"NTREX data not found at {NTREX} (../shared is absent)"
)


def load_pairs() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def read_page(name: str):
    path = SAMPLE / name
    text = path.read_text(encoding="utf-8")
    assert pick_reader(path, text).name == "hani_html", name
    (article,) = hani_html.read(path, text)
    return article


PAIR_ROWS = load_pairs()


def test_sample_holds_only_the_paired_article_pages():
    listed = {row["english_file"] for row in PAIR_ROWS} | {row["korean_file"] for row in PAIR_ROWS}
    assert len(PAIR_ROWS) == 20
    assert {p.name for p in SAMPLE.iterdir()} == listed
    assert len(listed) == 40


def test_exactly_the_first_ten_english_pages_are_linked():
    assert [row["linked"] for row in PAIR_ROWS] == ["yes"] * 10 + ["no"] * 10


@pytest.mark.parametrize("row", PAIR_ROWS, ids=[r["ntrex_doc_id"] for r in PAIR_ROWS])
def test_pair_reads_with_title_body_language_and_link(row):
    english = read_page(row["english_file"])
    korean = read_page(row["korean_file"])
    expected_paragraphs = int(row["body_paragraphs"])
    for article, language in ((english, "en"), (korean, "ko")):
        assert article.title
        assert len(article.body) == expected_paragraphs
        assert len(article.paragraphs) == expected_paragraphs
        assert detect_language(article.text) == language
        assert article.published is not None
    assert korean.published < english.published
    assert korean.original_url is None
    if row["linked"] == "yes":
        assert english.original_url == korean.url
        assert english.link_note is None
    else:
        assert english.original_url is None
        assert english.link_note == "no link to the Korean original on the page"


@needs_ntrex
def test_sample_text_is_the_unchanged_ntrex_text():
    from benchmarks.ntrex_articles import load_documents

    documents = {d.doc_id: d for d in load_documents(NTREX)}
    for row in PAIR_ROWS:
        document = documents[row["ntrex_doc_id"]]
        for name, lines in (
            (row["english_file"], document.english),
            (row["korean_file"], document.korean),
        ):
            article = read_page(name)
            # HTML collapses runs of spaces (a few Korean lines have double spaces).
            expected = [" ".join(line.split()) for line in lines]
            assert [article.title, *(p.text for p in article.body)] == expected


@needs_ntrex
def test_regenerating_gives_byte_identical_files(tmp_path):
    from benchmarks.ntrex_articles import main

    out = tmp_path / "sample"
    pairs = tmp_path / "sample-pairs.tsv"
    argv = [str(out), "--data", str(NTREX), "--docs", "0-19", "--link-first", "10"]
    assert main([*argv, "--pairs", str(pairs)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in SAMPLE.iterdir())
    for page in out.iterdir():
        assert page.read_bytes() == (SAMPLE / page.name).read_bytes(), page.name
    assert pairs.read_bytes() == PAIRS.read_bytes()
