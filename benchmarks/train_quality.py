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
    python -m benchmarks.train_quality --cv 5

``--cv K`` trains nothing: it reports the AUCs (per negative kind) of models trained on
K-1 contiguous blocks of the even documents and tested on the block left out, pooled over
the blocks. Feature and model changes are tuned on these numbers, never on the odd
documents, which bench_quality scores once.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence

import numpy as np
import regex

from aligners.embedding import Encoder
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
    DEFAULT_MODEL_PATH,
    BeadIds,
    QualityModel,
    TrainingSet,
    candidate_features,
    class_weights,
    cut_in_half,
    document_candidates,
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


def aligned_training_sets(
    encoder: Encoder, parity: int = TRAIN_PARITY, seeds: Sequence[str] = ALIGNED_NOISE_SEEDS
) -> list[TrainingSet]:
    """Per document (in ntrex_line_documents order): dari's link beads on each re-noising
    of it, "aligned" when every line link of the bead is gold, else "misaligned"."""
    from aligners.base import get_aligner

    aligner = get_aligner("dari", encoder=encoder)
    sets: list[TrainingSet] = []
    for seed in seeds:
        noisy = ntrex_documents(noisy=True, parity=parity, noise_seed=seed)
        for number, (en_lines, ko_lines, gold) in enumerate(noisy):
            if number == len(sets):
                sets.append(TrainingSet([], [], []))
            en, en_owner = _split_lines(en_lines, "en")
            ko, ko_owner = _split_lines(ko_lines, "ko")
            beads = [b for b in aligner.align(en, ko, "en", "ko") if b.is_link]
            ids = [BeadIds(n, b.src, b.tgt) for n, b in enumerate(beads)]
            candidates = document_candidates(dict(enumerate(en)), dict(enumerate(ko)), ids)
            gold_links = set(gold)
            for bead, candidate in zip(beads, candidates, strict=True):
                links = beads_to_line_links([bead], en_owner, ko_owner)
                kind = "aligned" if set(links) <= gold_links else "misaligned"
                sets[number].add(candidate, ALIGNED_KINDS[kind], kind)
    return sets


def merged(sets: Sequence[TrainingSet]) -> TrainingSet:
    out = TrainingSet([], [], [])
    for one in sets:
        out.extend(one)
    return out


def cross_validate(
    documents: Sequence[tuple[list[str], list[str]]], encoder: Encoder, folds: int = 5
) -> dict[str, float]:
    """AUCs over contiguous folds: each block of documents is scored by a model trained on
    the others (negatives seeded as in training and in bench_quality), scores pooled."""
    from benchmarks.bench_quality import auc_report

    bounds = [round(k * len(documents) / folds) for k in range(folds + 1)]
    scores: list[float] = []
    labels: list[int] = []
    kinds: list[str] = []
    aligned = aligned_training_sets(encoder)
    for start, end in zip(bounds, bounds[1:], strict=False):
        train = [*documents[:start], *documents[end:]]
        real = merged([*aligned[:start], *aligned[end:]])
        model = train_on_documents(train, encoder, {"name": "cv"}, aligned=real)
        test = synthetic_training_set(documents[start:end], seed=1)
        matrix = feature_matrix(candidate_features(test.candidates, encoder))
        scores.extend(model.predict(matrix).tolist())
        labels.extend(test.labels)
        kinds.extend(test.kinds)
    return auc_report(np.array(scores), np.array(labels), kinds)


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
    args = parser.parse_args(argv)
    if not NTREX.is_dir():
        print(f"{NTREX}: NTREX-128 data not found", file=sys.stderr)
        return 1
    started = time.perf_counter()
    documents = ntrex_line_documents(TRAIN_PARITY)
    if args.cv:
        report = cross_validate(documents, cached_encoder(args.cache), args.cv)
        print(f"{args.cv}-fold AUCs on the even documents: {report}")
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
        aligned=merged(aligned_training_sets(encoder)),
    )
    model.save(args.output)
    weights = dict(zip(model.input_names(), (round(float(c), 3) for c in model.coef), strict=True))
    print(f"coefficients (standardised features): {weights}")
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
