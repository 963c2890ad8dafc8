"""`dari run` end to end on three tiny article pairs: output, reruns, the lock, kill + resume."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from test_batch import write_articles

from cli import main
from corpus.pipeline import StoreBusy, lock_path, run_pipeline, store_lock

ROOT = Path(__file__).resolve().parents[1]
EPOCH = "1700000000"  # a fixed TMX creation date, so two runs' files compare byte for byte

# A later delivery: one more English article that links its Korean original.
BUDGET = [
    {
        "id": "en-budget",
        "lang": "en",
        "title": "Government proposes a 656 trillion won budget",
        "published": "2024-08-28T10:00:00+09:00",
        "url": "https://english.example.com/budget",
        "original_url": "https://www.example.co.kr/budget",
        "text": "The government proposed a budget of 656 trillion won for next year.\n\n"
        "Spending will grow by 3.2 percent.",
    },
    {
        "id": "ko-budget",
        "lang": "ko",
        "title": "정부, 656조원 예산안 제출",
        "published": "2024-08-28T09:00:00+09:00",
        "url": "https://www.example.co.kr/budget",
        "text": "정부는 내년 예산으로 656조원을 편성했다.\n\n지출은 3.2% 늘어난다.",
    },
]


def corpus_files(outdir: Path) -> dict[str, bytes]:
    return {name: (outdir / name).read_bytes() for name in ("corpus.tmx", "corpus.jsonl")}


def jsonl_pairs(outdir: Path) -> list[tuple[str, str, str, str]]:
    lines = (outdir / "corpus.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    return [
        (r["en_doc"], r["ko_doc"], r["translation"]["en"], r["translation"]["ko"]) for r in records
    ]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, Path, object]:
    """One uninterrupted run, the reference the other tests compare against."""
    folder = tmp_path_factory.mktemp("run")
    source = write_articles(folder / "articles.jsonl")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        summary = run_pipeline(
            [source], folder / "out", store_path=folder / "out" / "dari.sqlite", quiet=True
        )
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    return source, folder / "out", summary


@pytest.mark.slow
def test_end_to_end_writes_the_paired_sentences(first_run):
    _, outdir, summary = first_run
    assert summary.ingest["new"] == 6 and summary.ingest["rejected"] == 0
    assert summary.articles == {"en": 3, "ko": 3}
    # en-rail and en-zoo link their originals; en-rice is found from its text.
    assert summary.pairs_by_method.get("link") == 2 and sum(summary.pairs_by_method.values()) == 3
    assert summary.alignment["aligned"] == 3 and summary.alignment["failed"] == 0
    assert summary.alignment["partial_translations"] == 1  # the zoo story
    assert summary.files == [str(outdir / "corpus.tmx"), str(outdir / "corpus.jsonl")]
    pairs = jsonl_pairs(outdir)
    assert (
        "en-rail",
        "ko-rail",
        "The lines will open in 2030.",
        "노선은 2030년에 개통된다.",
    ) in pairs
    assert (
        "en-rice",
        "ko-rice",
        "Rice prices rose for the third month in a row in March.",
        "3월 쌀값이 석 달 연속 올랐다.",
    ) in pairs
    assert all(en.split("-")[1] == ko.split("-")[1] for en, ko, _, _ in pairs)
    tmx = etree.parse(str(outdir / "corpus.tmx"))
    segs = tmx.xpath("//tu/tuv/seg/text()")
    assert len(segs) == 2 * len(pairs) == 2 * summary.exported["tmx"]
    assert "Seoul to build three express rail lines" in segs
    assert sum(summary.score_distribution.values()) == len(pairs)
    assert set(summary.seconds) == {"ingest", "pair", "align", "score", "export"}


@pytest.mark.slow
def test_rerun_does_no_new_work_and_new_files_only_add(first_run, tmp_path, monkeypatch):
    source, reference, _ = first_run
    outdir = shutil.copytree(reference, tmp_path / "out")  # keep the reference as it is
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    before = corpus_files(outdir)
    again = run_pipeline([source], outdir, store_path=outdir / "dari.sqlite", quiet=True)
    assert again.ingest["new"] == 0 and again.ingest["unchanged"] == 6
    assert again.pairing["paired"] == 0 and again.pairing["kept_from_earlier_runs"] == 3
    assert again.alignment["pending"] == 0
    assert again.scoring["document_pairs"] == 0
    assert corpus_files(outdir) == before

    later = write_articles(source.with_name("later.jsonl"), BUDGET)
    more = run_pipeline([source, later], outdir, store_path=outdir / "dari.sqlite", quiet=True)
    assert more.ingest["new"] == 2 and more.ingest["unchanged"] == 6
    assert more.alignment["pending"] == 1 and more.alignment["aligned"] == 1
    assert more.scoring["document_pairs"] == 1
    added = set(jsonl_pairs(outdir)) - set(json_lines_before(before))
    assert {p[0] for p in added} == {"en-budget"}
    assert set(json_lines_before(before)) <= set(jsonl_pairs(outdir))


def json_lines_before(files: dict[str, bytes]) -> list[tuple[str, str, str, str]]:
    records = [json.loads(line) for line in files["corpus.jsonl"].decode().splitlines()]
    return [
        (r["en_doc"], r["ko_doc"], r["translation"]["en"], r["translation"]["ko"]) for r in records
    ]


def test_a_second_run_on_a_held_store_refuses_in_one_line(tmp_path):
    source = write_articles(tmp_path / "articles.jsonl")
    outdir = tmp_path / "out"
    outdir.mkdir()
    store = outdir / "dari.sqlite"
    with store_lock(store):
        with pytest.raises(StoreBusy, match=rf"pid {os.getpid()}\)"):
            run_pipeline([source], outdir, store_path=store, quiet=True)
        result = CliRunner().invoke(
            main, ["run", str(source), "-o", str(outdir), "--store", str(store), "-q"]
        )
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "another 'dari run'" in result.output and str(store) in result.output
    assert not store.exists()  # refused before touching the store


def test_bad_options_are_one_line_errors(tmp_path):
    source = write_articles(tmp_path / "articles.jsonl")
    runner = CliRunner()
    args = ["run", str(source), "-o", str(tmp_path / "o")]
    bad_format = runner.invoke(main, [*args, "--formats", "tmx,doc"])
    assert bad_format.exit_code == 1 and "--formats tmx,doc" in bad_format.output
    inside = runner.invoke(main, ["run", str(tmp_path), "-o", str(tmp_path / "o")])
    assert inside.exit_code == 1 and "inside input folder" in inside.output


# The child runs the real `dari run` and SIGKILLs itself in the middle of writing the
# second document pair's alignment: after its rows are inserted, before COMMIT.
KILLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    from contextlib import contextmanager
    from corpus.store import Store
    from cli import main

    plain = Store.transaction

    @contextmanager
    def dies_in_second_pair(self):
        with plain(self) as db:
            yield db
            if db.execute("SELECT COUNT(*) FROM aligned_pairs").fetchone()[0] == 2:
                os.kill(os.getpid(), signal.SIGKILL)

    Store.transaction = dies_in_second_pair
    main(sys.argv[1:])
    """
)


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_corpus(first_run, tmp_path, monkeypatch):
    source, reference, _ = first_run
    outdir = tmp_path / "out"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, "run", str(source), "-o", str(outdir), "-q"]
        + ["--store", str(outdir / "dari.sqlite")],
        env=env,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    _, stderr = child.communicate(timeout=300)
    assert child.returncode == -signal.SIGKILL, stderr.decode()
    assert not (outdir / "corpus.jsonl").exists()
    # The dead run's lock file still names it; the OS lock died with it.
    assert lock_path(outdir / "dari.sqlite").read_text().strip() == str(child.pid)

    with sqlite3.connect(outdir / "dari.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM aligned_pairs").fetchone()[0] == 1
        half = db.execute(
            "SELECT COUNT(DISTINCT pair_id) FROM alignments WHERE pair_id NOT IN "
            "(SELECT pair_id FROM aligned_pairs)"
        ).fetchone()[0]
        assert half == 0  # the pair being written was rolled back whole

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    # The rest is aligned by a pool of two workers: same corpus as the uninterrupted run.
    resumed = run_pipeline(
        [source], outdir, store_path=outdir / "dari.sqlite", quiet=True, workers=2
    )
    assert resumed.ingest["new"] == 0
    assert resumed.alignment["pending"] == 2 and resumed.alignment["aligned"] == 2
    assert corpus_files(outdir) == corpus_files(reference)
    # Workers hand their new sentence vectors back; the parent stored them all.
    count = "SELECT COUNT(*) FROM embeddings"
    with (
        sqlite3.connect(outdir / "dari.sqlite") as db,
        sqlite3.connect(reference / "dari.sqlite") as ref,
    ):
        assert db.execute(count).fetchone()[0] == ref.execute(count).fetchone()[0]


