"""Exports: filters and their counts, text hygiene, every format read back by a real tool,
reproducibility and safe writing."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from aligners.batch import PARTIAL_TRANSLATION
from cli import main
from corpus.article import Article, Paragraph
from corpus.export import (
    ExportError,
    ExportFilters,
    ExportOptions,
    LangCodes,
    RecordSource,
    TextCleaner,
    export_store,
    is_restricted,
    parse_flags,
    parse_lang_codes,
    parse_types,
    resolve_creation_date,
)
from corpus.export import tmx as tmx_module
from corpus.store import Store, StoredSentence

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TMX_DTD = SHARED / "schemas" / "tmx14.dtd"
DATE = datetime(2024, 1, 22, 9, 30, tzinfo=UTC)
RESTRICTED_NOTICE = "Copyright © Yonhap. 무단 전재-재배포, AI 학습 및 활용 금지"

EN_1 = [
    "The President met the minister on Monday.",
    'They discussed trade & "tariffs" <today>.',
    "Prices rose 3.5%\u2028in January.",
    "An unmatched English sentence.",
    "Exports grew.\x85Imports\x01 fell.",
]
KO_1 = [
    "대통령은 월요일 장관을 만났다.",
    "그들은 무역과\n관세를 논의했다.",
    "1월 물가는 3.5% 올랐다.",
    "수출은 늘었다.",
    "수입은\ufffe 줄었다.",
]
EN_2 = ["The president  met the MINISTER on Monday.", "Second one.", "Third one."]
KO_2 = ["대통령은 월요일 장관을 만났다.", "둘째와 셋째."]

# (en ids, ko ids, score, flags) per bead.
BEADS_1 = [
    ([0], [0], 0.9, []),
    ([1], [1], 0.8, ["boilerplate"]),
    ([2], [2], 0.4, ["number_mismatch"]),
    ([3], [], None, []),
    ([4], [3, 4], 0.7, []),
]
BEADS_2 = [([0], [0], 0.95, []), ([1, 2], [1], None, [])]


def _add_document(
    store: Store, article_id: str, lang: str, sentences: list[str], rights: str | None = None
) -> int:
    article = Article(
        id=article_id,
        language=lang,
        title=sentences[0],
        paragraphs=[Paragraph(s) for s in sentences[1:]],
        published=DATE,
        url=f"https://example.org/{article_id}",
        rights=rights,
        source_format="test",
        content_hash=f"hash-{article_id}",
    )
    stored = [StoredSentence(i, i // 2, "body", 0, len(t), t) for i, t in enumerate(sentences)]
    return store.add_article(article, None, stored)[0]


def _add_pair(store: Store, en_doc: int, ko_doc: int, beads: list) -> None:
    with store.transaction() as db:
        pair_id = db.execute(
            "INSERT INTO pairs (en_doc, ko_doc, method, confidence) VALUES (?, ?, 'test', 1.0)",
            (en_doc, ko_doc),
        ).lastrowid
        for number, (en_ids, ko_ids, score, flags) in enumerate(beads):
            db.execute(
                "INSERT INTO alignments (pair_id, bead, en_ids, ko_ids, score, flags) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (pair_id, number, json.dumps(en_ids), json.dumps(ko_ids), score, json.dumps(flags)),
            )


@pytest.fixture(scope="module")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two document pairs: an open one with mixed beads, a restricted one with a duplicate."""
    path = tmp_path_factory.mktemp("template") / "corpus.sqlite"
    with Store(path) as store:
        en_1 = _add_document(store, "en-1", "en", EN_1)
        ko_1 = _add_document(store, "ko-1", "ko", KO_1)
        en_2 = _add_document(store, "en/2", "en", EN_2)
        ko_2 = _add_document(store, "ko-2", "ko", KO_2, rights=RESTRICTED_NOTICE)
        _add_pair(store, en_1, ko_1, BEADS_1)
        _add_pair(store, en_2, ko_2, BEADS_2)
    return path


@pytest.fixture
def store_path(template_store: Path, tmp_path: Path) -> Path:
    """A private copy of the template store (built once: SQLite commits are slow to sync)."""
    path = tmp_path / "corpus.sqlite"
    shutil.copyfile(template_store, path)
    return path


@pytest.fixture
def empty_store(tmp_path: Path) -> Path:
    path = tmp_path / "empty.sqlite"
    Store(path).close()
    return path


def _records(path: Path, filters: ExportFilters | None = None):
    cleaner = TextCleaner()
    with Store(path) as store:
        source = RecordSource(store.db, filters or ExportFilters(), cleaner)
        records = list(source)
    return records, source.stats, cleaner


def _export(store: Path, fmt: str, output: Path | str, **kwargs) -> tuple[list[str], object]:
    lines: list[str] = []
    options = ExportOptions(format=fmt, output=str(output), creation_date=DATE, **kwargs)
    stats = export_store(store, options, report=lines.append)
    return lines, stats


def _no_temporary_files(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if p.name.endswith((".tmp", ".old"))]


# -- text hygiene and rights ---------------------------------------------------------------


def test_cleaner_removes_xml_illegal_characters_and_counts_them():
    cleaner = TextCleaner()
    assert cleaner.clean(" a\x01b\ufffec\uffff\ud800d\x00 ") == "abcd"
    assert cleaner.stats.illegal_removed == 5


def test_cleaner_turns_every_line_break_into_one_space():
    cleaner = TextCleaner()
    text = "one\ntwo\u2028three\u2029four\x85five\ttab\r\nend"
    cleaned = cleaner.clean(text)
    assert cleaned == "one two three four five tab end"
    assert len(cleaned.splitlines()) == 1
    assert cleaner.stats.breaks_normalised == 7


