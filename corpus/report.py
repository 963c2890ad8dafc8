"""``dari report``: one static HTML page for reviewing a store's document pairs and alignments.

The page must open from ``file://`` on a reviewer's laptop with no network, and stay usable
with 10,000 document pairs. So everything is inline (CSS, JS, data), the pairs table is
built by a few lines of JS from one compact JSON block and paginated, and each pair's
sentences sit in their own ``<script type="application/json">`` block that is parsed and
turned into rows only when that pair is opened. Article text reaches the page only as JSON
inside script blocks (with ``<``, ``>`` and ``&`` escaped) or through ``html.escape``, and
the JS only ever assigns it with ``textContent``: an article containing ``</script>`` or
markup cannot change the page.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from corpus.export.atomic import atomic_file
from corpus.store import Store, StoreError

HISTOGRAM_BINS = 10
SCORE_DIGITS = 3
SPOOL_BYTES = 64 * 1024 * 1024
UNALIGNED = "unaligned"
TOKEN = re.compile(r"@@([A-Z_]+)@@")


class ReportError(Exception):
    """The report cannot be written; the message is one line naming the path and the problem."""


@dataclass
class PairRow:
    """One line of the pairs table, plus what the pair view needs to find its sentences."""

    id: int
    en_doc: int
    ko_doc: int
    en_id: str
    ko_id: str
    en_title: str
    ko_title: str
    method: str
    confidence: float
    note: str | None
    aligner: str | None
    en_coverage: float | None
    ko_coverage: float | None
    flags: list[str]
    beads: int = 0
    mean_score: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "en": self.en_id,
            "ko": self.ko_id,
            "enTitle": self.en_title,
            "koTitle": self.ko_title,
            "method": self.method,
            "conf": _round(self.confidence),
            "note": self.note,
            "aligner": self.aligner,
            "covEn": _round(self.en_coverage),
            "covKo": _round(self.ko_coverage),
            "mean": _round(self.mean_score),
            "beads": self.beads,
            "flags": self.flags,
        }


@dataclass
class Summary:
    """Corpus-level counts for the page header, computed over the pairs in the report."""

    en_documents: int = 0
    ko_documents: int = 0
    document_pairs: int = 0
    aligned_pairs: int = 0
    sentence_pairs: int = 0
    unaligned_en: int = 0
    unaligned_ko: int = 0
    histogram: list[int] = field(default_factory=lambda: [0] * HISTOGRAM_BINS)
    unscored: int = 0
    score_sum: float = 0.0
    by_method: Counter = field(default_factory=Counter)
    bead_flags: Counter = field(default_factory=Counter)
    pair_flags: Counter = field(default_factory=Counter)

    @property
    def scored(self) -> int:
        return sum(self.histogram)

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    def add_score(self, score: float | None) -> None:
        if score is None:
            self.unscored += 1
            return
        self.score_sum += score
        self.histogram[min(int(score * HISTOGRAM_BINS), HISTOGRAM_BINS - 1)] += 1


@dataclass(frozen=True)
class ReportResult:
    output: Path
    document_pairs: int
    sentence_pairs: int
    bytes: int


# -- reading the store -----------------------------------------------------------------

_PAIRS_QUERY = """
SELECT p.id, p.en_doc, p.ko_doc, p.method, p.confidence, p.flags, p.note,
       de.article_id AS en_id, de.title AS en_title,
       dk.article_id AS ko_id, dk.title AS ko_title,
       ap.aligner, ap.en_coverage, ap.ko_coverage, ap.flags AS aligned_flags