class _RecordedBar:
    """Stands in for tqdm and remembers how far each stage's bar got."""

    bars: list[_RecordedBar] = []

    def __init__(self, desc: str, unit: str, file, disable) -> None:
        self.desc, self.total, self.n = desc, None, 0
        _RecordedBar.bars.append(self)

    def __enter__(self) -> _RecordedBar:
        return self

    def __exit__(self, *_) -> None:
        pass

    def reset(self, total=None) -> None:
        self.total, self.n = total, 0

    def update(self, n: int = 1) -> None:
        self.n += n

    def refresh(self) -> None:
        pass

    def external_write_mode(self, file=None):
        import contextlib

        return contextlib.nullcontext()


def test_every_stage_shows_its_progress_to_the_end(tmp_path, monkeypatch):
    import corpus.pipeline as pipeline

    monkeypatch.setattr(pipeline, "tqdm", _RecordedBar)
    _RecordedBar.bars = []
    source = write_articles(tmp_path / "articles.jsonl")
    run_pipeline(
        [source], tmp_path / "out", store_path=tmp_path / "s.sqlite", report=lambda line: None
    )
    bars = {bar.desc: bar for bar in _RecordedBar.bars}
    assert list(bars) == ["ingest", "pair", "align", "score", "export"]
    assert bars["ingest"].n == 6  # one tick per article
    for stage in ("pair", "align", "score", "export"):
        assert bars[stage].total and bars[stage].n == bars[stage].total, stage


