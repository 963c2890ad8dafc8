"""Ingest: walking inputs, storing articles, rejects, reruns, interruption and the CLI."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

import corpus.ingest
from cli import main
from corpus.ingest import IngestEvent, ingest_paths, iter_input_files
from corpus.store import Store, StoredSentence

FIXTURES = Path(__file__).parent / "fixtures"
TEXT_DUMP = FIXTURES / "hankyoreh_text" / "variant.txt"
GENERIC_EN = FIXTURES / "generic" / "article_en.html"
GENERIC_KO = FIXTURES / "generic" / "article_ko.html"
NO_BODY = FIXTURES / "generic" / "no_body.html"
JSONL = FIXTURES / "jsonl" / "articles.jsonl"


def dump(title: str, body: str) -> str:
    """A small Hankyoreh English text dump."""
    return (
        f"{title}\n\nPosted on : 2024-01-22 16:58 KST Modified on : 2024-01-22 16:58 KST\n"
        f"A standfirst for {title}\n\n{body}\n\nBy Lee Je-hun, senior staff writer\n"
    )


def one_sentence_a_paragraph(article) -> list[StoredSentence]:
    """A trivial segmenter for tests about ingest itself rather than sentence splitting."""
    sentences, offset = [], 0
    for index, line in enumerate(article.text.split("\n")):
        kind = "title" if index == 0 else article.paragraphs[index - 1].kind
        sentences.append(StoredSentence(index, index, kind, offset, offset + len(line), line))
        offset += len(line) + 1
    return sentences


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store.sqlite") as opened:
        yield opened


@pytest.fixture
def events():
    return []


@pytest.fixture
def fast_segmenter(monkeypatch):
    """Skip loading kiwipiepy where the test is about ingest, not about sentences.

    test_mixed_folder_is_ingested_with_every_reader runs the real segmenter end to end.
    """
    monkeypatch.setattr(corpus.ingest, "segment_article", one_sentence_a_paragraph)


def test_walk_is_recursive_sorted_and_skips_hidden_and_page_assets(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deeper").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "page_files").mkdir()
    for name in (
        "b/2.txt",
        "b/1.txt",
        "a/deeper/x.txt",
        "a/z.txt",
        ".git/config",
        ".hidden.txt",
        "page.html",
        "page_files/ad.html",
        "page_files/style.css",
        "logo.png",
        "c.jsonl",
        "README.md",
        "LICENSE",
        "a/NOTICE.txt",
        "readme-first.txt",
    ):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_input_files([tmp_path])]
    assert found == ["c.jsonl", "page.html", "a/z.txt", "a/deeper/x.txt", "b/1.txt", "b/2.txt"]
    # a file named explicitly is read even if a folder walk would skip it
    assert list(iter_input_files([tmp_path / ".hidden.txt"])) == [tmp_path / ".hidden.txt"]


def test_mixed_folder_is_ingested_with_every_reader(tmp_path, store, events):
    for fixture in (TEXT_DUMP, GENERIC_EN, GENERIC_KO):
        shutil.copy(fixture, tmp_path / fixture.name)
    counts = ingest_paths([tmp_path], store, on_event=events.append)
    assert (counts.files, counts.new, counts.rejected) == (3, 3, 0)
    formats = sorted(a.source_format for _, a in store.articles())
    assert formats == ["generic-html", "generic-html", "hankyoreh-text"]
    doc_id, article = next((i, a) for i, a in store.articles() if a.language == "ko")
    sentences = store.sentences(doc_id)
    assert sentences and all(s.text == article.text[s.start : s.end] for s in sentences)
    assert store.raw(doc_id) == GENERIC_KO.read_bytes()


def test_reingesting_the_same_content_changes_nothing(tmp_path, store, events, fast_segmenter):
    shutil.copy(TEXT_DUMP, tmp_path / "a.txt")
    shutil.copy(JSONL, tmp_path / "b.jsonl")
    first = ingest_paths([tmp_path], store, on_event=events.append)
    rows_before = store.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    second = ingest_paths([tmp_path], store, on_event=events.append)
    assert (first.new, first.unchanged) == (6, 0)
    assert (second.new, second.versions, second.unchanged) == (0, 0, 6)
    assert store.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == rows_before
    # the four bad JSONL lines are rejected on every run but recorded once
    assert second.rejected == 4
    assert store.stats()["rejected_files"] == 4


def test_changed_content_under_the_same_id_becomes_a_new_version(tmp_path, store, events):
    path = tmp_path / "a.jsonl"
    record = {"id": "herald-1", "title": "Fares rise", "text": "Bus fares will rise in May."}
    path.write_text(json.dumps(record), encoding="utf-8")
    ingest_paths([path], store, on_event=events.append)
    record["text"] = "Bus fares will rise in June, officials said."
    path.write_text(json.dumps(record), encoding="utf-8")
    counts = ingest_paths([path], store, on_event=events.append)
    assert (counts.new, counts.versions) == (0, 1)
    (current,) = [a for _, a in store.articles()]
    assert current.body[0].text == "Bus fares will rise in June, officials said."
    assert store.stats()["old_versions"] == 1


def write_bad_inputs(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.dat").write_bytes(b"\x00\x01\x02\x03 data \x00")
    (folder / "nobody.html").write_bytes(NO_BODY.read_bytes())
    (folder / "unknown.txt").write_text("Just some notes without any structure.\n")
    (folder / "undecodable.txt").write_bytes(b"caf\xff and more text \xff\xfe\xff")


def test_bad_files_are_rejected_with_one_line_each_and_the_rest_continue(
    tmp_path, store, capsys, fast_segmenter
):
    write_bad_inputs(tmp_path / "in")
    (tmp_path / "in" / "good.txt").write_text(dump("A good one", "Body text here."))
    (tmp_path / "in" / "korean-cp949.txt").write_bytes(
        dump("Korean in CP949", "서울시는 급행철도를 새로 짓는다고 밝혔다. " * 3).encode("cp949")
    )
    counts = ingest_paths([tmp_path / "in", tmp_path / "missing.txt"], store)
    assert (counts.files, counts.new, counts.rejected) == (8, 2, 6)
    err = capsys.readouterr().err.strip().split("\n")
    folder = tmp_path / "in"
    assert err == [
        f"{folder / 'binary.dat'}: binary file (contains NUL bytes), not text",
        f"{folder / 'empty.txt'}: empty file",
        f"{folder / 'nobody.html'}: no article body found",
        f"{folder / 'undecodable.txt'}: cannot decode text: not valid in UTF-8, CP949/EUC-KR",
        f"{folder / 'unknown.txt'}: unrecognised format (no reader accepts a file starting "
        "'Just some notes without any structure.')",
        f"{tmp_path / 'missing.txt'}: no such file or directory",
    ]
    rejects = store.db.execute("SELECT source_path, raw FROM rejects").fetchall()
    assert len(rejects) == 6
    assert all(raw is not None for path, raw in rejects if "missing" not in path)


def test_jsonl_bad_lines_are_rejected_as_file_and_line(store, capsys, fast_segmenter):
    counts = ingest_paths([JSONL], store)
    assert (counts.new, counts.rejected, counts.warnings) == (5, 4, 1)
    err = capsys.readouterr().err
    assert f"{JSONL}:3: invalid JSON" in err
    assert f"{JSONL}:4: missing 'text'" in err
    assert f"{JSONL}:7: warning: declared language 'en'" in err
    paths = {row[0] for row in store.db.execute("SELECT source_path FROM rejects")}
    assert paths == {f"{JSONL}:{n}" for n in (3, 4, 8, 10)}


def test_a_fixed_file_clears_its_earlier_rejects(tmp_path, store, events):
    path = tmp_path / "a.txt"
    path.write_bytes(b"")
    ingest_paths([path], store, on_event=events.append)
    assert store.stats()["rejected_files"] == 1
    path.write_text(dump("Now readable", "Body text here."))
    ingest_paths([path], store, on_event=events.append)
    assert store.stats()["rejected_files"] == 0


def test_interrupt_mid_article_keeps_finished_articles_and_no_half_article(
    tmp_path, store, events, monkeypatch
):
    for n in range(5):
        (tmp_path / f"{n}.txt").write_text(dump(f"Story {n}", f"Body of story {n}."))
    calls = []

    def segment_then_interrupt(article):
        calls.append(article.id)
        sentences = one_sentence_a_paragraph(article)

        def stream():
            yield sentences[0]
            if len(calls) == 3:  # the third article is interrupted inside its transaction
                raise KeyboardInterrupt
            yield from sentences[1:]

        return stream()

    monkeypatch.setattr(corpus.ingest, "segment_article", segment_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths([tmp_path], store, on_event=events.append)
    assert [e.kind for e in events] == ["new", "new"]
    check = sqlite3.connect(store.path)
    assert check.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 2
    orphans = "SELECT COUNT(*) FROM sentences WHERE doc_id NOT IN (SELECT id FROM documents)"
    assert check.execute(orphans).fetchone()[0] == 0
    # title and one body paragraph, one sentence each, for each finished article
    assert check.execute("SELECT COUNT(*) FROM sentences").fetchone()[0] == 2 * 2
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    monkeypatch.setattr(corpus.ingest, "segment_article", one_sentence_a_paragraph)
    rerun = ingest_paths([tmp_path], store, on_event=events.append)
    assert (rerun.unchanged, rerun.new) == (2, 3)


def test_two_thousand_small_files_stream_through(tmp_path, store, fast_segmenter):
    folder = tmp_path / "many"
    for n in range(2000):
        sub = folder / f"batch{n // 250:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        record = {"id": f"doc-{n}", "title": f"Notice {n}", "text": f"Meeting number {n} is held."}
        (sub / f"{n:05d}.jsonl").write_text(json.dumps(record), encoding="utf-8")
    seen: list[IngestEvent] = []
    counts = ingest_paths([folder], store, on_event=seen.append)
    assert (counts.files, counts.new, counts.rejected) == (2000, 2000, 0)
    assert store.stats()["documents"] == 2000
    again = ingest_paths([folder], store, on_event=seen.append)
    assert (again.unchanged, again.new) == (2000, 0)


# -- command line ----------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_cli_ingest_exit_status_and_summary(tmp_path, fast_segmenter):
    store_path = str(tmp_path / "s.sqlite")
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(TEXT_DUMP, good / "a.txt")
    ok = run("ingest", str(good), "--store", store_path)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.strip() == (
        f"ingested 1 files: 1 new, 0 new versions, 0 unchanged, 0 rejected (store: {store_path})"
    )
    write_bad_inputs(tmp_path / "bad")
    failed = run("ingest", str(good), str(tmp_path / "bad"), "--store", store_path)
    assert failed.exit_code == 1
    assert "1 unchanged, 5 rejected" in failed.stdout
    assert f"{tmp_path / 'bad' / 'empty.txt'}: empty file" in failed.stderr
    assert "Traceback" not in failed.output


def test_cli_stats_text_and_json(tmp_path, fast_segmenter):
    store_path = str(tmp_path / "s.sqlite")
    run("ingest", str(JSONL), str(GENERIC_KO), "--store", store_path)
    text = run("stats", "--store", store_path)
    assert text.exit_code == 0, text.output
    assert "documents: 6 current, 0 old versions" in text.stdout
    assert "jsonl" in text.stdout and "generic-html" in text.stdout
    assert "English documents: 0 paired, 3 unpaired" in text.stdout
    assert "rejected: 4" in text.stdout
    assert f"{JSONL}:3: invalid JSON" in text.stdout
    as_json = run("stats", "--store", store_path, "--json")
    stats = json.loads(as_json.stdout)
    counts = {
        (r["lang"], r["source_format"]): r["documents"] for r in stats["by_language_and_source"]
    }
    assert counts == {("en", "jsonl"): 3, ("ko", "jsonl"): 2, ("ko", "generic-html"): 1}


def test_cli_stats_without_a_store_is_a_one_line_error(tmp_path):
    result = run("stats", "--store", str(tmp_path / "nothing.sqlite"))
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"Error: {tmp_path / 'nothing.sqlite'}: no such store (run 'dari ingest' first)"
    )
    assert not (tmp_path / "nothing.sqlite").exists()


def test_a_crashing_reader_rejects_that_file_only(tmp_path, store, capsys, monkeypatch):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(dump(f"Story {name}", "Body text here."))
    real_read = corpus.ingest.read_document

    def crash_on_a(path, raw, *block):
        if path.name == "a.txt":
            raise RuntimeError("boom\nsecond line")
        return real_read(path, raw, *block)

    monkeypatch.setattr(corpus.ingest, "read_document", crash_on_a)
    monkeypatch.setattr(corpus.ingest, "segment_article", one_sentence_a_paragraph)
    counts = ingest_paths([tmp_path], store)
    assert (counts.new, counts.rejected) == (1, 1)
    assert capsys.readouterr().err == (
        f"{tmp_path / 'a.txt'}: internal error (RuntimeError: boom second line); please report it\n"
    )


def test_cli_ctrl_c_exits_130_and_says_what_is_kept(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(dump("Story", "Body text here."))

    def interrupted(paths, store, on_event, workers):
        on_event(IngestEvent("new", "a.txt", "a"))
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus.ingest, "ingest_paths", interrupted)
    result = run("ingest", str(tmp_path), "--store", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 130
    assert result.stderr.startswith("interrupted: 1 new and 0 new versions stored are kept")


def _stored(store: Store) -> list[tuple]:
    return [
        (a.id, a.language, [(s.kind, s.start, s.end, s.text) for s in store.sentences(doc_id)])
        for doc_id, a in store.articles()
    ]


def test_a_pool_of_workers_stores_the_same_articles_in_the_same_order(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for fixture in (TEXT_DUMP, GENERIC_EN, GENERIC_KO, JSONL):
        shutil.copy(fixture, inputs / fixture.name)
    results = []
    for workers in (1, 2):
        with Store(tmp_path / f"store-{workers}.sqlite") as store:
            events: list[IngestEvent] = []
            counts = ingest_paths([inputs], store, on_event=events.append, workers=workers)
            # a pool reports a file's rejects while earlier articles are still being split
            results.append((counts, sorted((e.kind, e.path) for e in events), _stored(store)))
    assert results[0] == results[1]
    assert results[0][0].new >= 5


def test_a_large_jsonl_file_is_read_in_blocks_with_the_same_result(tmp_path, monkeypatch):
    """Blocks of a few lines: same articles, same line numbers in rejects and ids, and a
    block that cannot be read at all is rejected on its own."""
    records = [
        json.dumps({"lang": "en", "text": f"Story number {n} about the budget vote today."})
        for n in range(9)
    ]
    records[4] = "{not json"
    body = "\n".join(records) + "\n"
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "dump.jsonl").write_text(body)
    monkeypatch.setattr(corpus.ingest, "segment_article", one_sentence_a_paragraph)
    results = []
    for block_bytes in (10**9, 120):
        monkeypatch.setattr(corpus.ingest, "BLOCK_BYTES", block_bytes)
        with Store(tmp_path / f"store-{block_bytes}.sqlite") as store:
            events: list[IngestEvent] = []
            counts = ingest_paths([inputs], store, on_event=events.append)
            # a whole file reports its bad lines first; blocks report them as they come
            kinds = sorted((e.kind, e.path, e.detail) for e in events)
            results.append((counts, kinds, _stored(store)))
    assert results[0] == results[1]
    assert results[0][0].new == 8 and results[0][0].rejected == 1
    assert ("rejected", f"{inputs / 'dump.jsonl'}:5") in {k[:2] for k in results[1][1]}


def test_an_unreadable_block_of_a_large_jsonl_file_is_rejected_alone(tmp_path, monkeypatch):
    lines = [
        json.dumps({"lang": "en", "text": f"The budget passed after {n} long nights of talks."})
        for n in range(4)
    ]
    binary = b"\x00\x01\x02" * 60
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b"\n".join([*(x.encode() for x in lines[:3]), binary, lines[3].encode()]))
    monkeypatch.setattr(corpus.ingest, "segment_article", one_sentence_a_paragraph)
    monkeypatch.setattr(corpus.ingest, "BLOCK_BYTES", 100)
    with Store(tmp_path / "s.sqlite") as store:
        counts = ingest_paths([path], store, on_event=lambda _: None)
        rejects = store.db.execute("SELECT source_path, raw FROM rejects").fetchall()
    # blocks of 100 bytes rounded up to whole lines: lines 1-2, 3-4 (binary), 5
    assert (counts.new, counts.rejected) == (3, 1)
    assert [r[0] for r in rejects] == [f"{path}:3-4"]
    assert binary in zlib.decompress(rejects[0][1])  # the raw bytes stay recoverable
