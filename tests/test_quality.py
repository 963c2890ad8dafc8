"""Quality scores: rule flags, the model file, calibration range, store scoring, --pairs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from aligners.embedding import DIMENSION, MODEL_NAME, text_key
from aligners.features import FEATURE_NAMES, PairInput, pair_features, pair_flags
from aligners.quality import (
    DEFAULT_MODEL_PATH,
    HARD_NEGATIVE_KINDS,
    QualityModel,
    QualityModelError,
    fit_model,
    line_candidates,
    parse_pair_line,
)
from aligners.scoring import score_store
from cli import main
from corpus.store import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NTREX = SHARED / "evaldata" / "ntrex128-en-ko"

CLEAN_EN = "President Moon Jae-in met 35 business leaders in Seoul on Tuesday."
CLEAN_KO = "문재인 대통령은 화요일 서울에서 기업인 35명을 만났다."


def flags_of(en: str, ko: str, duplicate: bool = False) -> list[str]:
    unit = np.zeros(DIMENSION, dtype=np.float32)
    unit[0] = 1.0
    pair = PairInput(en, ko)
    empty = np.zeros((0, DIMENSION), dtype=np.float32)
    return pair_flags(pair, pair_features(pair, unit, unit, empty, empty), duplicate)


def test_clean_pair_has_no_flags():
    assert flags_of(CLEAN_EN, CLEAN_KO) == []


@pytest.mark.parametrize(
    ("flag", "en", "ko"),
    [
        ("number_mismatch", CLEAN_EN, CLEAN_KO.replace("35", "36")),
        ("name_mismatch", CLEAN_EN, "문재인 대통령은 화요일 서울에서 BBC 기자 35명을 만났다."),
        ("partial", CLEAN_EN + " " + CLEAN_EN.replace("35", "35"), CLEAN_KO[:20]),
        ("untranslated", CLEAN_EN, CLEAN_EN),
        ("untranslated", CLEAN_EN, "Le président a rencontré 35 chefs d'entreprise mardi."),
        ("untranslated", "문재인 대통령은 화요일 기업인 35명을 만났다.", CLEAN_KO),
        ("length_outlier", CLEAN_EN * 4, "문재인 대통령은 35명을 만났다."),
        (
            "boilerplate",
            "Copyright 2024 Hankyoreh. All Rights Reserved.",
            "무단 전재 및 재배포 금지",
        ),
        ("boilerplate", "Please direct questions or comments to [english@hani.co.kr]", "문의 바람"),
        ("boilerplate", "By Kim Min-ji", "김민지 기자"),
        ("too_short", "Yes.", "네."),
    ],
)
def test_each_flag_fires_on_its_example(flag, en, ko):
    assert flag in flags_of(en, ko)


def test_duplicate_flag_marks_the_repeat_only():
    candidates = line_candidates(
        [CLEAN_EN, "Other text here.", CLEAN_EN], [CLEAN_KO, "다른", CLEAN_KO]
    )
    assert [c.duplicate for c in candidates] == [False, False, True]
    assert "duplicate" in flags_of(CLEAN_EN, CLEAN_KO, duplicate=True)


def tiny_model(tmp_path: Path) -> QualityModel:
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(200, len(FEATURE_NAMES)))
    labels = (matrix[:, 2] + 0.3 * rng.normal(size=200) > 0).astype(int)
    return fit_model(matrix, labels.tolist(), np.ones(200), {"name": "tiny"})


def test_model_file_round_trips(tmp_path):
    model = tiny_model(tmp_path)
    path = tmp_path / "model.json"
    model.save(path)
    loaded = QualityModel.load(path)
    matrix = np.random.default_rng(1).normal(size=(50, len(FEATURE_NAMES)))
    assert np.allclose(loaded.predict(matrix), model.predict(matrix))
    assert loaded.metadata["name"] == "tiny"


def test_interactions_are_products_of_features_and_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(300, len(FEATURE_NAMES)))
    # real only when cosine and margin agree in sign: no sum of the two says that
    labels = (matrix[:, 2] * matrix[:, 3] > 0).astype(int)
    plain = fit_model(matrix, labels.tolist(), np.ones(300), {"name": "plain"})
    crossed = fit_model(
        matrix,
        labels.tolist(),
        np.ones(300),
        {"name": "crossed"},
        interactions=(("cosine", "margin"),),
    )
    assert crossed.input_names()[-1] == "cosine*margin"
    assert len(crossed.coef) == len(FEATURE_NAMES) + 1
    path = tmp_path / "crossed.json"
    crossed.save(path)
    loaded = QualityModel.load(path)
    assert loaded.interactions == (("cosine", "margin"),)
    assert np.allclose(loaded.predict(matrix), crossed.predict(matrix))
    right = ((crossed.predict(matrix) >= 0.5) == labels).mean()
    assert right > 0.9 > 0.7 > ((plain.predict(matrix) >= 0.5) == labels).mean()


def test_a_model_file_with_unknown_interactions_is_refused(tmp_path):
    data = tiny_model(tmp_path).to_dict()
    data["interactions"] = [["cosine", "no_such_feature"]]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(QualityModelError, match="interactions"):
        QualityModel.load(path)


def test_broken_model_files_are_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(QualityModelError, match="cannot read"):
        QualityModel.load(path)
    data = tiny_model(tmp_path).to_dict()
    data["features"] = data["features"][:-1]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(QualityModelError, match="features"):
        QualityModel.load(path)


def test_shipped_model_gives_probabilities_and_orders_by_cosine():
    model = QualityModel.load()
    assert DEFAULT_MODEL_PATH.is_file()
    rng = np.random.default_rng(2)
    extreme = rng.normal(scale=50, size=(500, len(FEATURE_NAMES)))
    probabilities = model.predict(extreme)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    base = dict.fromkeys(FEATURE_NAMES, 0.0) | {
        "numbers_dice": 1.0,
        "names_similarity": 1.0,
        "names_all_found": 1.0,
        "names_cosine": 1.0,
        "hangul_ko": 1.0,
        "length_logprob": -0.5,
    }
    good = base | {"cosine": 0.8, "margin": 0.5}
    bad = base | {"cosine": 0.1, "margin": -0.3}
    rows = np.array([[r[n] for n in FEATURE_NAMES] for r in (good, bad)])
    high, low = model.predict(rows)
    assert high > 0.8 > 0.2 > low


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "empty"),
        (b"only english here", "no_tab"),
        (b"a\tb\tc", "columns"),
        (b"x" * 100_000 + b"\t" + "가".encode(), "too_long"),
        (b"\xff\xfe\x00junk\tmore", "binary"),
        (b"english\t ", "empty_side"),
        (b"english\t\xed\x95\x9c", None),
    ],
)
def test_pair_lines_are_parsed_or_rejected_with_a_reason(raw, problem):
    assert parse_pair_line(1, raw).problem == problem


def _store_with_aligned_documents(path: Path, documents) -> Store:
    """A store holding line-parallel document pairs, aligned 1-1, with cached vectors so
    the sentence encoder is never loaded: translations share a direction, others do not."""
    store = Store(path)
    dimension = 0
    with store.transaction() as db:
        for number, (en, ko) in enumerate(documents):
            en_doc, ko_doc = 2 * number + 1, 2 * number + 2
            for doc_id, lang, sentences in ((en_doc, "en", en), (ko_doc, "ko", ko)):
                db.execute(
                    "INSERT INTO documents (id, article_id, lang, title, source_format, "
                    "content_hash, paragraphs) VALUES (?, ?, ?, 't', 'test', ?, '[]')",
                    (doc_id, f"doc-{doc_id}", lang, f"hash-{doc_id}"),
                )
                db.executemany(
                    "INSERT INTO sentences VALUES (?, ?, 0, 'body', 0, 0, ?)",
                    [(doc_id, i, s) for i, s in enumerate(sentences)],
                )
            pair_id = number + 1
            db.execute(
                "INSERT INTO pairs (id, en_doc, ko_doc, method, confidence) "
                "VALUES (?, ?, ?, 't', 1)",
                (pair_id, en_doc, ko_doc),
            )
            beads = [([i], [i]) for i in range(len(en))] + [([], [])]
            db.executemany(
                "INSERT INTO alignments (pair_id, bead, en_ids, ko_ids) VALUES (?, ?, ?, ?)",
                [(pair_id, n, json.dumps(e), json.dumps(k)) for n, (e, k) in enumerate(beads)],
            )
            db.execute("INSERT INTO aligned_pairs VALUES (?, 'dari', 1.0, 1.0, '[]')", (pair_id,))
            for e, k in zip(en, ko, strict=True):
                vector = np.zeros(DIMENSION, dtype=np.float32)
                vector[dimension % DIMENSION] = 1.0
                dimension += 1
                for text in (e, k):
                    db.execute(
                        "INSERT OR IGNORE INTO embeddings VALUES (?, ?, ?)",
                        (text_key(text), MODEL_NAME, vector.tobytes()),
                    )
    return store


def _store_with_one_aligned_document(path: Path) -> Store:
    en = [CLEAN_EN, "The talks lasted two hours.", "Please direct questions to news@example.com"]
    ko = [CLEAN_KO, "회담은 2시간 동안 이어졌다.", "문의는 news@example.com"]
    return _store_with_aligned_documents(path, [(en, ko)])


def test_score_store_writes_scores_components_and_flags(tmp_path):
    with _store_with_one_aligned_document(tmp_path / "s.sqlite") as store:
        summary = score_store(store).as_dict()
        rows = store.db.execute(
            "SELECT bead, score, components, flags FROM alignments ORDER BY bead"
        ).fetchall()
        coverage = store.db.execute("SELECT en_coverage FROM aligned_pairs").fetchone()[0]
    assert summary["sentence_pairs"] == 3 and summary["document_pairs"] == 1
    scores = [r["score"] for r in rows[:3]]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > 0.5
    assert set(json.loads(rows[0]["components"])) == set(FEATURE_NAMES)
    assert "boilerplate" in json.loads(rows[2]["flags"])
    assert rows[3]["score"] is None  # the empty bead is not a sentence pair
    assert coverage == 1.0


@pytest.mark.slow
@pytest.mark.skipif(not NTREX.is_dir(), reason="needs ../shared/evaldata/ntrex128-en-ko")
def test_gold_ntrex_lines_outscore_their_hard_negatives():
    from sklearn.metrics import roc_auc_score

    from aligners.embedding import Encoder
    from aligners.quality import score_candidates, synthetic_training_set

    en = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").split("\n")[17:37]
    ko = (NTREX / "newstest2019-ref.kor.txt").read_text(encoding="utf-8").split("\n")[17:37]
    data = synthetic_training_set([(en, ko)], kinds=HARD_NEGATIVE_KINDS, seed=3)
    scores = [s.score for s in score_candidates(data.candidates, QualityModel.load(), Encoder())]
    assert roc_auc_score(data.labels, scores) >= 0.9


@pytest.mark.slow
def test_pairs_bad_input_is_reported_and_nothing_dropped(tmp_path):
    lines = [
        f"{CLEAN_EN}\t{CLEAN_KO}".encode(),
        b"",
        b"no tab on this line",
        b"one\ttwo\tthree",
        ("x" * 100_000 + "\t가").encode(),
        b"\xff\xfe\x00\x01binary",
        "The talks lasted two hours.\t회담은 2시간 동안 이어졌다.".encode(),
    ]
    source = tmp_path / "pairs.tsv"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "scored.tsv"
    result = CliRunner().invoke(main, ["score", "--pairs", str(source), "-o", str(out)])
    assert result.exit_code == 1, result.output  # some lines failed, as in ingest
    for number in (2, 3, 4, 5, 6):
        assert f"pairs.tsv:{number}:" in result.stderr
    written = out.read_bytes().rstrip(b"\n").split(b"\n")
    assert len(written) == len(lines)
    for number, line in enumerate(written, 1):
        assert line.startswith(lines[number - 1])
        if number in (1, 7):
            assert 0.0 <= float(line.rsplit(b"\t", 1)[1]) <= 1.0
        else:
            assert line.endswith(b"\t0") and b"unscorable:" in line


def test_names_similarity_drops_for_a_swapped_name():
    from aligners.features import names_similarity

    ko = "도널드 트럼프 대통령은 하노이에서 김정은을 만났다."
    real = names_similarity("President Donald Trump met Kim Jong-un in Hanoi.", ko)
    swapped = names_similarity("President Donald Trump met Kim Jong-un in Paris.", ko)
    assert real > 0.8 > 0.5 > swapped
    assert names_similarity("It rained all day.", "하루 종일 비가 왔다.") == 1.0


def test_names_all_found_needs_every_name_matched():
    unit = np.zeros(DIMENSION, dtype=np.float32)
    unit[0] = 1.0
    empty = np.zeros((0, DIMENSION), dtype=np.float32)
    ko = "도널드 트럼프 대통령은 하노이에서 김정은을 만났다."
    real = PairInput("President Donald Trump met Kim Jong-un in Hanoi.", ko)
    swapped = PairInput("President Donald Trump met Kim Jong-un in Paris.", ko)
    assert pair_features(real, unit, unit, empty, empty)["names_all_found"] == 1.0
    assert pair_features(swapped, unit, unit, empty, empty)["names_all_found"] == 0.0


def test_centred_isotonic_keeps_the_levels_and_breaks_the_ties():
    from aligners.quality import centred_isotonic

    x = np.array([-3.0, -1.0, -0.5, 0.5, 1.0, 2.0, 4.0])
    y = np.array([0.0, 0.0, 0.4, 0.4, 0.9, 0.9, 0.9])
    cx, cy = centred_isotonic(x, y)
    assert set(cy.tolist()) == {0.0, 0.4, 0.9}
    assert np.all(np.diff(cx) >= 0) and np.all(np.diff(cy) >= 0)
    # inside a step the score now rises with the decision value
    inside = np.interp([-0.4, 0.4], cx, cy)
    assert inside[0] < inside[1]
    assert np.interp(0.0, cx, cy) == pytest.approx(0.4)


def test_english_scale_words_match_korean_units():
    from aligners.features import number_agreement

    assert number_agreement(
        "The firm lost 2.5 million dollars.", "회사는 250만 달러를 잃었다."
    ) == (
        1.0,
        0,
    )
    assert number_agreement("Two people died.", "2명이 숨졌다.") == (1.0, 0)
    assert number_agreement("It sold for £125m.", "1억 2500만 파운드에 팔렸다.") == (1.0, 0)
    assert number_agreement("It happened at 19:30 BST.", "오후 7시 30분에 일어났다.") == (1.0, 0)
    assert number_agreement("He came at 4.40 am.", "그는 오전 4시 40분에 왔다.") == (1.0, 0)
    assert number_agreement("In June, it rained.", "6월에 비가 왔다.") == (1.0, 0)
    assert number_agreement("It grew 3.25%.", "3.5% 성장했다.")[1] == 2
    pint = ("A pint at 5.30pm on a Saturday", "토요일 오후 5.30에 파인트 한 잔")
    assert number_agreement(*pint) == (1.0, 0)
    assert number_agreement("Two decades of crashes.", "20년 동안의 추락") == (1.0, 0)
    assert number_agreement("It has been a decade.", "20년이 됐다.")[1] == 1
    assert number_agreement("Three people died.", "2명이 숨졌다.")[1] > 0


def test_synthetic_negatives_are_the_promised_corruptions():
    from aligners.quality import NEGATIVE_KINDS, class_weights, synthetic_training_set

    en = [f"Minister Park Jin said {n} ships left Busan on day {n}." for n in range(1, 6)]
    ko = [f"박진 장관은 {n}일 부산에서 배 {n}척이 떠났다고 말했다." for n in range(1, 6)]
    other = (["Officials in Lagos counted 40 boats."] * 2, ["라고스 당국은 배 40척을 셌다."] * 2)
    data = synthetic_training_set([(en, ko), other], seed=0)
    by_kind = {}
    for candidate, label, kind in zip(data.candidates, data.labels, data.kinds, strict=True):
        assert label == (kind == "gold")
        by_kind.setdefault(kind, []).append(candidate.pair)
    assert set(by_kind) == {"gold", *NEGATIVE_KINDS}
    assert all(p.en == p.ko for p in by_kind["untranslated"])
    first_truncated = by_kind["truncate"][0]
    assert len(first_truncated.en) < len(en[0]) or len(first_truncated.ko) < len(ko[0])
    assert all(p.en not in en or p.ko not in ko for p in by_kind["number"])
    merged = [p for p in by_kind["merge"] if p.en_sentences + p.ko_sentences == 3]
    assert len(merged) == len(by_kind["merge"]) > 0
    weights = class_weights(data.labels, data.kinds)
    gold = np.array(data.kinds) == "gold"
    assert weights[~gold].sum() == pytest.approx(weights[gold].sum())


@pytest.mark.slow
def test_train_on_a_store_then_score_it_with_that_model(tmp_path):
    documents = [
        (
            [f"Minister Park said {n + d} ships left Busan on day {n}." for n in range(1, 31)],
            [f"박 장관은 {n}일 배 {n + d}척이 부산을 떠났다고 말했다." for n in range(1, 31)],
        )
        for d in (100, 200)
    ]
    store_path = tmp_path / "s.sqlite"
    _store_with_aligned_documents(store_path, documents).close()
    model_path = tmp_path / "mine.json"
    runner = CliRunner()
    trained = runner.invoke(
        main, ["score", "--train", "--store", str(store_path), "-o", str(model_path)]
    )
    assert trained.exit_code == 0, trained.output
    assert QualityModel.load(model_path).metadata["name"] == "store:s.sqlite"
    scored = runner.invoke(main, ["score", "--store", str(store_path), "--model", str(model_path)])
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.stdout)["sentence_pairs"] == 60


def test_train_refuses_a_store_without_enough_confident_pairs(tmp_path):
    store_path = tmp_path / "s.sqlite"
    _store_with_one_aligned_document(store_path).close()
    result = CliRunner().invoke(
        main, ["score", "--train", "--store", str(store_path), "-o", str(tmp_path / "m.json")]
    )
    assert result.exit_code == 1
    assert "confident aligned pairs" in result.output


def test_a_headline_is_not_punished_for_ending_without_punctuation():
    unit = np.zeros(512, dtype=np.float32)
    unit[0] = 1.0
    empty = np.zeros((0, 512), dtype=np.float32)
    english, korean = "Welsh AMs worried about 'looking like muppets'", "웨일스 의원들은 걱정했다"
    as_sentence = pair_features(PairInput(english, korean), unit, unit, empty, empty)
    as_headline = pair_features(PairInput(english, korean, heading=True), unit, unit, empty, empty)
    assert as_sentence["end_mismatch"] == 1.0
    assert as_headline["end_mismatch"] == 0.0


def test_sentence_parts_split_texts_without_a_bead():
    from aligners.quality import sentence_parts, text_candidate

    assert sentence_parts('He left. "Why?" she asked.  Done') == (
        "He left.",
        '"Why?"',
        "she asked.",
        "Done",
    )
    assert sentence_parts("3.5% rose") == ("3.5% rose",)
    two = text_candidate("He left. She stayed.", "그는 떠났다.")
    assert (two.pair.en_sentences, two.pair.ko_sentences) == (2, 1)
    assert two.pair.en_parts == ("He left.", "She stayed.") and two.pair.ko_parts == ()


def test_edge_gain_is_how_much_better_a_side_matches_without_an_edge_sentence():
    axes = np.eye(3, dtype=np.float32)
    pair = PairInput("A. B.", "가.", en_sentences=2)
    half = (axes[0] + axes[1]) / np.sqrt(2)
    empty = np.zeros((0, 3), dtype=np.float32)
    # the English matches the Korean fully once its second sentence is dropped
    unsupported = pair_features(pair, half, axes[0], empty, empty, en_rest_vectors=axes[[1, 0]])
    assert unsupported["edge_gain"] == pytest.approx(1 - half @ axes[0])
    # a true merge: each sentence alone says less than both together
    needed = pair_features(pair, half, half, empty, empty, en_rest_vectors=axes[[1, 0]])
    assert needed["edge_gain"] == pytest.approx(half @ axes[0] - 1) and needed["edge_gain"] < 0
    assert pair_features(PairInput("A.", "가."), axes[0], axes[0], empty, empty)["edge_gain"] == 0


def test_edge_length_gain_is_how_much_likelier_the_lengths_are_without_an_edge_sentence():
    from aligners.features import edge_length_gain
    from aligners.length import length_log_probability

    first, second = "He said the vote would be held on Monday.", "Why?"
    ko = "그는 투표가 월요일에 열린다고 말했다"  # about 0.54 of the first sentence's length
    whole = f"{first} {second}"
    merged = PairInput(whole, ko, en_sentences=2, en_parts=(first, second))
    logprob = float(length_log_probability(len(whole), len(ko), 0.54))
    without = float(length_log_probability(len(first), len(ko), 0.54))
    assert without > logprob
    assert edge_length_gain(merged, 0.54, logprob) == pytest.approx(without - logprob)
    # a true merge: the Korean is as long as both sentences, so dropping one fits worse
    both = PairInput(whole, ko + " 왜냐고", en_sentences=2, en_parts=(first, second))
    both_logprob = float(length_log_probability(len(whole), len(both.ko), 0.54))
    assert edge_length_gain(both, 0.54, both_logprob) == 0.0
    assert edge_length_gain(PairInput(first, ko), 0.54, without) == 0.0


def test_a_merge_negative_drops_the_extra_line_from_the_other_sides_rivals():
    import random

    from aligners.quality import _merged_with_neighbour

    en = ["Head", "E1.", "E2.", "E3."]
    ko = ["제목", "K1.", "K2.", "K3."]
    seen = set()
    for seed in range(40):
        c = _merged_with_neighbour(en, ko, 2, random.Random(seed))
        if c.pair.en_sentences == 2:
            assert c.pair.en in ("E1. E2.", "E2. E3.") and c.pair.ko == "K2."
            j = 1 if c.pair.en == "E1. E2." else 3
            assert ko[j] not in c.ko_context and c.pair.en_parts == tuple(c.pair.en.split(" "))
        else:
            assert c.pair.ko in ("K1. K2.", "K2. K3.") and c.pair.en == "E2."
            j = 1 if c.pair.ko == "K1. K2." else 3
            assert en[j] not in c.en_context and c.pair.ko_parts == tuple(c.pair.ko.split(" "))
        seen.add(c.pair.en_sentences)
    assert seen == {1, 2}


def test_store_candidates_carry_the_sentences_of_a_merged_bead():
    from aligners.quality import BeadIds, document_candidates

    en = {0: "A one.", 1: "A two.", 2: "B."}
    ko = {0: "가.", 1: "나."}
    merged, single = document_candidates(en, ko, [BeadIds(0, (0, 1), (0,)), BeadIds(1, (2,), (1,))])
    assert merged.pair.en_parts == ("A one.", "A two.") and merged.pair.ko_parts == ()
    assert single.pair.en_parts == single.pair.ko_parts == ()


@pytest.mark.slow
def test_a_sentence_the_korean_lacks_lowers_a_merged_beads_score():
    from aligners.embedding import Encoder
    from aligners.quality import BeadIds, document_candidates, score_candidates

    en = {
        0: "ABC was second with 3.26 million viewers.",
        1: "CBS had 3.1 million, NBC had 2.94 million and CNN had 2.52 million, Nielsen said.",
    }
    ko = {0: "닐슨은 CBS가 310만 명, NBC가 294만 명, CNN이 252만 명을 기록했다고 밝혔다."}
    merged, right = score_candidates(
        document_candidates(en, ko, [BeadIds(0, (0, 1), (0,))])
        + document_candidates(en, ko, [BeadIds(0, (1,), (0,))]),
        QualityModel.load(),
        Encoder(),
    )
    assert merged.components["edge_gain"] > 0
    assert right.score > 0.9 and merged.score < right.score - 0.3


def test_a_korean_acronym_of_english_capitalised_words_is_not_a_missing_name():
    from aligners.features import acronyms, name_agreement

    en = "Data from the Aviation Safety Network show it, the Federal Bureau of Investigation said."
    assert {"asn", "fbi"} <= acronyms(en)
    assert (
        name_agreement(en, "항공안전네트워크(ASN) 자료에 따르면 연방수사국(FBI)이 밝혔다")[1] == 0
    )
    assert name_agreement(en, "항공안전네트워크(ICAO) 자료")[1] == 1


def test_real_aligner_beads_get_a_fixed_share_of_the_training_mass():
    from aligners.quality import ALIGNED_SHARE, class_weights

    kinds = ["gold"] * 4 + ["shift"] * 2 + ["name"] * 4 + ["aligned"] * 10 + ["misaligned"] * 2
    labels = [int(k in ("gold", "aligned")) for k in kinds]
    weights = class_weights(labels, kinds)
    mass = {k: weights[[n for n, kind in enumerate(kinds) if kind == k]].sum() for k in set(kinds)}
    assert mass["gold"] == pytest.approx(4) and mass["shift"] == mass["name"] == pytest.approx(2)
    assert mass["aligned"] == pytest.approx(ALIGNED_SHARE * 4) == mass["misaligned"]


def test_unmatched_names_are_the_names_the_korean_does_not_spell():
    from aligners.features import english_names, name_similarities, unmatched_names

    ko = "도널드 트럼프 대통령은 하노이에서 김정은을 만났다."
    real = name_similarities("President Donald Trump met Kim Jong-un in Hanoi.", ko)
    swapped = name_similarities("President Donald Trump met Kim Jong-un in Paris.", ko)
    assert unmatched_names(real) == ()
    assert unmatched_names(swapped) == ("Paris",)
    # one key per name, spelled as first written without a possessive
    assert english_names("He met Trump's aide and TRUMP.") == {"trump": "Trump"}


def test_names_cosine_is_the_worst_unmatched_name_against_the_korean_side():
    axes = np.eye(3, dtype=np.float32)
    empty = np.zeros((0, 3), dtype=np.float32)
    pair = PairInput("He met Paris and Rome.", "그는 만났다.")
    names = np.array([axes[0], (axes[0] + axes[1]) / np.sqrt(2)])
    row = pair_features(pair, axes[0], axes[0], empty, empty, unmatched_name_vectors=names)
    assert row["names_cosine"] == pytest.approx(1 / np.sqrt(2))
    assert pair_features(pair, axes[0], axes[0], empty, empty)["names_cosine"] == 1.0


@pytest.mark.slow
def test_a_name_the_korean_translates_is_closer_to_it_than_a_swapped_one():
    """The encoder knows names and words that the spelling match cannot find: the
    Korean side's 보건부 (Health) lies nearer the name "Health" than a swapped-in name."""
    from aligners.embedding import Encoder
    from aligners.quality import candidate_features, text_candidate

    ko = "보건부 장관은 NHS 스코틀랜드의 EU 작업자에게 감사의 마음을 전했다."
    real = text_candidate("The Health Secretary thanked EU workers in NHS Scotland.", ko)
    swapped = text_candidate("The Ferrari Secretary thanked EU workers in NHS Scotland.", ko)
    rows = candidate_features([real, swapped], Encoder())
    assert rows[0]["names_cosine"] > rows[1]["names_cosine"]
    assert rows[1]["names_cosine"] < 1.0


