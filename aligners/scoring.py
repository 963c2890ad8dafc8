"""Score the store's aligned sentence pairs (``dari score``, the score stage of ``dari run``),
and retrain the quality model on the store's confident alignments (``dari score --train``).

One job per document pair. This process, the store's only writer, reads the pair's link
beads and sentences and builds the candidates; the ``duplicate`` flag needs every earlier
pair, so it is decided here, in pair order, as the jobs are made. The features and the
calibrated score are computed by a task: here, in a process pool (``workers``) or on a
Dask cluster, each worker with its own copy of the model and encoder. Results come back
in pair order and each document pair is written in one transaction, so a killed run
keeps whole pairs and a rerun (``rescore=False``) scores the rest; the scores are the
same whatever runs them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aligners.embedding import Encoder
from aligners.features import FLAG_NAMES, pair_flags
from aligners.parallel import CacheWrites, HeldWrites, run_tasks
from aligners.quality import (
    BeadIds,
    Candidate,
    Document,
    QualityModel,
    QualityModelError,
    Scored,
    bead_texts,
    candidate_features,
    document_candidates,
    duplicate_key,
    score_candidates,
    train_on_documents,
)

if TYPE_CHECKING:
    from distributed import Client

    from corpus.store import Store


@dataclass
class ScoreSummary:
    document_pairs: int = 0
    sentence_pairs: int = 0
    flags: Counter = field(default_factory=Counter)
    score_sum: float = 0.0
    above_half: int = 0
    model: str = ""

    def add(self, scored: Scored) -> None:
        self.sentence_pairs += 1
        self.score_sum += scored.score
        self.above_half += scored.score >= 0.5
        self.flags.update(scored.flags)

    def as_dict(self) -> dict[str, object]:
        return {
            "document_pairs": self.document_pairs,
            "sentence_pairs": self.sentence_pairs,
            "mean_score": round(self.score_sum / self.sentence_pairs, 4)
            if self.sentence_pairs
            else None,
            "at_least_0.5": self.above_half,
            "flags": {name: self.flags[name] for name in FLAG_NAMES if self.flags[name]},
            "model": self.model,
        }


@dataclass(frozen=True)
class ScoreJob:
    """One document pair's link beads as pure data: what a worker needs, nothing more."""

    pair_id: int
    beads: tuple[int, ...]
    candidates: tuple[Candidate, ...]


@dataclass
class ScoreResult:
    pair_id: int
    beads: tuple[int, ...]
    scored: list[Scored]
    # (sql, rows) the worker's encoder wanted to write to the embedding cache.
    cache_writes: CacheWrites = field(default_factory=list)


