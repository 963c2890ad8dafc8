"""Partial translations: does the document-pair flag fire on digests, and how close are
the coverage figures?

An English edition that renders only part of the Korean original (a digest, a rewrite)
is flagged ``partial_translation`` when dari links under PARTIAL_COVERAGE of the Korean
sentences. Here each NTREX document becomes a set of English editions that keep a share
of the English lines against the whole Korean (bench_align's digests: the headline
always, the other lines chosen at random). A document pair is truly partial when under
half of its Korean sentences have their English line kept. Each edition is aligned
by ``dari`` as the pipeline does it (same defaults, sentences split the same way) and
scored on:

* the flag against the truth, per share kept (false flags on near-complete editions,
  missed flags on digests);
* the Korean coverage figure against the true share of Korean sentences with a
  counterpart (mean absolute error), and the English coverage (every kept English line
  has its Korean, so the truth is 1).

Usage::

    python -m benchmarks.bench_partial [--parity 1] [--cache FILE] [--json FILE]
        [--option NAME=VALUE ...]

Thresholds are chosen on the even documents (``--parity 0``); the odd ones (the default)
are the test.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligners.base import Aligner, coverage, get_aligner
from aligners.batch import PARTIAL_COVERAGE, PARTIAL_TRANSLATION, pair_flags
from aligners.evaluation import Link
from benchmarks.bench_align import _parse_options, _split_lines, ntrex_documents
from benchmarks.train_quality import cached_encoder

SHARES_KEPT = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2)
# The truth's definition of partial, kept apart from the flag's threshold
# (aligners.batch.PARTIAL_COVERAGE), which is what is being measured against it.
TRULY_PARTIAL_BELOW = 0.5


@dataclass(frozen=True)
class Edition:
    """One English edition of one document: what was kept and what dari made of it."""

    share_kept: float
    true_ko_coverage: float
    ko_coverage: float
    en_coverage: float
    flagged: bool

    @property
    def truly_partial(self) -> bool:
        return self.true_ko_coverage < TRULY_PARTIAL_BELOW


def edition(
    aligner: Aligner, en_lines: list[str], ko_lines: list[str], gold: list[Link], share: float
) -> Edition:
    """Align one edition as the pipeline does and compare its coverage with the gold:
    the Korean lines whose English line was kept are the ones with a counterpart."""
    en, _ = _split_lines(en_lines, "en")
    ko, ko_owner = _split_lines(ko_lines, "ko")
    beads = aligner.align(en, ko, "en", "ko")
    en_coverage, ko_coverage = coverage(beads, len(en), len(ko))
    translated = {line for src, tgt in gold if src for line in tgt}
    true_ko = sum(owner in translated for owner in ko_owner) / len(ko)
    flagged = PARTIAL_TRANSLATION in pair_flags(en_coverage, ko_coverage)
    return Edition(share, true_ko, ko_coverage, en_coverage, flagged)


def run(
    parity: int,
    cache: str | None,
    shares: Sequence[float] = SHARES_KEPT,
    options: dict[str, object] | None = None,
) -> list[Edition]:
    """Every edition of every document of one parity, ``shares`` kept of the English."""
    aligner = get_aligner("dari", encoder=cached_encoder(cache), **(options or {}))
    return [
        edition(aligner, en_lines, ko_lines, gold, share)
        for share in shares
        for en_lines, ko_lines, gold in ntrex_documents(False, parity, digest=share)
    ]


def report(editions: Sequence[Edition]) -> dict[str, object]:
    """Per share kept, and the flag's confusion counts over all editions."""
    rows = {}
    for share in sorted({e.share_kept for e in editions}, reverse=True):
        group = [e for e in editions if e.share_kept == share]
        rows[f"{share:.1f}"] = {
            "editions": len(group),
            "truly_partial": sum(e.truly_partial for e in group),
            "flagged": sum(e.flagged for e in group),
            "ko_coverage_mae": round(
                float(np.mean([abs(e.ko_coverage - e.true_ko_coverage) for e in group])), 3
            ),
            "en_coverage_mean": round(float(np.mean([e.en_coverage for e in group])), 3),
        }
    flags = np.array([e.flagged for e in editions])
    truth = np.array([e.truly_partial for e in editions])
    return {
        "threshold": PARTIAL_COVERAGE,
        "per_share_kept": rows,
        "flag": {
            "true_positives": int((flags & truth).sum()),
            "false_positives": int((flags & ~truth).sum()),
            "false_negatives": int((~flags & truth).sum()),
            "true_negatives": int((~flags & ~truth).sum()),
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parity", type=int, default=1, choices=(0, 1))
    parser.add_argument("--cache", default=None, help="SQLite file that keeps embeddings")
    parser.add_argument("--json", default=None, help="also write the report here")
    parser.add_argument(
        "--option", action="append", default=[], metavar="NAME=VALUE", help="aligner parameter"
    )
    args = parser.parse_args(argv)
    result = report(run(args.parity, args.cache, options=_parse_options(args.option)))
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
