"""Features and rule flags for one English–Korean sentence pair.

The quality classifier (aligners/quality.py) sees only these numbers, so each one is a
piece of evidence a reviewer would look at:

- ``length_logprob``: Gale–Church log P(a length difference at least this large) given
  the expected Korean/English character ratio; translations agree in length.
- ``length_log_ratio``: |log(observed ratio / expected ratio)|; a half-cut side doubles it.
- ``cosine``: USE-multilingual cosine of the two sides; the main "same meaning" signal.
- ``margin``: cosine minus the best cosine of either side with the *other* side's
  neighbours (adjacent sentences in a document, adjacent lines in a pairs file). A
  misaligned pair is usually beaten by its neighbour, which is the true translation.
- ``numbers_dice`` / ``numbers_missing``: numbers agree (embeddings cannot tell 3.5% from
  3.25%); Dice of the normalised number bags and the count of unmatched numbers.
- ``names_shared`` / ``names_missing``: romanised Hangul names matched to English names,
  and Latin-script names (BBC, NATO, iPhone) on the Korean side that the English lacks.
- ``names_similarity``: for each capitalised English name inside the sentence, the best
  match among the Korean side's romanised words, compared on phonetic keys as well
  (트럼프 -> turompu -> trmp = Trump -> trmp), or its standard Korean translation
  (Sunday -> 일요일, Germany -> 독일; CLDR via Babel); the worst such name. A swapped name
  has no counterpart. ``names_all_found``: every name has a close match (>= 0.85): the
  evidence is all-or-nothing, which a linear model cannot read from the similarity alone.
- ``names_cosine``: each English name without a close match, embedded alone, against the
  Korean side; the lowest cosine (1.0 when every name is found). Korean translates many
  capitalised words (Health -> 보건부, Federation -> 협회) and writes some names in ways the
  phonetic keys miss; the encoder knows many of them, and a swapped-in name stays far.
- ``glosses_missing``: capitalised English words that Korean translates rather than
  transliterates (Senate -> 상원, Navy -> 해군, Court -> 법원), whose usual Korean forms
  the Korean side lacks. Name matching skips these words, so an institution named in the
  English but not in the Korean was invisible to it.
- ``ko_weekdays_missing``: weekdays the Korean side names (수요일) that the English does
  not: the reverse direction of the name check for the one kind of name that Korean
  always translates and never turns into anything else.
- ``hangul_ko`` / ``hangul_en`` / ``identical``: the Korean side is Korean, the English
  side is not, and the two are not one text copied.
- ``end_mismatch``: one side ends like a finished sentence and the other does not; a
  side cut short (a partial translation, a bad segmentation) stops mid-sentence.
- ``edge_gain``: for a side of several sentences, how much closer the other side comes
  when the first or the last sentence is left out (cosine without it minus cosine with
  it; 0 for a 1-1 pair). A true merge loses meaning without any of its parts; an
  aligner that merged a sentence the other edition dropped gains.
- ``edge_length_gain``: the same for the lengths (Gale–Church log-probability without the
  edge sentence minus with it, 0 when leaving it out fits no better). It needs no
  encoding, and a dropped sentence too short to move the cosine can still make the
  lengths disagree. Like ``edge_gain`` it needs the sentences of a side: a store bead has
  them, and a pairs-file or training line is split cheaply, so a line of two sentences
  paired with one Korean sentence counts as a merge there.
- ``bead_merge`` / ``bead_unbalanced``: sentences beyond 1-1 and their imbalance; merges
  are less certain than 1-1 links.

Lexical coverage (dictionary-based word translation both ways) is left out: there is no
open Korean–English dictionary with a clear licence available offline (field notes).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import regex
from rapidfuzz import fuzz, process

from aligners.length import length_log_probability
from aligners.names import fold, romanise, shared_tokens
from aligners.numbers import (
    CLOCK_TIME,
    clock_times_as_numbers,
    korean_clock_times_as_numbers,
    number_tokens,
    number_words,
)
from corpus.language import HANGUL_THRESHOLD, detect_language, hangul_share

FEATURE_NAMES: tuple[str, ...] = (
    "length_logprob",
    "length_log_ratio",
    "cosine",
    "margin",
    "numbers_dice",
    "numbers_missing",
    "names_shared",
    "names_missing",
    "names_similarity",
    "names_all_found",
    "names_cosine",
    "glosses_missing",
    "ko_weekdays_missing",
    "hangul_ko",
    "hangul_en",
    "identical",
    "bead_merge",
    "bead_unbalanced",
    "end_mismatch",
    "edge_gain",
    "edge_length_gain",
)

FLAG_NAMES: tuple[str, ...] = (
    "number_mismatch",
    "name_mismatch",
    "partial",
    "untranslated",
    "length_outlier",
    "boilerplate",
    "duplicate",
    "too_short",
)

# Korean news text has ~0.54 characters per English character (NTREX-128: 133,405 / 247,720).
DEFAULT_RATIO = 0.54
# Cosine of unrelated USE-m sentences (field notes: ~0.13): the margin baseline when a
# pair has no neighbours to compare with.
UNRELATED_COSINE = 0.15
LENGTH_LOGPROB_FLOOR = -30.0
# log P below this (p < 1e-4) is a length outlier; a factor of 2 off the expected ratio
# on a pair longer than PARTIAL_MIN_CHARS is a partial translation.
LENGTH_OUTLIER_LOGPROB = math.log(1e-4)
PARTIAL_FACTOR = 2.0
PARTIAL_MIN_CHARS = 30
# A length log-probability gain beyond this says no more (log-probabilities are floored
# at LENGTH_LOGPROB_FLOOR, so without the cap a gain could reach 30).
EDGE_LENGTH_GAIN_CAP = 10.0

_WORD = regex.compile(r"\p{L}+")
_FINAL = regex.compile(r"[.!?。？！…:;\"'”’)\]]\s*$")
_INNER_NAME = regex.compile(r"(?<=\S\s)\p{Lu}[\p{L}'’-]{2,}")
_CAPITALISED_RUN = regex.compile(r"\p{Lu}\p{L}*(?:\s+(?:(?:of|and|for|the|on)\s+)?\p{Lu}\p{L}*)+")
_HANGUL_WORD = regex.compile(r"\p{Hangul}{2,}")
_VOWELS = regex.compile(r"[aeiouwyh]")
# A name's best similarity at least this counts as found (names.py's aligner uses 0.8;
# on the even NTREX documents, 0.85 separates real names from chance matches better).
NAME_FOUND = 0.85
# names_cosine embeds at most this many unmatched names of a pair (NTREX's lines have at
# most 12); the lowest cosine is what counts, and the worst-matched names are kept.
MAX_EMBEDDED_NAMES = 16
_REPEATS = regex.compile(r"(.)\1+")
_POSSESSIVE = regex.compile(r"['’]s?$")
# English spellings -> the sound a Korean transliteration writes (order matters).
_SPELLING_SOUNDS = [
    (regex.compile(pattern), sound)
    for pattern, sound in [
        (r"sch", "s"),
        (r"t?ch|dge|t[sz]", "j"),
        (r"sh", "s"),
        (r"ph", "p"),
        (r"gh", ""),
        (r"ck|qu", "k"),
        (r"c(?=[eiy])", "s"),
        (r"g(?=[eiy])", "j"),
        (r"c", "k"),
        (r"x", "ks"),
        (r"r(?![aeiouy])", ""),
    ]
]
_CONSONANT_CLASSES = str.maketrans("gqzlbfvdt", "kkjrppptt")
# Capitalised words that Korean translates rather than transliterates, beyond the CLDR
# names of translated_names().
_NOT_NAMES = frozenset(
    [
        "president",
        "minister",
        "prime",
        "the",
        "this",
        "that",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "lord",
        "king",
        "queen",
        "prince",
        "university",
        "party",
        "house",
        "state",
        "states",
        "united",
        "national",
        "north",
        "south",
        "east",
        "west",
        "new",
        "city",
        "court",
        "police",
        "army",
        # words of institutions' names, which Korean translates (Senate Judiciary
        # Committee -> 상원 법사위원회); the most frequent unmatched English "names" of
        # the even NTREX documents' real pairs
        "navy",
        "senate",
        "sen",
        "judiciary",
        "committee",
        "supreme",
        "parliament",
        "assembly",
        "general",
        "government",
        "council",
        "commission",
        "secretary",
        "treasury",
        "office",
        "officer",
        "security",
        "intelligence",
        "foreign",
        "republic",
        "republican",
        "republicans",
        "democratic",
        "democrats",
        "conservative",
        "conservatives",
        "members",
        "nations",
        "central",
        "southern",
        "northern",
        "southwest",
        "judge",
        "act",
        "war",
        "team",
        "cup",
        "games",
        "class",
        "high",
        "middle",
        "white",
        "col",
    ]
)
# Names and adjectives that CLDR does not list as such, with their usual Korean forms.
_MORE_TRANSLATIONS: tuple[tuple[str, str], ...] = (
    *(
        (word, korean)
        for word in ("Korea", "Korean", "Koreans")
        for korean in ("한국", "북한", "남한", "한반도", "조선")
    ),
    *(("American", "미국"), ("Americans", "미국"), ("Britain", "영국"), ("British", "영국")),
    *(
        ("English", "영국"),
        ("English", "잉글랜드"),
        ("Scottish", "스코틀랜드"),
        ("Welsh", "웨일스"),
    ),
    *(("European", "유럽"), ("Europeans", "유럽"), ("Pacific", "태평양"), ("Atlantic", "대서양")),
)
# Usual Korean forms of the capitalised words in _NOT_NAMES (and a few more that news
# capitalises inside a sentence): Korean translates them, so they are checked as words
# with a translation, not as names. A form is a substring to look for, so short stems
# (위원 for 위원회 and 위원단) cover the inflected and compound forms.
_GLOSSES: dict[str, tuple[str, ...]] = {
    word: tuple(forms.split())
    for word, forms in {
        "senate": "상원",
        "navy": "해군",
        "court": "법원 재판 법정",
        "government": "정부",
        "north": "북",
        "south": "남",
        "committee": "위원",
        "commission": "위원",
        "council": "이사회 의회 위원 협의회 평의회 회의",
        "university": "대학 대 학교",
        "police": "경찰",
        "army": "육군 군",
        "parliament": "의회",
        "assembly": "의회 총회 국회",
        "supreme": "대법 최고",
        "judiciary": "법사 사법",
        "treasury": "재무",
        "security": "안보 보안 안전",
        "intelligence": "정보",
        "foreign": "외무 외교 해외",
        "republican": "공화",
        "republicans": "공화",
        "democratic": "민주",
        "democrats": "민주",
        "conservative": "보수",
        "conservatives": "보수",
        "party": "당",
        "house": "하원 의회 백악관 주택 집",
        "white": "백",
        "king": "왕",
        "queen": "여왕",
        "prince": "왕자",
        "president": "대통령 회장 총장 대표 사장",
        "minister": "장관 총리 수상",
        "prime": "총리 수상",
        "east": "동",
        "west": "서",
        "national": "국립 국가 전국 국민 민족",
        "city": "시",
        "state": "주 국 정부",
        "states": "주 국",
        "united": "미국 연합 유나이티드 영국",
        "war": "전쟁 대전 전",
        "team": "팀",
        "cup": "컵",
        "games": "게임 대회 경기 올림픽",
        "general": "장군 총 일반 사무",
        "secretary": "장관 총장 비서",
        "office": "사무 청 국 실 부",
        "officer": "관 경찰",
        "judge": "판사 재판",
        "act": "법",
        "class": "급 등급 계급",
        "high": "고 높",
        "middle": "중",
        "central": "중앙 중부",
        "southern": "남",
        "northern": "북",
        "southwest": "남서",
        "members": "의원 회원 멤버 구성원",
        "nations": "국 연합 유엔",
        "republic": "공화국",
        "new": "뉴 신 새",
    }.items()
}
_LATIN_NAME = regex.compile(r"(?<![\p{L}\p{N}])[\p{Latin}][\p{Latin}\p{N}&.'-]*[\p{Latin}\p{N}]")
_BOILERPLATE = regex.compile(
    r"""
    [\w.+-]+@[\w-]+\.[\w.]+                            # e-mail addresses
    | all\s+rights\s+reserved | copyright\b | ©
    | please\s+direct\s+(?:questions|comments|inquiries)
    | 무단\s*전재 | 재배포\s*금지 | 저작권자
    | ^\s*by\s+\p{Lu}\p{L}+(?:\s+\p{Lu}[\p{L}.-]*){0,3}\s*$    # byline
    | ^\s*\p{Hangul}{2,4}\s*(?:기자|특파원|논설위원)\s*$       # Korean byline
    | ^\s*\p{Lu}[\p{Lu}\s]+,\s*\p{Lu}\p{L}*\.?\s+\d{1,2}\s*\(\p{L}+\)  # SEOUL, Jan. 22 (Yonhap)
    | \((?:서울|워싱턴|베이징|도쿄)=\p{L}+\)               # (서울=연합뉴스)
    | \b(?:photo|file\s+photo|caption)\s*[:/=]            # captions
    | \[?(?:사진|그래픽)\s*=                               # [사진=...]
    | getty\s+images | \bAFP\s*/ | /\s*(?:Yonhap|AP|Reuters|EPA)\s*$
    | follow\s+us\s+on | subscribe\s+to | read\s+more\s*: | related\s+articles
    | 관련\s*기사 | 구독\s*신청
    """,
    regex.IGNORECASE | regex.VERBOSE,
)


@dataclass(frozen=True)
class PairInput:
    """One sentence pair, how many sentences each side holds (its bead type), whether it
    is a headline (headlines need not end like sentences), and the sentences of a side
    that holds more than one (empty otherwise): a merge is checked for an edge sentence
    the other side does not support."""

    en: str
    ko: str
    en_sentences: int = 1
    ko_sentences: int = 1
    heading: bool = False
    en_parts: tuple[str, ...] = ()
    ko_parts: tuple[str, ...] = ()


def number_agreement(en: str, ko: str) -> tuple[float, int]:
    """(Dice of the number bags, count of numbers one side has and the other lacks).

    Number words and month names only count when the Korean side needs them, so "one of
    them" does not penalise a pair whose Korean has no digits. A 24-hour time counts once,
    in whichever form the Korean uses.
    """
    ko_bag = Counter(number_tokens(korean_clock_times_as_numbers(ko)))
    en_bag = Counter()
    for match in CLOCK_TIME.finditer(en):
        hour = int(match.group(1))
        if hour > 12:
            drop = str(hour) if ko_bag[str(hour - 12)] else str(hour - 12)
            en_bag[drop] -= 1
    en_bag.update(number_tokens(clock_times_as_numbers(en)))
    en_bag = +en_bag
    for word in number_words(en):
        if ko_bag[word] > en_bag[word]:
            en_bag[word] += 1
    total = sum(en_bag.values()) + sum(ko_bag.values())
    if not total:
        return 1.0, 0
    shared = sum((en_bag & ko_bag).values())
    return 2 * shared / total, total - 2 * shared


def name_agreement(en: str, ko: str) -> tuple[int, int]:
    """(romanised Hangul names matched in the English, Latin names on the Korean side
    missing from the English)."""
    ko_tokens, _ = shared_tokens([ko], [en], "ko", "en")
    en_folded = fold(en)
    latin = {fold(t) for t in _LATIN_NAME.findall(ko)}
    missing = {t for t in latin if len(t) >= 2 and t not in en_folded} - acronyms(en)
    return len(ko_tokens[0]), len(missing)


def acronyms(en: str) -> set[str]:
    """Initials of runs of capitalised English words: Korean news often gives the acronym
    of a name it translates (Aviation Safety Network -> 항공안전네트워크(ASN))."""
    return {
        "".join(word[0] for word in run.split() if word[0].isupper()).casefold()
        for run in _CAPITALISED_RUN.findall(en)
    }


@lru_cache(maxsize=200_000)
def phonetic_key(word: str) -> str:
    """Consonants as a Korean transliteration keeps them, for English spellings and for
    romanised Hangul alike (Kavanaugh -> kpn = 캐버노 kaebono -> kpn; Sturridge -> strj =
    스터리지 sutoriji -> strj).

    Korean writes what an English name sounds like, not how it is spelled: ``ch``/``dge``/
    ``ts`` become ㅊ/ㅈ, ``v``/``f`` become ㅂ/ㅍ, a post-vocalic ``r`` is silent, vowels
    are inserted between consonants. So spelling digraphs are turned into sounds, the
    consonants put into the classes Hangul does not separate, vowels dropped (an initial
    one is kept as ``a``) and doubled letters collapsed.
    """
    key = word
    for pattern, sound in _SPELLING_SOUNDS:
        key = pattern.sub(sound, key)
    key = key.translate(_CONSONANT_CLASSES)
    head = "a" if key[:1] in "aeiou" else key[:1]
    body = _VOWELS.sub("", key[1:])
    return _REPEATS.sub(r"\1", head + body)


def _name_key(name: str) -> str:
    """A name folded for matching, without an English possessive (Kavanaugh's)."""
    return fold(_POSSESSIVE.sub("", name))


def _korean_forms_of(word: str) -> set[str]:
    """Hangul forms a name may take: the whole word and the word without a particle; a
    word of three or four syllables may also be a Korean name (with a particle), so its
    surname and given name are tried too. Fewer forms, fewer matches by chance."""
    forms = {word, word[:-1]}
    if len(word) in (3, 4):
        forms |= {word[:1], word[1:]}
    return {form for form in forms if form}


def _best_similarity(name: str, words: Sequence[str], keys: Sequence[str]) -> float:
    """How well ``name`` matches its closest word, as spelled or as phonetic keys."""
    spelled = process.extractOne(name, words, scorer=fuzz.ratio)[1]
    sounds = process.extractOne(phonetic_key(name), keys, scorer=fuzz.ratio)[1]
    return max(spelled, sounds) / 100


def english_names(en: str) -> dict[str, str]:
    """Capitalised words inside an English sentence that may name someone or something:
    each one's folded key, and its first spelling without a possessive (Trump's ->
    Trump), to embed it alone."""
    names: dict[str, str] = {}
    for written in _INNER_NAME.findall(en):
        key = _name_key(written)
        if len(key) >= 3 and key not in _NOT_NAMES:
            names.setdefault(key, _POSSESSIVE.sub("", written))
    return names


def name_similarities(en: str, ko: str) -> tuple[tuple[str, float], ...]:
    """Per English name (as written), its best similarity to a word of the Korean side
    (romanised Hangul, or Latin as written); 1.0 for a name whose standard Korean
    translation (Sunday -> 일요일, Germany -> 독일, Chinese -> 중국어) the Korean side
    contains, and 0.0 for a weekday or month it lacks (Korean never transliterates those,
    so a fuzzy match would be chance: Monday -> mnt = 만났다 mannatta)."""
    names = english_names(en)
    if not names:
        return ()
    korean = {fold(w) for w in _LATIN_NAME.findall(ko)}
    for word in _HANGUL_WORD.findall(ko):
        korean.update(romanise(form) for form in _korean_forms_of(word))
    korean.discard("")
    words = sorted(korean)
    keys = [phonetic_key(w) for w in words]
    found = []
    for name, written in names.items():
        if any(translated in ko for translated in translated_names().get(name, ())):
            found.append((written, 1.0))
        elif name in calendar_names() or not words:
            found.append((written, 0.0))
        else:
            found.append((written, _best_similarity(name, words, keys)))
    return tuple(found)


def names_similarity(en: str, ko: str) -> float:
    """The worst-matched English name's best similarity to a word of the Korean side;
    1.0 when the English names no one."""
    return min((similarity for _, similarity in name_similarities(en, ko)), default=1.0)


def unmatched_names(matches: Sequence[tuple[str, float]]) -> tuple[str, ...]:
    """The names of ``name_similarities`` with no close match on the Korean side, the
    worst matched first and at most MAX_EMBEDDED_NAMES: each is embedded alone for
    ``names_cosine``, and a 20,000-character line of capitalised words should not cost
    thousands of encodings."""
    unmatched = sorted(
        (similarity, n, name)
        for n, (name, similarity) in enumerate(matches)
        if similarity < NAME_FOUND
    )
    return tuple(name for _, _, name in unmatched[:MAX_EMBEDDED_NAMES])


def glosses_missing(en: str, ko: str) -> int:
    """How many translated capitalised words of the English (Senate, Navy, Court) have
    none of their usual Korean forms on the Korean side."""
    words = {_name_key(m) for m in _INNER_NAME.findall(en)}
    return sum(1 for w in words if w in _GLOSSES and not any(f in ko for f in _GLOSSES[w]))


def korean_weekdays_missing(en: str, ko: str) -> int:
    """How many weekdays the Korean side names (수요일) that the English does not name,
    in full or abbreviated (Wednesday, Wed)."""
    named = [day for day in weekday_names() if day in ko]
    if not named:
        return 0
    english = {fold(w) for w in _WORD.findall(en)}
    return sum(1 for day in named if not english & weekday_names()[day])


@lru_cache(maxsize=1)
def weekday_names() -> dict[str, frozenset[str]]:
    """Korean weekday (CLDR) -> its folded English names, full and abbreviated."""
    from babel import Locale

    english, korean = Locale("en"), Locale("ko")
    days = korean.days["format"]["wide"]
    return {
        days[d]: frozenset(fold(english.days["format"][w][d]) for w in ("wide", "abbreviated"))
        for d in range(7)
    }


@lru_cache(maxsize=1)
def translated_names() -> dict[str, frozenset[str]]:
    """Folded English names that Korean translates rather than transliterates, with their
    Korean forms, from the Unicode CLDR (via Babel): countries and regions, languages
    (also as the adjective: 중국어 -> 중국), weekdays and months."""
    from babel import Locale

    english, korean = Locale("en"), Locale("ko")
    pairs: list[tuple[str, str]] = []
    for table in ("territories", "languages"):
        english_table, korean_table = getattr(english, table), getattr(korean, table)
        pairs += [(english_table[c], korean_table[c]) for c in english_table if c in korean_table]
    table: dict[str, set[str]] = {}
    for name, translation in [*pairs, *_calendar_pairs(), *_MORE_TRANSLATIONS]:
        forms = {translation}
        if translation.endswith("어") and len(translation) >= 3:
            forms.add(translation[:-1])
        table.setdefault(fold(name), set()).update(forms)
    return {name: frozenset(forms) for name, forms in table.items() if len(name) >= 3}


def _calendar_pairs() -> list[tuple[str, str]]:
    """(English weekday or month, full or abbreviated; its Korean name) from CLDR."""
    from babel import Locale

    english, korean = Locale("en"), Locale("ko")
    days, months = korean.days["format"]["wide"], korean.months["format"]["wide"]
    pairs = [("Sept", months[9])]
    for width in ("wide", "abbreviated"):
        pairs += [(english.days["format"][width][d], days[d]) for d in range(7)]
        pairs += [(english.months["format"][width][m], months[m]) for m in range(1, 13)]
    return pairs


@lru_cache(maxsize=1)
def calendar_names() -> frozenset[str]:
    """Folded English weekday and month names (May the month; Mrs May is 메이)."""
    return frozenset(fold(name) for name, _ in _calendar_pairs()) - {"may"}


def letters(text: str) -> int:
    return sum(len(w) for w in _WORD.findall(text))


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def pair_features(
    pair: PairInput,
    en_vector: np.ndarray,
    ko_vector: np.ndarray,
    en_neighbour_vectors: np.ndarray,
    ko_neighbour_vectors: np.ndarray,
    ratio: float = DEFAULT_RATIO,
    en_rest_vectors: Sequence[np.ndarray] = (),
    ko_rest_vectors: Sequence[np.ndarray] = (),
    name_matches: Sequence[tuple[str, float]] | None = None,
    unmatched_name_vectors: Sequence[np.ndarray] = (),
) -> dict[str, float]:
    """The FEATURE_NAMES values of one pair (vectors are L2-normalised embeddings).

    ``en_neighbour_vectors`` are the English sentences near the Korean side (compared with
    the Korean), ``ko_neighbour_vectors`` the Korean sentences near the English side.
    ``en_rest_vectors`` / ``ko_rest_vectors`` embed a side of several sentences without
    its first and without its last sentence (none for a one-sentence side).
    ``name_matches`` are the pair's ``name_similarities`` when the caller has them
    already, ``unmatched_name_vectors`` embed its ``unmatched_names`` alone.
    """
    en_len, ko_len = max(len(pair.en), 1), max(len(pair.ko), 1)
    cosine = float(en_vector @ ko_vector)
    rivals = [UNRELATED_COSINE]
    if len(ko_neighbour_vectors):
        rivals.append(float(np.max(ko_neighbour_vectors @ en_vector)))
    if len(en_neighbour_vectors):
        rivals.append(float(np.max(en_neighbour_vectors @ ko_vector)))
    numbers_dice, numbers_missing = number_agreement(pair.en, pair.ko)
    names_shared, names_missing = name_agreement(pair.en, pair.ko)
    if name_matches is None:
        name_matches = name_similarities(pair.en, pair.ko)
    similarity = min((similarity for _, similarity in name_matches), default=1.0)
    logprob = float(length_log_probability(np.array(en_len), np.array(ko_len), ratio))
    merge = pair.en_sentences + pair.ko_sentences - 2
    gains = [float(v @ ko_vector) for v in en_rest_vectors]
    gains += [float(v @ en_vector) for v in ko_rest_vectors]
    return {
        "length_logprob": max(logprob, LENGTH_LOGPROB_FLOOR),
        "length_log_ratio": abs(math.log(ko_len / (en_len * ratio))),
        "cosine": cosine,
        "margin": cosine - max(rivals),
        "numbers_dice": numbers_dice,
        "numbers_missing": float(min(numbers_missing, 5)),
        "names_shared": float(min(names_shared, 5)),
        "names_missing": float(min(names_missing, 5)),
        "names_similarity": similarity,
        "names_all_found": float(similarity >= NAME_FOUND),
        "names_cosine": min((float(v @ ko_vector) for v in unmatched_name_vectors), default=1.0),
        "glosses_missing": float(min(glosses_missing(pair.en, pair.ko), 3)),
        "ko_weekdays_missing": float(min(korean_weekdays_missing(pair.en, pair.ko), 2)),
        "hangul_ko": hangul_share(pair.ko),
        "hangul_en": hangul_share(pair.en),
        "identical": float(normalise(pair.en) == normalise(pair.ko)),
        "bead_merge": float(min(max(merge, 0), 4)),
        "bead_unbalanced": float(min(abs(pair.en_sentences - pair.ko_sentences), 3)),
        "end_mismatch": float(
            not pair.heading and ends_sentence(pair.en) != ends_sentence(pair.ko)
        ),
        "edge_gain": max(gains) - cosine if gains else 0.0,
        "edge_length_gain": edge_length_gain(pair, ratio, logprob),
    }


def edge_rests(parts: Sequence[str]) -> tuple[str, ...]:
    """A side of several sentences without its first and without its last sentence."""
    if len(parts) < 2:
        return ()
    return (" ".join(parts[1:]), " ".join(parts[:-1]))


def edge_length_gain(pair: PairInput, ratio: float, logprob: float) -> float:
    """How much likelier (log) the two lengths become without a merged side's first or
    last sentence, capped at EDGE_LENGTH_GAIN_CAP; 0 when no such rest fits better."""
    en_len, ko_len = max(len(pair.en), 1), max(len(pair.ko), 1)
    rest_logprobs = [
        *(length_log_probability(len(rest), ko_len, ratio) for rest in edge_rests(pair.en_parts)),
        *(length_log_probability(en_len, len(rest), ratio) for rest in edge_rests(pair.ko_parts)),
    ]
    best = max((float(p) for p in rest_logprobs), default=logprob)
    return float(np.clip(best - max(logprob, LENGTH_LOGPROB_FLOOR), 0.0, EDGE_LENGTH_GAIN_CAP))


def ends_sentence(text: str) -> bool:
    return bool(_FINAL.search(text))


def pair_flags(pair: PairInput, features: dict[str, float], duplicate: bool = False) -> list[str]:
    """Rule flags a reviewer can filter on, independent of the learned score."""
    flags = []
    if features["numbers_missing"] > 0:
        flags.append("number_mismatch")
    if features["names_missing"] > 0:
        flags.append("name_mismatch")
    longer = max(len(pair.en), len(pair.ko))
    if features["length_log_ratio"] >= math.log(PARTIAL_FACTOR) and longer >= PARTIAL_MIN_CHARS:
        flags.append("partial")
    if _untranslated(pair.en, pair.ko):
        flags.append("untranslated")
    if features["length_logprob"] < LENGTH_OUTLIER_LOGPROB:
        flags.append("length_outlier")
    if _BOILERPLATE.search(pair.en) or _BOILERPLATE.search(pair.ko):
        flags.append("boilerplate")
    if duplicate:
        flags.append("duplicate")
    if len(_WORD.findall(pair.en)) < 3 or letters(pair.ko) < 5:
        flags.append("too_short")
    return flags


def _untranslated(en: str, ko: str) -> bool:
    """Same text on both sides, a Korean side in another language, or Korean in the
    English side. Only the Korean side needs full language identification: the English
    side is Korean exactly when it is mostly Hangul, and asking py3langid about every
    English sentence was a third of the scorer's time."""
    if normalise(en) == normalise(ko):
        return True
    ko_lang = detect_language(ko)
    return (ko_lang is not None and ko_lang != "ko") or hangul_share(en) >= HANGUL_THRESHOLD


def feature_matrix(rows: Sequence[dict[str, float]]) -> np.ndarray:
    return np.array([[row[name] for name in FEATURE_NAMES] for row in rows], dtype=np.float64)
