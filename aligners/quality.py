"""Calibrated quality scores for aligned sentence pairs (bicleaner-style, no user labels).

A logistic regression over the features of aligners/features.py and the products of a
few of them (DEFAULT_INTERACTIONS), followed by isotonic calibration, estimates the
probability that two sentences translate each other: 0.8 means that about 80% of the
pairs scored near 0.8 are real translations, on a test mix with as many real pairs as
broken ones. It is trained without labels, as bicleaner is: positives are pairs known to
be translations (NTREX-128 gold lines for the shipped model, a store's confident
alignments for ``dari score --train``), negatives are made from them by the corruptions
real corpora show (misaligned neighbours, random pairs, a side cut in half, a
number or a name changed, an untranslated copy).

The model is a small JSON file (coefficients, scaler, the feature pairs it multiplies and
isotonic thresholds), so it loads without pickle and survives scikit-learn upgrades.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import combinations_with_replacement, pairwise
from pathlib import Path
from typing import BinaryIO

import numpy as np
import regex

from aligners.embedding import Encoder
from aligners.features import (
    DEFAULT_RATIO,
    FEATURE_NAMES,
    PairInput,
    edge_rests,
    feature_matrix,
    name_similarities,
    normalise,
    pair_features,
    pair_flags,
    unmatched_names,
)
from corpus.export.atomic import atomic_file, check_target
from corpus.export.records import TextCleaner

MODEL_FORMAT = "dari-quality"
MODEL_VERSION = 1
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "quality-en-ko.json"
NEGATIVE_KINDS = ("random", "shift", "truncate", "number", "name", "untranslated", "merge")
HARD_NEGATIVE_KINDS = ("shift", "number", "truncate", "name")
# Real aligner output labelled by public gold (benchmarks/train_quality.py: re-noised even
# NTREX documents aligned by dari): beads whose line links are all gold, and the others.
# Synthetic negatives never show the aligner's own mistakes (a merge that kept a short
# sentence the other edition dropped, two orphans paired); these do. Each kind gets this
# share of the synthetic negatives' mass. Links kept at 0.3 after aligning the noisy even
# documents, 2-fold (train_quality --kept-cv): precision / recall 0.993 / 0.971 without,
# 0.994 / 0.973 with (0.15: 0.992 / 0.982); at 0.5 recall 0.940 -> 0.967.
ALIGNED_KINDS = {"aligned": 1, "misaligned": 0}
ALIGNED_SHARE = 0.3
# The products (and squares) of these features are extra inputs of the shipped model: the
# evidence combines. A missing name says more when the cosine is middling than when it is
# high, a low margin more when the lengths disagree too; a sum of separate terms cannot
# say that. On held-out folds of the even NTREX documents the degree-2 terms raised the
# AUC against hard negatives from 0.965 to 0.973 (swapped names 0.884 -> 0.900), more
# than gradient-boosted trees over the same features (0.970).
INTERACTING_FEATURES = (
    "cosine",
    "margin",
    "names_similarity",
    "length_log_ratio",
    "numbers_dice",
    "end_mismatch",
    "names_cosine",
)
# edge_gain says most next to the cosine and margin it corrects and the merge size it
# explains; with its first four products the links kept at 0.3 after aligning noisy even
# NTREX documents went from precision/recall 0.993/0.961 to 0.993/0.968 (tuned there).
# edge_length_gain, the same for the lengths, with the two products after them.
EDGE_GAIN_INTERACTIONS = (
    ("edge_gain", "cosine"),
    ("edge_gain", "edge_gain"),
    ("edge_gain", "bead_merge"),
    ("edge_gain", "margin"),
    ("edge_length_gain", "edge_gain"),
    ("edge_length_gain", "bead_merge"),
)
DEFAULT_INTERACTIONS: tuple[tuple[str, str], ...] = (
    *(
        pair
        for pair in combinations_with_replacement(INTERACTING_FEATURES, 2)
        if pair != ("end_mismatch", "end_mismatch")  # 0 or 1: its square is itself
    ),
    *EDGE_GAIN_INTERACTIONS,
)
# Smoothing of a document's own length ratio toward the default: a 3-sentence document
# says little about how long its translation runs.
RATIO_PRIOR_CHARS = 500
_SENTENCE_END = regex.compile(r"[.!?。？！]+[\"'”’)\]]*(?=\s+\S)")


class QualityModelError(Exception):
    """A model file that cannot be read or does not fit these features."""


# -- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityModel:
    """Products of feature pairs (``interactions``) appended -> standardise -> logistic
    regression -> isotonic map to a probability."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    iso_x: np.ndarray
    iso_y: np.ndarray
    metadata: dict[str, object] = field(default_factory=dict)
    interactions: tuple[tuple[str, str], ...] = ()

    def decision(self, matrix: np.ndarray) -> np.ndarray:
        expanded = with_interactions(matrix, self.features, self.interactions)
        return ((expanded - self.mean) / self.scale) @ self.coef + self.intercept

    def input_names(self) -> list[str]:
        """Names of the regression's inputs: the features, then each product (a*b)."""
        return [*self.features, *(f"{a}*{b}" for a, b in self.interactions)]

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Calibrated probabilities in [0, 1], one per row of FEATURE_NAMES values."""
        if len(matrix) == 0:
            return np.zeros(0)
        return np.clip(np.interp(self.decision(matrix), self.iso_x, self.iso_y), 0.0, 1.0)

    def fields(self) -> dict[str, object]:
        """Features, weights and calibration: what every calibrated model file holds
        (``interactions`` only when there are some)."""
        return {
            "features": list(self.features),
            **({"interactions": [list(p) for p in self.interactions]} if self.interactions else {}),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "isotonic": {"x": self.iso_x.tolist(), "y": self.iso_y.tolist()},
            "metadata": self.metadata,
        }

    def to_dict(self) -> dict[str, object]:
        return {"format": MODEL_FORMAT, "version": MODEL_VERSION, **self.fields()}

    def save(self, path: str | Path) -> None:
        save_model_file(path, self.to_dict())

    @classmethod
    def from_dict(cls, data: dict, source: str = "model") -> QualityModel:
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise QualityModelError(f"{source}: not a Dari quality model")
        if data.get("version") != MODEL_VERSION:
            raise QualityModelError(f"{source}: model version {data.get('version')} unsupported")
        return cls.from_fields(data, source, FEATURE_NAMES)

    @classmethod
    def from_fields(cls, data: dict, source: str, features: tuple[str, ...]) -> QualityModel:
        """The model in ``data`` (as :meth:`fields` writes it), over exactly ``features``."""
        if tuple(data.get("features", ())) != features:
            raise QualityModelError(f"{source}: model features differ from this Dari's")
        interactions = _read_interactions(data.get("interactions", []), source, features)
        try:
            model = cls(
                features=features,
                mean=np.asarray(data["mean"], dtype=float),
                scale=np.asarray(data["scale"], dtype=float),
                coef=np.asarray(data["coef"], dtype=float),
                intercept=float(data["intercept"]),
                iso_x=np.asarray(data["isotonic"]["x"], dtype=float),
                iso_y=np.asarray(data["isotonic"]["y"], dtype=float),
                metadata=dict(data.get("metadata", {})),
                interactions=interactions,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise QualityModelError(f"{source}: malformed model ({exc})") from None
        inputs = len(features) + len(interactions)
        sizes = {len(model.mean), len(model.scale), len(model.coef), inputs}
        if len(sizes) != 1 or len(model.iso_x) != len(model.iso_y) or not len(model.iso_x):
            raise QualityModelError(f"{source}: model arrays have inconsistent sizes")
        return model

    @classmethod
    def load(cls, path: str | Path | None = None) -> QualityModel:
        path = Path(path) if path is not None else DEFAULT_MODEL_PATH
        return cls.from_dict(read_model_file(path), str(path))


def _read_interactions(
    value: object, source: str, features: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """The model file's feature pairs, each of two of ``features``."""
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(f in features for f in p) for p in value
    ):
        raise QualityModelError(f"{source}: model interactions are not pairs of its features")
    return tuple((a, b) for a, b in value)