@pytest.mark.parametrize(
    ("notice", "restricted"),
    [
        ("ⓒ 한겨레신문사 무단 전재 및 재배포 금지", True),
        (RESTRICTED_NOTICE, True),
        ("Copyright 2024 Example Corp. All Rights Reserved.", True),
        ("This article may not be reproduced without permission.", True),
        ("CC BY 4.0", False),
        (None, False),
    ],
)
def test_rights_notices_that_forbid_reuse_are_restricted(notice, restricted):
    assert is_restricted(notice) is restricted


# -- the record source and its filters -----------------------------------------------------


def test_source_streams_beads_in_order_with_joined_cleaned_texts(store_path):
    records, stats, cleaner = _records(store_path)
    assert [(r.pair_id, r.bead) for r in records] == [
        (1, 0),
        (1, 1),
        (1, 2),
        (1, 4),
        (2, 0),
        (2, 1),
    ]
    by_bead = {(r.pair_id, r.bead): r for r in records}
    assert by_bead[1, 2].en == "Prices rose 3.5% in January."
    assert by_bead[1, 4].en == "Exports grew. Imports fell."
    assert by_bead[1, 4].ko == "수출은 늘었다. 수입은 줄었다."
    assert by_bead[1, 4].bead_type == "1-2"
    assert by_bead[2, 1].en == "Second one. Third one."
    assert by_bead[2, 1].score is None
    assert by_bead[2, 0].restricted and not by_bead[1, 0].restricted
    assert by_bead[1, 1].flags == ("boilerplate",)
    assert (stats.beads, stats.document_pairs, stats.unaligned, stats.written) == (7, 2, 1, 6)
    assert cleaner.stats.illegal_removed == 2


@pytest.mark.parametrize(
    ("filters", "counter", "removed"),
    [
        (ExportFilters(min_score=0.75), "below_score", 3),  # 0.4, 0.7 and the unscored 2-1
        (ExportFilters(types=frozenset({"1-1"})), "wrong_type", 2),
        (ExportFilters(exclude_flags=frozenset({"boilerplate", "x"})), "flagged", 1),
        (ExportFilters(exclude_restricted=True), "restricted", 2),
        (ExportFilters(dedupe=True), "duplicates", 1),
    ],
)
def test_each_filter_removes_and_counts(store_path, filters, counter, removed):
    records, stats, _ = _records(store_path, filters)
    assert getattr(stats, counter) == removed
    assert stats.written == len(records) == 6 - removed


def test_filters_combine_and_each_counts_only_what_it_removed(store_path):
    filters = ExportFilters(
        min_score=0.5,
        types=frozenset({"1-1", "1-2"}),
        exclude_flags=frozenset({"boilerplate"}),
        dedupe=True,
    )
    records, stats, _ = _records(store_path, filters)
    assert [(r.pair_id, r.bead) for r in records] == [(1, 0), (1, 4)]
    assert (stats.wrong_type, stats.flagged, stats.below_score, stats.duplicates) == (1, 1, 1, 1)


def test_a_partially_translated_document_flags_each_of_its_pairs(store_path):
    with Store(store_path) as store, store.transaction() as db:
        db.execute(
            "INSERT INTO aligned_pairs (pair_id, aligner, en_coverage, ko_coverage, flags) "
            "VALUES (1, 'dari', 1.0, 0.9, '[]'), (2, 'dari', 1.0, 0.3, ?)",
            (json.dumps([PARTIAL_TRANSLATION]),),
        )
    records, _, _ = _records(store_path)
    by_bead = {(r.pair_id, r.bead): r for r in records}
    assert by_bead[2, 0].flags == by_bead[2, 1].flags == (PARTIAL_TRANSLATION,)
    assert by_bead[1, 1].flags == ("boilerplate",)
    only = ExportFilters(exclude_flags=parse_flags(PARTIAL_TRANSLATION))
    kept, stats, _ = _records(store_path, only)
    assert {r.pair_id for r in kept} == {1} and stats.flagged == 2
    output = store_path.parent / "pairs.jsonl"
    _export(store_path, "jsonl", output)
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert sum(PARTIAL_TRANSLATION in row["flags"] for row in rows) == 2


def test_bead_with_a_missing_sentence_is_counted_not_exported(store_path):
    with Store(store_path) as store, store.transaction() as db:
        db.execute(
            "INSERT INTO alignments (pair_id, bead, en_ids, ko_ids, score) "
            "VALUES (1, 9, '[99]', '[0]', 0.9), (1, 10, 'not json', '[0]', 0.9)"
        )
    records, stats, _ = _records(store_path)
    assert stats.broken == 2
    assert len(records) == 6


def test_summary_names_every_filter_and_the_written_count(store_path, tmp_path):
    lines, _ = _export(
        store_path, "tsv", tmp_path / "out.tsv", filters=ExportFilters(exclude_restricted=True)
    )
    text = "\n".join(lines)
    assert "--exclude-restricted: 2 removed" in text
    assert "--min-score: off" in text
    assert "unaligned sentences (1-0/0-1 beads, never exported): 1 skipped" in text
    assert lines[-1] == f"export: wrote 4 pairs to {tmp_path / 'out.tsv'}"


# -- TMX -------------------------------------------------------------------------------------


def _validate_tmx(path: Path) -> etree._ElementTree:
    if not TMX_DTD.is_file():
        pytest.skip(f"TMX DTD not found at {TMX_DTD} (../shared is absent)")
    tree = etree.parse(str(path))
    dtd = etree.DTD(str(TMX_DTD))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    return tree


