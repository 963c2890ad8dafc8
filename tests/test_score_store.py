"""Scoring a store incrementally: a rerun scores only what is new and still sees repeats."""

import json

from test_quality import _store_with_aligned_documents

from aligners.scoring import score_store

FIRST = (
    ["The talks lasted two hours.", "Prices rose 3.5% in May."],
    ["회담은 2시간 동안 이어졌다.", "5월 물가는 3.5% 올랐다."],
)
SECOND = (
    ["The talks lasted two hours.", "Exports fell for a third month."],
    ["회담은 2시간 동안 이어졌다.", "수출이 석 달째 줄었다."],
)


def _scores(store) -> list[tuple[int, int, float | None, list[str]]]:
    rows = store.db.execute(
        "SELECT pair_id, bead, score, flags FROM alignments "
        "WHERE en_ids != '[]' ORDER BY pair_id, bead"
    )
    return [(r[0], r[1], r[2], json.loads(r[3] or "[]")) for r in rows]


def test_incremental_scoring_skips_scored_pairs_and_flags_repeats_of_them(tmp_path):
    with _store_with_aligned_documents(tmp_path / "s.sqlite", [FIRST, SECOND]) as store:
        store.db.execute("UPDATE alignments SET score = 0.25, scored_by = 'm' WHERE pair_id = 1")
        summary = score_store(store, rescore=False)
        rows = _scores(store)
    assert summary.document_pairs == 1 and summary.sentence_pairs == 2
    assert [r[2] for r in rows if r[0] == 1] == [0.25, 0.25]  # left as they were
    new = [r for r in rows if r[0] == 2]
    assert all(r[2] is not None and r[2] != 0.25 for r in new)
    assert "duplicate" in new[0][3]  # repeats a pair scored by an earlier run
    assert "duplicate" not in new[1][3]


def test_rescoring_scores_every_pair_again(tmp_path):
    with _store_with_aligned_documents(tmp_path / "s.sqlite", [FIRST, SECOND]) as store:
        store.db.execute("UPDATE alignments SET score = 0.25, scored_by = 'm' WHERE pair_id = 1")
        summary = score_store(store)
        rows = _scores(store)
    assert summary.document_pairs == 2
    assert all(r[2] != 0.25 for r in rows)


def test_a_realigned_pair_is_scored_again(tmp_path):
    with _store_with_aligned_documents(tmp_path / "s.sqlite", [FIRST]) as store:
        score_store(store, rescore=False)
        store.db.execute("UPDATE alignments SET scored_by = NULL WHERE bead = 0")
        assert score_store(store, rescore=False).document_pairs == 1
        assert score_store(store, rescore=False).document_pairs == 0


def test_two_workers_write_what_one_writes_repeats_included(tmp_path):
    documents = [FIRST, SECOND, FIRST]
    with _store_with_aligned_documents(tmp_path / "one.sqlite", documents) as store:
        score_store(store)
        alone = _scores(store)
    with _store_with_aligned_documents(tmp_path / "two.sqlite", documents) as store:
        summary = score_store(store, workers=2)
        pooled = _scores(store)
    assert summary.document_pairs == 3
    assert pooled == alone
    assert ["duplicate" in flags for *_, flags in pooled] == [False, False, True, False, True, True]


def test_cli_scores_the_store_with_workers_and_refuses_them_with_pairs(tmp_path):
    from click.testing import CliRunner

    from cli import main

    path = tmp_path / "s.sqlite"
    _store_with_aligned_documents(path, [FIRST, SECOND]).close()
    result = CliRunner().invoke(main, ["score", "--store", str(path), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["document_pairs"] == 2
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("Hello.\t안녕.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "--pairs", str(pairs), "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers goes with scoring the store" in result.output
