"""Train the shipped quality model on the even-numbered NTREX-128 documents.

The odd-numbered documents stay unseen, so benchmarks/bench_quality.py can test on them.
Besides the gold pairs and their synthetic corruptions, the model sees dari's own beads
on the even documents re-noised six other ways than the benchmark's, each labelled by the
gold (aligned_training_sets).
With ``--mt``, trains the model for ``dari score --pairs --translations`` instead, on top
of the default model, with SIMULATED machine translations (see simulated_translations).
Usage:

    python -m benchmarks.train_quality [-o aligners/models/quality-en-ko.json] [--seed 0]
    python -m benchmarks.train_quality --mt [-o aligners/models/quality-en-ko-mt.json]
    python -m benchmarks.train_quality --cv 5 [--aligned-share 0.3]
    python -m benchmarks.train_quality --kept-cv [--aligned-share 0.3]

``--cv K`` trains nothing: it reports the AUCs (per negative kind) of models trained on
K-1 contiguous blocks of the even documents and tested on the block left out, pooled over
the blocks. ``--kept-cv`` reports the links kept after aligning the noisy even documents,
each half scored by a model trained on the other. Feature and model changes are tuned on
these numbers, never on the odd documents, which bench_quality scores once.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import regex

from aligners.base import Bead
from aligners.embedding import Encoder
from aligners.evaluation import Link
from aligners.features import feature_matrix
from aligners.mt_quality import (
    DEFAULT_MT_MODEL_PATH,
    MT_FEATURES,
    MtQualityModel,
    fit_mt_model,
    mt_matrix,
)
from aligners.quality import (
    ALIGNED_KINDS,
    ALIGNED_SHARE,
    DEFAULT_INTERACTIONS,
    DEFAULT_MODEL_PATH,
    BeadIds,
    Candidate,
    QualityModel,
    TrainingSet,
    candidate_features,
    class_weights,
    cut_in_half,
    document_candidates,
    fit_model,
    score_candidates,
    synthetic_training_set,
    train_on_documents,
)
from benchmarks.bench_align import NTREX, _split_lines, beads_to_line_links, ntrex_documents
from benchmarks.bench_bleualign import degrade
from corpus.language import hangul_share
from corpus.store import Store

TRAIN_PARITY = 0
# Re-noisings of the training documents whose dari alignments join the training data
# (ALIGNED_KINDS); the benchmark's own noise (seed "") is not among them.
ALIGNED_NOISE_SEEDS = tuple(f"-s{k}" for k in range(1, 7))
# Keeping every link, then the README's thresholds.
KEPT_THRESHOLDS = (0.0, 0.3, 0.5, 0.65, 0.7)


def ntrex_line_documents(parity: int) -> list[tuple[list[str], list[str]]]:
    """Clean NTREX documents of one parity as line-parallel (English, Korean) lists."""
    return [(en, ko) for en, ko, _ in ntrex_documents(noisy=False, parity=parity)]


def cached_encoder(path: str | None) -> Encoder:
    """An encoder that keeps its vectors in a Dari store file, so reruns encode nothing."""
    return Encoder(Store(path).db if path else None)


_DIGITS = regex.compile(r"\d+")


def simulated_translations(data: TrainingSet, documents: Sequence[tuple[list[str], list[str]]]):
    """A SIMULATED English machine translation of each candidate's Korean side.

    No MT system is available offline. The "translation" of a Korean line is its gold
    English line degraded by benchmarks/bench_bleualign.degrade (about a third of the words
    dropped, some swapped, some numbers replaced: corpus chrF ~50, a mediocre system),
    seeded by the Korean text so that a line always gets the same translation. A Korean
    side cut in half gets the English cut in half; a Korean line with a number changed
    gets the English with its original number (the simulated system misses the change);
    a "Korean" side that is English text (an untranslated copy) is its own translation.
    """
    english_of: dict[str, str] = {}
    for en, ko in documents:
        for e, k in zip(en, ko, strict=True):
            english_of[k] = e
            english_of[cut_in_half(k)] = cut_in_half(e)
            english_of.setdefault(_DIGITS.sub("#", k), e)
    out = []
    for candidate in data.candidates:
        korean = candidate.pair.ko
        source = english_of.get(korean) or english_of.get(_DIGITS.sub("#", korean))
        if source is None or hangul_share(korean) < 0.5:
            out.append(korean)
            continue
        out.append(degrade(source, random.Random(f"mt:{korean}")))
    return out


def train_mt_model(
    documents: Sequence[tuple[list[str], list[str]]],
    encoder: Encoder,
    base: QualityModel,
    metadata: dict[str, object],
    seed: int = 0,
) -> MtQualityModel:
    """The MT model on the default model's decision plus chrF/BLEU of simulated MT."""
    data = synthetic_training_set(documents, seed=seed)
    features = candidate_features(data.candidates, encoder)
    english = [c.pair.en for c in data.candidates]
    matrix = mt_matrix(base, features, english, simulated_translations(data, documents))
    return fit_mt_model(base, matrix, data.labels, class_weights(data.labels, data.kinds), metadata)