FROM pairs AS p
JOIN documents AS de ON de.id = p.en_doc
JOIN documents AS dk ON dk.id = p.ko_doc
LEFT JOIN aligned_pairs AS ap ON ap.pair_id = p.id
WHERE p.ko_doc IS NOT NULL
ORDER BY p.id
"""


def _json_list(raw: str | None) -> list[Any]:
    """A stored JSON list; anything else (a hand-edited or broken value) reads as empty."""
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _sentence_ids(raw: str | None) -> list[int]:
    return [i for i in _json_list(raw) if isinstance(i, int)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, SCORE_DIGITS)


def read_pairs(db: sqlite3.Connection, doc: str | None) -> list[PairRow]:
    """The document pairs to report on: all of them, or the one ``doc`` names."""
    pairs = []
    for row in db.execute(_PAIRS_QUERY):
        flags = dict.fromkeys(_json_list(row["flags"]) + _json_list(row["aligned_flags"]))
        pairs.append(
            PairRow(
                id=row["id"],
                en_doc=row["en_doc"],
                ko_doc=row["ko_doc"],
                en_id=row["en_id"],
                ko_id=row["ko_id"],
                en_title=row["en_title"],
                ko_title=row["ko_title"],
                method=row["method"],
                confidence=row["confidence"],
                note=row["note"],
                aligner=row["aligner"],
                en_coverage=row["en_coverage"],
                ko_coverage=row["ko_coverage"],
                flags=[str(f) for f in flags],
            )
        )
    if doc is None:
        return pairs
    chosen = [p for p in pairs if doc in (str(p.id), p.en_id, p.ko_id)]
    if not chosen:
        raise ReportError(
            f"--doc {doc}: no document pair with that pair number or article id in the store"
        )
    return chosen[:1]


def _beads_by_pair(db: sqlite3.Connection, pair_ids: set[int]) -> Iterator[tuple[int, list]]:
    """Each pair's beads in bead order, as (pair id, [(en ids, ko ids, score, flags), ...])."""
    current: int | None = None
    beads: list = []
    for row in db.execute(
        "SELECT pair_id, en_ids, ko_ids, score, flags FROM alignments ORDER BY pair_id, bead"
    ):
        if row["pair_id"] not in pair_ids:
            continue
        if row["pair_id"] != current:
            if current is not None:
                yield current, beads
            current, beads = row["pair_id"], []
        beads.append(
            (
                _sentence_ids(row["en_ids"]),
                _sentence_ids(row["ko_ids"]),
                row["score"],
                [str(f) for f in _json_list(row["flags"])],
            )
        )
    if current is not None:
        yield current, beads


def _sentence_texts(db: sqlite3.Connection, doc_id: int) -> list[str]:
    """A document's sentences by index; gaps in the numbering read as empty strings."""
    rows = db.execute("SELECT idx, text FROM sentences WHERE doc_id = ? ORDER BY idx", (doc_id,))
    texts: list[str] = []
    for idx, text in rows:
        texts.extend([""] * (idx - len(texts)))
        texts.append(text)
    return texts


def with_unaligned_in_place(beads: list, en_count: int, ko_count: int) -> list:
    """The beads plus a one-sided row for every sentence no bead mentions, where it belongs.

    The aligner normally stores 1-0 and 0-1 beads itself; this also shows the sentences a
    partial or older alignment left out, so the reviewer sees the whole document.
    """
    rows = list(beads)
    covered_en = {i for en, _, _, _ in beads for i in en}
    covered_ko = {i for _, ko, _, _ in beads for i in ko}
    for side, count, covered in ((0, en_count, covered_en), (1, ko_count, covered_ko)):
        for idx in range(count):
            if idx in covered:
                continue
            at = next((k for k, row in enumerate(rows) if row[side] and min(row[side]) > idx), None)
            row = ([idx], [], None, []) if side == 0 else ([], [idx], None, [])
            rows.insert(len(rows) if at is None else at, row)
    return rows


# -- building the page -----------------------------------------------------------------


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> block: no '<', '>' or '&' can close or open tags."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _asset(name: str) -> str:
    return resources.files("corpus").joinpath("report_assets", name).read_text(encoding="utf-8")


