"""Numbers and dates, normalised across scripts so that they can anchor an alignment.

"3.5%" and "3,5 %" and "3.5퍼센트", "1만2천" and "12,000", "2024년 1월 22일" and
"Jan. 22, 2024" all reduce to the same tokens. A month name counts as its number, since
Korean writes months as numbers. Embeddings cannot tell 3.5% from 3.25%; this can.
"""

from __future__ import annotations

import regex

_MONTHS = {
    name: str(number)
    for number, names in enumerate(
        [
            ("january", "jan", "januar", "janvier"),
            ("february", "feb", "februar", "février", "fevrier"),
            ("march", "mar", "märz", "mars"),
            ("april", "apr", "avril"),
            ("may", "mai"),
            ("june", "jun", "juni", "juin"),
            ("july", "jul", "juli", "juillet"),
            ("august", "aug", "août", "aout"),
            ("september", "sept", "sep", "septembre"),
            ("october", "oct", "oktober", "octobre", "okt"),
            ("november", "nov", "novembre"),
            ("december", "dec", "dezember", "décembre", "dez"),
        ],
        1,
    )
    for name in names
}
_KOREAN_UNITS = {"만": 10_000, "억": 100_000_000, "조": 1_000_000_000_000}
_KOREAN_SMALL = {"천": 1000, "백": 100}

_NUMBER = regex.compile(
    r"(?<![\p{L}\d])(\d{1,3}(?:[,\u202f ]\d{3})+|\d+)(?:[.,](\d+))?"
    r"(?:\s?(천|백))?(?:\s?(만|억|조))?",
)
_KOREAN_COMPOUND = regex.compile(
    r"\d+(?:\.\d+)?\s?[조억만천백]\s?(?:(?:\d+(?:\.\d+)?)?\s?[조억만천백]\s?)*(?:\d+(?![\d.]))?"
)
_KOREAN_PIECE = regex.compile(r"(\d+(?:\.\d+)?)?\s?([조억만천백])|(\d+)")
_WORD = regex.compile(r"\p{L}+")
_MONTH_NAME_CONTEXT = regex.compile(r"\p{L}+\.?\s+\d")
_MONTH_WORD = regex.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\."
)
# Number words Korean writes as digits (fourteen -> 14명, second-degree -> 2급).
_CARDINALS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_ORDINALS = "- first second third fourth fifth sixth seventh eighth ninth tenth"
_SMALL_NUMBERS = {
    word: str(n)
    for words in (_CARDINALS, _ORDINALS)
    for n, word in enumerate(words.split())
    if word != "-"
}
# "2.5 million" and "£2.8bn" are written 250만 and 28억 in Korean: compare the values.
_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "m": 1e6,
    "bn": 1e9,
    "tn": 1e12,
}
# The short forms only after a currency sign: "£125m" is money, "30m" is metres.
_SCALED = regex.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion|trillion)\b"
    r"|(?<=[$£€¥₩]\s?)(\d[\d,]*(?:\.\d+)?)(m|bn|tn)\b",
    regex.I,
)
# "two decades" / "a decade" are 20년 / 10년; "a year", "a month", "a week" are 1년, 1개월,
# 1주 when the translator writes the one.
_DECADES = regex.compile(r"\b(\p{L}+|\d+)\s+decades?\b", regex.I)
_ONE_UNIT = regex.compile(r"\ban?\s+(?:year|month|week|day|hour)\b", regex.I)
# Korean clock times after 오전/오후 written with a point or colon (오후 5.30): the hour
# and the minutes, as 오후 5시 30분 reads.
_KOREAN_CLOCK = regex.compile(r"(?<=(?:오전|오후)\s?)(\d{1,2})[.:](\d{2})(?!\d)")
CLOCK_TIME = regex.compile(
    r"(?<![\d.,])(\d{1,2})(?::|\.(?=\d{2}\s?[ap]\.?m\b))(\d{2})(?![\d.,]\d)", regex.I
)


