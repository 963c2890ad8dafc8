"""The record every export format writes, and the text hygiene applied before any writer.

Writers never see raw store text: a sentence pair is cleaned once, here, so that TMX, XCES,
Moses, TSV, JSONL and Parquet all carry exactly the same segments. Cleaning exists because
lxml refuses XML-illegal characters (the whole TMX would fail on one stray ``\\x0b``) and
because line-based formats (Moses, TSV) silently lose alignment when a segment contains a
character that some reader treats as a line break (``\\x85``, ``\\u2028``: Python's
``str.splitlines`` breaks on them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Characters that break a line for at least one common reader: they become a space so a
# segment always stays on one line. \x1c-\x1e are C0 controls that splitlines() breaks on.
LINE_BREAKS = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

# Characters XML 1.0 forbids (other C0 controls, U+FFFE/U+FFFF, lone surrogates): dropped.
_ILLEGAL_CODEPOINTS = [
    *(c for c in range(0x20) if chr(c) not in LINE_BREAKS),
    *range(0xD800, 0xE000),
    0xFFFE,
    0xFFFF,
]
_DROP_ILLEGAL = dict.fromkeys(_ILLEGAL_CODEPOINTS)
_BREAKS_TO_SPACE = {ord(c): " " for c in LINE_BREAKS}
_NEEDS_CLEANING = re.compile(
    "  |[" + re.escape(LINE_BREAKS) + "".join(re.escape(chr(c)) for c in _ILLEGAL_CODEPOINTS) + "]"
)
_SPACE_RUN = re.compile(" {2,}")


@dataclass
class CleaningStats:
    """How much the hygiene step changed, so the export summary can say so."""

    illegal_removed: int = 0
    breaks_normalised: int = 0


@dataclass
class TextCleaner:
    """Cleans segment text and counts what it removed across a whole export."""

    stats: CleaningStats = field(default_factory=CleaningStats)

    def clean(self, text: str) -> str:
        """Return ``text`` safe for XML and one-line formats, with single spaces only."""
        if _NEEDS_CLEANING.search(text) is None:
            return text.strip()
        without_illegal = text.translate(_DROP_ILLEGAL)
        self.stats.illegal_removed += len(text) - len(without_illegal)
        one_line = without_illegal.translate(_BREAKS_TO_SPACE)
        self.stats.breaks_normalised += sum(without_illegal.count(c) for c in LINE_BREAKS)
        return _SPACE_RUN.sub(" ", one_line).strip()


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One sentence pair (a bead with sentences on both sides), ready to write.

    ``en_ids``/``ko_ids`` are the store's sentence ``idx`` values, kept so XCES can link
    them; ``en_doc``/``ko_doc`` are article ids (stable across stores), ``en_doc_id`` and
    ``ko_doc_id`` the store's document row ids.
    """

    pair_id: int
    bead: int
    en: str
    ko: str
    score: float | None
    flags: tuple[str, ...]
    bead_type: str
    en_ids: tuple[int, ...]
    ko_ids: tuple[int, ...]
    en_doc: str
    ko_doc: str
    en_doc_id: int
    ko_doc_id: int
    en_url: str | None = None
    ko_url: str | None = None
    en_published: str | None = None
    ko_published: str | None = None
    en_lang: str = "en"
    ko_lang: str = "ko"
    restricted: bool = False


def format_score(score: float | None) -> str:
    """Scores as text with four decimals, the same in TMX props, TSV and the summary."""
    return "" if score is None else f"{score:.4f}"
