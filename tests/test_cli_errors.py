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


# -- outputs that are inputs, and outputs written whole or not at all --------------------------


def _same_file_spellings(tmp_path, original):
    """The input itself, a symbolic link to it and a hard link to it."""
    import os

    symlink, hardlink = tmp_path / "symlink.txt", tmp_path / "hardlink.txt"
    symlink.symlink_to(original)
    os.link(original, hardlink)
    return [original, symlink, hardlink]


def test_score_refuses_to_write_over_its_pairs_input(tmp_path):
    """`dari score --pairs F -o F` used to empty F, exit 0, no message."""
    pairs = tmp_path / "pairs.tsv"
    content = "The talks lasted two hours.\t회담은 2시간 동안 이어졌다.\n"
    pairs.write_text(content, encoding="utf-8")
    for output in _same_file_spellings(tmp_path, pairs):
        result = CliRunner().invoke(main, ["score", "--pairs", str(pairs), "-o", str(output)])
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {output}: is the --pairs input {pairs}; choose another output\n"
        )
        assert pairs.read_text(encoding="utf-8") == content


def test_score_refuses_to_write_over_its_translations_model_or_store(tmp_path):
    pairs, mt = tmp_path / "pairs.tsv", tmp_path / "mt.txt"
    pairs.write_text("One.\t하나.\n", encoding="utf-8")
    mt.write_text("One.\n", encoding="utf-8")
    runner = CliRunner()
    args = ["score", "--pairs", str(pairs), "--translations", str(mt), "-o", str(mt)]
    assert "is the --translations file" in runner.invoke(main, args).output
    model = tmp_path / "model.json"
    model.write_text("{}")
    args = ["score", "--pairs", str(pairs), "--model", str(model), "-o", str(model)]
    assert "is the model" in runner.invoke(main, args).output
    store = tmp_path / "dari.sqlite"
    store.write_bytes(b"SQLite format 3\x00")
    args = ["score", "--train", "--store", str(store), "-o", str(store)]
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and "is the store" in result.output
    assert store.read_bytes() == b"SQLite format 3\x00" and model.read_text() == "{}"


@pytest.mark.parametrize("which", ["src", "tgt", "translations"])
def test_align_refuses_to_write_over_an_input(tmp_path, which):
    """`dari align SRC TGT -o SRC` used to replace SRC with the links."""
    files = {name: tmp_path / f"{name}.txt" for name in ("src", "tgt", "translations")}
    files["src"].write_text(ENGLISH, encoding="utf-8")
    files["tgt"].write_text(KOREAN, encoding="utf-8")
    files["translations"].write_text(KOREAN, encoding="utf-8")
    for output in _same_file_spellings(tmp_path, files[which]):
        result = _align(
            str(files["src"]),
            str(files["tgt"]),
            "--translations",
            str(files["translations"]),
            "-o",
            str(output),
        )
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: {output}: is ")
        assert len(result.output.splitlines()) == 1
    assert files["src"].read_text(encoding="utf-8") == ENGLISH
    assert files["tgt"].read_text(encoding="utf-8") == KOREAN


def test_a_failed_pairs_output_keeps_the_earlier_file(tmp_path):
    """A full disk halfway through `dari score --pairs -o OUT`: OUT is as it was, no
    temporary is left, and the error names OUT."""
    from collections import Counter

    from aligners.quality import with_pair_files

    pairs, out = tmp_path / "pairs.tsv", tmp_path / "scored.tsv"
    pairs.write_text("a\tb\n" * 3, encoding="utf-8")
    out.write_text("yesterday's scores\n", encoding="utf-8")

    def run(reader, write):
        write(next(reader))
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError) as failure:
        with_pair_files(str(pairs), str(out), run)
    assert failure.value.filename == str(out)
    assert out.read_text(encoding="utf-8") == "yesterday's scores\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.tsv", "scored.tsv"]

    def rewrite(reader, write):
        write(b"today's scores\n")
        return Counter(scored=1)

    assert with_pair_files(str(pairs), str(out), rewrite) == Counter(scored=1)
    assert out.read_text(encoding="utf-8") == "today's scores\n"


