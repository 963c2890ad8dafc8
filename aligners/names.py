"""Names and other tokens that cross the language barrier unchanged or nearly so.

Between two Latin-script languages, proper names, codes and rare words are written the
same on both sides (Makalu, Kato, ISBN ...): a token rare in both documents that occurs in
both is a strong anchor. Hangul names are romanised (McCune-Reischauer with the accents
stripped, which matches English spellings best: 최선희 -> choesonhui) and matched
fuzzily against the English side's capitalised words (Choe Son-hui, Putin).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import regex
from rapidfuzz import fuzz, process

_TOKEN = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*")
_HANGUL_WORD = regex.compile(r"\p{Hangul}{2,}")
_CAPITALISED = regex.compile(r"\b\p{Lu}[\p{L}'’-]+(?:[\s-]\p{Lu}[\p{L}'’-]*){0,2}")
MIN_LENGTH = 3
# A token in more sentences than this share of a document is vocabulary, not an anchor.
MAX_SHARE = 0.05
MIN_ROMAN_SIMILARITY = 0.8


def fold(token: str) -> str:
    """Lower-cased letters and digits without accents, so 'Moon Jae-in' meets 'moonjaein'."""
    decomposed = unicodedata.normalize("NFKD", token.lower())
    return "".join(c for c in decomposed if c.isalnum())


def _tokens(sentence: str) -> set[str]:
    return {f for f in (fold(t) for t in _TOKEN.findall(sentence)) if len(f) >= MIN_LENGTH}


def _rare(token_sets: list[set[str]]) -> set[str]:
    counts = Counter(t for tokens in token_sets for t in tokens)
    limit = max(3, int(MAX_SHARE * len(token_sets)))
    return {t for t, c in counts.items() if c <= limit}


def shared_tokens(
    src: Sequence[str], tgt: Sequence[str], src_lang: str = "", tgt_lang: str = ""
) -> tuple[list[list[str]], list[list[str]]]:
    """Per sentence, the anchor tokens it shares with the other document."""
    if "ko" in (src_lang, tgt_lang) and src_lang != tgt_lang:
        return _hangul_latin_tokens(src, tgt, src_is_korean=src_lang == "ko")
    src_sets = [_tokens(s) for s in src]
    tgt_sets = [_tokens(t) for t in tgt]
    anchors = _rare(src_sets) & _rare(tgt_sets)
    return (
        [sorted(s & anchors) for s in src_sets],
        [sorted(t & anchors) for t in tgt_sets],
    )


@lru_cache(maxsize=100_000)
def romanise(word: str) -> str:
    """Hangul -> Latin letters as English news spells Korean names (McCune-Reischauer,
    accents dropped: 최선희 -> choesonhui).

    ko-pron romanises one syllable at a time here (each syllable once per process) and
    the sound changes across syllable boundaries that names show are applied after:
    voicing between voiced sounds (도널드 -> tonoldu, 가격 -> kagyok), a final consonant
    carried onto a vowel (김정은이 -> kimjonguni), nasalisation (국민 -> kungmin) and the
    ㄹ rules (할리우드 -> halliudu). ko-pron on whole words agrees on 95% of NTREX Korean
    words (the rest are mostly verb endings) and costs ~4 times as much.
    """
    out, before = "", None
    for char in word:
        part = _syllable_roman(char)
        onset, final = _jamo(char)
        if out and onset is not None and before is not None:
            out, part = _join_syllables(out, before, onset, part)
        out += part
        before = final
    return out.replace("'", "")


@lru_cache(maxsize=20_000)
def _syllable_roman(char: str) -> str:
    """One syllable in McCune-Reischauer, keeping the aspiration mark (t' = ㅌ): only the
    plain consonants are voiced between voiced sounds."""
    from ko_pron import romanise as ko_romanise

    decomposed = unicodedata.normalize("NFKD", ko_romanise(char, "mr").lower())
    return "".join(c for c in decomposed if c.isalnum() or c == "'")


def _jamo(char: str) -> tuple[int | None, int | None]:
    """(initial consonant index, final consonant index) of a Hangul syllable."""
    index = ord(char) - 0xAC00
    return (index // 588, index % 28) if 0 <= index < 11172 else (None, None)


# Initial consonants (index into the 19 Hangul initials) and finals (into the 28 finals).
_SILENT, _NIEUN, _RIEUL, _MIEUM, _SIOS, _HIEUH = 11, 2, 5, 6, 9, 18
_PLAIN = {0: "k", 3: "t", 7: "p", 12: "ch"}  # ㄱ ㄷ ㅂ ㅈ
_VOICED = {"k": "g", "t": "d", "p": "b", "ch": "j"}
_NO_FINAL, _FINAL_N, _FINAL_L, _FINAL_M, _FINAL_NG, _FINAL_SS = 0, 4, 8, 16, 21, 20
# A final consonant read onto a following vowel: ㄱ ㄷ ㅂ ㄹ ㅅ ㅆ ㅈ ㅊ ㅋ ㅌ ㅍ.
_CARRIED = {1: "g", 7: "d", 17: "b", 8: "r", 19: "s", 20: "ss", 22: "j", 23: "ch", 24: "k"}
_CARRIED |= {25: "t", 26: "p"}
_NASAL = {"k": "ng", "t": "n", "p": "m"}
_FINAL_SOUND = regex.compile(r"(?:ch|ss|[ktpls])$")


def _join_syllables(out: str, before: int, onset: int, part: str) -> tuple[str, str]:
    """The romanised word so far and the next syllable, with the boundary's sound change."""
    voiced_end = before in (_NO_FINAL, _FINAL_N, _FINAL_L, _FINAL_M, _FINAL_NG)
    if onset == _SILENT and before in _CARRIED:
        return _FINAL_SOUND.sub("", out) + _CARRIED[before], part
    if onset in _PLAIN and voiced_end:
        plain = _PLAIN[onset]
        return out, _VOICED[plain] + part[len(plain) :]
    if onset in (_NIEUN, _MIEUM) and out[-1:] in _NASAL and not out.endswith("ng"):
        return out[:-1] + _NASAL[out[-1]], part
    if onset == _RIEUL and before in (_FINAL_N, _FINAL_L):
        return out[:-1] + "l", "l" + part[1:]
    if onset == _RIEUL and before != _NO_FINAL:
        if out[-1:] in _NASAL and not out.endswith("ng"):
            out = out[:-1] + _NASAL[out[-1]]
        return out, "n" + part[1:]
    if onset == _NIEUN and before == _FINAL_L:
        return out, "l" + part[1:]
    if onset == _HIEUH and before == _FINAL_L:
        return out[:-1] + "r", part
    if onset == _SIOS and before == _FINAL_SS:
        return out[:-1] + "s", part
    return out, part


# Romanisation and English spelling disagree most on the first letter in these classes
# (김 kim/gim, 이 lee/yi/i, 박 park/bak): candidates are blocked by class, not by letter.
_FIRST_LETTER_CLASS = {
    c: k for k, letters in enumerate(["kgq", "cjz", "ilyr", "pbf", "td", "sx"]) for c in letters
}


def _block(word: str) -> object:
    return _FIRST_LETTER_CLASS.get(word[:1], word[:1])


def _korean_forms(word: str) -> list[str]:
    """The word, and the word without a trailing particle syllable (모스크바를 -> 모스크바)."""
    return [word, word[:-1]] if len(word) >= 3 else [word]


def _best_english(roman: str, candidates: dict[object, list[str]]) -> str | None:
    found = process.extractOne(
        roman,
        candidates.get(_block(roman), ()),
        scorer=fuzz.ratio,
        score_cutoff=100 * MIN_ROMAN_SIMILARITY,
    )
    return found[0] if found else None


def _hangul_latin_tokens(
    src: Sequence[str], tgt: Sequence[str], src_is_korean: bool
) -> tuple[list[list[str]], list[list[str]]]:
    korean, english = (src, tgt) if src_is_korean else (tgt, src)
    ko_words = [set(_HANGUL_WORD.findall(s)) for s in korean]
    en_names = [_english_names(s) for s in english]
    blocks: dict[object, set[str]] = {}
    for names in en_names:
        for name in names:
            blocks.setdefault(_block(name), set()).add(name)
    candidates = {block: sorted(names) for block, names in blocks.items()}
    matches: dict[str, str] = {}
    for word in {w for words in ko_words for w in words}:
        for form in _korean_forms(word):
            found = _best_english(romanise(form), candidates)
            if found:
                matches[word] = found
                break
    ko_tokens = [sorted({matches[w] for w in words if w in matches}) for words in ko_words]
    matched = set(matches.values())
    en_tokens = [sorted(names & matched) for names in en_names]
    return (ko_tokens, en_tokens) if src_is_korean else (en_tokens, ko_tokens)


def _english_names(sentence: str) -> set[str]:
    """Capitalised names, whole (Choe Son-hui -> choesonhui) and word by word (putin)."""
    names = set()
    for phrase in _CAPITALISED.findall(sentence):
        names.add(fold(phrase))
        names.update(fold(w) for w in regex.split(r"\s+", phrase))
    return {n for n in names if len(n) >= MIN_LENGTH}