@pytest.mark.parametrize("codes", [LangCodes("en", "ko"), LangCodes("en-US", "ko-KR")])
def test_tmx_is_valid_and_translate_toolkit_reads_the_same_units(store_path, tmp_path, codes):
    from translate.storage.tmx import tmxfile

    out = tmp_path / "corpus.tmx"
    _export(store_path, "tmx", out, codes=codes)
    tree = _validate_tmx(out)
    header = tree.find("header")
    assert header.get("srclang") == codes.en
    assert header.get("creationdate") == "20240122T093000Z"
    assert header.get("creationtoolversion")

    records, _, _ = _records(store_path)
    with open(out, "rb") as handle:
        store = tmxfile(handle)  # finds the source side through the header's srclang alone
    assert store.sourcelanguage == codes.en
    assert [(u.source, u.target) for u in store.units] == [(r.en, r.ko) for r in records]
    for tuv_lang in tree.xpath("//tuv/@xml:lang"):
        assert tuv_lang in (codes.en, codes.ko)


def test_tmx_props_come_before_tuvs_and_carry_the_metadata(store_path, tmp_path):
    out = tmp_path / "corpus.tmx"
    _export(store_path, "tmx", out)
    tree = _validate_tmx(out)
    tu = tree.find("body/tu[@tuid='1-1']")
    tags = [child.tag for child in tu]
    assert tags.index("tuv") > max(i for i, t in enumerate(tags) if t == "prop")
    props = {p.get("type"): p.text for p in tu.findall("prop")}
    assert props["x-score"] == "0.8000"
    assert props["x-flags"] == "boilerplate"
    assert props["x-bead"] == "1-1"
    assert props["x-en-doc"] == "en-1"
    assert props["x-ko-url"] == "https://example.org/ko-1"
    restricted = tree.find("body/tu[@tuid='2-0']")
    assert {p.get("type"): p.text for p in restricted.findall("prop")}["x-restricted"] == "yes"


def test_tmx_reexport_is_byte_identical(store_path, tmp_path):
    _export(store_path, "tmx", tmp_path / "a.tmx.gz")
    _export(store_path, "tmx", tmp_path / "b.tmx.gz")
    data = (tmp_path / "a.tmx.gz").read_bytes()
    assert data == (tmp_path / "b.tmx.gz").read_bytes()
    assert data[3] & 0x08 == 0, "no file name in the gzip header"
    assert data[4:8] == b"\0\0\0\0", "gzip mtime is zero"
    with gzip.open(tmp_path / "a.tmx.gz") as handle:
        assert b'<tmx version="1.4">' in handle.read()


def test_cli_tmx_date_comes_from_source_date_epoch_and_reexport_is_identical(store_path, tmp_path):
    env = {"SOURCE_DATE_EPOCH": str(int(DATE.timestamp()))}
    outputs = [tmp_path / "a.tmx", tmp_path / "b.tmx"]
    for out in outputs:
        args = ["export", "--store", str(store_path), "--format", "tmx", "-o", str(out)]
        assert CliRunner().invoke(main, args, env=env).exit_code == 0
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    assert b'creationdate="20240122T093000Z"' in outputs[0].read_bytes()


def test_creation_date_comes_from_option_then_source_date_epoch():
    assert resolve_creation_date("2024-01-22T18:30:00+09:00") == DATE
    assert resolve_creation_date("2024-01-22") == datetime(2024, 1, 22, tzinfo=UTC)
    epoch = {"SOURCE_DATE_EPOCH": str(int(DATE.timestamp()))}
    assert resolve_creation_date(None, environ=epoch) == DATE
    with pytest.raises(ExportError, match="creation-date"):
        resolve_creation_date("yesterday")


def test_empty_store_gives_an_empty_valid_tmx_and_a_warning(empty_store, tmp_path):
    out = tmp_path / "empty.tmx"
    lines, stats = _export(empty_store, "tmx", out)
    tree = _validate_tmx(out)
    assert tree.findall("body/tu") == []
    assert stats.written == 0
    assert lines[-1].startswith("warning: nothing to export")


# -- XCES ------------------------------------------------------------------------------------


def test_xces_is_read_by_opus_read(store_path, tmp_path):
    opustools = pytest.importorskip("opustools")
    out = tmp_path / "opus"
    lines, _ = _export(store_path, "xces", out)
    assert any("opus_read" in line for line in lines)
    reader = opustools.OpusRead(
        directory="dari",
        source="en",
        target="ko",
        preprocess="raw",
        alignment_file=str(out / "en-ko.xml"),
        download_dir=str(out),
        suppress_prompts=True,
    )
    pairs = list(reader.yieldPairs())
    records, _, _ = _records(store_path)
    assert pairs == [(r.en, r.ko) for r in records]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xml")) == [
        "en-ko.xml",
        "en/en-1.xml",
        "en/en_2.xml",
        "ko/ko-1.xml",
        "ko/ko-2.xml",
    ]
    link = etree.parse(str(out / "en-ko.xml")).find("linkGrp/link[@id='SL1.4']")
    assert (link.get("xtargets"), link.get("certainty")) == ("s4;s3 s4", "0.7000")


def test_xces_refuses_stdout_and_gzip(store_path, tmp_path):
    with pytest.raises(ExportError, match="stdout"):
        _export(store_path, "xces", "-")
    with pytest.raises(ExportError, match="gzip"):
        _export(store_path, "xces", tmp_path / "opus.gz")


def test_xces_force_replaces_an_earlier_export_but_not_other_folders(store_path, tmp_path):
    out = tmp_path / "opus"
    _export(store_path, "xces", out)
    with pytest.raises(ExportError, match="already exists"):
        _export(store_path, "xces", out)
    _export(store_path, "xces", out, force=True)
    assert (out / "en-ko.xml").is_file()
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="not replacing"):
        _export(store_path, "xces", other, force=True)
    assert (other / "keep.txt").read_text() == "mine"
    assert _no_temporary_files(tmp_path)