def histogram_svg(counts: list[int]) -> str:
    """The score histogram as inline SVG: bars coloured like the scores they count."""
    width, height, top, bottom = 360, 140, 10, 24
    bar_width = width / len(counts)
    peak = max(counts) or 1
    parts = [
        f'<svg class="histogram" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Histogram of sentence pair scores">'
    ]
    for k, count in enumerate(counts):
        low, high = k / len(counts), (k + 1) / len(counts)
        bar = (height - top - bottom) * count / peak
        x, y = k * bar_width, height - bottom - bar
        hue = round((low + high) / 2 * 120)
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_width - 4:.1f}" height="{bar:.1f}" '
            f'fill="hsl({hue},65%,55%)"><title>{low:.1f}-{high:.1f}: {count}</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{y - 2:.1f}" class="count">{count}</text>'
            )
    parts.append(
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" class="base"/>'
    )
    for k in range(0, len(counts) + 1, 2):
        parts.append(
            f'<text x="{min(max(k * bar_width, 8), width - 8):.1f}" y="{height - 8}" '
            f'class="axis">{k / len(counts):.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _count_table(title: str, counts: dict[str, int], columns: tuple[str, str]) -> str:
    if not counts:
        return f"<h3>{html.escape(title)}</h3><p class=muted>none</p>"
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td class=num>{count:,}</td></tr>"
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    return f"<h3>{html.escape(title)}</h3><table class=counts><tr>{head}</tr>{rows}</table>"


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def summary_html(summary: Summary) -> str:
    """The corpus summary: counts, histogram, pairs by method, flags by kind (static HTML)."""
    facts = [
        ("English documents", f"{summary.en_documents:,}"),
        ("Korean documents", f"{summary.ko_documents:,}"),
        ("document pairs", f"{summary.document_pairs:,}"),
        ("aligned document pairs", f"{summary.aligned_pairs:,}"),
        ("sentence pairs", f"{summary.sentence_pairs:,}"),
        ("unaligned sentences (en / ko)", f"{summary.unaligned_en:,} / {summary.unaligned_ko:,}"),
        ("mean score", _fmt(summary.mean_score)),
        ("unscored sentence pairs", f"{summary.unscored:,}"),
    ]
    facts_html = "".join(
        f"<div class=fact><span class=value>{html.escape(v)}</span>"
        f"<span class=label>{html.escape(k)}</span></div>"
        for k, v in facts
    )
    flags = dict(summary.bead_flags)
    if summary.unaligned_en or summary.unaligned_ko:
        flags[UNALIGNED] = summary.unaligned_en + summary.unaligned_ko
    return (
        f'<div class="facts">{facts_html}</div><div class="panels">'
        f"<div class=panel><h3>Sentence pair scores</h3>{histogram_svg(summary.histogram)}</div>"
        "<div class=panel>"
        f"{_count_table('Pairs by method', summary.by_method, ('method', 'pairs'))}"
        "</div><div class=panel>"
        f"{_count_table('Sentence flags', flags, ('flag', 'rows'))}"
        f"{_count_table('Document pair flags', summary.pair_flags, ('flag', 'pairs'))}"
        "</div></div>"
    )


def _document_counts(db: sqlite3.Connection) -> dict[str, int]:
    rows = db.execute("SELECT lang, COUNT(*) FROM documents WHERE current = 1 GROUP BY lang")
    return {lang: count for lang, count in rows}


class _PairWriter:
    """Writes each pair's sentence block and accumulates the summary as it goes."""

    def __init__(self, db: sqlite3.Connection, summary: Summary, flag_names: dict[str, int]):
        self.db = db
        self.summary = summary
        self.flag_names = flag_names

    def flag_index(self, name: str) -> int:
        return self.flag_names.setdefault(name, len(self.flag_names))

    def block(self, pair: PairRow, beads: list) -> str:
        """The pair's ``<script type="application/json">`` block; updates the pair row too."""
        en, ko = _sentence_texts(self.db, pair.en_doc), _sentence_texts(self.db, pair.ko_doc)
        rows = with_unaligned_in_place(beads, len(en), len(ko)) if beads else []
        scores = [score for e, k, score, _ in rows if e and k and score is not None]
        pair.beads = sum(1 for e, k, _, _ in rows if e and k)
        pair.mean_score = sum(scores) / len(scores) if scores else None
        self._count(rows)
        compact = [
            [e, k, _round(score), [self.flag_index(f) for f in flags]]
            for e, k, score, flags in rows
        ]
        data = script_json({"en": en, "ko": ko, "rows": compact, "aligned": bool(beads)})
        return f'<script type="application/json" id="pair-data-{pair.id}">{data}</script>\n'

    def _count(self, rows: list) -> None:
        summary = self.summary
        for e, k, score, flags in rows:
            if e and k:
                summary.sentence_pairs += 1
                summary.add_score(score)
            else:
                summary.unaligned_en += len(e)
                summary.unaligned_ko += len(k)
            summary.bead_flags.update(flags)


def _page_head(title: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_asset('report.css')}</style>\n"
        "</head>\n"
    )


