"""Quality-score benchmark on the held-out (odd-numbered) NTREX-128 documents.

Reports: the AUC of the score for gold line pairs against hard negatives made from them
(a neighbouring line, one number changed, one side cut in half, a name swapped), overall
and per kind, next to the same AUCs of the obvious baseline measured in the same run (the
raw USE-m cosine of the pair alone, the ``cosine`` feature); a 10-bin calibration table
(mean predicted vs observed share of real pairs, with real and broken pairs weighted
equally as in training); throughput of the full scorer and of the cosine baseline, with
the embeddings of both already in memory so the ratio is the scoring cost alone, over the
whole test mix (each Korean sentence recurs in its negatives, so per-word caches are warm)
and over the distinct gold pairs alone with those caches emptied first (what a corpus of
new sentences costs); and, with
``--kept``, precision/recall of the pairs kept at 0.3 / 0.5 / 0.7 after aligning noisy NTREX
with the dari aligner. Usage:

    python -m benchmarks.bench_quality [--model FILE] [--cache FILE] [--kept] [--mt]
        [--json out.json]

``--mt`` also reports the AUCs of the ``--translations`` model, given SIMULATED machine
translations of the Korean sides (gold English degraded to corpus chrF ~50, as in
benchmarks/train_quality.py): no MT system is available offline.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score

from aligners.quality import (
    HARD_NEGATIVE_KINDS,
    NEGATIVE_KINDS,
    Candidate,
    QualityModel,
    candidate_texts,
    class_weights,
    score_candidates,
    synthetic_training_set,
)
from benchmarks.bench_align import NTREX
from benchmarks.train_quality import (
    TRAIN_PARITY,
    cached_encoder,
    kept_report,
    noisy_alignments,
    ntrex_line_documents,
)

TEST_PARITY = 1 - TRAIN_PARITY


def auc_report(scores: np.ndarray, labels: np.ndarray, kinds: list[str]) -> dict[str, float]:
    hard = np.isin(kinds, ["gold", *HARD_NEGATIVE_KINDS])
    report = {"hard_negatives": round(roc_auc_score(labels[hard], scores[hard]), 4)}
    gold = np.array(kinds) == "gold"
    for kind in NEGATIVE_KINDS:
        chosen = gold | (np.array(kinds) == kind)
        if chosen.sum() > gold.sum():
            report[kind] = round(roc_auc_score(labels[chosen], scores[chosen]), 4)
    return report


def cosine_baseline(candidates: list[Candidate], encoder) -> np.ndarray:
    """The raw USE-m cosine of each pair alone: what the scorer must beat to earn its keep."""
    texts = list(dict.fromkeys(t for c in candidates for t in (c.pair.en, c.pair.ko)))
    index = {t: i for i, t in enumerate(texts)}
    vectors = encoder.encode(texts)
    en = vectors[[index[c.pair.en] for c in candidates]]
    ko = vectors[[index[c.pair.ko] for c in candidates]]
    return np.einsum("ij,ij->i", en, ko)


def warm_encoder(candidates: list[Candidate], encoder) -> float:
    """Load (or compute) every embedding the scorer needs, so timings compare scoring only."""
    started = time.perf_counter()
    encoder.encode(list(dict.fromkeys(candidate_texts(candidates))))
    return time.perf_counter() - started


def unique_pairs_seconds(candidates: list[Candidate], model: QualityModel, encoder) -> float:
    """Seconds to score pairs whose words the per-process caches have not seen: the
    romanisation and phonetic-key caches are emptied first (the model files, the syllable
    table and the language identifier stay loaded, as they do in a long run)."""
    from aligners.features import phonetic_key
    from aligners.names import romanise

    romanise.cache_clear()
    phonetic_key.cache_clear()
    started = time.perf_counter()
    score_candidates(candidates, model, encoder)
    return time.perf_counter() - started


def calibration_table(
    scores: np.ndarray, labels: np.ndarray, weights: np.ndarray, bins: int = 10
) -> list[dict[str, float]]:
    rows = []
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    for b in range(bins):
        inside = which == b
        if not inside.any():
            continue
        w = weights[inside]
        rows.append(
            {
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                "pairs": int(inside.sum()),
                "predicted": round(float(np.average(scores[inside], weights=w)), 3),
                "observed": round(float(np.average(labels[inside], weights=w)), 3),
            }
        )
    return rows


def expected_calibration_error(rows: list[dict[str, float]], total: int) -> float:
    return round(sum(r["pairs"] / total * abs(r["predicted"] - r["observed"]) for r in rows), 4)


def kept_pairs_report(
    model: QualityModel, encoder, parity: int = TEST_PARITY
) -> dict[str, dict[str, float]]:
    """Align noisy held-out NTREX with dari, score each link, and compare the kept links
    (score >= threshold) with the gold line links."""
    documents = noisy_alignments(encoder, parity)
    scores = [[s.score for s in score_candidates(d.candidates, model, encoder)] for d in documents]
    return kept_report(documents, scores)


def mt_report(data, encoder) -> dict[str, object]:
    """AUCs of the --translations model on the test mix, with SIMULATED translations."""
    from sacrebleu.metrics import CHRF

    from aligners.mt_quality import MtQualityModel, score_with_translations
    from benchmarks.train_quality import simulated_translations

    model = MtQualityModel.load()
    translations = simulated_translations(data, ntrex_line_documents(TEST_PARITY))
    gold = [n for n, kind in enumerate(data.kinds) if kind == "gold"]
    chrf = CHRF().corpus_score(
        [translations[n] for n in gold], [[data.candidates[n].pair.en for n in gold]]
    )
    started = time.perf_counter()
    scored = score_with_translations(data.candidates, translations, model, encoder)
    elapsed = time.perf_counter() - started
    scores = np.array([score for score, _ in scored])
    return {
        "note": "SIMULATED machine translations (degraded gold English); not a real MT system",
        "corpus_chrf_of_translations": round(chrf.score, 1),
        "auc": auc_report(scores, np.array(data.labels), data.kinds),
        "throughput_pairs_per_s": round(len(scores) / elapsed, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model file (default: the shipped one)")
    parser.add_argument("--cache", default=None, help="SQLite file keeping sentence embeddings")
    parser.add_argument("--kept", action="store_true", help="also align noisy NTREX and report P/R")
    parser.add_argument("--mt", action="store_true", help="also the --translations model")
    parser.add_argument("--json", default=None, help="write the results to this file")
    args = parser.parse_args(argv)
    if not NTREX.is_dir():
        print(f"{NTREX}: NTREX-128 data not found", file=sys.stderr)
        return 1
    model = QualityModel.load(args.model)
    encoder = cached_encoder(args.cache)
    data = synthetic_training_set(ntrex_line_documents(TEST_PARITY), seed=1)
    loading = warm_encoder(data.candidates, encoder)
    score_candidates(data.candidates[:1], model, encoder)  # loads the language identifier
    started = time.perf_counter()
    scored = score_candidates(data.candidates, model, encoder)
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    baseline = cosine_baseline(data.candidates, encoder)
    baseline_elapsed = time.perf_counter() - started
    gold = [c for c, kind in zip(data.candidates, data.kinds, strict=True) if kind == "gold"]
    unique_elapsed = unique_pairs_seconds(gold, model, encoder)
    scores = np.array([s.score for s in scored])
    labels = np.array(data.labels)
    weights = class_weights(data.labels, data.kinds)
    table = calibration_table(scores, labels, weights)
    results = {
        "test_pairs": {k: data.kinds.count(k) for k in ("gold", *NEGATIVE_KINDS)},
        "auc": auc_report(scores, labels, data.kinds),
        "auc_baseline_cosine": auc_report(baseline, labels, data.kinds),
        "calibration": table,
        "expected_calibration_error": expected_calibration_error(table, len(scores)),
        "throughput_pairs_per_s": round(len(scores) / elapsed, 1),
        "throughput_unique_pairs_per_s": round(len(gold) / unique_elapsed, 1),
        "throughput_baseline_cosine_pairs_per_s": round(len(scores) / baseline_elapsed, 1),
        "scorer_time_over_baseline": round(elapsed / baseline_elapsed, 1),
        "throughput_note": "embeddings in memory for both (features + model vs one dot "
        f"product); loading them {'from the cache' if args.cache else 'by encoding'} "
        f"took {loading:.1f} s",
    }
    if args.kept:
        results["kept_after_alignment_noisy"] = kept_pairs_report(model, encoder)
    if args.mt:
        results["with_simulated_translations"] = mt_report(data, encoder)
    print(json.dumps(results, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