# -- line formats and Parquet ------------------------------------------------------------


def test_moses_files_have_equal_line_counts_despite_unicode_line_breaks(store_path, tmp_path):
    _export(store_path, "moses", tmp_path / "corpus")
    en = (tmp_path / "corpus.en").read_text("utf-8").split("\n")
    ko = (tmp_path / "corpus.ko").read_text("utf-8").split("\n")
    assert len(en) == len(ko) == 7  # six pairs and the final newline
    assert en[2] == "Prices rose 3.5% in January."
    assert ko[1] == "그들은 무역과 관세를 논의했다."


def test_moses_gz_writes_two_compressed_files_and_refuses_stdout(store_path, tmp_path):
    _export(store_path, "moses", tmp_path / "corpus.gz", codes=LangCodes("en-US", "ko-KR"))
    with (
        gzip.open(tmp_path / "corpus.en-US.gz", "rt", encoding="utf-8") as en,
        gzip.open(tmp_path / "corpus.ko-KR.gz", "rt", encoding="utf-8") as ko,
    ):
        assert len(en.read().split("\n")) == len(ko.read().split("\n")) == 7
    with pytest.raises(ExportError, match="two files"):
        _export(store_path, "moses", "-")


def test_tsv_has_bicleaner_column_order_and_optional_header(store_path, tmp_path):
    _export(store_path, "tsv", tmp_path / "corpus.tsv", header=True)
    rows = [line.split("\t") for line in (tmp_path / "corpus.tsv").read_text().split("\n")[:-1]]
    assert rows[0] == ["en", "ko", "score", "flags", "bead", "en_doc", "ko_doc"]
    assert rows[2] == [
        'They discussed trade & "tariffs" <today>.',
        "그들은 무역과 관세를 논의했다.",
        "0.8000",
        "boilerplate",
        "1-1",
        "en-1",
        "ko-1",
    ]
    assert all(len(row) == 7 for row in rows)
    assert rows[-1][2] == ""  # unscored


