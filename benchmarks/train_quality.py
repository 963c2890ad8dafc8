"""Train the shipped quality model on the even-numbered NTREX-128 documents.

The odd-numbered documents stay unseen, so benchmarks/bench_quality.py can test on them.
Usage:

    python -m benchmarks.train_quality [-o aligners/models/quality-en-ko.json] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time

from aligners.embedding import Encoder
from aligners.quality import DEFAULT_MODEL_PATH, train_on_documents
from benchmarks.bench_align import NTREX, ntrex_documents
from corpus.store import Store

TRAIN_PARITY = 0


def ntrex_line_documents(parity: int) -> list[tuple[list[str], list[str]]]:
    """Clean NTREX documents of one parity as line-parallel (English, Korean) lists."""
    return [(en, ko) for en, ko, _ in ntrex_documents(noisy=False, parity=parity)]


def cached_encoder(path: str | None) -> Encoder:
    """An encoder that keeps its vectors in a Dari store file, so reruns encode nothing."""
    return Encoder(Store(path).db if path else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(DEFAULT_MODEL_PATH))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cache", default=None, help="SQLite file that keeps sentence embeddings between runs"
    )
    args = parser.parse_args(argv)
    if not NTREX.is_dir():
        print(f"{NTREX}: NTREX-128 data not found", file=sys.stderr)
        return 1
    started = time.perf_counter()
    documents = ntrex_line_documents(TRAIN_PARITY)
    metadata = {
        "name": "ntrex128-even",
        "trained_on": "NTREX-128 en-ko (newstest2019), even-numbered documents in file order; "
        "CC BY-SA 4.0, Federmann, Kocmi & Xin (2022)",
        "documents": len(documents),
        "seed": args.seed,
    }
    model = train_on_documents(
        documents,
        cached_encoder(args.cache),
        metadata,
        seed=args.seed,
        report=lambda m: print(m, file=sys.stderr),
    )
    model.save(args.output)
    weights = dict(zip(model.features, (round(float(c), 3) for c in model.coef), strict=True))
    print(f"coefficients (standardised features): {weights}")
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