@dataclass
class AlignedDocument:
    """One noisy NTREX document as dari aligned it: its link beads and their candidates,
    the line each sentence came from, and the gold line links."""

    beads: list[Bead]
    candidates: list[Candidate]
    en_owner: list[int]
    ko_owner: list[int]
    gold: set[Link]

    def training_set(self) -> TrainingSet:
        """Each bead "aligned" when every line link it makes is gold, else "misaligned"."""
        out = TrainingSet([], [], [])
        for bead, candidate in zip(self.beads, self.candidates, strict=True):
            links = beads_to_line_links([bead], self.en_owner, self.ko_owner)
            kind = "aligned" if set(links) <= self.gold else "misaligned"
            out.add(candidate, ALIGNED_KINDS[kind], kind)
        return out

    def kept_links(self, scores: Sequence[float], threshold: float) -> set[Link]:
        """The line links made by the beads scoring at least ``threshold``."""
        kept = [b for b, s in zip(self.beads, scores, strict=True) if s >= threshold]
        return set(beads_to_line_links(kept, self.en_owner, self.ko_owner))


def noisy_alignments(encoder: Encoder, parity: int, noise_seed: str = "") -> list[AlignedDocument]:
    """dari's alignment of the noisy NTREX documents of one parity (sentences split as
    bench_align does), with a candidate for each link bead."""
    from aligners.base import get_aligner

    aligner = get_aligner("dari", encoder=encoder)
    out = []
    for en_lines, ko_lines, gold in ntrex_documents(True, parity, noise_seed):
        en, en_owner = _split_lines(en_lines, "en")
        ko, ko_owner = _split_lines(ko_lines, "ko")
        beads = [b for b in aligner.align(en, ko, "en", "ko") if b.is_link]
        ids = [BeadIds(n, b.src, b.tgt) for n, b in enumerate(beads)]
        candidates = document_candidates(dict(enumerate(en)), dict(enumerate(ko)), ids)
        links = {g for g in gold if g[0] and g[1]}
        out.append(AlignedDocument(beads, candidates, en_owner, ko_owner, links))
    return out


def kept_report(
    documents: Sequence[AlignedDocument],
    scores: Sequence[Sequence[float]],
    thresholds: Sequence[float] = KEPT_THRESHOLDS,
) -> dict[str, dict[str, float]]:
    """Precision and recall of the line links kept at each threshold, pooled."""
    report = {}
    for threshold in thresholds:
        correct = kept = total_gold = 0
        for document, document_scores in zip(documents, scores, strict=True):
            links = document.kept_links(document_scores, threshold)
            kept += len(links)
            correct += len(links & document.gold)
            total_gold += len(document.gold)
        report[f">={threshold}"] = {
            "kept_links": kept,
            "precision": round(correct / kept, 4) if kept else 0.0,
            "recall": round(correct / total_gold, 4) if total_gold else 0.0,
        }
    return report


def aligned_training_sets(
    encoder: Encoder, parity: int = TRAIN_PARITY, seeds: Sequence[str] = ALIGNED_NOISE_SEEDS
) -> list[TrainingSet]:
    """Per document (in ntrex_line_documents order): dari's link beads on each re-noising
    of it, labelled by the gold (AlignedDocument.training_set)."""
    sets: list[TrainingSet] = []
    for seed in seeds:
        for number, document in enumerate(noisy_alignments(encoder, parity, seed)):
            if number == len(sets):
                sets.append(TrainingSet([], [], []))
            sets[number].extend(document.training_set())
    return sets


