"""Batch alignment over the store: one transaction per pair, resumable, same with workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aligners.base import Bead
from aligners.batch import (
    PARTIAL_TRANSLATION,
    PairResult,
    align_pending,
    pending_pairs,
    write_pair,
)
from corpus.ingest import ingest_paths
from corpus.store import Store

# Three short article pairs. The first and third English articles link their originals,
# the second does not; the third Korean original has paragraphs the English edition dropped.
ARTICLES = [
    {
        "id": "en-rail",
        "lang": "en",
        "title": "Seoul to build three express rail lines",
        "published": "2024-03-05T09:30:00+09:00",
        "url": "https://english.example.com/rail",
        "original_url": "https://www.example.co.kr/rail",
        "text": "The Seoul city government said on Tuesday it will build three new express "
        "rail lines.\n\nThe plan will cost about 4.2 trillion won.\n\nThe lines will open "
        "in 2030.",
    },
    {
        "id": "ko-rail",
        "lang": "ko",
        "title": "서울시, 급행철도 3개 노선 건설",
        "published": "2024-03-05T08:00:00+09:00",
        "url": "https://www.example.co.kr/rail",
        "text": "서울시는 화요일 급행철도 3개 노선을 새로 건설하겠다고 밝혔다.\n\n"
        "이 계획에는 약 4조2천억원이 들 것으로 보인다.\n\n노선은 2030년에 개통된다.",
    },
    {
        "id": "en-rice",
        "lang": "en",
        "title": "Rice prices rise for a third month",
        "published": "2024-04-10T10:00:00+09:00",
        "url": "https://english.example.com/rice",
        "text": "Rice prices rose for the third month in a row in March.\n\nFarmers blamed "
        "the cold spring weather.",
    },
    {
        "id": "ko-rice",
        "lang": "ko",
        "title": "쌀값 석 달째 상승",
        "published": "2024-04-10T07:00:00+09:00",
        "url": "https://www.example.co.kr/rice",
        "text": "3월 쌀값이 석 달 연속 올랐다.\n\n농민들은 추운 봄 날씨를 원인으로 꼽았다.",
    },
    {
        "id": "en-zoo",
        "lang": "en",
        "title": "Panda twins born at Everland",
        "published": "2024-05-01T09:00:00+09:00",
        "url": "https://english.example.com/zoo",
        "original_url": "https://www.example.co.kr/zoo",
        "text": "Twin giant pandas were born at Everland on Friday.\n\nKeepers said the cubs "
        "are healthy.",
    },
    {
        "id": "ko-zoo",
        "lang": "ko",
        "title": "에버랜드에서 쌍둥이 판다 탄생",
        "published": "2024-05-01T08:00:00+09:00",
        "url": "https://www.example.co.kr/zoo",
        "text": "금요일 에버랜드에서 쌍둥이 자이언트 판다가 태어났다.\n\n"
        "사육사들은 새끼들이 건강하다고 말했다.\n\n한편 올해 여름은 기록적인 폭염이 예상된다.\n\n"
        "기상청은 다음 주 전국에 비가 내릴 것이라고 예보했다.\n\n"
        "주식시장은 이날 소폭 하락 마감했다.\n\n정부는 부동산 대책을 다음 달 발표할 예정이다.",
    },
]


def write_articles(path: Path, articles: list[dict] = ARTICLES) -> Path:
    path.write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8"
    )
    return path


def add_pairs(store: Store) -> None:
    """The pairing stage's output, written by hand: en-x with ko-x, and one unpaired."""
    ids = {row["article_id"]: row["id"] for row in store.db.execute("SELECT * FROM documents")}
    with store.transaction() as db:
        for topic in ("rail", "rice", "zoo"):
            db.execute(
                "INSERT INTO pairs (en_doc, ko_doc, method, confidence) VALUES (?, ?, 'test', 1)",
                (ids[f"en-{topic}"], ids[f"ko-{topic}"]),
            )


def beads_of(store: Store) -> list[tuple]:
    return [
        tuple(row)
        for row in store.db.execute(
            "SELECT pair_id, bead, en_ids, ko_ids, round(score, 5) FROM alignments "
            "ORDER BY pair_id, bead"
        )
    ]


