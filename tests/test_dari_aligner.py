"""The default aligner on real text with the real encoder (loads in about a second)."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from aligners.base import coverage, get_aligner
from cli import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"
DIGEST_DOCUMENTS = 6
# Mean |Korean coverage - truth| on those documents: 0.08 now, 0.33 before the digest change.
MAX_DIGEST_COVERAGE_ERROR = 0.2

EN = [
    "Russian President Vladimir Putin plans to visit North Korea.",
    "It would be his first visit in 24 years.",
    "The White House said it was worried.",
    "Analysts expect the visit after the March 17 election.",
]
KO = [
    "블라디미르 푸틴 러시아 대통령이 북한을 방문할 계획이다.",
    "성사되면 24년 만의 첫 방문이 된다.",
    "한편 서울의 날씨는 오늘 맑고 따뜻했다.",
    "백악관은 우려를 나타냈다.",
    "전문가들은 3월 17일 대선 이후 방문을 예상한다.",
]


@pytest.fixture(scope="module")
def aligner():
    return get_aligner("dari")


def test_aligns_translations_and_leaves_an_added_sentence_alone(aligner):
    beads = aligner.align(EN, KO, "en", "ko")
    links = [(b.src, b.tgt) for b in beads]
    assert links == [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), (3,)), ((3,), (4,))]
    assert all(b.score > 0.3 for b in beads if b.is_link)
    assert coverage(beads, len(EN), len(KO)) == (1.0, 0.8)


def test_merges_a_split_sentence(aligner):
    en = [
        "The ministry said the economy grew 3.5% last year, and that exports rose sharply.",
        "Prices fell.",
    ]
    ko = [
        "정부는 지난해 경제가 3.5% 성장했다고 밝혔다.",
        "수출도 크게 늘었다고 덧붙였다.",
        "물가는 하락했다.",
    ]
    beads = aligner.align(en, ko, "en", "ko")
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0, 1)), ((1,), (2,))]


def test_a_subheading_the_korean_dropped_is_not_swallowed_by_the_next_sentence(aligner):
    """NTREX (even document, Korean line dropped as in the noisy benchmark): the English
    subheading restates the lede, so merging it cost little cosine; edge_gain_weight makes
    the merge pay for matching worse than its second sentence alone."""
    en = [
        "Menga strike gives Livingston 1-0 win over Rangers",
        "Dolly Menga's first goal for Livingston secured victory",
        "Promoted Livingston stunned Rangers to consign Steven Gerrard to just his second "
        "defeat in 18 games as manager of the Ibrox club.",
        "Dolly Menga's strike proved to be the difference as Gary Holt's side moved level "
        "with Hibernian in second.",
    ]
    ko = [
        "멘가의 일격으로 리빙스턴이 레인저스를 1-0으로 이기다",
        "승격된 리빙스턴이 스티븐 제라드를 아이브록스 클럽의 매니저로서의 18게임 중 두 번째 "
        "패배로 몰아 레인저스를 충격에 빠트렸다.",
        "돌리 멘가의 슛은 개리 홀트의 팀이 하이버니안에게 2위로 복수했을 때와의 차이를 증명했다.",
    ]
    expected = [((0,), (0,)), ((1,), ()), ((2,), (1,)), ((3,), (2,))]
    assert [(b.src, b.tgt) for b in aligner.align(en, ko, "en", "ko")] == expected
    without = get_aligner("dari", edge_gain_weight=0.0).align(en, ko, "en", "ko")
    assert ((1, 2), (1,)) in [(b.src, b.tgt) for b in without]


def _edge(shape, i0, j0, source, target):
    """The edge gain of these beads, given their cosine as the search gives it."""
    from aligners.dari import _cosine, _edge_gain

    return _edge_gain(shape, i0, j0, source, target, _cosine(shape, i0, j0, source, target))


def test_edge_gain_is_what_a_pair_loses_against_its_closer_half():
    import numpy as np

    from aligners.dari import _Side

    axes = np.eye(3, dtype=np.float32)
    no_bags = [[] for _ in range(3)]
    side = _Side.build(["a", "b", "c"], axes, np.zeros(3), no_bags, no_bags, np.zeros(3))
    one = _Side.build(["x"], axes[[1]], np.zeros(1), [[]], [[]], np.zeros(1))
    i0, j0 = np.array([0, 1]), np.array([0, 0])
    # "ab" vs "b": b alone matches fully (gain 1 - cos 45°); "bc" vs "b" likewise
    gains = _edge((2, 1), i0, j0, side, one)
    assert gains == pytest.approx([1 - np.sqrt(0.5)] * 2)
    # reversed roles give the same; a pair matching neither half better gains nothing
    assert _edge((1, 2), j0, i0, one, side) == pytest.approx(gains)
    both = _Side.build(["y"], np.sqrt([[0.5, 0.5, 0.0]]), np.zeros(1), [[]], [[]], np.zeros(1))
    assert _edge((2, 1), np.array([0]), np.array([0]), side, both) == pytest.approx([0])


def test_edge_gain_of_a_longer_run_is_its_closest_sentence_against_the_whole():
    """1-3, 1-4 beads and their mirrors pay too: a single sentence that matches one
    sentence of the run fully gains 1 - cos(run), wherever that sentence sits. A digest's
    dropped sentences were merged that way."""
    import numpy as np

    from aligners.dari import _Side

    axes = np.eye(4, dtype=np.float32)
    no_bags = [[] for _ in range(4)]
    run = _Side.build(["a", "b", "c", "d"], axes, np.zeros(4), no_bags, no_bags, np.zeros(4))
    for position in range(4):  # the matching sentence anywhere in a run of four
        one = _Side.build(["x"], axes[[position]], np.zeros(1), [[]], [[]], np.zeros(1))
        start, single = np.array([0]), np.array([0])
        gains = _edge((4, 1), start, single, run, one)
        assert gains == pytest.approx([1 - 1 / 2])
        assert _edge((1, 4), single, start, one, run) == pytest.approx(gains)
    # a run of three from the second sentence: only b, c, d count
    one = _Side.build(["x"], axes[[0]], np.zeros(1), [[]], [[]], np.zeros(1))
    assert _edge((3, 1), np.array([1]), np.array([0]), run, one) == pytest.approx([0])


def test_a_merged_run_is_as_hub_like_as_its_most_hub_like_sentence():
    """A sentence that resembles nothing (one the other edition dropped) must not lower
    the hubness penalty of the run it is merged into."""
    import numpy as np

    from aligners.dari import _Side

    no_bags = [[] for _ in range(3)]
    hubness = np.array([0.6, 0.1, 0.3])
    side = _Side.build(["a", "b", "c"], np.eye(3), hubness, no_bags, no_bags, np.zeros(3))
    assert side.neighbour_max(np.array([0, 1]), 2) == pytest.approx([0.6, 0.3])
    assert side.neighbour_max(np.array([0]), 3) == pytest.approx([0.6])


def test_skipping_a_sentence_costs_more_the_better_it_is_matched(aligner):
    """KO[2] (the weather) has no counterpart: leaving it alone must be the cheapest skip,
    and a skip is never a gain in itself."""
    aligner._p = aligner.parameters
    _, target, _ = aligner._prepare(EN, KO, "en", "ko")
    gains = aligner._skip_gains(target)
    assert gains[2] > max(gains[k] for k in (0, 1, 3, 4))
    assert gains[0] < -aligner.parameters.skip_penalty
    assert (gains <= 0).all()


def test_without_embeddings_every_skip_costs_the_same():
    """No vectors, no best match to weigh: the tuned fixed penalty applies."""
    aligner = get_aligner("dari")
    aligner._p = aligner.parameters_without_embeddings
    src, tgt = ["Hann kom heim 1961.", "Halló."], ["He came home in 1961.", "Hi.", "Bye."]
    source, target, _ = aligner._prepare(src, tgt, "is", "en")
    penalty = aligner.parameters_without_embeddings.skip_penalty
    assert list(aligner._skip_gains(source)) == [-penalty] * 2
    assert list(aligner._skip_gains(target)) == [-penalty] * 3


def test_nothing_matches_gives_only_unaligned_sentences(aligner):
    beads = aligner.align(["12345 67890"], ["서울 날씨 맑음"], "en", "ko")
    assert all(not b.is_link for b in beads)


def test_empty_and_one_sided_documents(aligner):
    assert aligner.align([], [], "en", "ko") == []
    assert [(b.src, b.tgt) for b in aligner.align(["Hello."], [], "en", "ko")] == [((0,), ())]


def test_a_very_long_sentence_does_not_break_anything(aligner):
    long_sentence = "word " * 10_000
    beads = aligner.align([long_sentence, "Prices fell."], ["물가는 하락했다."], "en", "ko")
    assert [b.tgt for b in beads if b.is_link] == [(0,)]


def test_unknown_aligner_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown aligner"):
        get_aligner("nope")


def test_align_and_eval_commands(tmp_path):
    en, ko = tmp_path / "en.txt", tmp_path / "ko.txt"
    en.write_text("\n".join(EN) + "\n", encoding="utf-8")
    ko.write_text("\n".join(KO) + "\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["align", str(en), str(ko), "--presegmented"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2].startswith("[]:[2]")
    predicted = tmp_path / "pred.txt"
    predicted.write_text(result.output, encoding="utf-8")
    gold = tmp_path / "gold.txt"
    gold.write_text("[0]:[0]\n[1]:[1]\n[]:[2]\n[2]:[3]\n[3]:[4]\n", encoding="utf-8")
    evaluated = runner.invoke(main, ["eval", str(gold), str(predicted)])
    assert "F1 1.0000" in evaluated.output


def test_align_reports_a_missing_file_in_one_line(tmp_path):
    result = CliRunner().invoke(
        main, ["align", str(tmp_path / "missing.txt"), str(tmp_path / "x.txt")]
    )
    assert result.exit_code == 1
    assert "missing.txt: no such file" in result.output
    assert "Traceback" not in result.output


def test_align_reports_an_unwritable_output_in_one_line(tmp_path):
    en, ko = tmp_path / "en.txt", tmp_path / "ko.txt"
    en.write_text("One.\n", encoding="utf-8")
    ko.write_text("하나.\n", encoding="utf-8")
    output = tmp_path / "no-such-dir" / "links.txt"
    result = CliRunner().invoke(
        main, ["align", str(en), str(ko), "--aligner", "gale-church", "-o", str(output)]
    )
    assert result.exit_code == 1
    assert f"{output}: directory {output.parent} does not exist" in result.output
    assert "Traceback" not in result.output


def test_align_refuses_a_max_total_that_allows_no_links(tmp_path):
    en = tmp_path / "en.txt"
    en.write_text("One.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["align", str(en), str(en), "--max-total", "1"])
    assert result.exit_code == 2
    assert "--max-total" in result.output


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/evaldata is not available")
def test_text_berg_document_scores_well_above_length_only(aligner):
    from benchmarks.bench_align import run_sentence_sets, textberg

    docs = textberg(["test4"])
    ours = run_sentence_sets(aligner, docs)["strict_f1"]
    baseline = run_sentence_sets(get_aligner("gale-church"), docs)["strict_f1"]
    assert ours > 0.8 and ours > baseline


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/evaldata is not available")
def test_korean_sentences_a_digest_drops_stay_unaligned(aligner):
    """Even NTREX documents whose English keeps 30% of the lines: the Korean coverage
    figure stays near the true share. The previous aligner merged the dropped sentences
    into their neighbours' beads and overstated it."""
    import numpy as np

    from benchmarks.bench_align import ntrex_documents
    from benchmarks.bench_partial import edition

    documents = ntrex_documents(False, 0, digest=0.3)[:DIGEST_DOCUMENTS]
    editions = [edition(aligner, en, ko, gold, 0.3) for en, ko, gold in documents]
    errors = [e.ko_coverage - e.true_ko_coverage for e in editions]
    assert np.mean(np.abs(errors)) < MAX_DIGEST_COVERAGE_ERROR
    assert all(e.en_coverage > 0.9 for e in editions)


def test_languages_the_encoder_lacks_are_aligned_without_it():
    from aligners.embedding import Encoder, covers

    assert covers("ko") and covers("en-US") and covers("")
    assert not covers("is")
    encoder = Encoder()
    aligner = get_aligner("dari", encoder=encoder)
    src = ["Hann kom heim 1961.", "Veðrið var gott í gær og í dag.", "Reykjavík er höfuðborg."]
    tgt = [
        "He came home in 1961.",
        "The weather was good yesterday and today.",
        "Reykjavik is the capital.",
    ]
    beads = aligner.align(src, tgt, "is", "en")
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    assert encoder.encoded == 0  # nothing was encoded for a language the model does not know
