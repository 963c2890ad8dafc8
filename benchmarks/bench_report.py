"""How long `dari report` takes on a 10,000-pair store, how big the page is, how fast it opens.

A synthetic store is built by direct inserts: each document pair gets ~15 beads of real
NTREX-128 sentences (cycled from ``../shared/evaldata/ntrex128-en-ko``, so lengths and
scripts are realistic; a fixed template pair stands in when the data is absent), some 1-0
beads, scores and flags. Then the report is written the way the CLI writes it, timed, and,
when Chromium and chromedriver are installed, opened from ``file://`` in headless Chromium to
time the first render (load until the page script has built the pairs table) and opening
one pair.

Usage::

    python -m benchmarks.bench_report                  # 10,000 pairs
    python -m benchmarks.bench_report --pairs 1000 --json
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from itertools import cycle
from pathlib import Path

from benchmarks.headless import chromium_available, headless_chromium
from corpus.report import write_report
from corpus.store import Store

NTREX = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata" / "ntrex128-en-ko"
BEADS_PER_PAIR = 15
FLAGS = ("number_mismatch", "partial", "untranslated", "boilerplate")


def sentence_pairs() -> list[tuple[str, str]]:
    """Real English/Korean sentence pairs, or one template pair without ../shared."""
    en_file, ko_file = NTREX / "newstest2019-src.eng.txt", NTREX / "newstest2019-ref.kor.txt"
    if not (en_file.is_file() and ko_file.is_file()):
        return [
            (
                "The minister said exports rose 3.2% in May.",
                "장관은 5월 수출이 3.2% 늘었다고 밝혔다.",
            )
        ]
    en = en_file.read_text(encoding="utf-8").splitlines()
    ko = ko_file.read_text(encoding="utf-8").splitlines()
    return [(e, k) for e, k in zip(en, ko, strict=True) if e.strip() and k.strip()]


def build_store(path: Path, pairs: int, seed: int = 7) -> int:
    """A store with ``pairs`` aligned, scored document pairs; returns the number of beads."""
    rng = random.Random(seed)
    source = cycle(sentence_pairs())
    beads_written = 0
    with Store(path) as store, store.transaction() as db:
        for n in range(1, pairs + 1):
            count = BEADS_PER_PAIR + rng.randint(-4, 4)
            texts = [next(source) for _ in range(count)]
            doc_ids = []
            for lang, side in (("en", 0), ("ko", 1)):
                doc_id = db.execute(
                    "INSERT INTO documents (article_id, lang, title, published, source_format,"
                    " content_hash, paragraphs) VALUES (?, ?, ?, '2024-01-22', 'jsonl', ?, '[]')",
                    (f"{lang}-{n}", lang, texts[0][side][:80], f"{lang}{n}"),
                ).lastrowid
                doc_ids.append(doc_id)
                db.executemany(
                    "INSERT INTO sentences VALUES (?, ?, 0, 'body', 0, 0, ?)",
                    [(doc_id, i, t[side]) for i, t in enumerate(texts)],
                )
            pair_id = db.execute(
                "INSERT INTO pairs (en_doc, ko_doc, method, confidence) VALUES (?, ?, ?, ?)",
                (*doc_ids, rng.choice(("link", "content")), round(rng.uniform(0.5, 1), 3)),
            ).lastrowid
            rows = []
            for i in range(count):
                if rng.random() < 0.05:
                    rows.append(([i], [], None, []))
                    rows.append(([], [i], None, []))
                    continue
                flags = [rng.choice(FLAGS)] if rng.random() < 0.08 else []
                rows.append(([i], [i], round(rng.betavariate(5, 2), 4), flags))
            db.executemany(
                "INSERT INTO alignments (pair_id, bead, en_ids, ko_ids, score, flags)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (pair_id, b, json.dumps(e), json.dumps(k), s, json.dumps(f))
                    for b, (e, k, s, f) in enumerate(rows)
                ],
            )
            db.execute(
                "INSERT INTO aligned_pairs VALUES (?, 'dari', ?, ?, '[]')",
                (pair_id, round(rng.uniform(0.8, 1), 3), round(rng.uniform(0.8, 1), 3)),
            )
            beads_written += len(rows)
    return beads_written


def browser_timings(page: Path, pair_id: int) -> dict[str, float] | None:
    """Seconds to the first render of the overview and to opening one pair, or None."""
    if not chromium_available():
        return None
    with headless_chromium() as driver:
        driver.set_page_load_timeout(300)
        start = time.perf_counter()
        driver.get(page.as_uri())  # returns after the load event: the script has run
        ready = driver.execute_script("return document.body.dataset.ready")
        first_render = time.perf_counter() - start
        assert ready == "true"
        in_page = driver.execute_script(
            "var t = performance.now(); location.hash = '#pair-" + str(pair_id) + "';"
            "window.dispatchEvent(new HashChangeEvent('hashchange'));"
            "return [performance.now() - t, document.querySelectorAll('#beads tbody tr').length,"
            " performance.getEntriesByType('navigation')[0].domInteractive];"
        )
        return {
            "first_render_s": round(first_render, 2),
            "dom_interactive_s": round(in_page[2] / 1000, 2),
            "open_pair_ms": round(in_page[0], 1),
            "rows_in_opened_pair": in_page[1],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--json", action="store_true", help="Print the numbers as JSON.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dari-bench-report-") as tmp:
        store, page = Path(tmp) / "dari.sqlite", Path(tmp) / "report.html"
        start = time.perf_counter()
        beads = build_store(store, args.pairs)
        built = time.perf_counter() - start
        start = time.perf_counter()
        result = write_report(store, page)
        report_seconds = time.perf_counter() - start
        numbers: dict[str, object] = {
            "document_pairs": result.document_pairs,
            "beads": beads,
            "sentence_pairs": result.sentence_pairs,
            "build_store_s": round(built, 2),
            "report_s": round(report_seconds, 2),
            "html_mb": round(result.bytes / 1e6, 2),
            "real_sentences": (NTREX / "newstest2019-src.eng.txt").is_file(),
        }
        if not args.no_browser:
            numbers["browser"] = browser_timings(page, args.pairs // 2)
    if args.json:
        print(json.dumps(numbers, indent=2))
    else:
        for key, value in numbers.items():
            print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