def test_jsonl_follows_the_hugging_face_translation_layout(store_path, tmp_path):
    _export(store_path, "jsonl", tmp_path / "corpus.jsonl.gz")
    with gzip.open(tmp_path / "corpus.jsonl.gz", "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle.read().split("\n") if line]
    assert len(rows) == 6
    assert rows[0]["translation"] == {"en": EN_1[0], "ko": KO_1[0]}
    assert rows[1]["flags"] == ["boilerplate"]
    assert rows[5]["score"] is None and rows[5]["bead"] == "2-1"


def test_jsonl_and_tsv_can_go_to_stdout(store_path):
    import io

    buffer = io.BytesIO()
    options = ExportOptions(format="jsonl", output="-")
    export_store(store_path, options, report=lambda _: None, stdout=buffer)
    assert len(buffer.getvalue().decode().split("\n")) == 7


def test_a_closed_stdout_is_not_reported_as_an_export_error(store_path):
    """`dari export -o - | head -1`: the broken pipe reaches Click, which exits quietly."""

    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    options = ExportOptions(format="tsv", output="-")
    with os.fdopen(write_end, "wb") as closed_pipe, pytest.raises(BrokenPipeError):
        export_store(store_path, options, report=lambda _: None, stdout=closed_pipe)


def test_parquet_round_trips_through_pyarrow(store_path, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "corpus.parquet"
    _export(store_path, "parquet", out, filters=ExportFilters(exclude_restricted=True))
    rows = pq.read_table(out).to_pylist()
    assert [row["translation"]["en"] for row in rows] == [
        EN_1[0],
        EN_1[1],
        "Prices rose 3.5% in January.",
        "Exports grew. Imports fell.",
    ]
    assert rows[0]["flags"] == [] and rows[1]["score"] == pytest.approx(0.8)
    with pytest.raises(ExportError, match="gzip"):
        _export(store_path, "parquet", tmp_path / "corpus.parquet.gz")


# -- safe writing ----------------------------------------------------------------------------


def test_existing_output_is_refused_unless_forced(store_path, tmp_path):
    out = tmp_path / "corpus.tmx"
    out.write_text("precious")
    with pytest.raises(ExportError, match="already exists"):
        _export(store_path, "tmx", out)
    assert out.read_text() == "precious"
    _export(store_path, "tmx", out, force=True)
    _validate_tmx(out)


def test_interrupted_write_leaves_nothing_under_the_final_name(store_path, tmp_path, monkeypatch):
    real_fill = tmx_module.UnitTemplates.fill
    written = []

    def fill_until_the_disk_is_full(self, record):
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(record)
        return real_fill(self, record)

    monkeypatch.setattr(tmx_module.UnitTemplates, "fill", fill_until_the_disk_is_full)
    out = tmp_path / "corpus.tmx"
    with pytest.raises(ExportError, match="No space left on device"):
        _export(store_path, "tmx", out)
    assert len(written) == 3
    assert not out.exists()
    assert _no_temporary_files(tmp_path)


def test_missing_store_and_missing_directory_are_one_line_errors(store_path, tmp_path):
    with pytest.raises(ExportError, match="no such store"):
        _export(tmp_path / "absent.sqlite", "tmx", tmp_path / "x.tmx")
    with pytest.raises(ExportError, match="does not exist"):
        _export(store_path, "tmx", tmp_path / "nowhere" / "x.tmx")
    with pytest.raises(ExportError, match="is the store"):
        _export(store_path, "tsv", store_path, force=True)
    with Store(store_path) as store:
        assert store.db.execute("SELECT COUNT(*) FROM alignments").fetchone()[0] == 7


def test_option_parsers_reject_bad_values():
    assert parse_types("1-1, 2-1") == frozenset({"1-1", "2-1"})
    assert parse_lang_codes("en-US,ko-KR") == LangCodes("en-US", "ko-KR")
    with pytest.raises(ExportError):
        parse_types("1to1")
    with pytest.raises(ExportError):
        parse_lang_codes("en")
    with pytest.raises(ExportError):
        parse_lang_codes("en,EN")


# -- the command -----------------------------------------------------------------------------


def test_cli_exports_with_filters_and_reports_counts(store_path, tmp_path):
    out = tmp_path / "corpus.tsv"
    args = ["export", "--store", str(store_path), "--format", "tsv", "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--min-score", "0.5", "--exclude-restricted"])
    assert result.exit_code == 0, result.output
    assert "--min-score 0.5: 1 removed" in result.stderr
    assert len(out.read_text().split("\n")) == 4

    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1
    assert again.stderr.strip() == f"Error: {out}: already exists (use --force to overwrite)"
    assert "Traceback" not in again.output


def test_cli_tmx_to_stdout_and_clear_error_for_bad_options(store_path):
    args = ["export", "--store", str(store_path), "-o", "-", "--creation-date", "2024-01-22"]
    result = CliRunner().invoke(main, [*args, "--format", "tmx"])
    assert result.exit_code == 0
    assert result.stdout.startswith("<?xml") and result.stdout.count("<tu ") == 6
    bad = CliRunner().invoke(main, [*args, "--format", "tsv", "--types", "one-to-one"])
    assert bad.exit_code == 1
    assert "--types 'one-to-one'" in bad.stderr


def test_a_misspelt_exclude_flag_is_a_one_line_error_before_anything_is_written(
    store_path, tmp_path
):
    """'duplicates' used to exclude nothing: every duplicate pair was silently exported."""
    output = tmp_path / "out.tsv"
    args = ["export", "--store", str(store_path), "--format", "tsv", "-o", str(output)]
    result = CliRunner().invoke(main, [*args, "--exclude-flags", "boilerplate,duplicates"])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(
        "Error: --exclude-flags 'boilerplate,duplicates': unknown flag duplicates"
    )
    assert "choose from" in line and "duplicate," in line
    assert not output.exists()
    known = CliRunner().invoke(main, [*args, "--exclude-flags", " boilerplate , duplicate "])
    assert known.exit_code == 0, known.output


# -- hardening: names, replacing, temporaries, language tags, direction, dates ------------------


def _store_with_documents(path: Path, en_ids: list[str]) -> Path:
    """One document pair per English article id (each with its own Korean original), every
    sentence unique, so a link that reads another document's file reads other text."""
    with Store(path) as store:
        en_docs = [
            _add_document(store, article, "en", [f"English {n} one.", f"English {n} two."])
            for n, article in enumerate(en_ids)
        ]
        ko_docs = [
            _add_document(store, f"ko-{n}", "ko", [f"한국어 {n} 하나.", f"한국어 {n} 둘."])
            for n in range(len(en_ids))
        ]
        for en_doc, ko_doc in zip(en_docs, ko_docs, strict=True):
            _add_pair(store, en_doc, ko_doc, [([0], [0], 0.9, []), ([1], [1], 0.8, [])])
    return path


# Row 3 ("coll?") used to be named coll-3.xml after its row id, the name of row 1's own file.
COLLIDING_IDS = [
    "coll-3",
    "coll",
    "coll?",
    "Case",
    "case",
    "../../escaped",
    "/absolute/id",
    "nul\x00byte",
    "CON",
    "x" * 300,
    "y" * 300 + "-tail",
]


def test_xces_gives_every_document_its_own_safe_file(tmp_path):
    store = _store_with_documents(tmp_path / "names.sqlite", COLLIDING_IDS)
    out = tmp_path / "opus"
    _export(store, "xces", out)
    documents = [p for p in out.rglob("*.xml") if p.parent != out]
    assert len(documents) == 2 * len(COLLIDING_IDS)  # no file was written twice
    names = [p.relative_to(out).as_posix() for p in documents]
    assert len({name.casefold() for name in names}) == len(names)  # case-insensitive too
    assert all(p.resolve().is_relative_to(out.resolve()) for p in documents)
    assert all(len(p.name.encode()) <= 255 for p in documents)
    assert "con.xml" not in {p.name.casefold() for p in documents}
    links = etree.parse(str(out / "en-ko.xml")).findall("linkGrp")
    for number, group in enumerate(links):
        english = etree.parse(str(out / group.get("fromDoc")))
        korean = etree.parse(str(out / group.get("toDoc")))
        assert english.findtext("p/s") == f"English {number} one."
        assert korean.findtext("p/s") == f"한국어 {number} 하나."


def test_opus_read_reads_each_link_from_its_own_documents(tmp_path):
    opustools = pytest.importorskip("opustools")
    store = _store_with_documents(tmp_path / "names.sqlite", COLLIDING_IDS)
    out = tmp_path / "opus"
    _export(store, "xces", out)
    reader = opustools.OpusRead(
        directory="dari",
        source="en",
        target="ko",
        preprocess="raw",
        alignment_file=str(out / "en-ko.xml"),
        download_dir=str(out),
        suppress_prompts=True,
    )
    expected = [
        (f"English {n} {which}.", f"한국어 {n} {korean}.")
        for n in range(len(COLLIDING_IDS))
        for which, korean in (("one", "하나"), ("two", "둘"))
    ]
    assert list(reader.yieldPairs()) == expected


def test_xces_force_keeps_a_folder_that_holds_only_subfolders(store_path, tmp_path):
    """`mkdir -p keep/photos && dari export --format xces -o keep --force` removed photos."""
    keep = tmp_path / "keep"
    (keep / "photos").mkdir(parents=True)
    (keep / "photos" / "a.jpg").write_bytes(b"\xff\xd8 a photo")
    with pytest.raises(ExportError, match="not replacing"):
        _export(store_path, "xces", keep, force=True)
    assert (keep / "photos" / "a.jpg").read_bytes() == b"\xff\xd8 a photo"
    (keep / "photos" / "a.jpg").unlink()
    with pytest.raises(ExportError, match="not replacing"):  # an empty folder is still mine
        _export(store_path, "xces", keep, force=True)
    assert (keep / "photos").is_dir()


@pytest.mark.parametrize(
    "addition",
    ["en/notes.txt", "en/deeper/en-1.xml", "ko/stray.xml", "README", "empty-folder/"],
)
def test_xces_force_refuses_an_earlier_export_with_anything_added(store_path, tmp_path, addition):
    out = tmp_path / "opus"
    _export(store_path, "xces", out)
    extra = out / addition
    if addition.endswith("/"):
        extra.mkdir()
    else:
        extra.parent.mkdir(exist_ok=True)
        extra.write_text("mine")
    with pytest.raises(ExportError, match="not replacing"):
        _export(store_path, "xces", out, force=True)
    assert extra.exists()


def test_xces_force_replaces_an_export_in_either_direction(store_path, tmp_path):
    out = tmp_path / "opus"
    _export(store_path, "xces", out, codes=LangCodes(source="ko"))
    _export(store_path, "xces", out, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["en", "en-ko.xml", "ko"]
    assert _no_temporary_files(tmp_path)


# A child that starts the real export and is killed (SIGKILL) halfway through writing.
KILLED_EXPORT = """
import os, signal, sys
from corpus.export import tmx
from cli import main

real_fill = tmx.UnitTemplates.fill
written = []

def fill_then_die(self, record):
    written.append(record)
    if len(written) == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_fill(self, record)

tmx.UnitTemplates.fill = fill_then_die
main(sys.argv[1:])
"""


def _killed_export(store_path: Path, fmt: str, out: Path) -> None:
    import signal
    import subprocess
    import sys

    args = ["export", "--store", str(store_path), "--format", fmt, "-o", str(out)]
    child = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, *args],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr


def test_the_next_export_removes_the_temporaries_of_a_killed_one(store_path, tmp_path):
    out = tmp_path / "corpus.tmx"
    _killed_export(store_path, "tmx", out)
    (left,) = [p for p in tmp_path.iterdir() if p.name.startswith(".corpus.tmx.")]
    assert left.name.endswith(".tmp") and not out.exists()
    stale_dir = tmp_path / ".corpus.tmx.abcd1234.old"  # a killed replacement of a folder
    (stale_dir / "previous").mkdir(parents=True)
    other = tmp_path / ".corpus.tmx.en.abcd1234.tmp"  # another target's: not ours to remove
    other.write_text("moses corpus.tmx.en, being written")
    _export(store_path, "tmx", out)
    assert not left.exists() and not stale_dir.exists() and other.exists()
    _validate_tmx(out)


def test_a_temporary_that_a_live_export_holds_is_left_alone(store_path, tmp_path):
    import fcntl
    import os

    live = tmp_path / ".corpus.tmx.live1234.tmp"
    live.write_text("half of a corpus")
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _export(store_path, "tmx", tmp_path / "corpus.tmx")
        assert live.read_text() == "half of a corpus"
    finally:
        os.close(fd)
    _export(store_path, "tmx", tmp_path / "corpus.tmx", force=True)
    assert not live.exists()


def test_two_exports_to_one_target_at_once_both_finish(store_path, tmp_path, monkeypatch):
    """The first export pauses halfway; a second one to the same target runs to the end
    meanwhile. Neither removes the other's temporary; the later rename wins."""
    import threading

    real_fill = tmx_module.UnitTemplates.fill
    paused, resume = threading.Event(), threading.Event()
    first_thread = threading.current_thread()

    def fill(self, record):
        if threading.current_thread() is not first_thread and not paused.is_set():
            paused.set()
            resume.wait(timeout=30)
        return real_fill(self, record)

    monkeypatch.setattr(tmx_module.UnitTemplates, "fill", fill)
    out = tmp_path / "corpus.tmx"
    errors: list[BaseException] = []

    def first_export() -> None:
        try:
            _export(store_path, "tmx", out, force=True)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    worker = threading.Thread(target=first_export)
    worker.start()
    assert paused.wait(timeout=30)
    _export(store_path, "tmx", out, force=True)
    resume.set()
    worker.join(timeout=30)
    assert not errors
    _validate_tmx(out)
    assert _no_temporary_files(tmp_path)


def test_an_output_that_is_a_fifo_is_written_not_replaced(store_path, tmp_path):
    """`-o /dev/null` or a named pipe: replacing it by a file would destroy it."""
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        _export(store_path, "tsv", fifo, force=True)
        data = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert data.count(b"\n") == 6


def test_an_output_through_a_symbolic_link_keeps_the_link(store_path, tmp_path):
    real = tmp_path / "real.tsv"
    real.write_text("old")
    link = tmp_path / "link.tsv"
    link.symlink_to(real)
    _export(store_path, "tsv", link, force=True)
    assert link.is_symlink() and real.read_text().count("\n") == 6


def test_lang_codes_label_the_text_of_their_own_language_and_are_bcp47():
    assert parse_lang_codes("ko,en") == LangCodes("en", "ko")
    assert parse_lang_codes("ko-KR,en-US") == LangCodes("en-US", "ko-KR")
    assert parse_lang_codes("EN_us,ko") == LangCodes("en-US", "ko")  # canonical form
    assert parse_lang_codes("en,ko", "ko-en") == LangCodes("en", "ko", source="ko")
    for value, problem in [
        ("xx,yy", "'xx' is not a valid BCP 47 tag"),
        ("en-US-US,ko", "not a valid BCP 47 tag"),
        ("fr,ko", "'fr' is neither English (en) nor Korean (ko)"),
        ("en,en-GB", "both tags are English"),
        ("ko-KR,ko-KP", "both tags are Korean"),
        ("en,ko,ja", "expected two language tags"),
    ]:
        with pytest.raises(ExportError, match=re.escape(problem)):
            parse_lang_codes(value)


def test_swapped_lang_codes_still_label_english_text_english(store_path, tmp_path):
    """`--lang-codes ko,en` used to tag the English text as Korean in every format."""
    import csv

    records, _, _ = _records(store_path)
    base = ["export", "--store", str(store_path), "--lang-codes", "ko-KR,en-US"]
    for fmt, name in [("tmx", "c.tmx"), ("jsonl", "c.jsonl"), ("tsv", "c.tsv"), ("moses", "c")]:
        args = [*base, "--format", fmt, "-o", str(tmp_path / name), "--header"]
        result = CliRunner().invoke(main, args if fmt == "tsv" else args[:-1])
        assert result.exit_code == 0, result.output
    tree = _validate_tmx(tmp_path / "c.tmx")
    assert tree.find("header").get("srclang") == "en-US"
    first = tree.find("body/tu")
    assert [(t.get(XML_LANG), t.findtext("seg")) for t in first.findall("tuv")] == [
        ("en-US", records[0].en),
        ("ko-KR", records[0].ko),
    ]
    row = json.loads((tmp_path / "c.jsonl").read_text("utf-8").split("\n")[0])
    assert row["translation"] == {"en-US": records[0].en, "ko-KR": records[0].ko}
    with open(tmp_path / "c.tsv", encoding="utf-8", newline="") as handle:
        header, first_row = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[:2]
    assert header[:2] == ["en-US", "ko-KR"] and first_row[:2] == [records[0].en, records[0].ko]
    assert (tmp_path / "c.en-US").read_text("utf-8").split("\n")[0] == records[0].en
    assert (tmp_path / "c.ko-KR").read_text("utf-8").split("\n")[0] == records[0].ko
    bad = CliRunner().invoke(
        main, [*base[:3], "--lang-codes", "xx,yy", "--format", "tsv", "-o", "-"]
    )
    assert bad.exit_code == 1
    assert bad.output == "Error: --lang-codes 'xx,yy': 'xx' is not a valid BCP 47 tag\n"


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_ko_en_tmx_declares_korean_as_the_source_and_validates(store_path, tmp_path):
    from translate.storage.tmx import tmxfile

    out = tmp_path / "ko-en.tmx"
    args = ["export", "--store", str(store_path), "--format", "tmx", "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--direction", "ko-en", "--lang-codes", "en,ko-KR"])
    assert result.exit_code == 0, result.output
    tree = _validate_tmx(out)
    assert tree.find("header").get("srclang") == "ko-KR"
    assert tree.xpath("//tu[1]/tuv/@xml:lang") == ["ko-KR", "en"]
    records, _, _ = _records(store_path)
    with open(out, "rb") as handle:
        store = tmxfile(handle)
    assert store.sourcelanguage == "ko-KR"
    assert [(u.source, u.target) for u in store.units] == [(r.ko, r.en) for r in records]