def _write_pair_blocks(
    db: sqlite3.Connection, pairs: list[PairRow], writer: _PairWriter, spool: BinaryIO
) -> None:
    """Every pair's data block, aligned pairs in store order, then the not-yet-aligned ones."""
    summary = writer.summary
    by_id = {p.id: p for p in pairs}
    aligned: set[int] = set()
    for pair_id, beads in _beads_by_pair(db, set(by_id)):
        spool.write(writer.block(by_id[pair_id], beads).encode("utf-8"))
        aligned.add(pair_id)
    for pair in pairs:
        if pair.id not in aligned:
            spool.write(writer.block(pair, []).encode("utf-8"))
        summary.by_method[pair.method] += 1
        summary.pair_flags.update(pair.flags)
    summary.aligned_pairs = len(aligned)


def write_page(
    db: sqlite3.Connection, out: BinaryIO, store_name: str, pairs: list[PairRow], options: dict
) -> Summary:
    """Write the page; the pair blocks go through a spool file first.

    The summary at the top of the page is only known once every pair has been read, so
    the blocks are spooled (to disk beyond 64 MB) rather than kept in memory.
    """
    summary = Summary()
    documents = _document_counts(db)
    summary.en_documents, summary.ko_documents = documents.get("en", 0), documents.get("ko", 0)
    summary.document_pairs = len(pairs)
    flag_names: dict[str, int] = {}
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as spool:
        _write_pair_blocks(db, pairs, _PairWriter(db, summary, flag_names), spool)
        page_data = {
            "store": store_name,
            "pairs": [p.as_json() for p in pairs],
            "flags": list(flag_names),
            "minScore": options.get("min_score"),
            "only": pairs[0].id if options.get("doc") and pairs else None,
        }
        values = {
            "STORE": html.escape(store_name),
            "SUMMARY": summary_html(summary) if pairs else "",
            "EMPTY": "" if pairs else _empty_notice(),
            "DATA": script_json(page_data),
            "SCRIPT": _asset("report.js"),
        }
        head, tail = _asset("page.html").split("@@PAIR_BLOCKS@@")
        out.write(_page_head(f"Dari review: {store_name}").encode("utf-8"))
        out.write(fill_template(head, values).encode("utf-8"))
        spool.seek(0)
        shutil.copyfileobj(spool, out)
        out.write(fill_template(tail, values).encode("utf-8"))
    return summary


def fill_template(template: str, values: dict[str, str]) -> str:
    """Replace ``@@NAME@@`` tokens in one pass, so inserted text is never scanned again."""
    return TOKEN.sub(lambda match: values[match.group(1)], template)


def _empty_notice() -> str:
    return (
        '<p class="empty">Nothing to review yet: the store holds no document pairs. '
        "Run <code>dari run INPUT… -o OUTDIR</code> (or <code>dari ingest</code>, "
        "<code>dari pair</code>) first.</p>"
    )


def write_report(
    store_path: str | Path,
    output: str | Path,
    min_score: float | None = None,
    doc: str | None = None,
) -> ReportResult:
    """Write the review page for ``store_path`` to ``output`` (atomically)."""
    store_file, target = Path(store_path), Path(output)
    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise ReportError(f"--min-score {min_score}: scores run from 0 to 1")
    if not store_file.is_file():
        raise ReportError(f"{store_file}: no such store (run 'dari run' or 'dari ingest' first)")
    if not target.parent.is_dir():
        raise ReportError(f"{target}: directory {target.parent} does not exist")
    if target.is_dir():
        raise ReportError(f"{target}: is a directory")
    if target.exists() and target.resolve() == store_file.resolve():
        raise ReportError(f"{target}: is the store itself; choose another output name")
    try:
        with Store(store_file) as store:
            pairs = read_pairs(store.db, doc)
            with atomic_file(target, compress=False) as out:
                options = {"min_score": min_score, "doc": doc}
                summary = write_page(store.db, out, store_file.name, pairs, options)
    except StoreError as exc:
        raise ReportError(str(exc)) from None  # already names the store
    except sqlite3.DatabaseError as exc:
        raise ReportError(f"{store_file}: cannot read the store ({exc})") from None
    except OSError as exc:
        raise ReportError(f"{exc.filename or target}: {exc.strerror}") from None
    return ReportResult(target, len(pairs), summary.sentence_pairs, target.stat().st_size)
