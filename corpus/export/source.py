"""Stream aligned sentence pairs out of the store, filtered the same way for every format.

One SQL query walks ``alignments`` in primary-key order (pair id, bead), so the output order
is deterministic and SQLite needs no sort; sentence texts come with each row, so nothing is
loaded per document and memory stays flat whatever the corpus size. Every filter counts
what it removed: the export summary must say why a corpus is smaller than the store.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from corpus.export.records import ExportRecord, TextCleaner

# A rights notice that forbids reuse or AI training makes the pair "restricted".
RESTRICTED_RIGHTS = re.compile(
    r"무단\s*(?:전재|복제|배포|사용)|재배포\s*금지|AI\s*학습|인공지능\s*학습"
    r"|all\s+rights\s+reserved|may\s+not\s+be\s+(?:reproduced|republished|redistributed)"
    r"|no\s+(?:reproduction|redistribution)|(?:AI|machine[\s-]learning)\s+training",
    re.IGNORECASE,
)

BEAD_TYPE = re.compile(r"^\d+-\d+$")

# CROSS JOIN fixes the join order: walk the bead's ids, then look each sentence up by its
# primary key. Left to itself SQLite scans the whole document per bead (quadratic per document).
_QUERY = """
SELECT a.pair_id, a.bead, a.en_ids, a.ko_ids, a.score, a.flags,
       ap.flags AS pair_flags, p.en_doc, p.ko_doc,
       de.article_id AS en_article, de.url AS en_url, de.published AS en_published,
       de.lang AS en_lang, de.rights AS en_rights,
       dk.article_id AS ko_article, dk.url AS ko_url, dk.published AS ko_published,
       dk.lang AS ko_lang, dk.rights AS ko_rights,
       (SELECT json_group_array(json_array(j.key, s.text))
          FROM json_each(CASE WHEN json_valid(a.en_ids) THEN a.en_ids ELSE '[]' END) AS j
          CROSS JOIN sentences AS s ON s.doc_id = p.en_doc AND s.idx = j.value) AS en_texts,
       (SELECT json_group_array(json_array(j.key, s.text))
          FROM json_each(CASE WHEN json_valid(a.ko_ids) THEN a.ko_ids ELSE '[]' END) AS j
          CROSS JOIN sentences AS s ON s.doc_id = p.ko_doc AND s.idx = j.value) AS ko_texts
FROM alignments AS a
JOIN pairs AS p ON p.id = a.pair_id
JOIN documents AS de ON de.id = p.en_doc
JOIN documents AS dk ON dk.id = p.ko_doc
LEFT JOIN aligned_pairs AS ap ON ap.pair_id = a.pair_id
ORDER BY a.pair_id, a.bead
"""


def is_restricted(rights: str | None) -> bool:
    """True when a rights notice forbids reuse or AI training."""
    return rights is not None and _restricted_cached(rights)


@lru_cache(maxsize=4096)
def _restricted_cached(rights: str) -> bool:
    return RESTRICTED_RIGHTS.search(rights) is not None


@dataclass(frozen=True)
class ExportFilters:
    """What the user asked to keep; every format applies exactly these."""

    min_score: float | None = None
    types: frozenset[str] | None = None
    exclude_flags: frozenset[str] = frozenset()
    exclude_restricted: bool = False
    dedupe: bool = False


@dataclass
class ExportStats:
    """Counts for the export summary, one per filter, in the order the filters run."""

    beads: int = 0
    document_pairs: int = 0
    unaligned: int = 0
    broken: int = 0
    restricted: int = 0
    wrong_type: int = 0
    flagged: int = 0
    below_score: int = 0
    empty: int = 0
    duplicates: int = 0
    written: int = 0


def summary_lines(
    stats: ExportStats, filters: ExportFilters, cleaner: TextCleaner, target: str
) -> list[str]:
    """The export summary: one line per filter saying how many pairs it removed."""

    def line(option: str, value: str, count: int, active: bool) -> str:
        if not active:
            return f"  {option}: off"
        return f"  {' '.join(filter(None, (option, value)))}: {count} removed"

    types = ",".join(sorted(filters.types or ()))
    flags = ",".join(sorted(filters.exclude_flags))
    score = f"{filters.min_score:g}" if filters.min_score is not None else ""
    return [
        f"export: read {stats.beads} beads from {stats.document_pairs} document pairs",
        f"  unaligned sentences (1-0/0-1 beads, never exported): {stats.unaligned} skipped",
        f"  malformed beads (bad ids, sentences missing from the store): {stats.broken} removed",
        line("--exclude-restricted", "", stats.restricted, filters.exclude_restricted),
        line("--types", types, stats.wrong_type, filters.types is not None),
        line("--exclude-flags", flags, stats.flagged, bool(filters.exclude_flags)),
        line("--min-score", score, stats.below_score, filters.min_score is not None),
        f"  empty after text cleaning: {stats.empty} removed",
        line("--dedupe", "", stats.duplicates, filters.dedupe),
        f"  text cleaning: {cleaner.stats.illegal_removed} XML-illegal characters removed, "
        f"{cleaner.stats.breaks_normalised} line breaks/tabs made spaces",
        f"export: wrote {stats.written} pairs to {target}",
    ]


def normalise_for_dedupe(text: str) -> str:
    """Case, character width and spacing do not make two segments different."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def dedupe_key(en: str, ko: str) -> bytes:
    """A short digest of the normalised text pair, so a million pairs fit in memory."""
    joined = f"{normalise_for_dedupe(en)}\x00{normalise_for_dedupe(ko)}"
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=12).digest()