def coverage_rows(store: Store) -> list[tuple]:
    return [tuple(row) for row in store.db.execute("SELECT * FROM aligned_pairs ORDER BY 1")]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """A store with the six articles ingested (segmenting once for the module)."""
    folder = tmp_path_factory.mktemp("batch")
    store_path = folder / "base.sqlite"
    with Store(store_path) as store:
        counts = ingest_paths([write_articles(folder / "articles.jsonl")], store)
        assert counts.new == 6
    return store_path


def fresh_store(ingested: Path, folder: Path) -> Store:
    """A copy of the ingested store with hand-made pairs, so each test starts clean."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "dari.sqlite"
    with Store(ingested) as source:
        source.db.execute("VACUUM INTO ?", (str(copy),))
    store = Store(copy)
    add_pairs(store)
    return store


@pytest.mark.slow
def test_aligns_each_pair_once_with_sentence_ids_and_coverage(ingested, tmp_path):
    store = fresh_store(ingested, tmp_path)
    summary = align_pending(store)
    assert summary.aligned == 3 and summary.failed == 0 and summary.pending == 3
    rows = coverage_rows(store)
    assert [r[1] for r in rows] == ["dari"] * 3
    rail = store.db.execute(
        "SELECT en_ids, ko_ids FROM alignments WHERE pair_id = 1 ORDER BY bead"
    ).fetchall()
    # Title, then one sentence per paragraph on both sides: a clean 1-1 diagonal.
    assert [(json.loads(e), json.loads(k)) for e, k in rail] == [([i], [i]) for i in range(4)]
    zoo = store.db.execute("SELECT * FROM aligned_pairs WHERE pair_id = 3").fetchone()
    assert zoo["en_coverage"] == 1.0 and zoo["ko_coverage"] < 0.5
    assert json.loads(zoo["flags"]) == [PARTIAL_TRANSLATION]
    assert json.loads(rows[0][4]) == []
    assert summary.partial == 1
    # A second pass has nothing left to do and changes nothing.
    before = beads_of(store)
    again = align_pending(store)
    assert again.pending == 0 and beads_of(store) == before
    redo = align_pending(store, redo=True)
    assert redo.aligned == 3 and beads_of(store) == before
    store.close()


class _Exploding:
    name = "exploding"

    def align(self, src, tgt, src_lang="", tgt_lang=""):
        if "Rice" in src[0]:
            raise RuntimeError("boom\nwith a second line")
        return [Bead((i,), (i,)) for i in range(min(len(src), len(tgt)))]


def test_a_crash_in_one_pair_is_one_line_and_the_others_continue(ingested, tmp_path, monkeypatch):
    import aligners.batch as batch

    store = fresh_store(ingested, tmp_path)
    monkeypatch.setattr(batch, "_build_aligner", lambda name, encoder: _Exploding())
    lines: list[str] = []
    summary = align_pending(store, report=lines.append)
    assert summary.aligned == 2 and summary.failed == 1
    assert lines == ["pair 2 (en-rice / ko-rice): RuntimeError: boom with a second line"]
    # The failed pair stays pending, so a rerun retries it.
    assert pending_pairs(store) == [2]
    store.close()


def test_a_pair_is_written_whole_or_not_at_all(ingested, tmp_path):
    store = fresh_store(ingested, tmp_path)
    bad = PairResult(1, (0, 1), (0, 1), [Bead((0,), (0,)), Bead((1,), (5,))])
    with pytest.raises(IndexError):
        write_pair(store, bad, "test")
    assert beads_of(store) == [] and pending_pairs(store) == [1, 2, 3]
    good = PairResult(1, (0, 1), (0, 1, 2), [Bead((0,), (0,), 0.9), Bead((1,), ())])
    assert write_pair(store, good, "test") == [PARTIAL_TRANSLATION]
    assert beads_of(store) == [(1, 0, "[0]", "[0]", 0.9), (1, 1, "[1]", "[]", 0.0)]
    assert pending_pairs(store) == [2, 3]
    store.close()
