"""The encoder: cached, normalised, and the same vectors however many processes run it."""

import numpy as np

from aligners.embedding import PARALLEL_MIN_STRINGS, Encoder, default_processes
from corpus.store import Store

LINES = [
    f"Line number {n} of a news article about the budget." for n in range(PARALLEL_MIN_STRINGS + 6)
]


def test_vectors_are_normalised_and_each_string_is_encoded_once():
    encoder = Encoder(processes=1)
    vectors = encoder.encode(["Hello world.", "Hello world.", "안녕하세요."])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors[0], vectors[1])
    assert encoder.encoded == 2
    assert encoder.encode([]).shape == (0, 512)
    assert not encoder.encode([" "]).any()  # blank strings get a zero vector, not noise


def test_two_processes_give_the_same_vectors_as_one():
    one = Encoder(processes=1).encode(LINES)
    two = Encoder(processes=2).encode(LINES)
    assert np.allclose(one, two, atol=1e-5)


def test_vectors_are_cached_in_the_store(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        first = Encoder(db=store.db, processes=1)
        vector = first.encode(["The budget passed."])
        again = Encoder(db=store.db, processes=1)
        assert np.array_equal(again.encode(["The budget passed."]), vector)
        assert again.encoded == 0


def test_memory_is_bounded_and_a_batch_larger_than_the_bound_still_comes_back_whole(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        encoder = Encoder(db=store.db, processes=1, memory_vectors=5)
        vectors = encoder.encode(LINES[:12])
        assert vectors.shape == (12, 512) and len(encoder._memory) == 5
        # the forgotten ones come back from the store, not from the model
        again = encoder.encode(LINES[:12])
        assert np.array_equal(again, vectors) and encoder.encoded == 12


def test_process_count_can_be_configured(monkeypatch):
    monkeypatch.setenv("DARI_ENCODER_PROCESSES", "3")
    assert default_processes() == 3
    monkeypatch.delenv("DARI_ENCODER_PROCESSES")
    assert default_processes() >= 1


def test_covers_reads_any_spelling_of_a_language_tag():
    from aligners.embedding import covers

    assert covers("ko-KR") and covers(" EN_us ") and covers("")
    assert not covers("is") and not covers("IS-is")
