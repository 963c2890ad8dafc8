"""`dari report`: the static review page, checked without a browser (content, escaping, options)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from corpus.report import (
    ReportError,
    script_json,
    with_unaligned_in_place,
    write_report,
)
from corpus.store import Store

HOSTILE = "Officials said <script>alert('x')</script> & </script><b>bold</b> was fine."

# (en sentences, ko sentences, beads as (en ids, ko ids, score, flags)) per document pair
PAIRS = [
    (
        ["The minister arrived on Monday.", HOSTILE, "Talks lasted 3 hours.", "Extra line."],
        ["장관은 월요일에 도착했다.", "관리들은 괜찮다고 말했다.", "회담은 3시간 계속됐다."],
        [
            ([0], [0], 0.91, []),
            ([1], [1], 0.35, ["number_mismatch"]),
            ([2], [2], 0.72, []),
            ([3], [], None, []),
        ],
    ),
    (
        ["Seoul reported 120 cases.", "Busan reported none."],
        ["서울은 120명을 보고했다.", "부산은 없었다."],
        [([0], [0], 0.88, []), ([1], [1], 0.15, ["partial"])],
    ),
]


def make_store(path: Path, pairs: list = PAIRS) -> Path:
    """A store with documents, sentences, pairs and scored alignments, by direct inserts."""
    with Store(path) as store, store.transaction() as db:
        for n, (en, ko, beads) in enumerate(pairs, start=1):
            doc_ids = []
            for lang, sentences, title in (
                ("en", en, f"English story {n}"),
                ("ko", ko, f"한국어 기사 {n}"),
            ):
                cursor = db.execute(
                    "INSERT INTO documents (article_id, lang, title, source_format, content_hash,"
                    " paragraphs) VALUES (?, ?, ?, 'jsonl', ?, '[]')",
                    (f"{lang}-{n}", lang, title, f"{lang}{n}"),
                )
                doc_ids.append(cursor.lastrowid)
                db.executemany(
                    "INSERT INTO sentences VALUES (?, ?, 0, 'body', 0, 0, ?)",
                    [(cursor.lastrowid, i, text) for i, text in enumerate(sentences)],
                )
            pair_id = db.execute(
                "INSERT INTO pairs (en_doc, ko_doc, method, confidence) VALUES (?, ?, ?, ?)",
                (*doc_ids, "link" if n == 1 else "content", 1.0 if n == 1 else 0.74),
            ).lastrowid
            for bead, (en_ids, ko_ids, score, flags) in enumerate(beads):
                db.execute(
                    "INSERT INTO alignments (pair_id, bead, en_ids, ko_ids, score, flags)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        pair_id,
                        bead,
                        json.dumps(en_ids),
                        json.dumps(ko_ids),
                        score,
                        json.dumps(flags),
                    ),
                )
            db.execute(
                "INSERT INTO aligned_pairs VALUES (?, 'dari', ?, ?, '[]')",
                (pair_id, 0.75 if n == 1 else 1.0, 1.0),
            )
    return path


def page_data(html_text: str) -> dict:
    match = re.search(r'<script type="application/json" id="dari-data">(.*?)</script>', html_text)
    assert match, "page data block missing"
    return json.loads(match.group(1))


def pair_block(html_text: str, pair_id: int) -> dict:
    pattern = rf'<script type="application/json" id="pair-data-{pair_id}">(.*?)</script>'
    match = re.search(pattern, html_text)
    assert match, f"block of pair {pair_id} missing"
    return json.loads(match.group(1))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "dari.sqlite")


def test_page_has_summary_table_data_and_no_external_resources(store: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    result = write_report(store, out)
    text = out.read_text(encoding="utf-8")
    assert result.document_pairs == 2 and result.sentence_pairs == 5
    assert text.startswith("<!DOCTYPE html>")
    assert "<svg" in text and "Histogram of sentence pair scores" in text
    assert "number_mismatch" in text and "partial" in text
    assert not re.search(r'(src|href)="(https?:)?//', text), "the page must not load anything"
    data = page_data(text)
    assert [p["id"] for p in data["pairs"]] == [1, 2]
    first = data["pairs"][0]
    assert (first["en"], first["ko"], first["method"], first["conf"]) == ("en-1", "ko-1", "link", 1)
    assert (first["covEn"], first["covKo"], first["beads"]) == (0.75, 1.0, 3)
    assert first["mean"] == pytest.approx((0.91 + 0.35 + 0.72) / 3, abs=1e-3)
    assert data["minScore"] is None and data["only"] is None


def test_article_text_cannot_inject_markup(store: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    write_report(store, out)
    text = out.read_text(encoding="utf-8")
    # the only <script> tags are the page's own: data blocks and the one program
    assert text.count("<script") == text.count("</script>") == 2 + 2
    assert "<b>bold</b>" not in text and "alert('x')</script>" not in text
    assert HOSTILE in pair_block(text, 1)["en"], "the text survives unchanged as data"


def test_script_json_escapes_everything_that_could_close_a_script():
    encoded = script_json({"t": "</script><!-- & \u2028"})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"t": "</script><!-- & \u2028"}


def test_unaligned_sentences_are_rows_in_place(store: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    write_report(store, out)
    rows = pair_block(out.read_text(encoding="utf-8"), 1)["rows"]
    assert [r[:2] for r in rows] == [[[0], [0]], [[1], [1]], [[2], [2]], [[3], []]]
    assert rows[1][2] == 0.35 and rows[3][2] is None


def test_sentences_no_bead_mentions_are_inserted_where_they_belong():
    beads = [([0], [0], 0.9, []), ([2], [1], 0.8, [])]
    rows = with_unaligned_in_place(beads, en_count=4, ko_count=3)
    assert [(r[0], r[1]) for r in rows] == [
        ([0], [0]),
        ([1], []),
        ([2], [1]),
        ([3], []),
        ([], [2]),
    ]


def test_doc_selects_one_pair_by_article_or_pair_id(store: Path, tmp_path: Path):
    for doc in ("ko-2", "2", "en-2"):
        out = tmp_path / f"one-{doc}.html"
        write_report(store, out, doc=doc)
        text = out.read_text(encoding="utf-8")
        data = page_data(text)
        assert [p["id"] for p in data["pairs"]] == [2] and data["only"] == 2
        assert 'id="pair-data-1"' not in text and "The minister" not in text
    with pytest.raises(ReportError, match="--doc nope"):
        write_report(store, tmp_path / "none.html", doc="nope")


def test_min_score_sets_the_starting_filter_and_is_checked(store: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    write_report(store, out, min_score=0.5)
    assert page_data(out.read_text(encoding="utf-8"))["minScore"] == 0.5
    with pytest.raises(ReportError, match="scores run from 0 to 1"):
        write_report(store, out, min_score=1.5)


def test_empty_store_gives_a_valid_page_saying_so(tmp_path: Path):
    Store(tmp_path / "empty.sqlite").close()
    out = tmp_path / "report.html"
    result = write_report(tmp_path / "empty.sqlite", out)
    text = out.read_text(encoding="utf-8")
    assert result.document_pairs == 0
    assert "Nothing to review yet" in text and text.rstrip().endswith("</html>")
    assert page_data(text)["pairs"] == []


def test_unaligned_pair_is_listed_without_rows(store: Path, tmp_path: Path):
    with Store(store) as s:
        s.db.execute("DELETE FROM alignments WHERE pair_id = 2")
        s.db.execute("DELETE FROM aligned_pairs WHERE pair_id = 2")
    out = tmp_path / "report.html"
    write_report(store, out)
    text = out.read_text(encoding="utf-8")
    assert pair_block(text, 2) == {
        "en": ["Seoul reported 120 cases.", "Busan reported none."],
        "ko": ["서울은 120명을 보고했다.", "부산은 없었다."],
        "rows": [],
        "aligned": False,
    }
    assert page_data(text)["pairs"][1]["covEn"] is None


def test_cli_writes_the_report_and_reports_problems_in_one_line(store: Path, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "r.html"
    result = runner.invoke(main, ["report", "-o", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and "2 document pairs" in result.output
    missing = runner.invoke(main, ["report", "-o", str(out), "--store", str(tmp_path / "no.db")])
    assert missing.exit_code == 1
    assert "no.db: no such store" in missing.output and "Traceback" not in missing.output
    into_store = runner.invoke(main, ["report", "-o", str(store), "--store", str(store)])
    assert into_store.exit_code == 1 and "is the store itself" in into_store.output
    bad_dir = runner.invoke(
        main, ["report", "-o", str(tmp_path / "x" / "r.html"), "--store", str(store)]
    )
    assert bad_dir.exit_code == 1 and "does not exist" in bad_dir.output