def score_store(
    store: Store,
    *,
    model: QualityModel | None = None,
    rescore: bool = True,
    workers: int = 1,
    client: Client | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScoreSummary:
    """Score the aligned sentence pairs in the store, one document pair per commit.

    Writes ``score`` (probability of mutual translation), ``components`` (the features)
    and ``flags`` of each link bead; 1-0 / 0-1 beads and aligned_pairs are left as they
    are. ``rescore=False`` scores only document pairs not scored yet (what ``dari run``
    does on a rerun); the ``duplicate`` flag still sees the pairs scored before.
    ``client`` (a connected ``distributed.Client``) scores on that cluster.
    """
    model = model or QualityModel.load()
    summary = ScoreSummary(model=str(model.metadata.get("name", "custom")))
    seen: set[bytes] = set()
    if not rescore:
        for pair_id, en_doc, ko_doc in _aligned_document_pairs(store, scored=True):
            seen.update(_bead_keys(store, pair_id, en_doc, ko_doc))
    pending = _aligned_document_pairs(store, scored=None if rescore else False)
    if progress:
        progress(0, len(pending))
    jobs = (_score_job(store, pair, seen) for pair in pending)
    results = run_tasks(
        jobs,
        _score_task,
        local=lambda: _ScorerState(model, Encoder(store.db)),
        remote=_remote_scorer,
        remote_args=(json.dumps(model.to_dict()),),
        workers=min(workers, len(pending)),
        store_path=store.path,
        client=client,
    )
    for done, result in enumerate(results, start=1):
        _write(store, result, summary.model)
        summary.document_pairs += 1
        for scored in result.scored:
            summary.add(scored)
        if progress:
            progress(done, len(pending))
    return summary


def _score_job(store: Store, pair: tuple[int, int, int], seen: set[bytes]) -> ScoreJob:
    pair_id, en_doc, ko_doc = pair
    beads = _link_beads(store, pair_id)
    candidates = document_candidates(
        _sentence_texts(store, en_doc),
        _sentence_texts(store, ko_doc),
        beads,
        seen,
        _heading_ids(store, en_doc),
    )
    return ScoreJob(pair_id, tuple(b.bead for b in beads), tuple(candidates))


def _write(store: Store, result: ScoreResult, model_name: str) -> None:
    with store.transaction() as db:
        for sql, rows in result.cache_writes:
            db.executemany(sql, rows)
        db.executemany(
            "UPDATE alignments SET score = ?, components = ?, flags = ?, scored_by = ? "
            "WHERE pair_id = ? AND bead = ?",
            (
                (
                    s.score,
                    json.dumps(s.components),
                    json.dumps(s.flags),
                    model_name,
                    result.pair_id,
                    bead,
                )
                for s, bead in zip(result.scored, result.beads, strict=True)
            ),
        )


# -- retraining on the store -------------------------------------------------------------

# Store retraining takes a bead as a confident positive when its document pair is mostly
# aligned and the bead's own evidence agrees: beaten by no neighbour, no rule flag.
CONFIDENT_COVERAGE = 0.8
MIN_STORE_POSITIVES = 50


def confident_store_documents(store: Store, encoder: Encoder) -> list[Document]:
    """The store's confident 1-1 alignments as line-parallel documents (bead order)."""
    documents = []
    rows = store.db.execute(
        "SELECT p.id, p.en_doc, p.ko_doc FROM pairs p JOIN aligned_pairs ap ON ap.pair_id = p.id "
        "WHERE p.ko_doc IS NOT NULL AND ap.en_coverage >= ? AND ap.ko_coverage >= ? ORDER BY p.id",
        (CONFIDENT_COVERAGE, CONFIDENT_COVERAGE),
    )
    for pair_id, en_doc, ko_doc in [tuple(r) for r in rows]:
        beads = _link_beads(store, pair_id)
        candidates = document_candidates(
            _sentence_texts(store, en_doc), _sentence_texts(store, ko_doc), beads
        )
        features = candidate_features(candidates, encoder)
        kept = [
            c.pair
            for c, f in zip(candidates, features, strict=True)
            if f["margin"] > 0 and not pair_flags(c.pair, f, c.duplicate)
        ]
        if len(kept) >= 2:
            documents.append(([p.en for p in kept], [p.ko for p in kept]))
    return documents


def train_on_store(store: Store, report: Callable[[str], None] = lambda _: None) -> QualityModel:
    encoder = Encoder(store.db)
    documents = confident_store_documents(store, encoder)
    positives = sum(len(en) for en, _ in documents)
    if positives < MIN_STORE_POSITIVES or len(documents) < 2:
        raise QualityModelError(
            f"{store.path}: only {positives} confident aligned pairs in {len(documents)} "
            f"document pairs; need at least {MIN_STORE_POSITIVES} in 2 (align more first)"
        )
    return train_on_documents(
        documents, encoder, {"name": f"store:{Path(store.path).name}"}, report=report
    )


# -- workers -----------------------------------------------------------------------------


@dataclass
class _ScorerState:
    model: QualityModel
    encoder: Encoder
    cache: HeldWrites | None = None


def _remote_scorer(store_path: Path | None, model_json: str) -> _ScorerState:
    cache = HeldWrites(store_path)
    model = QualityModel.from_dict(json.loads(model_json), "quality model")
    return _ScorerState(model, Encoder(db=cache), cache)  # type: ignore[arg-type]


def _score_task(state: _ScorerState, job: ScoreJob) -> ScoreResult:
    scored = score_candidates(list(job.candidates), state.model, state.encoder)
    writes = state.cache.take_writes() if state.cache is not None else []
    return ScoreResult(job.pair_id, job.beads, scored, writes)


# -- reading the store -------------------------------------------------------------------


def _aligned_document_pairs(store: Store, scored: bool | None = None) -> list[tuple[int, int, int]]:
    """Document pairs with link beads: all of them, or only those whose beads are
    (``scored=True``) or are not yet (``scored=False``) scored."""
    condition = {
        None: "",
        True: " AND a.scored_by IS NOT NULL",
        False: " AND a.scored_by IS NULL",
    }
    rows = store.db.execute(
        "SELECT DISTINCT p.id, p.en_doc, p.ko_doc FROM pairs p "
        "JOIN alignments a ON a.pair_id = p.id WHERE p.ko_doc IS NOT NULL "
        "AND a.en_ids != '[]' AND a.ko_ids != '[]'" + condition[scored] + " ORDER BY p.id"
    )
    return [tuple(row) for row in rows]


def _link_beads(store: Store, pair_id: int) -> list[BeadIds]:
    beads = []
    for row in store.db.execute(
        "SELECT bead, en_ids, ko_ids FROM alignments WHERE pair_id = ? ORDER BY bead", (pair_id,)
    ):
        try:
            en_ids, ko_ids = json.loads(row["en_ids"]), json.loads(row["ko_ids"])
        except (TypeError, json.JSONDecodeError):
            continue
        if en_ids and ko_ids:
            beads.append(BeadIds(row["bead"], tuple(en_ids), tuple(ko_ids)))
    return beads


def _sentence_texts(store: Store, doc_id: int) -> dict[int, str]:
    return {s.idx: s.text for s in store.sentences(doc_id)}


def _heading_ids(store: Store, doc_id: int) -> frozenset[int]:
    rows = store.db.execute(
        "SELECT idx FROM sentences WHERE doc_id = ? AND kind = 'heading'", (doc_id,)
    )
    return frozenset(row[0] for row in rows)


def _bead_keys(store: Store, pair_id: int, en_doc: int, ko_doc: int) -> list[bytes]:
    en, ko = _sentence_texts(store, en_doc), _sentence_texts(store, ko_doc)
    return [duplicate_key(*bead_texts(en, ko, b)) for b in _link_beads(store, pair_id)]
