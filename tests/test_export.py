"""Exports: filters and their counts, text hygiene, every format read back by a real tool,
reproducibility and safe writing."""

from __future__ import annotations

import gzip
import json
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
