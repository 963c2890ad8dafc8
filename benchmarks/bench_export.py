"""How fast the TMX writer streams, and proof that its memory does not grow with the corpus.

Each size runs in a fresh Python process (peak RSS is a high-water mark, so sizes must not
share a process), generating synthetic sentence pairs on the fly, cleaning them as an export
does, and writing them through the same atomic, incremental TMX writer ``dari export`` uses.
With ``--store`` the same is measured end to end: a synthetic SQLite store is built first and
``export_store`` streams it through the SQL query, filters and writer.

Usage::

    python -m benchmarks.bench_export                    # 10k, 100k, 1M pairs from records
    python -m benchmarks.bench_export --store --sizes 10000,100000
    python -m benchmarks.bench_export --one 100000       # one size, JSON on stdout
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.measure import peak_rss_mb
from corpus.export import ExportOptions, ExportRecord, LangCodes, TextCleaner, export_store
from corpus.export.atomic import atomic_file
from corpus.export.tmx import TmxHeader, write_tmx

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DATE = datetime(2024, 1, 22, tzinfo=UTC)
PAIRS_PER_DOCUMENT = 25

EN = "The finance minister said on day {n} that exports rose {p}.{q}% & imports fell."
KO = "기획재정부 장관은 {n}일 수출이 {p}.{q}% 늘고 수입은 줄었다고 밝혔다."


def synthetic_records(count: int, cleaner: TextCleaner) -> Iterator[ExportRecord]:
    """Distinct pairs with realistic lengths and metadata, cleaned as an export cleans them."""
    for n in range(count):
        pair_id, bead = divmod(n, PAIRS_PER_DOCUMENT)
        yield ExportRecord(
            pair_id=pair_id + 1,
            bead=bead,
            en=cleaner.clean(EN.format(n=n, p=n % 10, q=n % 7)),
            ko=cleaner.clean(KO.format(n=n, p=n % 10, q=n % 7)),
            score=(n % 1000) / 1000,
            flags=("number_mismatch",) if n % 50 == 0 else (),
            bead_type="1-1" if n % 10 else "2-1",
            en_ids=(bead,),
            ko_ids=(bead,),
            en_doc=f"hani-en-{pair_id}",
            ko_doc=f"hani-ko-{pair_id}",
            en_doc_id=2 * pair_id + 1,
            ko_doc_id=2 * pair_id + 2,
            en_url=f"https://english.hani.co.kr/arti/{pair_id}.html",
            ko_url=f"https://www.hani.co.kr/arti/{pair_id}.html",
            en_published="2024-01-22T03:00:00+00:00",
            ko_published="2024-01-22T02:00:00+00:00",
        )


def run_records(count: int, directory: Path) -> dict[str, float]:
    out = directory / "bench.tmx"
    header = TmxHeader(LangCodes(), DATE, "bench")
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    with atomic_file(out, compress=False) as stream:
        write_tmx(synthetic_records(count, TextCleaner()), stream, header)
    seconds = time.perf_counter() - start
    return _result(count, seconds, rss_before, out)


def build_store(path: Path, count: int) -> None:
    """A store with ``count`` 1-1 beads over documents of PAIRS_PER_DOCUMENT sentences."""
    from corpus.store import Store

    with Store(path) as store, store.transaction() as db:
        documents = (count + PAIRS_PER_DOCUMENT - 1) // PAIRS_PER_DOCUMENT
        for doc in range(documents):
            en_id, ko_id = 2 * doc + 1, 2 * doc + 2
            for doc_id, lang in ((en_id, "en"), (ko_id, "ko")):
                db.execute(
                    "INSERT INTO documents (id, article_id, lang, title, source_format, "
                    "content_hash, paragraphs, published) VALUES (?, ?, ?, '', 'bench', ?, "
                    "'[]', '2024-01-22T03:00:00+00:00')",
                    (doc_id, f"hani-{lang}-{doc}", lang, f"h{doc_id}"),
                )
            db.execute(
                "INSERT INTO pairs (id, en_doc, ko_doc, method, confidence) "
                "VALUES (?, ?, ?, 'bench', 1)",
                (doc + 1, en_id, ko_id),
            )
            first = doc * PAIRS_PER_DOCUMENT
            beads = range(min(PAIRS_PER_DOCUMENT, count - first))
            for doc_id, template in ((en_id, EN), (ko_id, KO)):
                db.executemany(
                    "INSERT INTO sentences VALUES (?, ?, 0, 'body', 0, 0, ?)",
                    ((doc_id, b, template.format(n=first + b, p=b % 10, q=b % 7)) for b in beads),
                )
            db.executemany(
                "INSERT INTO alignments (pair_id, bead, en_ids, ko_ids, score) "
                "VALUES (?, ?, ?, ?, ?)",
                ((doc + 1, b, f"[{b}]", f"[{b}]", (first + b) % 1000 / 1000) for b in beads),
            )


def run_store(count: int, directory: Path) -> dict[str, float]:
    store = directory / "bench.sqlite"
    build_store(store, count)
    out = directory / "bench.tmx"
    options = ExportOptions(format="tmx", output=str(out), creation_date=DATE)
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    export_store(store, options, report=lambda _: None)
    seconds = time.perf_counter() - start
    return _result(count, seconds, rss_before, out)


def _result(count: int, seconds: float, rss_before: float, out: Path) -> dict[str, float]:
    return {
        "pairs": count,
        "seconds": round(seconds, 2),
        "pairs_per_second": round(count / seconds),
        "peak_rss_mb_before": round(rss_before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "output_mb": round(out.stat().st_size / 1e6, 1),
    }


def measure_in_subprocess(count: int, from_store: bool) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.bench_export", "--one", str(count)]
    if from_store:
        command.append("--store")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--store", action="store_true", help="export from a synthetic store")
    parser.add_argument("--one", type=int, help="run one size in this process (JSON output)")
    args = parser.parse_args(argv)
    if args.one:
        with tempfile.TemporaryDirectory() as tmp:
            run = run_store if args.store else run_records
            print(json.dumps(run(args.one, Path(tmp))))
        return
    source = "synthetic store via export_store" if args.store else "synthetic records"
    print(f"TMX export, {source}; each size in a fresh process")
    columns = ("pairs", "seconds", "pairs/s", "RSS before", "peak RSS", "MB out")
    widths = (10, 8, 9, 11, 9, 7)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    for size in (int(s) for s in args.sizes.split(",")):
        r = measure_in_subprocess(size, args.store)
        print(
            f"{r['pairs']:>10,} {r['seconds']:>8} {r['pairs_per_second']:>9,} "
            f"{r['peak_rss_mb_before']:>10} M {r['peak_rss_mb']:>7} M {r['output_mb']:>7}"
        )


if __name__ == "__main__":
    main()