def test_ko_en_puts_korean_first_in_every_format(store_path, tmp_path):
    records, _, _ = _records(store_path)
    ko_en = LangCodes(source="ko")
    _export(store_path, "tsv", tmp_path / "c.tsv", codes=ko_en, header=True)
    rows = [r.split("\t") for r in (tmp_path / "c.tsv").read_text("utf-8").split("\n")[:2]]
    assert rows[0][:2] == ["ko", "en"] and rows[1][:2] == [records[0].ko, records[0].en]
    assert rows[0][2:] == ["score", "flags", "bead", "en_doc", "ko_doc"]
    _export(store_path, "jsonl", tmp_path / "c.jsonl", codes=ko_en)
    row = json.loads((tmp_path / "c.jsonl").read_text("utf-8").split("\n")[0])
    assert list(row["translation"].items()) == [("ko", records[0].ko), ("en", records[0].en)]
    lines, _ = _export(store_path, "moses", tmp_path / "c", codes=ko_en)
    assert f"to {tmp_path / 'c.ko'} and {tmp_path / 'c.en'}" in lines[-1]
    assert (tmp_path / "c.ko").read_text("utf-8").split("\n")[0] == records[0].ko
    out = tmp_path / "opus"
    lines, _ = _export(store_path, "xces", out, codes=ko_en)
    assert f"-s ko -t en -p raw -af {out / 'ko-en.xml'}" in lines[-1]
    group = etree.parse(str(out / "ko-en.xml")).find("linkGrp")
    assert (group.get("fromDoc"), group.get("toDoc")) == ("ko/ko-1.xml", "en/en-1.xml")
    assert group.find("link[@id='SL1.4']").get("xtargets") == "s3 s4;s4"
    if pq := _pyarrow_parquet():
        _export(store_path, "parquet", tmp_path / "c.parquet", codes=ko_en)
        first = pq.read_table(tmp_path / "c.parquet").to_pylist()[0]["translation"]
        assert list(first.items()) == [("ko", records[0].ko), ("en", records[0].en)]


