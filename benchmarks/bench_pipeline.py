"""`dari run` end to end: article pairs per minute and peak memory, by size and worker count.

The NTREX-128 en-ko documents are replicated into JSONL articles: replica 0 is the document
as it is, each later replica leaves out a different set of body paragraphs on both sides,
so no two articles are the same text and content pairing must tell near-copies apart. Half
of the English articles link their original (``original_url``), half must be paired by
content. Every measurement runs ``run_pipeline`` (ingest -> pair -> align -> score ->
export) on a fresh store in a fresh Python process, because peak RSS is a high-water mark.
Model loading is included: it is part of what a user waits for. Memory is reported twice:
the ``dari run`` process's own peak, and the peak of all its processes together (pool
workers hold their own models), sampled every 0.2 s. The English articles are dated ~16
a day; a larger corpus spans more days rather than packing more articles into each day.

The ``gale-church`` rows are the same documents and stages with the length-based aligner:
the difference from ``dari`` is what the sentence encoder costs in the align stage (pairing
and scoring use the encoder either way).

Usage::

    python -m benchmarks.bench_pipeline                         # 100 pairs, workers 1 and 2
    python -m benchmarks.bench_pipeline --sizes 1000 --workers 1
    python -m benchmarks.bench_pipeline --sizes 10000 --workers 2 --aligners dari
    python -m benchmarks.bench_pipeline --one 100 --workers 2   # one run, JSON on stdout
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from typing import Any

from benchmarks.measure import TreePeak, peak_rss_mb
from benchmarks.ntrex_articles import (
    DEFAULT_DATA_DIR,
    NtrexDocument,
    article_records,
    load_documents,
    write_jsonl,
)

DEFAULT_SIZES = (100,)
DEFAULT_WORKERS = (1, 2)
DEFAULT_ALIGNERS = ("dari", "gale-church")
STAGES = ("ingest", "pair", "align", "score", "export")


def dropped_paragraphs(body_length: int) -> Iterator[tuple[int, ...]]:
    """Which body paragraphs each replica leaves out: none, then one, two, ... at a time,
    always keeping at least one, so every replica of a document is a different text."""
    yield ()
    for size in range(1, body_length):
        yield from combinations(range(body_length), size)


def replicate(documents: Sequence[NtrexDocument], count: int) -> list[NtrexDocument]:
    """``count`` distinct documents: round r takes every document's next variant.

    Variants are drawn lazily (a long document has astronomically many). The new index
    gives each replica its own article numbers, URLs and date (see NtrexDocument);
    documents out of variants drop out of later rounds.
    """
    variants = {d.index: dropped_paragraphs(len(d.english) - 1) for d in documents}
    chosen: list[NtrexDocument] = []
    while variants and len(chosen) < count:
        for document in documents:
            dropped = next(variants.get(document.index, iter(())), None)
            if dropped is None:
                variants.pop(document.index, None)
            elif len(chosen) < count:
                chosen.append(_variant(document, len(chosen), dropped))
    if len(chosen) < count:
        raise ValueError(f"only {len(chosen)} distinct article pairs can be made")
    return chosen


def _variant(document: NtrexDocument, index: int, dropped: tuple[int, ...]) -> NtrexDocument:
    def keep(lines: tuple[str, ...]) -> tuple[str, ...]:
        headline, *body = lines
        return (headline, *(p for i, p in enumerate(body) if i not in dropped))

    return replace(
        document,
        index=index,
        doc_id=f"{document.doc_id}#{'-'.join(map(str, dropped)) or 'full'}",
        english=keep(document.english),
        korean=keep(document.korean),
    )


def write_articles(count: int, path: Path, data_dir: Path = DEFAULT_DATA_DIR) -> dict[str, str]:
    """Write ``count`` article pairs to ``path``; return the answer key (English -> Korean id)."""
    documents = replicate(load_documents(data_dir), count)
    write_jsonl(article_records(documents, lambda d: d.index % 2 == 0), path)
    return {d.english_id: d.korean_id for d in documents}


def run_one(count: int, workers: int, aligner: str, data_dir: Path) -> dict[str, Any]:
    """One measured run in this (fresh) process."""
    from corpus.pipeline import run_pipeline

    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        source = Path(tmp) / "articles.jsonl"
        answers = write_articles(count, source, data_dir)
        start = time.perf_counter()
        with TreePeak() as tree:
            summary = run_pipeline(
                [source],
                Path(tmp) / "out",
                store_path=Path(tmp) / "dari.sqlite",
                workers=workers,
                aligner=aligner,
                quiet=True,
            )
        seconds = time.perf_counter() - start
        right, linked = _pairs_right(Path(summary.store), answers)
    links = summary.sentence_pairs_by_type
    return {
        "pairs": count,
        "workers": workers,
        "aligner": aligner,
        "seconds": round(seconds, 1),
        "stages": summary.seconds,
        "pairs_per_minute": round(count / seconds * 60, 1),
        "pairs_right": right,
        "paired_by_link": linked,
        "aligned": summary.alignment.get("aligned", 0),
        "failed": summary.alignment.get("failed", 0),
        "sentence_pairs": sum(n for k, n in links.items() if "0" not in k.split("-")),
        "exported": summary.exported.get("jsonl", 0),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "tree_peak_mb": round(tree.peak_mb, 1),
    }


def _pairs_right(store_path: Path, answers: dict[str, str]) -> tuple[int, int]:
    """Document pairs that match the answer key, and how many came from links."""
    import sqlite3

    with sqlite3.connect(store_path) as db:
        rows = db.execute(
            "SELECT de.article_id, dk.article_id, p.method FROM pairs AS p "
            "JOIN documents AS de ON de.id = p.en_doc JOIN documents AS dk ON dk.id = p.ko_doc"
        ).fetchall()
    right = sum(answers.get(en) == ko for en, ko, _ in rows)
    return right, sum(method == "link" for _, _, method in rows)


def measure(count: int, workers: int, aligner: str, data_dir: Path) -> dict[str, Any]:
    """Run one measurement in a child process and return its JSON."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_pipeline",
        "--one",
        str(count),
        "--workers",
        str(workers),
        "--aligners",
        aligner,
        "--data-dir",
        str(data_dir),
    ]
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def table(results: Sequence[dict[str, Any]]) -> str:
    header = (
        "| pairs | aligner | workers | total s | ingest | pair | align | score | export "
        "| pairs/min | pairs right | sentence pairs | peak MB | all processes MB |"
    )
    lines = [header, "|" + "---|" * 14]
    for r in results:
        stages = " | ".join(f"{r['stages'].get(s, 0):.1f}" for s in STAGES)
        lines.append(
            f"| {r['pairs']:,} | {r['aligner']} | {r['workers']} | {r['seconds']:.1f} | {stages} "
            f"| {r['pairs_per_minute']:.0f} | {r['pairs_right']}/{r['pairs']} "
            f"| {r['sentence_pairs']:,} | {r['peak_rss_mb']:.0f} | {r['tree_peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def _numbers(value: str) -> tuple[int, ...]:
    return tuple(int(v.replace("_", "").replace(",", "")) for v in value.split(",") if v.strip())


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_pipeline")
    parser.add_argument("--sizes", type=_numbers, default=DEFAULT_SIZES, help="e.g. 100,1000")
    parser.add_argument("--workers", type=_numbers, default=DEFAULT_WORKERS, help="e.g. 1,2")
    parser.add_argument(
        "--aligners",
        type=lambda v: tuple(a.strip() for a in v.split(",") if a.strip()),
        default=DEFAULT_ALIGNERS,
        help="the encoder-free baseline is gale-church; the first runs with every worker count",
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    if not (args.data_dir / "doc_spans.derived.tsv").exists():
        print(f"{args.data_dir}: NTREX-128 en-ko data not found", file=sys.stderr)
        return 2
    if args.one:
        print(json.dumps(run_one(args.one, args.workers[0], args.aligners[0], args.data_dir)))
        return 0
    results = []
    for count in args.sizes:
        # Baselines once per size, with one worker: they show the encoder's share.
        runs = [(args.aligners[0], w) for w in args.workers]
        runs += [(a, args.workers[0]) for a in args.aligners[1:]]
        for aligner, workers in runs:
            result = measure(count, workers, aligner, args.data_dir)
            print(json.dumps(result), file=sys.stderr, flush=True)
            results.append(result)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