def with_interactions(
    matrix: np.ndarray, features: Sequence[str], interactions: Sequence[tuple[str, str]]
) -> np.ndarray:
    """``matrix`` (one column per feature) with one column appended per feature pair: the
    product of the two columns."""
    if not interactions:
        return matrix
    index = {name: i for i, name in enumerate(features)}
    products = [matrix[:, index[a]] * matrix[:, index[b]] for a, b in interactions]
    return np.column_stack([matrix, *products])


def save_model_file(path: str | Path, data: dict[str, object]) -> None:
    """Write a model as JSON through a temporary file: a failed save keeps the old model."""
    with atomic_file(Path(path), compress=False) as out:
        out.write((json.dumps(data, indent=1) + "\n").encode("utf-8"))


def read_model_file(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QualityModelError(f"{path}: cannot read model ({exc})") from None


# -- scoring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A pair to score, with the sentences around it on each side.

    ``en_context`` holds English sentences near the Korean side (rivals of the English),
    ``ko_context`` Korean sentences near the English side.
    """

    pair: PairInput
    en_context: tuple[str, ...] = ()
    ko_context: tuple[str, ...] = ()
    ratio: float = DEFAULT_RATIO
    duplicate: bool = False


@dataclass(frozen=True)
class Scored:
    score: float
    components: dict[str, float]
    flags: list[str]


def candidate_features(candidates: Sequence[Candidate], encoder: Encoder) -> list[dict]:
    """Feature dicts for many candidates, encoding every distinct string once."""
    matches = [name_similarities(c.pair.en, c.pair.ko) for c in candidates]
    names = [unmatched_names(m) for m in matches]
    texts = {text: n for n, text in enumerate(dict.fromkeys(candidate_texts(candidates, names)))}
    rests = [(edge_rests(c.pair.en_parts), edge_rests(c.pair.ko_parts)) for c in candidates]
    vectors = encoder.encode(list(texts))
    rows = []
    for c, (en_rests, ko_rests), pair_matches, unmatched in zip(
        candidates, rests, matches, names, strict=True
    ):
        rows.append(
            pair_features(
                c.pair,
                vectors[texts[c.pair.en]],
                vectors[texts[c.pair.ko]],
                vectors[[texts[t] for t in c.en_context]],
                vectors[[texts[t] for t in c.ko_context]],
                c.ratio,
                vectors[[texts[t] for t in en_rests]],
                vectors[[texts[t] for t in ko_rests]],
                pair_matches,
                vectors[[texts[name] for name in unmatched]],
            )
        )
    return rows


def candidate_texts(
    candidates: Sequence[Candidate], names: Sequence[Sequence[str]] | None = None
) -> Iterator[str]:
    """Every string the features of these candidates embed (with repeats); ``names`` are
    their ``unmatched_names`` when the caller has them already."""
    if names is None:
        names = [unmatched_names(name_similarities(c.pair.en, c.pair.ko)) for c in candidates]
    for c, unmatched in zip(candidates, names, strict=True):
        yield from (c.pair.en, c.pair.ko, *c.en_context, *c.ko_context)
        yield from (*edge_rests(c.pair.en_parts), *edge_rests(c.pair.ko_parts))
        yield from unmatched


def score_candidates(
    candidates: Sequence[Candidate], model: QualityModel, encoder: Encoder
) -> list[Scored]:
    rows = candidate_features(candidates, encoder)
    probabilities = model.predict(feature_matrix(rows))
    return [
        Scored(
            round(float(p), 4),
            {k: round(v, 4) for k, v in row.items()},
            pair_flags(c.pair, row, c.duplicate),
        )
        for c, row, p in zip(candidates, rows, probabilities, strict=True)
    ]


def sentence_parts(text: str) -> tuple[str, ...]:
    """Cheap sentence split for text without a known bead (pairs files, training lines)."""
    text = text.strip()
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    return tuple(text[a:b].strip() for a, b in pairwise(bounds))


def text_candidate(
    en: str,
    ko: str,
    en_context: tuple[str, ...] = (),
    ko_context: tuple[str, ...] = (),
    ratio: float = DEFAULT_RATIO,
    duplicate: bool = False,
) -> Candidate:
    """A candidate for a pair of texts whose sentences are not known: split cheaply."""
    en_parts, ko_parts = sentence_parts(en), sentence_parts(ko)
    pair = PairInput(
        en,
        ko,
        len(en_parts),
        len(ko_parts),
        en_parts=en_parts if len(en_parts) > 1 else (),
        ko_parts=ko_parts if len(ko_parts) > 1 else (),
    )
    return Candidate(pair, en_context, ko_context, ratio, duplicate)


def line_candidates(
    en: Sequence[str], ko: Sequence[str], window: int = 1, ratio: float = DEFAULT_RATIO
) -> list[Candidate]:
    """Candidates for parallel line lists where line i pairs with line i (a pairs file or a
    gold document); each line's rivals are the other side's lines within ``window``."""
    seen: set[bytes] = set()
    out = []
    for i, (e, k) in enumerate(zip(en, ko, strict=True)):
        key = duplicate_key(e, k)
        out.append(
            text_candidate(e, k, _around(en, i, window), _around(ko, i, window), ratio, key in seen)
        )
        seen.add(key)
    return out


def duplicate_key(en: str, ko: str) -> bytes:
    """A short digest of the normalised pair: remembering every pair of a large store for
    the ``duplicate`` flag costs a few bytes each instead of both texts."""
    text = f"{normalise(en)}\t{normalise(ko)}"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def _around(lines: Sequence[str], i: int, window: int) -> tuple[str, ...]:
    return tuple(
        lines[j] for j in range(max(0, i - window), min(len(lines), i + window + 1)) if j != i
    )


# -- candidates from aligned documents ---------------------------------------------------


@dataclass(frozen=True)
class BeadIds:
    bead: int
    en_ids: tuple[int, ...]
    ko_ids: tuple[int, ...]


def document_candidates(
    en_sentences: dict[int, str],
    ko_sentences: dict[int, str],
    beads: Sequence[BeadIds],
    seen: set[bytes] | None = None,
    en_headings: frozenset[int] = frozenset(),
) -> list[Candidate]:
    """One candidate per link bead; rivals are the sentences just outside the bead.

    ``en_headings`` are the English sentence ids that are headlines or subheadings.
    """
    seen = set() if seen is None else seen
    texts = [bead_texts(en_sentences, ko_sentences, b) for b in beads]
    en_chars = sum(len(e) for e, _ in texts)
    ko_chars = sum(len(k) for _, k in texts)
    ratio = (ko_chars + DEFAULT_RATIO * RATIO_PRIOR_CHARS) / (en_chars + RATIO_PRIOR_CHARS)
    out = []
    for b, (en, ko) in zip(beads, texts, strict=True):
        key = duplicate_key(en, ko)
        out.append(
            Candidate(
                PairInput(
                    en,
                    ko,
                    len(b.en_ids),
                    len(b.ko_ids),
                    heading=set(b.en_ids) <= en_headings,
                    en_parts=_parts(en_sentences, b.en_ids),
                    ko_parts=_parts(ko_sentences, b.ko_ids),
                ),
                en_context=_outside(en_sentences, b.en_ids),
                ko_context=_outside(ko_sentences, b.ko_ids),
                ratio=ratio,
                duplicate=key in seen,
            )
        )
        seen.add(key)
    return out


def bead_texts(
    en_sentences: dict[int, str], ko_sentences: dict[int, str], bead: BeadIds
) -> tuple[str, str]:
    return (
        " ".join(en_sentences.get(i, "") for i in bead.en_ids),
        " ".join(ko_sentences.get(j, "") for j in bead.ko_ids),
    )


def _parts(sentences: dict[int, str], ids: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(sentences.get(i, "") for i in ids) if len(ids) > 1 else ()


def _outside(sentences: dict[int, str], ids: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(sentences[i] for i in (min(ids) - 1, max(ids) + 1) if i in sentences)


# -- training ----------------------------------------------------------------------------

Document = tuple[list[str], list[str]]
_DIGITS = regex.compile(r"\d+")
_INNER_NAME = regex.compile(r"(?<=\S\s)\p{Lu}\p{Ll}{2,}(?:[\s-]\p{Lu}\p{Ll}+)*")


@dataclass
class TrainingSet:
    candidates: list[Candidate]
    labels: list[int]
    kinds: list[str]

    def add(self, candidate: Candidate, label: int, kind: str) -> None:
        self.candidates.append(candidate)
        self.labels.append(label)
        self.kinds.append(kind)

    def extend(self, other: TrainingSet) -> None:
        self.candidates.extend(other.candidates)
        self.labels.extend(other.labels)
        self.kinds.extend(other.kinds)


def cut_in_half(text: str) -> str:
    """The first half of a text, cut at a space when there is one near the middle."""
    middle = len(text) // 2
    space = text.rfind(" ", 0, middle + 1)
    return text[: space if space > len(text) // 4 else middle].rstrip()


def change_number(text: str, rng: random.Random) -> str | None:
    numbers = list(_DIGITS.finditer(text))
    if not numbers:
        return None
    match = rng.choice(numbers)
    value = int(match.group())
    new = value + rng.choice([1, 2, 3, 5, 7, 10]) if value < 10 else value * rng.choice([2, 3])
    if value >= 10 and rng.random() < 0.5:
        new = value + rng.randint(1, 9)
    return text[: match.start()] + str(new) + text[match.end() :]


def swap_name(text: str, pool: Sequence[str], rng: random.Random) -> str | None:
    names = list(_INNER_NAME.finditer(text))
    if not names or not pool:
        return None
    match = rng.choice(names)
    other = rng.choice(pool)
    if other == match.group():
        return None
    return text[: match.start()] + other + text[match.end() :]


def synthetic_training_set(
    documents: Sequence[Document], kinds: Iterable[str] = NEGATIVE_KINDS, seed: int = 0
) -> TrainingSet:
    """Gold pairs of line-parallel documents, and their corruptions as negatives."""
    rng = random.Random(seed)
    kinds = tuple(kinds)
    pool = sorted(
        {m.group() for en, _ in documents for line in en for m in _INNER_NAME.finditer(line)}
    )
    out = TrainingSet([], [], [])
    for d, (en, ko) in enumerate(documents):
        for i in range(len(en)):
            en_near, ko_near = _around(en, i, 1), _around(ko, i, 1)
            out.add(text_candidate(en[i], ko[i], en_near, ko_near), 1, "gold")
            for kind in kinds:
                made = _negative(kind, documents, d, i, pool, rng)
                if made is not None:
                    out.add(made, 0, kind)
    return out


def _negative(
    kind: str, documents: Sequence[Document], d: int, i: int, pool, rng: random.Random
) -> Candidate | None:
    en, ko = documents[d]
    en_near, ko_near = _around(en, i, 1), _around(ko, i, 1)
    if kind == "random" and len(documents) > 1:
        other = rng.choice([k for k in range(len(documents)) if k != d])
        oen, oko = documents[other]
        k = rng.randrange(len(oko))
        return text_candidate(en[i], oko[k], en_near, _around(oko, k, 1))
    if kind == "shift" and len(ko) > 1:
        j = i + rng.choice([-1, 1]) if 0 < i < len(ko) - 1 else (1 if i == 0 else i - 1)
        return text_candidate(en[i], ko[j], _around(en, j, 1), _around(ko, j, 1))
    if kind == "truncate":
        if rng.random() < 0.5:
            return text_candidate(cut_in_half(en[i]), ko[i], en_near, ko_near)
        return text_candidate(en[i], cut_in_half(ko[i]), en_near, ko_near)
    if kind == "number":
        side = rng.random() < 0.5
        changed = change_number(en[i] if side else ko[i], rng)
        if changed is None:
            return None
        if side:
            return text_candidate(changed, ko[i], en_near, ko_near)
        return text_candidate(en[i], changed, en_near, ko_near)
    if kind == "name":
        changed = swap_name(en[i], pool, rng)
        return None if changed is None else text_candidate(changed, ko[i], en_near, ko_near)
    if kind == "merge" and len(en) > 2:
        return _merged_with_neighbour(en, ko, i, rng)
    if kind == "untranslated":
        copy = en[i] if rng.random() < 0.7 else ko[i]
        return text_candidate(copy, copy, en_near, ko_near)
    return None


def _merged_with_neighbour(
    en: Sequence[str], ko: Sequence[str], i: int, rng: random.Random
) -> Candidate:
    """Line i with a neighbouring line j merged into one side, as if the other edition had
    dropped line j and an aligner had attached it to line i. The other side's rivals are
    its lines around i with line j gone. English editions drop more than they add, so the
    extra line is on the English side two times in three."""
    j = rng.choice([k for k in (i - 1, i + 1) if 0 < k < len(en)])
    lo, hi = min(i, j), max(i, j)
    merged, kept = (en, ko) if rng.random() < 2 / 3 else (ko, en)
    text = f"{merged[lo]} {merged[hi]}"
    near_merged = tuple(merged[k] for k in (lo - 1, hi + 1) if 0 <= k < len(merged))
    without_j = [*kept[:j], *kept[j + 1 :]]
    near_kept = _around(without_j, i if i < j else i - 1, 1)
    if merged is en:
        return text_candidate(text, kept[i], near_merged, near_kept)
    return text_candidate(kept[i], text, near_kept, near_merged)


def class_weights(
    labels: Sequence[int], kinds: Sequence[str], aligned_share: float = ALIGNED_SHARE
) -> np.ndarray:
    """Weights giving the gold pairs and the synthetic negatives equal mass, split evenly
    over the negative kinds, so that the calibrated 0.5 means "as likely real as broken".
    Real aligner output (ALIGNED_KINDS) adds ``aligned_share`` of that mass per kind."""
    counts = Counter(kinds)
    gold = counts["gold"]
    synthetic = [k for k in counts if k != "gold" and k not in ALIGNED_KINDS]
    weights = np.ones(len(labels))
    for n, kind in enumerate(kinds):
        if kind in ALIGNED_KINDS:
            weights[n] = aligned_share * gold / counts[kind]
        elif kind != "gold":
            weights[n] = gold / (len(synthetic) * counts[kind])
    return weights


def centred_isotonic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The isotonic step function as a strictly increasing line through the middle of
    each step (centred isotonic regression, Oron & Flournoy 2017), flat beyond the ends.

    Isotonic steps give many pairs the very same score, so a threshold such as 0.5
    falls inside a step and keeps or drops the whole step. On held-out folds of the even
    NTREX documents the centred map kept 86.0% of real pairs at 0.7 (steps: 85.5%) and
    93.6% at 0.5 (93.5%), for an expected calibration error of 0.008 (0.006), and no
    longer ties pairs that the regression tells apart.
    """
    levels = np.unique(y)
    middles = np.array([x[y == level].mean() for level in levels])
    return (
        np.concatenate([[x[0]], middles, [x[-1]]]),
        np.concatenate([[y[0]], levels, [y[-1]]]),
    )


def fit_model(
    matrix: np.ndarray,
    labels: Sequence[int],
    weights: np.ndarray,
    metadata: dict[str, object],
    features: tuple[str, ...] = FEATURE_NAMES,
    interactions: tuple[tuple[str, str], ...] = (),
) -> QualityModel:
    """Logistic regression (over the features and the products of ``interactions``)
    with isotonic calibration on cross-validated scores."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels)
    if len(set(y.tolist())) < 2 or min(Counter(y.tolist()).values()) < 5:
        raise QualityModelError("training needs at least 5 positive and 5 negative pairs")
    matrix = with_interactions(matrix, features, interactions)
    # Standardised by hand rather than in a Pipeline, so that the sample weights reach
    # the regression as well as the calibrator.
    mean = np.average(matrix, axis=0, weights=weights)
    scale = np.sqrt(np.average((matrix - mean) ** 2, axis=0, weights=weights))
    scale = np.where(scale > 1e-9, scale, 1.0)
    base = LogisticRegression(C=1.0, max_iter=2000)
    calibrated = CalibratedClassifierCV(base, method="isotonic", cv=5, ensemble=False)
    calibrated.fit((matrix - mean) / scale, y, sample_weight=weights)
    fitted = calibrated.calibrated_classifiers_[0]
    regression, isotonic = fitted.estimator, fitted.calibrators[0]
    iso_x, iso_y = centred_isotonic(
        np.asarray(isotonic.X_thresholds_, dtype=float),
        np.asarray(isotonic.y_thresholds_, dtype=float),
    )
    return QualityModel(
        features=features,
        mean=mean,
        scale=scale,
        coef=regression.coef_[0].copy(),
        intercept=float(regression.intercept_[0]),
        iso_x=iso_x,
        iso_y=iso_y,
        metadata=metadata,
        interactions=interactions,
    )


def train_on_documents(
    documents: Sequence[Document],
    encoder: Encoder,
    metadata: dict[str, object],
    seed: int = 0,
    report: Callable[[str], None] = lambda _: None,
    aligned: TrainingSet | None = None,
    aligned_share: float = ALIGNED_SHARE,
) -> QualityModel:
    """The model over the documents' gold pairs and synthetic negatives, plus ``aligned``
    (real aligner output labelled by gold, ALIGNED_KINDS) when there is some."""
    data = synthetic_training_set(documents, seed=seed)
    if aligned is not None and aligned_share > 0:
        data.extend(aligned)
    report(f"{sum(data.labels)} positive and {len(data.labels) - sum(data.labels)} negative pairs")
    matrix = feature_matrix(candidate_features(data.candidates, encoder))
    counts = dict(Counter(data.kinds))
    return fit_model(
        matrix,
        data.labels,
        class_weights(data.labels, data.kinds, aligned_share),
        {**metadata, "training_pairs": counts},
        interactions=DEFAULT_INTERACTIONS,
    )


# -- pairs files (bicleaner style) -------------------------------------------------------

MAX_LINE_CHARS = 20_000
PAIRS_BATCH = 2000


@dataclass(frozen=True)
class PairLine:
    number: int
    raw: bytes
    en: str = ""
    ko: str = ""
    problem: str | None = None


def parse_pair_line(number: int, raw: bytes) -> PairLine:
    """Decode and split one ``en<TAB>ko`` line, or say why it cannot be scored.

    Control characters are common in scraped text: each side is cleaned as the exports
    clean it (:class:`TextCleaner`) and scored; the line is written back as it came. Only
    what is not text at all is refused: bytes that are not UTF-8, or a NUL (as git and
    grep decide what is binary).
    """
    body = raw[:-1] if raw.endswith(b"\r") else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return PairLine(number, raw, problem="binary")
    if "\x00" in text:
        return PairLine(number, raw, problem="binary")
    if not text.strip():
        return PairLine(number, raw, problem="empty")
    if len(text) > MAX_LINE_CHARS:
        return PairLine(number, raw, problem="too_long")
    columns = text.split("\t")
    if len(columns) != 2:
        return PairLine(number, raw, problem="no_tab" if len(columns) == 1 else "columns")
    cleaner = TextCleaner()
    en, ko = (cleaner.clean(c) for c in columns)
    if not en or not ko:
        return PairLine(number, raw, problem="empty_side")
    return PairLine(number, raw, en, ko)


PROBLEM_MESSAGES = {
    "binary": "not UTF-8 text (binary data?)",
    "empty": "empty line",
    "too_long": f"longer than {MAX_LINE_CHARS:,} characters",
    "no_tab": "no tab: expected 'english<TAB>korean'",
    "columns": "more than two tab-separated columns",
    "empty_side": "one side is empty",
}


LineScorer = Callable[[list[PairLine]], list[tuple[float, list[str]]]]
"""(score, flags) for each of a batch of scorable pairs lines."""


def parse_pair_lines(lines: Iterable[bytes]) -> Iterator[PairLine]:
    for number, raw in enumerate(lines, 1):
        yield parse_pair_line(number, raw.rstrip(b"\n"))


def write_scored_lines(
    lines: Iterable[PairLine],
    score: LineScorer,
    write: Callable[[bytes], None],
    warn: Callable[[str], None],
    source: str = "-",
    with_flags: bool = False,
    messages: dict[str, str] = PROBLEM_MESSAGES,
) -> Counter:
    """Write each line back with its score as the last column, a batch at a time.

    Unscorable lines are written too, with score 0 after an ``unscorable:<reason>``
    column, and reported on ``warn`` with their line number; nothing is dropped.
    """
    counts: Counter = Counter()
    batch: list[PairLine] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= PAIRS_BATCH:
            _write_batch(batch, score, write, warn, source, with_flags, messages, counts)
            batch = []
    _write_batch(batch, score, write, warn, source, with_flags, messages, counts)
    return counts


def _write_batch(batch, score, write, warn, source, with_flags, messages, counts) -> None:
    results = iter(score([line for line in batch if line.problem is None]))
    for line in batch:
        raw = line.raw.rstrip(b"\r")
        if line.problem is not None:
            warn(f"{source}:{line.number}: {messages[line.problem]}; written with score 0")
            write(raw + f"\tunscorable:{line.problem}\t0\n".encode())
            counts["unscorable"] += 1
            continue
        value, flags = next(results)
        extra = f"\t{','.join(flags) or '-'}" if with_flags else ""
        write(raw + f"{extra}\t{value:.4f}\n".encode())
        counts["scored"] += 1


def score_pair_lines(
    lines: Iterable[bytes],
    write: Callable[[bytes], None],
    model: QualityModel,
    encoder: Encoder,
    warn: Callable[[str], None],
    source: str = "-",
    with_flags: bool = False,
) -> Counter:
    """Score ``en<TAB>ko`` lines, writing each back with its score as the last column."""

    def score(good: list[PairLine]) -> list[tuple[float, list[str]]]:
        candidates = line_candidates([p.en for p in good], [p.ko for p in good])
        return [(s.score, s.flags) for s in score_candidates(candidates, model, encoder)]

    return write_scored_lines(parse_pair_lines(lines), score, write, warn, source, with_flags)


def score_pairs_file(
    source: str,
    output: str,
    model: QualityModel,
    warn: Callable[[str], None],
    with_flags: bool = False,
) -> Counter:
    """Score a pairs file ('-' = stdin) into ``output`` ('-' = stdout)."""
    encoder = Encoder()
    return with_pair_files(
        source,
        output,
        lambda reader, write: score_pair_lines(
            reader, write, model, encoder, warn, source, with_flags
        ),
    )


def with_pair_files(
    source: str, output: str, run: Callable[[BinaryIO, Callable[[bytes], None]], Counter]
) -> Counter:
    """Open ``source`` ('-' = stdin) and ``output`` ('-' = stdout) and score through them.

    The output is written to a temporary file and renamed when complete, so a failure
    leaves any earlier file of that name as it was.
    """
    with ExitStack() as files:
        reader = sys.stdin.buffer if source == "-" else files.enter_context(open(source, "rb"))
        if output == "-":
            writer = sys.stdout.buffer
        else:
            check_target(Path(output), force=True)
            writer = files.enter_context(atomic_file(Path(output), compress=False))
        counts = run(reader, writer.write)
        writer.flush()
        return counts
