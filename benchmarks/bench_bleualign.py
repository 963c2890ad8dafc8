"""Benchmark of the Bleualign-style aligner (`dari align --translations`) with SIMULATED MT.

There is no machine translation system offline, so this benchmark cannot measure the
aligner with real MT output. It stands one in: the "translation" of each Korean sentence
is the gold English line it belongs to, degraded deterministically (a seeded RNG per
document) the way a mediocre MT system misses: about 30% of the words dropped, some
adjacent words swapped, some numbers replaced. The corpus chrF of these simulated
translations against the gold English is printed; it is set to land around 45-55, like a
mediocre real system. Real MT errors differ (wrong word choices, fluent paraphrase,
untranslated names), so read the numbers as "how well the search uses translations of
this quality", not as a promise for any real MT system.

Korean is the source side (translated into English); English the target. NTREX is split
into sentences and scored at line level exactly as benchmarks/bench_align.py does, with
its functions. A Korean line of several sentences gets the degraded English line cut into
as many contiguous word chunks, sized in proportion to the Korean sentences' lengths, so
every Korean sentence has one translation and a line's translations together are that
line's degraded English. Usage:

    python -m benchmarks.bench_bleualign [--sets ntrex,ntrex-noisy] [--metric chrf|bleu]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Sequence

import numpy as np
from sacrebleu.metrics import CHRF

from aligners.base import Aligner, get_aligner
from aligners.evaluation import Link, score_documents
from benchmarks.bench_align import SHARED, _split_lines, beads_to_line_links, ntrex_documents
from benchmarks.measure import peak_rss_mb

DROP = 0.35
SWAP = 0.15
NUMBER_CHANGE = 0.4
NUMBER = re.compile(r"\d")


def degrade(line: str, rng: random.Random) -> str:
    """A mediocre machine translation of ``line``: words dropped, swapped, numbers wrong."""
    words = [w for w in line.split() if rng.random() >= DROP] or line.split()[:1]
    for k in range(len(words) - 1):
        if rng.random() < SWAP:
            words[k], words[k + 1] = words[k + 1], words[k]
    return " ".join(
        NUMBER.sub(lambda _: str(rng.randint(0, 9)), w)
        if NUMBER.search(w) and rng.random() < NUMBER_CHANGE
        else w
        for w in words
    )


def share_out(translation: str, sentence_lengths: Sequence[int]) -> list[str]:
    """Cut a translated line into one contiguous word chunk per source sentence, sized in
    proportion to the source sentences' lengths (a chunk may be empty)."""
    words = translation.split()
    if len(sentence_lengths) == 1:
        return [translation]
    bounds = np.rint(np.cumsum([0, *sentence_lengths]) / sum(sentence_lengths) * len(words))
    return [" ".join(words[int(a) : int(b)]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


Prepared = tuple[list[str], list[str], list[str], list[Link], list[int], list[int]]


def prepare(noisy: bool) -> tuple[list[Prepared], list[str], list[str]]:
    """Korean-to-English documents as sentences, with simulated translations, line-level
    gold (Korean lines first) and each sentence's line; plus the degraded and gold lines
    for the corpus chrF."""
    prepared, hypotheses, references = [], [], []
    documents = zip(ntrex_documents(noisy), ntrex_documents(noisy=False), strict=True)
    for number, ((en_lines, ko_lines, gold), (full_en, full_ko, _)) in enumerate(documents):
        ko, ko_owner = _split_lines(ko_lines, "ko")
        en, en_owner = _split_lines(en_lines, "en")
        rng = random.Random(f"simulated-mt:{noisy}:{number}")
        translations: list[str] = []
        # The MT system translates every Korean line, also those whose English the noisy
        # set dropped: its reference is the line's English in the full document.
        for line, row in enumerate(_rows_in(ko_lines, full_ko)):
            translated = degrade(full_en[row], rng)
            hypotheses.append(translated)
            references.append(full_en[row])
            lengths = [len(s) for s, o in zip(ko, ko_owner, strict=True) if o == line]
            translations.extend(share_out(translated, lengths))
        gold_ko_en = [(t, s) for s, t in gold]
        prepared.append((ko, en, translations, gold_ko_en, ko_owner, en_owner))
    return prepared, hypotheses, references


def _rows_in(kept: Sequence[str], full: Sequence[str]) -> list[int]:
    """Where each kept line sits in the full document (kept is a subsequence of full)."""
    rows, row = [], 0
    for line in kept:
        while full[row] != line:
            row += 1
        rows.append(row)
        row += 1
    return rows


def run(aligner_for, docs: list[Prepared]) -> tuple[dict[str, float], float]:
    started = time.perf_counter()
    results = []
    for ko, en, translations, gold, ko_owner, en_owner in docs:
        aligner: Aligner = aligner_for(translations)
        beads = aligner.align(ko, en, "ko", "en")
        results.append((gold, beads_to_line_links(beads, ko_owner, en_owner)))
    return score_documents(results).as_dict(), time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default="ntrex,ntrex-noisy")
    parser.add_argument("--metric", default="chrf", choices=["chrf", "bleu"])
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"benchmark data not found at {SHARED}", file=sys.stderr)
        return 2
    print("SIMULATED MT: degraded gold English, not a real MT system (see --help)")
    for name in filter(None, args.sets.split(",")):
        docs, hypotheses, references = prepare(noisy=name == "ntrex-noisy")
        chrf = CHRF().corpus_score(hypotheses, [references]).score
        print(f"{name:12} simulated MT corpus chrF vs gold English {chrf:.1f}", flush=True)
        aligners = {
            "gale-church": lambda _: get_aligner("gale-church"),
            f"bleualign-{args.metric}": lambda t: get_aligner(
                "bleualign", translations=t, metric=args.metric
            ),
        }
        for label, aligner_for in aligners.items():
            scores, seconds = run(aligner_for, docs)
            print(
                f"{name:12} {label:15} strict P/R/F1 {scores['strict_precision']:.3f}/"
                f"{scores['strict_recall']:.3f}/{scores['strict_f1']:.3f}  lax F1 "
                f"{scores['lax_f1']:.3f}  {seconds:6.1f} s  peak RSS {peak_rss_mb():.0f} MB",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
