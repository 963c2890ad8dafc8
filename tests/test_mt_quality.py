"""Scores with machine translations as extra evidence (`dari score --pairs --translations`)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from aligners.embedding import DIMENSION
from aligners.mt_quality import (
    MtQualityModel,
    score_pairs_with_translations,
    translation_scores,
)
from aligners.quality import QualityModelError
from cli import main

EN = "President Moon Jae-in met 35 business leaders in Seoul on Tuesday."
KO = "문재인 대통령은 화요일 서울에서 기업인 35명을 만났다."


class SameVectorEncoder:
    """Every text gets one unit vector: the embedding evidence is neutral, so score
    differences come from the other features."""

    def encode(self, texts):
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        vectors[:, 0] = 1.0
        return vectors


def test_translation_scores_reward_a_close_translation():
    close = translation_scores(EN, "President Moon met 35 business leaders in Seoul Tuesday.")
    unrelated = translation_scores(EN, "The weather in Busan was cold and rainy all week.")
    assert translation_scores(EN, EN) == pytest.approx((1.0, 1.0))
    assert close[0] > 0.6 > 0.3 > unrelated[0]
    assert close[1] > unrelated[1]


def run(lines: list[bytes], translations: list[bytes]) -> tuple[list[bytes], list[str]]:
    written: list[bytes] = []
    warnings: list[str] = []
    score_pairs_with_translations(
        lines,
        translations,
        written.append,
        MtQualityModel.load(),
        SameVectorEncoder(),
        warnings.append,
        ("pairs.tsv", "mt.txt"),
    )
    return written, warnings


def test_a_matching_translation_scores_higher_than_a_wrong_one():
    pair = f"{EN}\t{KO}".encode()
    written, warnings = run(
        [pair, pair],
        [
            b"President Moon met 35 business leaders in Seoul on Tuesday.\n",
            b"Fishermen in Busan caught little squid this autumn.\n",
        ],
    )
    assert not warnings
    good, bad = (float(line.rsplit(b"\t", 1)[1]) for line in written)
    assert 0.0 <= bad < good <= 1.0


def test_a_line_without_a_translation_is_reported_and_kept():
    pair = f"{EN}\t{KO}".encode()
    written, warnings = run([pair, pair, b"no tab here"], [b"President Moon met leaders.\n"])
    assert len(written) == 3
    assert written[1].endswith(b"\tunscorable:no_translation\t0\n")
    assert written[2].endswith(b"\tunscorable:no_tab\t0\n")
    assert any(w.startswith("pairs.tsv:2: no translation in mt.txt") for w in warnings)


def test_extra_translation_lines_are_reported():
    _, warnings = run([f"{EN}\t{KO}".encode()], [b"one\n", b"two\n"])
    assert warnings == ["mt.txt: more lines than pairs.tsv; the extra ones are ignored"]


def test_the_shipped_translations_model_says_what_it_was_trained_on():
    model = MtQualityModel.load()
    assert "SIMULATED" in str(model.metadata["translations"])
    assert model.coef[1] > 0  # a higher chrF means a more likely translation


def test_a_default_model_is_not_a_translations_model(tmp_path):
    from aligners.quality import DEFAULT_MODEL_PATH

    with pytest.raises(QualityModelError, match="translations"):
        MtQualityModel.load(DEFAULT_MODEL_PATH)


def test_cli_translations_need_pairs_and_a_readable_file(tmp_path):
    runner = CliRunner()
    alone = runner.invoke(main, ["score", "--translations", "mt.txt"])
    assert alone.exit_code == 2 and "--translations goes with --pairs" in alone.output
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"{EN}\t{KO}\n", encoding="utf-8")
    missing = runner.invoke(
        main, ["score", "--pairs", str(pairs), "--translations", str(tmp_path / "none.txt")]
    )
    assert missing.exit_code == 1
    assert "none.txt" in missing.output and "Traceback" not in missing.output
