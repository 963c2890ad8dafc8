"""Align every paired document in the store, resumably, on one or more processes.

The unit of work is one document pair: its beads, its coverage row and the embeddings
computed for it are written in ONE transaction, so a killed run leaves only complete
pairs and a rerun aligns exactly the pairs that have no ``aligned_pairs`` row yet.

With ``workers > 1`` a process pool aligns pairs while this process stays the store's
only writer: workers read the embedding cache through their own read-only connection and
hand newly computed vectors back with the beads. Results are keyed by pair id and each
pair is aligned independently, so the store ends up the same whatever the worker count.

With a Dask ``client`` the pairs run as tasks on an existing Dask distributed cluster
instead (see aligners/parallel.py), with the same rule: tasks get pure data (sentences
and language codes) and hand back beads and new vectors, and only this process writes,
through the same ``_record``. Workers need Dari installed; they do not see the store, so
they encode what they need (each worker thread keeps its aligner, and so its in-memory
vectors, between tasks).
"""

from __future__ import annotations

import inspect
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aligners.base import ALIGNERS, Aligner, Bead, coverage, get_aligner
from aligners.embedding import Encoder
from aligners.parallel import HeldWrites, run_tasks
from corpus.store import Store

if TYPE_CHECKING:
    from distributed import Client

# A Korean original of which the English edition links under half the sentences is a
# partial translation (a digest or a rewrite): its pairs are still exported, but the
# flag lets a corpus builder leave such documents out.
PARTIAL_TRANSLATION = "partial_translation"
PARTIAL_COVERAGE = 0.5
# Flags of a whole document pair; an export reads them as flags of each of its pairs.
DOCUMENT_FLAG_NAMES: tuple[str, ...] = (PARTIAL_TRANSLATION,)

Progress = Callable[[int, int], None]
Report = Callable[[str], None]


@dataclass(frozen=True)
class PairJob:
    """Everything a worker needs to align one document pair, and nothing from the store."""

    pair_id: int
    label: str
    en_lang: str
    ko_lang: str
    en_ids: tuple[int, ...]
    en_texts: tuple[str, ...]
    ko_ids: tuple[int, ...]
    ko_texts: tuple[str, ...]


@dataclass
class PairResult:
    pair_id: int
    en_ids: tuple[int, ...] = ()
    ko_ids: tuple[int, ...] = ()
    beads: list[Bead] = field(default_factory=list)
    error: str | None = None
    # (sql, rows) the worker's encoder wanted to write to the embedding cache.
    cache_writes: list[tuple[str, list[tuple[Any, ...]]]] = field(default_factory=list)


@dataclass
class AlignSummary:
    aligner: str
    pending: int = 0
    aligned: int = 0
    failed: int = 0
    partial: int = 0
    beads_by_type: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "aligner": self.aligner,
            "pending": self.pending,
            "aligned": self.aligned,
            "failed": self.failed,
            "partial_translations": self.partial,
            "beads_by_type": dict(sorted(self.beads_by_type.items())),
            "errors": list(self.errors),
        }


def align_pending(
    store: Store,
    *,
    aligner: str = "dari",
    workers: int = 1,
    redo: bool = False,
    progress: Progress | None = None,
    report: Report | None = None,
    encoder: Encoder | None = None,
    client: Client | None = None,
) -> AlignSummary:
    """Align the paired documents that have no alignment yet (all of them with ``redo``).

    ``progress(done, total)`` is called after each pair; ``report`` gets one line per pair
    that failed (default: stderr), and the run goes on with the others. ``client`` (a
    connected ``distributed.Client``) aligns on that cluster and ignores ``workers``.
    """
    if aligner not in ALIGNERS:
        get_aligner(aligner)  # raises a ValueError naming the known aligners
    report = report or _print_error
    pair_ids = pending_pairs(store, redo)
    summary = AlignSummary(aligner, pending=len(pair_ids))
    if progress:
        progress(0, len(pair_ids))
    jobs = (load_job(store, pair_id) for pair_id in pair_ids)
    results = run_tasks(
        jobs,
        _align_task,
        local=lambda: _AlignerState(_build_aligner(aligner, encoder or Encoder(db=store.db))),
        remote=_remote_aligner,
        remote_args=(aligner,),
        workers=min(workers, len(pair_ids)),
        store_path=store.path,
        client=client,
    )
    for done, result in enumerate(results, start=1):
        _record(store, result, aligner, summary, report)
        if progress:
            progress(done, len(pair_ids))
    return summary


def pending_pairs(store: Store, redo: bool = False) -> list[int]:
    """Ids of pairs with a Korean document that still need aligning, in id order."""
    query = "SELECT p.id FROM pairs AS p WHERE p.ko_doc IS NOT NULL"
    if not redo:
        query += " AND NOT EXISTS (SELECT 1 FROM aligned_pairs AS a WHERE a.pair_id = p.id)"
    return [row[0] for row in store.db.execute(query + " ORDER BY p.id")]


