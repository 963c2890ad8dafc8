"""Sentence-alignment benchmark on the real gold data in ../shared/evaldata.

Every run measures the Gale-Church baseline beside the aligner under test, so the
ratio between them is meaningful on a noisy machine. Usage:

    python -m benchmarks.bench_align [--sets textberg-test,ntrex,ntrex-noisy,parice]
        [--aligner dari] [--json out.json] [--option NAME=VALUE ...]

Tuning uses only ``textberg-dev``, ``ntrex-even``, ``ntrex-noisy-even`` and
``ntrex-digest-even`` (the even-numbered NTREX documents); the other sets are for
reporting.

NTREX is scored at line level, as its README asks: each line is split into sentences by
Dari's own splitter, the sentences are aligned, each predicted bead is mapped back to
the lines its sentences came from, beads that share a line are merged, and the merged
links are compared with the gold line links using the strict/lax protocol.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from aligners.base import Aligner, get_aligner
from aligners.embedding import Encoder
from aligners.evaluation import Link, read_links, score_documents
from benchmarks.measure import peak_rss_mb
from corpus.segment import split_sentences

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"
TEXTBERG = SHARED / "textberg-bleualign-de-fr"
NTREX = SHARED / "ntrex128-en-ko"
PARICE = SHARED / "parice-en-is"

Document = tuple[list[str], list[str], list[Link], str, str]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n")


def textberg(names: Sequence[str]) -> list[Document]:
    return [
        (
            _lines(TEXTBERG / f"{n}.de"),
            _lines(TEXTBERG / f"{n}.fr"),
            read_links(TEXTBERG / f"{n}.defr"),
            "de",
            "fr",
        )
        for n in names
    ]


def parice() -> list[Document]:
    docs = []
    for gold in sorted((PARICE / "gold").glob("*.txt")):
        eng = [line.split("\t", 1)[1] for line in _lines(PARICE / "eng" / gold.name)]
        isl = [line.split("\t", 1)[1] for line in _lines(PARICE / "isl" / gold.name)]
        docs.append((eng, isl, read_links(gold), "en", "is"))
    return docs


def ntrex_documents(
    noisy: bool, parity: int | None = None, noise_seed: str = "", digest: float | None = None
) -> list[tuple[list[str], list[str], list[Link]]]:
    """NTREX documents as line lists with line-level gold; ``noisy`` drops about 10% of the
    Korean and 5% of the English lines (never the headline), deterministically; another
    ``noise_seed`` drops other lines (the benchmark's is the empty one). ``digest`` keeps
    that share of the English lines instead (the headline and lines chosen at random),
    and every Korean line: an English edition that renders part of the original."""
    en_all = _lines(NTREX / "newstest2019-src.eng.txt")
    ko_all = _lines(NTREX / "newstest2019-ref.kor.txt")
    doc_ids = _lines(NTREX / "DOCUMENT_IDS.tsv")
    spans: dict[str, list[int]] = {}
    for index, doc in enumerate(doc_ids):
        spans.setdefault(doc, []).append(index)
    docs = []
    for number, (doc, rows) in enumerate(spans.items()):
        if parity is not None and number % 2 != parity:
            continue
        keep_en, keep_ko = list(rows), list(rows)
        if digest is not None:
            rest = rows[1:]
            random.Random(f"ntrex-digest{digest}:{doc}").shuffle(rest)
            keep_en = sorted([rows[0], *rest[: round(digest * len(rest))]])
        elif noisy:
            rng = random.Random(f"ntrex-noisy{noise_seed}:{doc}")
            keep_ko = [r for r in rows if r == rows[0] or rng.random() >= 0.10]
            keep_en = [r for r in rows if r == rows[0] or rng.random() >= 0.05]
        en_pos = {r: k for k, r in enumerate(keep_en)}
        ko_pos = {r: k for k, r in enumerate(keep_ko)}
        gold: list[Link] = []
        for r in rows:
            src = (en_pos[r],) if r in en_pos else ()
            tgt = (ko_pos[r],) if r in ko_pos else ()
            if src or tgt:
                gold.append((src, tgt))
        docs.append(([en_all[r] for r in keep_en], [ko_all[r] for r in keep_ko], gold))
    return docs


def _split_lines(lines: list[str], lang: str) -> tuple[list[str], list[int]]:
    sentences, owner = [], []
    for number, line in enumerate(lines):
        for start, end in split_sentences(line, lang) or [(0, len(line))]:
            sentences.append(line[start:end])
            owner.append(number)
    return sentences, owner


def beads_to_line_links(beads, src_owner: list[int], tgt_owner: list[int]) -> list[Link]:
    """Map sentence beads to lines and merge beads that share a line on either side."""
    parent = list(range(len(beads)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_with: dict[tuple[str, int], int] = {}
    for k, bead in enumerate(beads):
        lines = [("s", src_owner[i]) for i in bead.src] + [("t", tgt_owner[j]) for j in bead.tgt]
        for line in lines:
            if line in first_with:
                parent[find(k)] = find(first_with[line])
            else:
                first_with[line] = k
    groups: dict[int, tuple[set[int], set[int]]] = {}
    for k, bead in enumerate(beads):
        src, tgt = groups.setdefault(find(k), (set(), set()))
        src.update(src_owner[i] for i in bead.src)
        tgt.update(tgt_owner[j] for j in bead.tgt)
    return sorted((tuple(sorted(s)), tuple(sorted(t))) for s, t in groups.values())


def align_all(aligner: Aligner, documents: list[tuple[list[str], list[str], str, str]]):
    """The whole set at once where the aligner learns from the corpus (two passes)."""
    if hasattr(aligner, "align_many"):
        return aligner.align_many(documents)
    return [aligner.align(*document) for document in documents]


def run_sentence_sets(aligner: Aligner, docs: list[Document]) -> dict[str, float]:
    aligned = align_all(aligner, [(src, tgt, sl, tl) for src, tgt, _, sl, tl in docs])
    results = [
        (gold, [(b.src, b.tgt) for b in beads])
        for (_, _, gold, _, _), beads in zip(docs, aligned, strict=True)
    ]
    return score_documents(results).as_dict()


def run_ntrex(
    aligner: Aligner, noisy: bool, parity: int | None = None, digest: float | None = None
) -> dict[str, float]:
    documents, owners, golds = [], [], []
    for en_lines, ko_lines, gold in ntrex_documents(noisy, parity, digest=digest):
        en, en_owner = _split_lines(en_lines, "en")
        ko, ko_owner = _split_lines(ko_lines, "ko")
        documents.append((en, ko, "en", "ko"))
        owners.append((en_owner, ko_owner))
        golds.append(gold)
    aligned = align_all(aligner, documents)
    results = [
        (gold, beads_to_line_links(beads, *owner))
        for gold, owner, beads in zip(golds, owners, aligned, strict=True)
    ]
    return score_documents(results).as_dict()


DIGEST_SHARE = 0.5

SETS: dict[str, Callable[[Aligner], dict[str, float]]] = {
    "textberg-dev": lambda a: run_sentence_sets(a, textberg(["dev"])),
    "textberg-test": lambda a: run_sentence_sets(a, textberg([f"test{k}" for k in range(7)])),
    "ntrex": lambda a: run_ntrex(a, noisy=False),
    "ntrex-noisy": lambda a: run_ntrex(a, noisy=True),
    # The even-numbered documents are the tuning half; the odd ones are never tuned on.
    "ntrex-even": lambda a: run_ntrex(a, noisy=False, parity=0),
    "ntrex-noisy-even": lambda a: run_ntrex(a, noisy=True, parity=0),
    # English editions that keep half the lines (DIGEST_SHARE): most Korean sentences have
    # no counterpart, which a merge can swallow.
    "ntrex-digest": lambda a: run_ntrex(a, noisy=False, digest=DIGEST_SHARE),
    "ntrex-digest-even": lambda a: run_ntrex(a, noisy=False, parity=0, digest=DIGEST_SHARE),
    "parice": lambda a: run_sentence_sets(a, parice()),
}


def scaling_document(size: int) -> tuple[list[str], list[str], list[Link]]:
    """One long en-ko document of ``size`` English sentences: the NTREX documents one
    after another (cycled when more are needed), lines as sentences, gold 1-1."""
    en_all = _lines(NTREX / "newstest2019-src.eng.txt")
    ko_all = _lines(NTREX / "newstest2019-ref.kor.txt")
    rows = [k % len(en_all) for k in range(size)]
    return [en_all[r] for r in rows], [ko_all[r] for r in rows], [((k,), (k,)) for k in range(size)]


def run_scaling_one(size: int) -> dict[str, float]:
    """Whole-process cost of one document pair, encoder loading and embedding included."""
    started = time.perf_counter()
    en, ko, gold = scaling_document(size)
    beads = get_aligner("dari", encoder=Encoder()).align(en, ko, "en", "ko")
    seconds = time.perf_counter() - started
    f1 = score_documents([(gold, [(b.src, b.tgt) for b in beads])]).strict_f1
    return {
        "sentences": size,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_rss_mb()),
        "strict_f1": f1,
    }


def run_scaling(sizes: Sequence[int]) -> list[dict[str, float]]:
    import subprocess

    rows = []
    for size in sizes:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_align", "--scaling-one", str(size)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        row = json.loads(out)
        rows.append(row)
        print(
            f"scaling        dari         {size:6d} x {size} sentences  {row['seconds']:7.1f} s  "
            f"peak RSS {row['peak_rss_mb']} MB  strict F1 {row['strict_f1']:.3f}",
            flush=True,
        )
    return rows


def _parse_options(pairs: list[str]) -> dict[str, object]:
    options: dict[str, object] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        options[name] = json.loads(value)
    return options


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default="textberg-test,ntrex,ntrex-noisy,parice")
    parser.add_argument("--aligner", default="dari")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an aligner parameter for an ablation, e.g. lexicon_weight=0",
    )
    parser.add_argument("--scaling", default="", help="sentence counts, e.g. 100,1000,10000")
    parser.add_argument("--scaling-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scaling_one:
        print(json.dumps(run_scaling_one(args.scaling_one)))
        return 0
    if not SHARED.is_dir():
        print(f"benchmark data not found at {SHARED}", file=sys.stderr)
        return 2
    report: list[dict[str, object]] = []
    for name in filter(None, args.sets.split(",")):
        for aligner_name in ("gale-church", args.aligner):
            # A fresh encoder per set and aligner: every timing includes its own encoding.
            options = (
                {"encoder": Encoder(), **_parse_options(args.option)}
                if aligner_name == "dari"
                else {}
            )
            aligner = get_aligner(aligner_name, **options)
            started = time.perf_counter()
            scores = SETS[name](aligner)
            seconds = time.perf_counter() - started
            row = {"set": name, "aligner": aligner_name, "seconds": round(seconds, 2), **scores}
            report.append(row)
            print(
                f"{name:14} {aligner_name:12} strict P/R/F1 {scores['strict_precision']:.3f}/"
                f"{scores['strict_recall']:.3f}/{scores['strict_f1']:.3f}  lax F1 "
                f"{scores['lax_f1']:.3f}  {seconds:6.1f} s  peak RSS {peak_rss_mb():.0f} MB",
                flush=True,
            )
    if args.scaling:
        report.extend(run_scaling([int(n) for n in args.scaling.split(",")]))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