def test_align_to_a_full_disk_is_one_line_and_leaves_no_file(tmp_path, monkeypatch):
    from aligners import documents

    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "ko.txt").write_text(KOREAN, encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(documents, "format_link", full)
    out = tmp_path / "links.txt"
    result = _align(str(tmp_path / "en.txt"), str(tmp_path / "ko.txt"), "-o", str(out))
    assert result.exit_code == 1
    assert result.output == f"Error: {out}: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["en.txt", "ko.txt"]


def test_score_and_align_outputs_that_cannot_be_files_are_one_line_errors(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("One.\t하나.\n", encoding="utf-8")
    (tmp_path / "ko.txt").write_text(KOREAN, encoding="utf-8")
    for output, problem in [
        (tmp_path, "is a directory"),
        (tmp_path / "no" / "x", "does not exist"),
    ]:
        score = CliRunner().invoke(main, ["score", "--pairs", str(pairs), "-o", str(output)])
        align = _align(str(pairs), str(tmp_path / "ko.txt"), "-o", str(output))
        for result in (score, align):
            assert result.exit_code == 1
            assert len(result.output.splitlines()) == 1 and problem in result.output


# -- --batch names ---------------------------------------------------------------------------


def _batch(listing, out):
    return CliRunner().invoke(
        main,
        ["align", "--batch", str(listing), "-o", str(out), "--presegmented"]
        + ["--aligner", "gale-church", "--src-lang", "en", "--tgt-lang", "ko"],
    )


def test_align_batch_refuses_names_that_leave_the_output_folder_line_by_line(tmp_path):
    """`../escaped` or an absolute NAME wrote outside -o; a NAME with a missing subfolder
    aborted the rest of the batch."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.en").write_text(ENGLISH, encoding="utf-8")
    (docs / "a.ko").write_text(KOREAN, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "elsewhere").symlink_to(tmp_path)
    outside = tmp_path / "outside"
    listing = docs / "pairs.tsv"
    listing.write_text(
        "a.en\ta.ko\t../escaped\n"
        f"a.en\ta.ko\t{outside}\n"
        "a.en\ta.ko\tsub/../../escaped\n"
        "a.en\ta.ko\t2024/01/story\n"
        "a.en\ta.ko\telsewhere/escaped\n"
        "a.en\ta.ko\tplain\n"
        "a.en\ta.ko\tPLAIN\n",
        encoding="utf-8",
    )
    result = _batch(listing, out)
    assert result.exit_code == 1
    problems = result.stderr.splitlines()
    assert problems[:4] == [
        f"{listing}:1: output name '../escaped' has a '..' part, which would leave -o",
        f"{listing}:2: output name '{outside}' is an absolute path; give a name inside -o",
        f"{listing}:3: output name 'sub/../../escaped' has a '..' part, which would leave -o",
        f"{listing}:7: output name 'PLAIN' repeats line 6",
    ]
    assert problems[4] == (
        f"{listing}:5: {out / 'elsewhere' / 'escaped.links'}: a symbolic link leads outside {out}"
    )
    assert len(problems) == 5
    assert (out / "2024" / "01" / "story.links").is_file() and (out / "plain.links").is_file()
    assert not (tmp_path / "escaped.links").exists() and not outside.with_suffix(".links").exists()
    assert "aligned 2 pairs" in result.stdout and "5 failed" in result.stdout


def test_align_batch_refuses_an_output_that_is_an_input_of_the_list(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.en").write_text(ENGLISH, encoding="utf-8")
    (docs / "a.ko").write_text(KOREAN, encoding="utf-8")
    (docs / "b.links").write_text(ENGLISH, encoding="utf-8")
    (docs / "b.ko").write_text(KOREAN, encoding="utf-8")
    listing = docs / "pairs.tsv"
    listing.write_text("a.en\ta.ko\tb\nb.links\tb.ko\tc\n", encoding="utf-8")
    result = _batch(listing, docs)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{listing}:1: output {docs / 'b.links'} is an input of {listing}"
    ]
    assert (docs / "b.links").read_text(encoding="utf-8") == ENGLISH
    assert (docs / "c.links").is_file()
    refused = _batch(listing, listing)
    assert refused.exit_code == 1 and "is the --batch list" in refused.output


def test_an_output_name_too_long_is_one_line_for_align_and_score(tmp_path):
    """`dari align ... -o <300 characters>` ended in an OSError traceback."""
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("One.\t하나.\n", encoding="utf-8")
    (tmp_path / "ko.txt").write_text(KOREAN, encoding="utf-8")
    output = tmp_path / ("a" * 300)
    score = CliRunner().invoke(main, ["score", "--pairs", str(pairs), "-o", str(output)])
    align = _align(str(pairs), str(tmp_path / "ko.txt"), "-o", str(output))
    for result in (score, align):
        assert result.exit_code == 1
        assert result.output == f"Error: {output}: File name too long\n"


def test_align_refuses_a_max_total_that_would_exhaust_memory(tmp_path):
    """`--max-total 1000000` built every bead shape up to that size: killed for memory."""
    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    result = _align(str(tmp_path / "en.txt"), str(tmp_path / "en.txt"), "--max-total", "1000000")
    assert result.exit_code == 2
    assert "'--max-total': 1000000 is not in the range 2<=x<=10" in result.output
    assert (
        _align(str(tmp_path / "en.txt"), str(tmp_path / "en.txt"), "--max-total", "10").exit_code
        == 0
    )


def test_ctrl_c_during_align_exits_130_with_one_line_and_no_file(tmp_path, monkeypatch):
    from aligners import documents

    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "ko.txt").write_text(KOREAN, encoding="utf-8")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(documents, "format_link", interrupt)
    out = tmp_path / "links.txt"
    result = _align(str(tmp_path / "en.txt"), str(tmp_path / "ko.txt"), "-o", str(out))
    assert result.exit_code == 130
    assert result.output == f"interrupted: {out} is as it was before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["en.txt", "ko.txt"]