def test_at_most_a_few_unmatched_names_are_embedded_the_worst_matched_first():
    from aligners.features import MAX_EMBEDDED_NAMES, name_similarities, unmatched_names

    en = "They met " + " and ".join(f"Zorb{chr(97 + n)}qux" for n in range(26)) + "."
    ko = "그들은 만났다."
    names = unmatched_names(name_similarities(en, ko))
    assert len(names) == MAX_EMBEDDED_NAMES
    similarity = dict(name_similarities(en, ko))
    assert sorted(similarity.values())[:MAX_EMBEDDED_NAMES] == [similarity[n] for n in names]


def test_each_candidate_gets_the_vectors_of_its_own_unmatched_names():
    from aligners.quality import candidate_features, candidate_texts, text_candidate

    class AxisEncoder:
        """One axis per distinct text, so a cosine says which texts were compared."""

        def __init__(self):
            self.axes: dict[str, int] = {}

        def encode(self, texts):
            vectors = np.zeros((len(texts), 64), dtype=np.float32)
            for row, text in enumerate(texts):
                vectors[row, self.axes.setdefault(text, len(self.axes))] = 1.0
            return vectors

    ko = "그는 만났다."
    paris = text_candidate("He met Paris.", ko)
    plain = text_candidate("He met her.", ko)
    assert "Paris" in list(candidate_texts([paris, plain]))
    with_name, without = candidate_features([paris, plain], AxisEncoder())
    assert with_name["names_cosine"] == 0.0  # "Paris" embedded apart from the Korean
    assert without["names_cosine"] == 1.0


