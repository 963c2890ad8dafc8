"""The Bleualign-style aligner: exact beads on hand-made documents, both metrics, the
scores against sacrebleu's own sentence_score, bad input and `dari align --translations`."""

import random

import numpy as np
import pytest
from click.testing import CliRunner
from test_dari_aligner import KO

from aligners.base import get_aligner
from aligners.bleualign import SpanScorer, aligner_for_documents, make_metric
from cli import main

# A mediocre MT of KO, one line per Korean sentence.
MT = [
    "Russian President Putin plans to visit North Korea.",
    "If it happens it will be first visit in 24 years.",
    "Meanwhile the weather in Seoul was clear and warm today.",
    "White House expressed concerns.",
    "Experts expect visit after the presidential election on March 17.",
]
EN = [
    "Russian President Vladimir Putin plans to visit North Korea.",
    "It would be his first visit in 24 years.",
    "The White House said it was concerned.",
    "Experts expect the visit after the March 17 presidential election.",
]
EN_MERGED = [
    "Russian President Vladimir Putin plans to visit North Korea, which would be his first "
    "visit in 24 years.",
    "Meanwhile the weather in Seoul was clear and warm today.",
    "The White House said it was concerned.",
    "Experts expect the visit after the March 17 presidential election.",
]


def _links(beads):
    return [(b.src, b.tgt) for b in beads]


@pytest.mark.parametrize("metric", ["chrf", "bleu"])
def test_one_to_one_links_and_a_dropped_sentence_gets_one_to_zero(metric):
    beads = get_aligner("bleualign", translations=MT, metric=metric).align(KO, EN, "ko", "en")
    assert _links(beads) == [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), (2,)), ((4,), (3,))]
    assert all(b.score > 0 for b in beads if b.is_link)
    assert all(b.score == 0 for b in beads if not b.is_link)


@pytest.mark.parametrize("metric", ["chrf", "bleu"])
def test_two_source_sentences_merge_into_one_target(metric):
    beads = get_aligner("bleualign", translations=MT, metric=metric).align(
        KO, EN_MERGED, "ko", "en"
    )
    assert _links(beads) == [((0, 1), (0,)), ((2,), (1,)), ((3,), (2,)), ((4,), (3,))]
    assert beads[0].kind == "2-1"


def test_nothing_matches_leaves_every_sentence_alone():
    translations = ["Stock prices rose in Tokyo.", "The match ended in a draw."]
    target = ["A recipe for kimchi needs cabbage.", "Mountains are covered in snow."]
    beads = get_aligner("bleualign", translations=translations).align(
        ["a", "b"], target, "ko", "en"
    )
    assert not any(b.is_link for b in beads)
    assert sorted(i for b in beads for i in b.src) == [0, 1]
    assert sorted(j for b in beads for j in b.tgt) == [0, 1]


@pytest.mark.parametrize("metric", ["chrf", "bleu"])
def test_scores_equal_sacrebleu_sentence_score(metric):
    rng = random.Random(3)
    words = [
        "the",
        "a",
        "president",
        "said",
        "Monday",
        "economy",
        "grew",
        "3%",
        "prices",
        "fell",
        "Seoul",
        "warm",
        ",",
        ".",
    ]
    hyp = [" ".join(rng.choices(words, k=rng.randint(1, 9))) for _ in range(6)]
    ref = [" ".join(rng.choices(words, k=rng.randint(1, 9))) for _ in range(5)]
    scorer = SpanScorer(metric, hyp, ref, 3)
    sacre = make_metric(metric)
    for a in (1, 2, 3):
        for b in (1, 2, 3):
            i0, j0 = (g.ravel() for g in np.meshgrid(range(7 - a), range(6 - b), indexing="ij"))
            expected = [
                sacre.sentence_score(" ".join(hyp[i : i + a]), [" ".join(ref[j : j + b])]).score
                for i, j in zip(i0, j0, strict=True)
            ]
            assert np.allclose(scorer.scores(a, i0, b, j0) * 100, expected)


