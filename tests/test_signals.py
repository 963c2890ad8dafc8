"""Each alignment signal on its own: numbers, names, length, bags."""

import numpy as np
import pytest

from aligners.bags import bag_matrix, overlap
from aligners.length import GaleChurchAligner, length_log_probability, length_ratio
from aligners.names import romanise, shared_tokens
from aligners.numbers import number_tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("3.5%", ["3.5"]),
        ("3,5 %", ["3.5"]),
        ("1만2천 명", ["12000"]),
        ("12,000 people", ["12000"]),
        ("5억 달러", ["500000000"]),
        ("2024년 1월 22일", ["2024", "1", "22"]),
        ("no numbers here", []),
    ],
)
def test_number_tokens(text, tokens):
    assert number_tokens(text) == tokens


def test_dates_agree_across_scripts():
    assert sorted(number_tokens("2024년 1월 22일")) == sorted(number_tokens("Jan. 22, 2024"))
    assert sorted(number_tokens("9월 12일")) != sorted(number_tokens("Sept. 13"))


def test_romanisation_matches_english_spelling():
    assert romanise("최선희") == "choesonhui"
    assert romanise("푸틴") == "putin"


def test_korean_names_match_english_names():
    ko, en = shared_tokens(
        ["최선희 외무상이 도착했다.", "푸틴 대통령은 말했다.", "날씨가 좋다."],
        ["Choe Son-hui arrived.", "President Putin said.", "The weather is fine."],
        "ko",
        "en",
    )
    assert ko[0] == en[0] == ["choesonhui"]
    assert "putin" in ko[1] and "putin" in en[1]
    assert ko[2] == en[2] == []


def test_latin_names_are_rare_shared_tokens():
    src, tgt = shared_tokens(
        ["Der Makalu ist hoch.", "Der Berg ist schön.", "Der Weg ist lang."],
        ["Le Makalu est haut.", "La montagne est belle.", "Le chemin est long."],
        "de",
        "fr",
    )
    assert src[0] == tgt[0] == ["makalu"]
    assert src[1] == tgt[1] == []


def test_length_probability_prefers_the_expected_ratio():
    ratio = length_ratio([100, 100], [50, 50])
    assert ratio == pytest.approx(0.5)
    good, bad = length_log_probability(np.array([100, 100]), np.array([50, 150]), ratio)
    assert good > bad
    assert good <= 0.0


def test_bag_overlap_of_runs():
    prefix_a = bag_matrix([["1"], ["2"], []])
    prefix_b = bag_matrix([["1", "2"], ["3"]])
    dice, has = overlap(prefix_a, np.array([0]), 2, prefix_b, np.array([0]), 1)
    assert dice[0] == pytest.approx(1.0) and has[0]
    dice, has = overlap(prefix_a, np.array([2]), 1, prefix_b, np.array([1]), 1)
    assert dice[0] == 0.0 and has[0]
    dice, has = overlap(prefix_a, np.array([2]), 1, prefix_a, np.array([2]), 1)
    assert not has[0]


def test_gale_church_aligns_by_length():
    src = ["a" * 40, "b" * 100, "c" * 20, "d" * 60]
    tgt = ["x" * 20, "y" * 50, "z" * 10, "w" * 30]
    beads = GaleChurchAligner().align(src, tgt)
    assert [(b.src, b.tgt) for b in beads] == [((i,), (i,)) for i in range(4)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1억 2500만 파운드", "125000000"),
        ("3천5백만", "35000000"),
        ("2.8억", "280000000"),
        ("10만2000", "102000"),
    ],
)
def test_chained_korean_units(text, value):
    assert number_tokens(text) == [value]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("£2.8bn", ["2800000000"]),
        ("2.5 million a day", ["2500000"]),
        ("30m(100피트)", ["30", "100"]),  # metres, not millions: no currency sign
    ],
)
def test_scale_words_and_currency_suffixes(text, tokens):
    assert number_tokens(text) == tokens


def test_clock_times_and_number_words_read_as_korean_writes_them():
    from aligners.numbers import clock_times_as_numbers, number_words

    assert number_tokens(clock_times_as_numbers("at 19:30")) == ["19", "7", "30"]
    assert number_tokens("오후 7시 30분") == ["7", "30"]
    assert number_words("Fourteen people, the second time, in June") == ["14", "2", "6"]
    assert number_words("after enlisting on Sept. in May") == ["9", "5"]
    assert number_words("the past two decades, a decade ago, the decade") == ["2", "20", "10"]
    assert number_words("spent a year there") == ["1"]


def test_a_korean_clock_time_with_a_point_is_hours_and_minutes():
    from aligners.numbers import korean_clock_times_as_numbers

    assert number_tokens(korean_clock_times_as_numbers("토요일 오후 5.30이 좋다")) == ["5", "30"]
    assert number_tokens(korean_clock_times_as_numbers("성장률 5.30%")) == ["5.3"]


def test_lexicon_learns_word_translations_from_pairs():
    from aligners.lexicon import Lexicon

    pairs = [
        ("Hann kom heim", "He came home"),
        ("Hann fór út", "He went out"),
        ("Hún kom heim", "She came home"),
        ("Hún fór", "She went"),
    ]
    lexicon = Lexicon.train(pairs, "is", "en")
    assert "he" in lexicon.forward["hann"] and "she" in lexicon.forward["hún"]
    src_bags, tgt_bags = lexicon.bags(["Hann fór"], ["He went", "She came"])
    assert ">he" in src_bags[0] and ">he" in tgt_bags[0] and ">he" not in tgt_bags[1]