@pytest.mark.parametrize("control", ["\x08", "\x1b", "\x01", "\x0e", "\x7f\x08"])
def test_a_control_character_in_real_text_is_cleaned_and_the_line_scored(control):
    """Scraped text carries stray controls (U+0008 in public test sets); they used to make
    the line 'not UTF-8 text (binary data?)', scored 0."""
    raw = f"Prices rose{control} 3.5% in January.\t1월 물가는{control} 3.5% 올랐다.".encode()
    line = parse_pair_line(1, raw)
    assert line.problem is None
    assert "\x08" not in line.en + line.ko and "\x01" not in line.en + line.ko
    assert line.en.startswith("Prices rose") and line.ko.startswith("1월 물가는")


@pytest.mark.parametrize(
    "raw", [b"text\x00with nul\tko", b"\x00\x01\x02\x03\t\x04\x05", b"\xff\xd8"]
)
def test_binary_data_is_still_refused(raw):
    assert parse_pair_line(1, raw).problem == "binary"


@pytest.mark.slow
def test_score_pairs_scores_lines_with_control_characters(tmp_path):
    source = tmp_path / "pairs.tsv"
    source.write_text(f"{CLEAN_EN}\b\t{CLEAN_KO}\b\n{CLEAN_EN}\t{CLEAN_KO}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "--pairs", str(source)])
    assert result.exit_code == 0, result.output
    with_control, clean = result.stdout.rstrip("\n").split("\n")
    assert with_control.startswith(f"{CLEAN_EN}\b\t{CLEAN_KO}\b\t")  # written back as it came
    assert with_control.rsplit("\t", 1)[1] == clean.rsplit("\t", 1)[1] != "0"