def test_long_documents_search_a_band_and_still_align():
    rng = random.Random(5)
    vocabulary = [f"w{k}" for k in range(400)]
    target = [" ".join(rng.choices(vocabulary, k=8)) for _ in range(130)]
    translations = [" ".join(s.split()[:6]) for s in target]
    aligner = get_aligner("bleualign", translations=translations)
    beads = aligner.align([f"s{k}" for k in range(130)], target, "xx", "en")
    assert _links(beads) == [((k,), (k,)) for k in range(130)]


def test_bleu_tokenizes_korean_targets_by_character():
    assert make_metric("bleu", "ko").tokenizer.signature() == "char"
    assert make_metric("bleu", "en").tokenizer.signature() == "13a"


def test_translation_count_must_match_the_source():
    aligner = get_aligner("bleualign", translations=MT[:3], translations_source="mt.txt")
    with pytest.raises(ValueError, match=r"mt\.txt: 3 translations for 5 source sentences"):
        aligner.align(KO, EN, "ko", "en")


def test_unknown_metric_and_missing_translations_are_errors():
    with pytest.raises(ValueError, match="unknown MT metric"):
        get_aligner("bleualign", translations=MT, metric="ter")
    with pytest.raises(ValueError, match="needs machine translations"):
        get_aligner("bleualign")


def test_empty_sides():
    aligner = get_aligner("bleualign", translations=MT)
    assert _links(aligner.align(KO, [], "ko", "en")) == [((k,), ()) for k in range(5)]
    assert _links(get_aligner("bleualign", translations=[]).align([], EN, "ko", "en")) == [
        ((), (k,)) for k in range(4)
    ]


def test_an_aligner_without_translations_is_refused(tmp_path):
    path = tmp_path / "mt.txt"
    path.write_text("\n".join(MT), encoding="utf-8")
    with pytest.raises(ValueError, match="mt.txt: the 'gale-church' aligner does not use"):
        aligner_for_documents("gale-church", path)
    assert aligner_for_documents(None, path).name == "bleualign"
    assert aligner_for_documents("gale-church").name == "gale-church"


def _write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_cli_aligns_with_translations(tmp_path):
    ko, en, mt = (
        _write(tmp_path, name, lines)
        for name, lines in (("ko.txt", KO), ("en.txt", EN), ("mt.txt", MT))
    )
    args = ["align", ko, en, "--presegmented", "--translations", mt]
    for metric in ("chrf", "bleu"):
        result = CliRunner().invoke(main, [*args, "--mt-metric", metric])
        assert result.exit_code == 0, result.output
        links = [line.rsplit(":", 1)[0] for line in result.output.splitlines()]
        assert links == ["[0]:[0]", "[1]:[1]", "[2]:[]", "[3]:[2]", "[4]:[3]"]


def test_cli_errors_are_one_line_and_name_the_file(tmp_path):
    ko, en = _write(tmp_path, "ko.txt", KO), _write(tmp_path, "en.txt", EN)
    short = _write(tmp_path, "short-mt.txt", MT[:4])
    result = CliRunner().invoke(main, ["align", ko, en, "--presegmented", "--translations", short])
    assert result.exit_code == 1
    assert "short-mt.txt: 4 translations for 5 source sentences" in result.output
    assert len(result.output.strip().splitlines()) == 1

    result = CliRunner().invoke(main, ["align", ko, en, "--translations", short])
    assert result.exit_code == 2 and "--translations needs --presegmented" in result.output

    missing = str(tmp_path / "none.txt")
    result = CliRunner().invoke(
        main, ["align", ko, en, "--presegmented", "--translations", missing]
    )
    assert result.exit_code == 1 and "none.txt: no such file" in result.output

    args = ["align", ko, en, "--presegmented", "--translations", short, "--aligner", "gale-church"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "does not use machine translations" in result.output
