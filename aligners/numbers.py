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
    """Normalised numbers (and month numbers) in ``text``, in order."""
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