def _as_number(integer: str, fraction: str | None, small: str | None, unit: str | None) -> str:
    value = float(regex.sub(r"[,\u202f ]", "", integer) + ("." + fraction if fraction else ""))
    if small:
        value *= _KOREAN_SMALL[small]
    if unit:
        value *= _KOREAN_UNITS[unit]
    return f"{value:g}" if value != int(value) else str(int(value))


def _korean_compound_value(text: str) -> str:
    """1억 2500만 -> 125000000, 3천5백만 -> 35000000, 1만2천 -> 12000."""
    total = section = 0.0
    for number, unit, bare in _KOREAN_PIECE.findall(text):
        if bare:
            section += float(bare)
        elif unit in _KOREAN_SMALL:
            section += float(number or 1) * _KOREAN_SMALL[unit]
        else:
            total += (section + float(number or 0) or 1) * _KOREAN_UNITS[unit]
            section = 0.0
    value = total + section
    return f"{value:g}" if value != int(value) else str(int(value))


def number_tokens(text: str) -> list[str]:
    """Normalised numbers (and month numbers) in ``text``, with scale words applied."""
    tokens = _plain_number_tokens(text)
    for match in _SCALED.finditer(text):
        number, scale = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        base = _plain_number_tokens(number)
        if base and base[0] in tokens:
            tokens.remove(base[0])
            value = float(base[0]) * _SCALES[scale.lower()]
            tokens.append(f"{value:g}" if value != int(value) else str(int(value)))
    return tokens


def clock_times_as_numbers(text: str) -> str:
    """19:30 / 7.55am -> "19 7 30" / "7 55": the hour both ways (Korean writes 오후 7시),
    and no minutes for :00."""
    return CLOCK_TIME.sub(_time_as_numbers, text)


def _time_as_numbers(match: regex.Match) -> str:
    hour, minute = int(match.group(1)), match.group(2)
    hours = f"{hour} {hour - 12}" if hour > 12 else str(hour)
    return f" {hours} {'' if minute == '00' else int(minute)} "


def korean_clock_times_as_numbers(text: str) -> str:
    """오후 5.30 -> 오후 5 30: the hour and the minutes, not the decimal 5.3."""
    return _KOREAN_CLOCK.sub(lambda m: f"{int(m.group(1))} {int(m.group(2))}", text)


def number_words(text: str) -> list[str]:
    """Small number words ("two", "second"), month names ("June", "Sept."), decades ("two
    decades": 20) and "a year" (1) as digits, which is how Korean writes them; kept apart
    because "one of them" is rarely a number."""
    words = [_SMALL_NUMBERS[w.lower()] for w in _WORD.findall(text) if w.lower() in _SMALL_NUMBERS]
    words += [_MONTHS[(m.group(1) or m.group(2)).lower()] for m in _MONTH_WORD.finditer(text)]
    for count in _DECADES.findall(text):
        count = "1" if count.lower() == "a" else _SMALL_NUMBERS.get(count.lower(), count)
        if count.isdigit():
            words.append(str(int(count) * 10))
    return words + ["1"] * len(_ONE_UNIT.findall(text))


def _plain_number_tokens(text: str) -> list[str]:
    tokens = []
    consumed = []
    for match in _KOREAN_COMPOUND.finditer(text):
        if not any(unit in match.group() for unit in _KOREAN_UNITS):
            continue  # "3천" alone is left to the plain number rule
        tokens.append(_korean_compound_value(match.group()))
        consumed.append(match.span())
    for match in _NUMBER.finditer(text):
        if any(start <= match.start() < end for start, end in consumed):
            continue
        tokens.append(_as_number(*match.groups()))
    for match in _MONTH_NAME_CONTEXT.finditer(text):
        word = _WORD.match(match.group()).group().lower()
        if word in _MONTHS:
            tokens.append(_MONTHS[word])
    return tokens