def _pyarrow_parquet():
    try:
        import pyarrow.parquet
    except ImportError:
        return None
    return pyarrow.parquet


def test_ko_en_opus_read_gives_korean_as_the_source(store_path, tmp_path):
    opustools = pytest.importorskip("opustools")
    out = tmp_path / "opus"
    _export(store_path, "xces", out, codes=LangCodes(source="ko"))
    reader = opustools.OpusRead(
        directory="dari",
        source="ko",
        target="en",
        preprocess="raw",
        alignment_file=str(out / "ko-en.xml"),
        download_dir=str(out),
        suppress_prompts=True,
    )
    records, _, _ = _records(store_path)
    assert list(reader.yieldPairs()) == [(r.ko, r.en) for r in records]


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01T05:00+05:30"]
)
def test_a_creation_date_that_overflows_in_utc_is_a_one_line_error(store_path, value):
    args = ["export", "--store", str(store_path), "--format", "tmx", "-o", "-"]
    result = CliRunner().invoke(main, [*args, "--creation-date", value])
    assert result.exit_code == 1
    expected = f"Error: --creation-date {value!r}: outside years 1-9999 once converted to UTC\n"
    assert result.output == expected


@pytest.mark.parametrize(
    ("epoch", "problem"),
    [
        ("99999999999999999999", "outside years 1-9999"),
        ("253402300800", "outside years 1-9999"),
        ("-62135596801", "outside years 1-9999"),
        ("soon", "not a Unix time"),
    ],
)
def test_source_date_epoch_out_of_range_is_a_one_line_error(store_path, epoch, problem):
    args = ["export", "--store", str(store_path), "--format", "tmx", "-o", "-"]
    result = CliRunner().invoke(main, args, env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 1
    assert result.output == f"Error: SOURCE_DATE_EPOCH {epoch!r}: {problem}\n"


def test_tmx_dates_in_year_one_keep_four_digits(store_path, tmp_path):
    out = tmp_path / "old.tmx"
    _export(store_path, "tmx", out)
    lines: list[str] = []
    options = ExportOptions(
        format="tmx", output=str(out), creation_date=datetime(1, 1, 1, tzinfo=UTC), force=True
    )
    export_store(store_path, options, report=lines.append)
    assert _validate_tmx(out).find("header").get("creationdate") == "00010101T000000Z"


def test_a_full_disk_during_any_export_leaves_no_file_and_one_line(
    store_path, tmp_path, monkeypatch
):
    """ENOSPC halfway through XCES or Moses: one line, nothing under the final names."""
    from corpus.export import lines as lines_module
    from corpus.export import xces as xces_module

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xces_module.DocumentFiles, "_write", full)
    monkeypatch.setattr(lines_module, "write_moses", full)
    for fmt, out in [("xces", tmp_path / "opus"), ("moses", tmp_path / "corpus")]:
        args = ["export", "--store", str(store_path), "--format", fmt, "-o", str(out)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1
        assert result.output == f"Error: {out}: No space left on device\n"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("corpus.sqlite")] == []


