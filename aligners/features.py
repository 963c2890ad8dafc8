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
  match among the Korean side's romanised words, compared on consonant skeletons as well
  (트럼프 -> teureompeu -> trmp = Trump -> trmp); the worst such name. A swapped name
  has no counterpart.
- ``hangul_ko`` / ``hangul_en`` / ``identical``: the Korean side is Korean, the English
  side is not, and the two are not one text copied.
- ``end_mismatch``: one side ends like a finished sentence and the other does not; a
  side cut short (a partial translation, a bad segmentation) stops mid-sentence.
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

import numpy as np
import regex
from rapidfuzz import fuzz, process

from aligners.length import length_log_probability
from aligners.names import fold, romanise, shared_tokens
from aligners.numbers import CLOCK_TIME, clock_times_as_numbers, number_tokens, number_words
from corpus.language import detect_language, hangul_share

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
    "hangul_ko",
    "hangul_en",
    "identical",
    "bead_merge",
    "bead_unbalanced",
    "end_mismatch",
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

_WORD = regex.compile(r"\p{L}+")
_FINAL = regex.compile(r"[.!?。？！…:;\"'”’)\]]\s*$")
_INNER_NAME = regex.compile(r"(?<=\S\s)\p{Lu}[\p{L}'’-]{2,}")
_HANGUL_WORD = regex.compile(r"\p{Hangul}{2,}")
_VOWELS = regex.compile(r"[aeiouwyh]")
_CONSONANT_CLASSES = str.maketrans("gqczlbfdx", "kkjjrpptk")
# Capitalised words that Korean translates rather than transliterates.
_NOT_NAMES = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
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
    ]
)
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
    """One sentence pair, how many sentences each side holds (its bead type), and whether
    it is a headline (headlines need not end like sentences)."""

    en: str
    ko: str
    en_sentences: int = 1
    ko_sentences: int = 1
    heading: bool = False


def number_agreement(en: str, ko: str) -> tuple[float, int]:
    """(Dice of the number bags, count of numbers one side has and the other lacks).

    Number words and month names only count when the Korean side needs them, so "one of
    them" does not penalise a pair whose Korean has no digits. A 24-hour time counts once,
    in whichever form the Korean uses.
    """
    ko_bag = Counter(number_tokens(ko))
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
    missing = {t for t in latin if len(t) >= 2 and t not in en_folded}
    return len(ko_tokens[0]), len(missing)


def _skeleton(word: str) -> str:
    """First letter and consonants, in classes romanisation confuses (k/g, j/ch, r/l,
    p/b/f, t/d): transliteration adds and changes vowels and voicing most."""
    return (word[:1] + _VOWELS.sub("", word[1:])).translate(_CONSONANT_CLASSES)


def _best_similarity(name: str, words: Sequence[str], skeletons: Sequence[str]) -> float:
    """How well ``name`` matches its closest word, as spelled or as consonant skeletons."""
    spelled = process.extractOne(name, words, scorer=fuzz.ratio)
    consonants = process.extractOne(_skeleton(name), skeletons, scorer=fuzz.ratio)
    return max(spelled[1], consonants[1]) / 100


def names_similarity(en: str, ko: str) -> float:
    """The worst-matched English name's best similarity to a word of the Korean side
    (romanised Hangul, or Latin as written); 1.0 when the English names no one."""
    names = {fold(m) for m in _INNER_NAME.findall(en)} - _NOT_NAMES
    names = {n for n in names if len(n) >= 3}
    if not names:
        return 1.0
    korean = {fold(w) for w in _LATIN_NAME.findall(ko)}
    for word in _HANGUL_WORD.findall(ko):
        # whole word, without a particle, and surname / given name of a Korean name
        forms = {word, word[:-1], word[:1], word[1:]}
        korean.update(romanise(form) for form in forms if form)
    korean.discard("")
    if not korean:
        return 0.0
    words = sorted(korean)
    skeletons = [_skeleton(w) for w in words]
    return min(_best_similarity(name, words, skeletons) for name in names)


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
) -> dict[str, float]:
    """The FEATURE_NAMES values of one pair (vectors are L2-normalised embeddings).

    ``en_neighbour_vectors`` are the English sentences near the Korean side (compared with
    the Korean), ``ko_neighbour_vectors`` the Korean sentences near the English side.
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
    logprob = float(length_log_probability(np.array(en_len), np.array(ko_len), ratio))
    merge = pair.en_sentences + pair.ko_sentences - 2
    return {
        "length_logprob": max(logprob, LENGTH_LOGPROB_FLOOR),
        "length_log_ratio": abs(math.log(ko_len / (en_len * ratio))),
        "cosine": cosine,
        "margin": cosine - max(rivals),
        "numbers_dice": numbers_dice,
        "numbers_missing": float(min(numbers_missing, 5)),
        "names_shared": float(min(names_shared, 5)),
        "names_missing": float(min(names_missing, 5)),
        "names_similarity": names_similarity(pair.en, pair.ko),
        "hangul_ko": hangul_share(pair.ko),
        "hangul_en": hangul_share(pair.en),
        "identical": float(normalise(pair.en) == normalise(pair.ko)),
        "bead_merge": float(min(max(merge, 0), 4)),
        "bead_unbalanced": float(min(abs(pair.en_sentences - pair.ko_sentences), 3)),
        "end_mismatch": float(
            not pair.heading and ends_sentence(pair.en) != ends_sentence(pair.ko)
        ),
    }


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
    if normalise(en) == normalise(ko):
        return True
    ko_lang, en_lang = detect_language(ko), detect_language(en)
    return (ko_lang is not None and ko_lang != "ko") or en_lang == "ko"


def feature_matrix(rows: Sequence[dict[str, float]]) -> np.ndarray:
    return np.array([[row[name] for name in FEATURE_NAMES] for row in rows], dtype=np.float64)