def merged(sets: Sequence[TrainingSet]) -> TrainingSet:
    out = TrainingSet([], [], [])
    for one in sets:
        out.extend(one)
    return out


def cross_validate(
    documents: Sequence[tuple[list[str], list[str]]],
    encoder: Encoder,
    folds: int = 5,
    aligned_share: float = ALIGNED_SHARE,
) -> dict[str, float]:
    """AUCs over contiguous folds: each block of documents is scored by a model trained on
    the others (negatives seeded as in training and in bench_quality), scores pooled."""
    aligned = aligned_training_sets(encoder) if aligned_share else []

    def model_for(start: int, end: int) -> QualityModel:
        train = [*documents[:start], *documents[end:]]
        real = merged([*aligned[:start], *aligned[end:]])
        return train_on_documents(
            train, encoder, {"name": "cv"}, aligned=real, aligned_share=aligned_share
        )

    def matrix(data: TrainingSet) -> np.ndarray:
        return feature_matrix(candidate_features(data.candidates, encoder))

    return _pooled_folds(documents, folds, model_for, matrix)


# The name features of a pair whose every name was found (names_cosine: none unmatched).
NAMES_FOUND = {"names_similarity": 1.0, "names_all_found": 1.0, "names_cosine": 1.0}


def names_found_bound(
    documents: Sequence[tuple[list[str], list[str]]], encoder: Encoder, folds: int = 5
) -> dict[str, float]:
    """Cross-validated AUCs as if the name matcher found every name of every real pair:
    the real pairs' name features are set to NAMES_FOUND in training and test, the
    negatives keep theirs. An upper bound on what better name matching can give; synthetic
    negatives only (no aligner beads), so compare it with ``--cv K --aligned-share 0``."""

    def matrix(data: TrainingSet) -> np.ndarray:
        rows = candidate_features(data.candidates, encoder)
        found = zip(rows, data.labels, strict=True)
        return feature_matrix([row | NAMES_FOUND if label else row for row, label in found])

    def model_for(start: int, end: int) -> QualityModel:
        train = synthetic_training_set([*documents[:start], *documents[end:]], seed=0)
        return fit_model(
            matrix(train),
            train.labels,
            class_weights(train.labels, train.kinds, 0.0),
            {"name": "names-found-bound"},
            interactions=DEFAULT_INTERACTIONS,
        )

    return _pooled_folds(documents, folds, model_for, matrix)


def _pooled_folds(
    documents: Sequence[tuple[list[str], list[str]]],
    folds: int,
    model_for: Callable[[int, int], QualityModel],
    matrix: Callable[[TrainingSet], np.ndarray],
) -> dict[str, float]:
    """AUCs per negative kind, pooled over contiguous blocks of ``documents``: each block's
    gold pairs and synthetic negatives scored by ``model_for(start, end)`` (trained
    without documents[start:end])."""
    from benchmarks.bench_quality import auc_report

    bounds = [round(k * len(documents) / folds) for k in range(folds + 1)]
    scores: list[float] = []
    labels: list[int] = []
    kinds: list[str] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        model = model_for(start, end)
        test = synthetic_training_set(documents[start:end], seed=1)
        scores.extend(model.predict(matrix(test)).tolist())
        labels.extend(test.labels)
        kinds.extend(test.kinds)
    return auc_report(np.array(scores), np.array(labels), kinds)