def test_an_unwritable_output_folder_is_a_one_line_error(store_path, tmp_path, monkeypatch):
    """As root a read-only folder is still writable, so the refusal is simulated."""
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".corpus.tmx.x1y2z3w4.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    out = tmp_path / "corpus.tmx"
    args = ["export", "--store", str(store_path), "--format", "tmx", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output == f"Error: {out}: Permission denied\n"


def test_the_store_is_refused_as_output_through_a_hard_link(store_path, tmp_path):
    import os

    alias = tmp_path / "alias.tsv"
    os.link(store_path, alias)
    with pytest.raises(ExportError, match="is the store"):
        _export(store_path, "tsv", alias, force=True)
    os.link(store_path, tmp_path / "corpus.ko")
    with pytest.raises(ExportError, match="corpus.ko: is the store"):
        _export(store_path, "moses", tmp_path / "corpus", force=True)


def test_run_exports_in_the_declared_direction(store_path, tmp_path):
    """`dari run --direction ko-en`: the same option, the same outputs as `dari export`."""
    nothing_new = tmp_path / "inbox"
    nothing_new.mkdir()
    args = ["run", str(nothing_new), "-o", str(tmp_path / "out"), "--store", str(store_path)]
    result = CliRunner().invoke(
        main,
        [*args, "--formats", "tmx,moses", "--direction", "ko-en"],
        env={"SOURCE_DATE_EPOCH": "0"},
    )
    assert result.exit_code == 0, result.output
    tree = _validate_tmx(tmp_path / "out" / "corpus.tmx")
    assert tree.find("header").get("srclang") == "ko"
    listed = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    assert listed[1:] == [str(tmp_path / "out" / "corpus.ko"), str(tmp_path / "out" / "corpus.en")]


def test_moses_into_a_folder_is_refused_instead_of_writing_beside_it(store_path, tmp_path):
    """`-o out/` for Moses wrote out.en and out.ko next to the folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    for output in (folder, f"{folder}/"):
        with pytest.raises(ExportError, match="is a directory; moses writes PATH.en"):
            _export(store_path, "moses", output)
    assert not (tmp_path / "out.en").exists()


def test_ctrl_c_during_export_exits_130_and_keeps_the_earlier_file(
    store_path, tmp_path, monkeypatch
):
    out = tmp_path / "corpus.tmx"
    out.write_text("yesterday's corpus")

    def interrupt(self, record):
        raise KeyboardInterrupt

    monkeypatch.setattr(tmx_module.UnitTemplates, "fill", interrupt)
    args = ["export", "--store", str(store_path), "--format", "tmx", "-o", str(out), "--force"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 130
    assert result.output == f"interrupted: {out} is as it was before\n"
    assert out.read_text() == "yesterday's corpus"
    assert _no_temporary_files(tmp_path)