def load_job(store: Store, pair_id: int) -> PairJob:
    row = store.db.execute(
        "SELECT p.en_doc, p.ko_doc, de.lang AS en_lang, dk.lang AS ko_lang, "
        "de.article_id AS en_article, dk.article_id AS ko_article "
        "FROM pairs AS p JOIN documents AS de ON de.id = p.en_doc "
        "JOIN documents AS dk ON dk.id = p.ko_doc WHERE p.id = ?",
        (pair_id,),
    ).fetchone()
    en = store.sentences(row["en_doc"])
    ko = store.sentences(row["ko_doc"])
    return PairJob(
        pair_id=pair_id,
        label=f"pair {pair_id} ({row['en_article']} / {row['ko_article']})",
        en_lang=row["en_lang"],
        ko_lang=row["ko_lang"],
        en_ids=tuple(s.idx for s in en),
        en_texts=tuple(s.text for s in en),
        ko_ids=tuple(s.idx for s in ko),
        ko_texts=tuple(s.text for s in ko),
    )


def align_job(job: PairJob, aligner: Aligner) -> PairResult:
    """Align one pair, English as the source; a crash becomes the result's error line."""
    try:
        beads = aligner.align(job.en_texts, job.ko_texts, job.en_lang, job.ko_lang)
    except Exception as exc:
        message = " ".join(str(exc).split())
        return PairResult(job.pair_id, error=f"{job.label}: {type(exc).__name__}: {message}")
    return PairResult(job.pair_id, job.en_ids, job.ko_ids, beads)


def pair_flags(en_coverage: float, ko_coverage: float) -> list[str]:
    """Flags of a whole document pair; see PARTIAL_COVERAGE."""
    return [PARTIAL_TRANSLATION] if ko_coverage < PARTIAL_COVERAGE else []


def _record(
    store: Store, result: PairResult, aligner: str, summary: AlignSummary, report: Report
) -> None:
    if result.error is not None:
        summary.failed += 1
        summary.errors.append(result.error)
        report(result.error)
        return
    flags = write_pair(store, result, aligner)
    summary.aligned += 1
    summary.partial += PARTIAL_TRANSLATION in flags
    summary.beads_by_type.update(bead.kind for bead in result.beads)


def write_pair(store: Store, result: PairResult, aligner: str) -> list[str]:
    """Replace the pair's beads and coverage row in one transaction; return its flags.

    Bead ids in ``result`` are positions in the sentence lists; the store keeps sentence
    ``idx`` values, which is what exports join on.
    """
    en_ids, ko_ids = result.en_ids, result.ko_ids
    en_cov, ko_cov = coverage(result.beads, len(en_ids), len(ko_ids))
    flags = pair_flags(en_cov, ko_cov)
    with store.transaction() as db:
        for sql, rows in result.cache_writes:
            db.executemany(sql, rows)
        db.execute("DELETE FROM alignments WHERE pair_id = ?", (result.pair_id,))
        db.executemany(
            "INSERT INTO alignments (pair_id, bead, en_ids, ko_ids, score, components, flags) "
            "VALUES (?, ?, ?, ?, ?, ?, '[]')",
            (
                (
                    result.pair_id,
                    number,
                    json.dumps([en_ids[i] for i in bead.src]),
                    json.dumps([ko_ids[j] for j in bead.tgt]),
                    float(bead.score),
                    json.dumps({k: float(v) for k, v in bead.components.items()}),
                )
                for number, bead in enumerate(result.beads)
            ),
        )
        db.execute(
            "INSERT OR REPLACE INTO aligned_pairs "
            "(pair_id, aligner, en_coverage, ko_coverage, flags) VALUES (?, ?, ?, ?, ?)",
            (result.pair_id, aligner, en_cov, ko_cov, json.dumps(flags)),
        )
    return flags


def _build_aligner(name: str, encoder: Encoder) -> Aligner:
    """Give the aligner the shared encoder when it takes one (embedding aligners do)."""
    import aligners.registry  # noqa: F401  (registers every method)

    accepts = "encoder" in inspect.signature(ALIGNERS[name]).parameters
    return get_aligner(name, encoder=encoder) if accepts else get_aligner(name)


def _print_error(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# -- workers -----------------------------------------------------------------------------


@dataclass
class _AlignerState:
    """What a worker keeps between pairs: the aligner (with its encoder's vectors) and,
    away from the store, the embedding-cache writes to hand back with each pair."""

    aligner: Aligner
    cache: HeldWrites | None = None


def _remote_aligner(store_path: Path | None, name: str) -> _AlignerState:
    cache = HeldWrites(store_path)
    return _AlignerState(_build_aligner(name, Encoder(db=cache)), cache)  # type: ignore[arg-type]


def _align_task(state: _AlignerState, job: PairJob) -> PairResult:
    result = align_job(job, state.aligner)
    if state.cache is not None:
        result.cache_writes = state.cache.take_writes()
    return result