def _texts(joined: str | None, expected: int) -> str | None:
    """Join a bead's sentence texts in bead order; None if a sentence is missing."""
    parts = json.loads(joined) if joined else []
    if len(parts) != expected:
        return None
    return " ".join(text for _, text in sorted(parts))


def _sentence_ids(raw: str) -> tuple[int, ...] | None:
    """A bead side's sentence ids, or None when the stored JSON is not a list of ints."""
    try:
        ids = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        return None
    return tuple(ids)


class RecordSource:
    """Iterate the store's exportable sentence pairs, applying and counting the filters."""

    def __init__(self, db: sqlite3.Connection, filters: ExportFilters, cleaner: TextCleaner):
        self.db = db
        self.filters = filters
        self.cleaner = cleaner
        self.stats = ExportStats()
        self._seen: set[bytes] = set()
        self._last_pair: int | None = None

    def __iter__(self) -> Iterator[ExportRecord]:
        cursor = self.db.execute(_QUERY)
        cursor.row_factory = sqlite3.Row
        for row in cursor:
            record = self._accept(row)
            if record is not None:
                self.stats.written += 1
                yield record

    def _accept(self, row: sqlite3.Row) -> ExportRecord | None:
        """Build the record for one bead, or None (counted) when a filter removes it."""
        stats, filters = self.stats, self.filters
        stats.beads += 1
        if row["pair_id"] != self._last_pair:
            stats.document_pairs += 1
            self._last_pair = row["pair_id"]
        en_ids, ko_ids = _sentence_ids(row["en_ids"]), _sentence_ids(row["ko_ids"])
        if en_ids is None or ko_ids is None:
            stats.broken += 1
            return None
        if not en_ids or not ko_ids:
            stats.unaligned += 1
            return None
        en_text = _texts(row["en_texts"], len(en_ids))
        ko_text = _texts(row["ko_texts"], len(ko_ids))
        if en_text is None or ko_text is None:
            stats.broken += 1
            return None
        restricted = is_restricted(row["en_rights"]) or is_restricted(row["ko_rights"])
        if filters.exclude_restricted and restricted:
            stats.restricted += 1
            return None
        bead_type = f"{len(en_ids)}-{len(ko_ids)}"
        if filters.types is not None and bead_type not in filters.types:
            stats.wrong_type += 1
            return None
        # The document pair's flags (partial_translation) hold for each of its pairs.
        flags = (*json.loads(row["flags"] or "[]"), *json.loads(row["pair_flags"] or "[]"))
        if filters.exclude_flags.intersection(flags):
            stats.flagged += 1
            return None
        score = row["score"]
        if filters.min_score is not None and (score is None or score < filters.min_score):
            stats.below_score += 1
            return None
        en, ko = self.cleaner.clean(en_text), self.cleaner.clean(ko_text)
        if not en or not ko:
            stats.empty += 1
            return None
        if filters.dedupe and self._is_duplicate(en, ko):
            stats.duplicates += 1
            return None
        return ExportRecord(
            pair_id=row["pair_id"],
            bead=row["bead"],
            en=en,
            ko=ko,
            score=score,
            flags=flags,
            bead_type=bead_type,
            en_ids=en_ids,
            ko_ids=ko_ids,
            en_doc=self.cleaner.clean(row["en_article"]),
            ko_doc=self.cleaner.clean(row["ko_article"]),
            en_doc_id=row["en_doc"],
            ko_doc_id=row["ko_doc"],
            en_url=self._clean_optional(row["en_url"]),
            ko_url=self._clean_optional(row["ko_url"]),
            en_published=row["en_published"],
            ko_published=row["ko_published"],
            en_lang=row["en_lang"],
            ko_lang=row["ko_lang"],
            restricted=restricted,
        )

    def _clean_optional(self, text: str | None) -> str | None:
        return self.cleaner.clean(text) or None if text is not None else None

    def _is_duplicate(self, en: str, ko: str) -> bool:
        key = dedupe_key(en, ko)
        if key in self._seen:
            return True
        self._seen.add(key)
        return False