def kept_cross_validate(
    documents: Sequence[tuple[list[str], list[str]]],
    encoder: Encoder,
    aligned_share: float = ALIGNED_SHARE,
) -> dict[str, dict[str, float]]:
    """Links kept after aligning the noisy even documents (the benchmark's noise), each
    half scored by a model trained on the other half: its gold pairs, their synthetic
    negatives and dari's beads on its re-noisings (``aligned_share`` 0: none). Pooled."""
    bench = noisy_alignments(encoder, TRAIN_PARITY)
    aligned = aligned_training_sets(encoder) if aligned_share else []
    half = len(documents) // 2
    tested: list[AlignedDocument] = []
    scores: list[list[float]] = []
    for test in (range(half), range(half, len(documents))):
        train = [d for n, d in enumerate(documents) if n not in test]
        real = merged([a for n, a in enumerate(aligned) if n not in test])
        model = train_on_documents(
            train, encoder, {"name": "kept-cv"}, aligned=real, aligned_share=aligned_share
        )
        for n in test:
            tested.append(bench[n])
            scores.append([s.score for s in score_candidates(bench[n].candidates, model, encoder)])
    return kept_report(tested, scores)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=None)
    parser.add_argument(
        "--mt", action="store_true", help="train the --translations model (simulated MT)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cache", default=None, help="SQLite file that keeps sentence embeddings between runs"
    )
    parser.add_argument(
        "--cv", type=int, default=0, metavar="K", help="only report K-fold AUCs (even docs)"
    )
    parser.add_argument(
        "--names-found-bound",
        action="store_true",
        help="with --cv K: the AUCs if every name of every real pair were found (upper bound)",
    )
    parser.add_argument(
        "--kept-cv",
        action="store_true",
        help="only report links kept after aligning, 2-fold over the even documents",
    )
    parser.add_argument(
        "--aligned-share",
        type=float,
        default=ALIGNED_SHARE,
        help="weight of dari's own beads in training (0: none)",
    )
    args = parser.parse_args(argv)
    if not NTREX.is_dir():
        print(f"{NTREX}: NTREX-128 data not found", file=sys.stderr)
        return 1
    started = time.perf_counter()
    documents = ntrex_line_documents(TRAIN_PARITY)
    if args.cv and args.names_found_bound:
        report = names_found_bound(documents, cached_encoder(args.cache), args.cv)
        print(f"{args.cv}-fold AUCs on the even documents, every real name found: {report}")
        return 0
    if args.cv:
        report = cross_validate(documents, cached_encoder(args.cache), args.cv, args.aligned_share)
        print(f"{args.cv}-fold AUCs on the even documents: {report}")
        return 0
    if args.kept_cv:
        kept = kept_cross_validate(documents, cached_encoder(args.cache), args.aligned_share)
        print(f"2-fold kept links on the noisy even documents: {kept}")
        return 0
    metadata = {
        "name": "ntrex128-even",
        "trained_on": "NTREX-128 en-ko (newstest2019), even-numbered documents in file order; "
        "CC BY-SA 4.0, Federmann, Kocmi & Xin (2022)",
        "documents": len(documents),
        "seed": args.seed,
    }
    if args.mt:
        metadata["name"] = "ntrex128-even-simulated-mt"
        metadata["translations"] = (
            "SIMULATED: gold English degraded by benchmarks.bench_bleualign.degrade "
            "(corpus chrF ~50); no real MT system was used"
        )
        output = args.output or str(DEFAULT_MT_MODEL_PATH)
        mt_model = train_mt_model(
            documents, cached_encoder(args.cache), QualityModel.load(), metadata, args.seed
        )
        mt_model.save(output)
        weights = dict(zip(MT_FEATURES, mt_model.coef.round(3).tolist(), strict=True))
        print(f"coefficients (standardised): {weights}")
        print(f"wrote {output} in {time.perf_counter() - started:.1f} s")
        return 0
    args.output = args.output or str(DEFAULT_MODEL_PATH)
    encoder = cached_encoder(args.cache)
    metadata["aligned_examples"] = (
        "dari's beads on the same documents with other lines dropped "
        f"(noise seeds {', '.join(ALIGNED_NOISE_SEEDS)}), labelled by the gold"
    )
    model = train_on_documents(
        documents,
        encoder,
        metadata,
        seed=args.seed,
        report=lambda m: print(m, file=sys.stderr),
        aligned=merged(aligned_training_sets(encoder)) if args.aligned_share else None,
        aligned_share=args.aligned_share,
    )
    model.save(args.output)
    weights = dict(zip(model.input_names(), (round(float(c), 3) for c in model.coef), strict=True))
    print(f"coefficients (standardised features): {weights}")
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
