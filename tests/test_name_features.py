"""Name evidence for quality scores: phonetic keys, CLDR translations, fast romanisation."""

from __future__ import annotations

import pytest
from ko_pron import romanise as ko_pron_romanise

from aligners.features import (
    glosses_missing,
    korean_weekdays_missing,
    name_similarities,
    names_similarity,
    phonetic_key,
    translated_names,
)
from aligners.names import fold, romanise


@pytest.mark.parametrize(
    ("english", "hangul"),
    [
        ("Kavanaugh", "캐버노"),
        ("Sturridge", "스터리지"),
        ("Villarreal", "비야레알"),
        ("Giants", "자이언츠"),
        ("Roberts", "로버츠"),
        ("Jordan", "조던"),
        ("Trump", "트럼프"),
        ("Scotland", "스코틀랜드"),
    ],
)
def test_a_transliteration_has_the_phonetic_key_of_its_english_spelling(english, hangul):
    assert phonetic_key(fold(english)) == phonetic_key(romanise(hangul))


def test_unrelated_names_have_different_keys():
    assert phonetic_key("kavanaugh") != phonetic_key(romanise("트럼프"))
    assert phonetic_key("sturridge") != phonetic_key(romanise("호날두"))


def test_names_korean_translates_count_as_found_only_when_translated():
    ko = "그는 일요일 독일에서 캐버노의 부인을 만났다."
    assert name_similarities("He met Kavanaugh's wife on Sunday in Germany.", ko) == (
        ("Kavanaugh", 1.0),
        ("Sunday", 1.0),
        ("Germany", 1.0),
    )
    # a weekday or a country swapped for another is missing, not matched by chance
    assert names_similarity("He met Kavanaugh's wife on Monday in Germany.", ko) < 0.7
    assert names_similarity("He met Kavanaugh's wife on Sunday in France.", ko) < 0.7


def test_translated_names_come_from_cldr_with_language_adjectives():
    table = translated_names()
    assert "일요일" in table["sunday"]
    assert "9월" in table["sept"]
    assert "독일" in table["germany"]
    assert {"중국어", "중국"} <= table["chinese"]


@pytest.mark.parametrize(
    "word",
    ["최선희", "김정은이", "도널드", "할리우드", "독립", "스코틀랜드", "가격", "말한다", "국민이"],
)
def test_fast_romanisation_agrees_with_ko_pron_on_whole_words(word):
    assert romanise(word) == fold(ko_pron_romanise(word, "mr"))


def test_romanisation_keeps_aspiration_apart_from_voicing():
    # 세트 has an aspirated ㅌ (never voiced); 세도 a plain ㄷ between vowels (voiced)
    assert romanise("세트") == "setu"
    assert romanise("세도") == "sedo"


def test_translated_institution_words_count_as_missing_without_their_korean_form():
    ko = "그는 목요일 상원 법사위원회에서 증언했다."
    assert glosses_missing("He testified before the Senate Judiciary Committee.", ko) == 0
    # Navy swapped in for Senate: 해군 is nowhere on the Korean side
    assert glosses_missing("He testified before the Navy Judiciary Committee.", ko) == 1
    # a name, not a translated word: left to the name features
    assert glosses_missing("He testified before the Kavanaugh Committee.", ko) == 0


def test_a_korean_weekday_needs_its_english_day():
    ko = "트럼프는 수요일 기자들에게 말했다."
    assert korean_weekdays_missing("Trump told reporters on Wednesday.", ko) == 0
    assert korean_weekdays_missing("Trump told reporters on Wed.", ko) == 0
    assert korean_weekdays_missing("Trump told reporters in Washington.", ko) == 1
    assert korean_weekdays_missing("Trump told reporters.", "트럼프는 기자들에게 말했다.") == 0
