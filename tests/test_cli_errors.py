"""User-facing input problems across commands: one line naming the file, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli import main

ENGLISH = "The president met the minister on Monday.\nThey discussed the budget for 2024.\n"
KOREAN = "대통령은 월요일에 장관을 만났다.\n그들은 2024년 예산을 논의했다.\n"


def _align(*args: str):
    """Gale-Church needs no encoder, so these tests stay fast."""
    return CliRunner().invoke(main, ["align", *args, "--presegmented", "--aligner", "gale-church"])


@pytest.mark.parametrize(("en_codec", "ko_codec"), [("utf-16", "cp949"), ("utf-8-sig", "euc-kr")])
def test_align_reads_files_saved_in_utf16_or_korean_legacy_encodings(tmp_path, en_codec, ko_codec):
    """They used to fail with 'not UTF-8 text (byte 0)' although ingest reads them."""
    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "ko.txt").write_text(KOREAN, encoding="utf-8")
    (tmp_path / "en-other.txt").write_text(ENGLISH, encoding=en_codec)
    (tmp_path / "ko-other.txt").write_text(KOREAN, encoding=ko_codec)
    expected = _align(str(tmp_path / "en.txt"), str(tmp_path / "ko.txt"))
    result = _align(str(tmp_path / "en-other.txt"), str(tmp_path / "ko-other.txt"))
    assert result.exit_code == 0, result.output
    assert result.output == expected.output
    assert result.output.count("\n") == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty file"), (b"\n  \n", "empty file"), (b"\x00\x01junk" * 50, "binary file")],
)
def test_align_refuses_an_empty_or_binary_document_in_one_line(tmp_path, content, problem):
    """An empty file used to align as a document with no sentences, exit status 0."""
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    (tmp_path / "ko.txt").write_text(KOREAN, encoding="utf-8")
    result = _align(str(bad), str(tmp_path / "ko.txt"))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}: {problem}")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--with-flags"], "--with-flags goes with --pairs"),
        (["-o", "scores.tsv"], "-o goes with --pairs or --train"),
        (["--train", "-o", "."], "is a directory"),
    ],
)
def test_score_options_that_would_be_ignored_are_refused_before_any_work(tmp_path, args, problem):
    result = CliRunner().invoke(main, ["score", "--store", str(tmp_path / "none.sqlite"), *args])
    assert result.exit_code == 2
    assert problem in result.output


def test_align_batch_writes_one_file_per_listed_pair_and_reports_bad_lines(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a", "b"):
        (docs / f"{name}.en").write_text("One sentence here.\nAnother one follows.\n")
        (docs / f"{name}.de").write_text("Ein Satz hier.\nEin weiterer folgt.\n")
    listing = docs / "pairs.tsv"
    listing.write_text(
        "a.en\ta.de\n"
        "# a comment\n"
        "b.en\tb.de\tsecond\n"
        "missing.en\tb.de\tthird\n"
        "only-one-column\n"
        "b.en\tb.de\tsecond\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["align", "--batch", str(listing), "-o", str(out), "--presegmented"]
        + ["--aligner", "gale-church", "--src-lang", "en", "--tgt-lang", "de"],
    )
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["a.links", "second.links"]
    assert (out / "a.links").read_text().splitlines()[0].startswith("[0]:[0]:")
    problems = result.stderr.splitlines()
    assert f"{listing}:4: {docs / 'missing.en'}: no such file" in problems
    assert any(p.startswith(f"{listing}:5: expected SRC<TAB>TGT") for p in problems)
    assert any(p.startswith(f"{listing}:6: output name 'second' repeats line 3") for p in problems)
    assert "aligned 2 pairs" in result.stdout and "3 failed" in result.stdout


def test_align_batch_needs_an_output_folder_and_no_documents(tmp_path):
    listing = tmp_path / "pairs.tsv"
    listing.write_text("a\tb\n")
    for args in (["--batch", str(listing)], ["x", "y", "--batch", str(listing), "-o", "o"]):
        result = CliRunner().invoke(main, ["align", *args])
        assert result.exit_code == 2 and "--batch LIST" in result.output
    assert CliRunner().invoke(main, ["align"]).exit_code == 2
