"""Machine translations as extra evidence for pair scores (`dari score --pairs --translations`).

When a user has an English machine translation of each Korean side, how close that
translation comes to the English side is direct evidence of "same meaning", and it sees
what embeddings miss (a changed number, a dropped clause). Sentence-level chrF and BLEU
(sacrebleu) against the English side are combined with the default model's decision value
by a second, small logistic regression with its own isotonic calibration, so the default
model and its file format stay as they are and scoring without translations is unchanged.

The shipped MT model (models/quality-en-ko-mt.json) was trained on SIMULATED machine
translation, because no MT system is available offline: the gold English of each Korean
side, degraded deterministically to a corpus chrF of about 50 (words dropped and swapped,
numbers replaced; benchmarks/train_quality.py). Its weights say how much translations of
that quality help; with a real MT system, retrain it on translations of your own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aligners.embedding import Encoder
from aligners.features import feature_matrix, pair_flags
from aligners.quality import (
    PROBLEM_MESSAGES,
    Candidate,
    PairLine,
    QualityModel,
    QualityModelError,
    candidate_features,
    fit_model,
    line_candidates,
    parse_pair_lines,
    read_model_file,
    save_model_file,
    with_pair_files,
    write_scored_lines,
)
from corpus.export.records import TextCleaner

MT_FORMAT = "dari-quality-mt"
MT_VERSION = 1
MT_FEATURES: tuple[str, ...] = ("base_decision", "mt_chrf", "mt_bleu")
DEFAULT_MT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "quality-en-ko-mt.json"


def translation_scores(english: str, translation: str) -> tuple[float, float]:
    """(chrF, BLEU) of the machine translation against the English side, in [0, 1]."""
    from sacrebleu.metrics import BLEU, CHRF

    chrf = CHRF().sentence_score(translation, [english]).score
    bleu = BLEU(effective_order=True).sentence_score(translation, [english]).score
    return chrf / 100, bleu / 100


def mt_matrix(
    base: QualityModel,
    features: Sequence[dict[str, float]],
    english: Sequence[str],
    mt: Sequence[str],
) -> np.ndarray:
    """MT_FEATURES rows: the default model's decision value, chrF and BLEU."""
    decisions = base.decision(feature_matrix(features)) if features else np.zeros(0)
    rows = [
        [decision, *translation_scores(en, translation)]
        for decision, en, translation in zip(decisions, english, mt, strict=True)
    ]
    return np.array(rows, dtype=np.float64).reshape(-1, len(MT_FEATURES))


@dataclass(frozen=True)
class MtQualityModel:
    """The default model's decision + chrF + BLEU -> a second calibrated model (``head``)."""

    base: QualityModel
    head: QualityModel

    @property
    def coef(self) -> np.ndarray:
        return self.head.coef

    @property
    def metadata(self) -> dict[str, object]:
        return self.head.metadata

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        return self.head.predict(matrix)

    def to_dict(self) -> dict[str, object]:
        return {
            "format": MT_FORMAT,
            "version": MT_VERSION,
            "base": self.base.to_dict(),
            **self.head.fields(),
        }

    def save(self, path: str | Path) -> None:
        save_model_file(path, self.to_dict())

    @classmethod
    def load(cls, path: str | Path | None = None) -> MtQualityModel:
        path = Path(path) if path is not None else DEFAULT_MT_MODEL_PATH
        data = read_model_file(path)
        if not isinstance(data, dict) or data.get("format") != MT_FORMAT:
            raise QualityModelError(f"{path}: not a Dari quality model for translations")
        if data.get("version") != MT_VERSION:
            raise QualityModelError(f"{path}: model version {data.get('version')} unsupported")
        return cls(
            base=QualityModel.from_dict(data.get("base"), f"{path} (base model)"),
            head=QualityModel.from_fields(data, str(path), MT_FEATURES),
        )


def fit_mt_model(
    base: QualityModel,
    matrix: np.ndarray,
    labels: Sequence[int],
    weights: np.ndarray,
    metadata: dict[str, object],
) -> MtQualityModel:
    """The default model's own fitting (logistic regression, isotonic calibration on
    cross-validated scores) over MT_FEATURES."""
    return MtQualityModel(base, fit_model(matrix, labels, weights, metadata, MT_FEATURES))


def score_with_translations(
    candidates: Sequence[Candidate], translations: Sequence[str], model: MtQualityModel, encoder
) -> list[tuple[float, list[str]]]:
    """(score, rule flags) of each candidate given the MT of its Korean side."""
    features = candidate_features(candidates, encoder)
    english = [c.pair.en for c in candidates]
    scores = model.predict(mt_matrix(model.base, features, english, translations))
    return [
        (round(float(s), 4), pair_flags(c.pair, f, c.duplicate))
        for c, f, s in zip(candidates, features, scores, strict=True)
    ]


def score_pairs_with_translations(
    lines: Iterable[bytes],
    translations: Iterable[bytes],
    write: Callable[[bytes], None],
    model: MtQualityModel,
    encoder,
    warn: Callable[[str], None],
    sources: tuple[str, str] = ("-", "translations"),
    with_flags: bool = False,
) -> Counter:
    """Score ``en<TAB>ko`` lines with line n of ``translations`` as the MT of line n's
    Korean side; written back bicleaner style, as quality.score_pair_lines does. A pairs
    line without a translation line (or with an empty one) is unscorable, and so reported."""
    texts: dict[int, str] = {}
    translation_lines = iter(translations)
    cleaner = TextCleaner()

    def with_translations() -> Iterator[PairLine]:
        for line in parse_pair_lines(lines):
            raw = next(translation_lines, b"")
            text = cleaner.clean(raw.rstrip(b"\r\n").decode("utf-8", "replace"))
            if line.problem is None and not text:
                line = PairLine(line.number, line.raw, problem="no_translation")
            if line.problem is None:
                texts[line.number] = text
            yield line

    def score(good: list[PairLine]) -> list[tuple[float, list[str]]]:
        candidates = line_candidates([p.en for p in good], [p.ko for p in good])
        mt = [texts.pop(p.number) for p in good]
        return score_with_translations(candidates, mt, model, encoder)

    messages = {**PROBLEM_MESSAGES, "no_translation": f"no translation in {sources[1]}"}
    counts = write_scored_lines(
        with_translations(), score, write, warn, sources[0], with_flags, messages
    )
    if next(translation_lines, None) is not None:
        warn(f"{sources[1]}: more lines than {sources[0]}; the extra ones are ignored")
    return counts


def score_pairs_file_with_translations(
    source: str,
    translations: str,
    output: str,
    model: MtQualityModel,
    warn: Callable[[str], None],
    with_flags: bool = False,
) -> Counter:
    """Score a pairs file ('-' = stdin) with a translations file into ``output``."""
    with open(translations, "rb") as mt_reader:
        return with_pair_files(
            source,
            output,
            lambda reader, write: score_pairs_with_translations(
                reader, mt_reader, write, model, Encoder(), warn, (source, translations), with_flags
            ),
        )