@pytest.mark.slow
def test_the_quick_starts_next_commands_find_the_runs_store(tmp_path, monkeypatch):
    """`dari run` and every later command share one default store: ./dari.sqlite."""
    source = write_articles(tmp_path / "articles.jsonl")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DARI_STORE", raising=False)
    runner = CliRunner()
    run = runner.invoke(main, ["run", str(source), "-o", "out", "-q"])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "dari.sqlite").is_file() and (tmp_path / "out" / "corpus.tmx").is_file()
    for command in (
        ["export", "--format", "tsv", "-o", "pairs.tsv"],
        ["report", "-o", "report.html"],
        ["stats"],
        ["pairs"],
    ):
        result = runner.invoke(main, command)
        assert result.exit_code == 0, (command, result.output)
    assert (tmp_path / "pairs.tsv").read_text("utf-8").count("\n") > 0


def test_a_new_output_folder_is_made_beside_a_store_elsewhere(tmp_path):
    source = write_articles(tmp_path / "articles.jsonl")
    outdir = tmp_path / "new" / "deeper"
    store = tmp_path / "elsewhere" / "corpus.sqlite"
    summary = run_pipeline([source], outdir, store_path=store, quiet=True)
    assert summary.exported["tmx"] > 0 and (outdir / "corpus.tmx").is_file()
    assert store.is_file() and not (outdir / "dari.sqlite").exists()
