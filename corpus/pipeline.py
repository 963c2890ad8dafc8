"""``dari run``: ingest -> pair -> align -> score -> export in one resumable command.

Every stage is incremental and commits per unit of work (an article, a document pair), so
a rerun with new files does only the new work and a killed run loses at most the unit it
was in. Two runs must not work on one store at once (both would align the same pending
pairs), so a run holds an exclusive lock on a hidden file next to the store,
``.NAME.lock``. The lock is the operating system's (``flock``/``LockFileEx``): it is
released when the process dies however it dies, so a lock left by a killed run is simply
taken over; the file holds the holder's PID only so the refusal can name it.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from corpus import export
from corpus.export.run import moses_paths
from corpus.store import Store, StoreError

log = logging.getLogger("dari.run")

DEFAULT_FORMATS = ("tmx", "jsonl")
# Where each format goes inside OUTDIR; moses writes corpus.en and corpus.ko.
OUTPUT_NAMES = {
    "tmx": "corpus.tmx",
    "jsonl": "corpus.jsonl",
    "tsv": "corpus.tsv",
    "moses": "corpus",
    "xces": "corpus.xces",
    "parquet": "corpus.parquet",
}
SCORE_BINS = 10


class PipelineError(Exception):
    """A problem the user can fix; the message is one line naming the path."""


class StoreBusy(PipelineError):
    """Another run holds the store."""


@dataclass
class RunSummary:
    store: str
    ingest: dict[str, int] = field(default_factory=dict)
    pairing: dict[str, Any] = field(default_factory=dict)
    alignment: dict[str, Any] = field(default_factory=dict)
    scoring: dict[str, Any] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)
    pairs_by_method: dict[str, int] = field(default_factory=dict)
    sentence_pairs_by_type: dict[str, int] = field(default_factory=dict)
    score_distribution: dict[str, int] = field(default_factory=dict)
    exported: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """Some input or some pair could not be processed (the rest was)."""
        return bool(self.ingest.get("rejected") or self.alignment.get("failed"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "ingest": self.ingest,
            "articles": self.articles,
            "pairing": self.pairing,
            "pairs_by_method": self.pairs_by_method,
            "alignment": self.alignment,
            "sentence_pairs_by_type": self.sentence_pairs_by_type,
            "scoring": self.scoring,
            "score_distribution": self.score_distribution,
            "exported": self.exported,
            "files": self.files,
            "seconds": self.seconds,
        }

    def lines(self) -> list[str]:
        ing, al = self.ingest, self.alignment
        links = sum(n for kind, n in self.sentence_pairs_by_type.items() if _is_link(kind))
        return [
            f"store: {self.store}",
            f"read: {ing.get('files', 0)} files, {ing.get('new', 0)} new articles, "
            f"{ing.get('versions', 0)} new versions, {ing.get('unchanged', 0)} unchanged, "
            f"{ing.get('rejected', 0)} rejected",
            f"articles in store: {_join(self.articles)}",
            f"document pairs: {_join(self.pairs_by_method)}",
            f"aligned now: {al.get('aligned', 0)} document pairs ({al.get('failed', 0)} failed, "
            f"{al.get('partial_translations', 0)} partial translations)",
            f"sentence pairs: {links} ({_join(self.sentence_pairs_by_type)})",
            f"scores: {_join(self.score_distribution)}",
            "exported: " + _join({f"{fmt} pairs": n for fmt, n in self.exported.items()}),
            *(f"  {path}" for path in self.files),
            "time: " + ", ".join(f"{stage} {sec:.1f}s" for stage, sec in self.seconds.items()),
        ]


def run_pipeline(
    inputs: Sequence[str | Path],
    outdir: str | Path,
    *,
    store_path: str | Path,
    workers: int = 1,
    formats: Sequence[str] = DEFAULT_FORMATS,
    min_score: float | None = None,
    quiet: bool = False,
    aligner: str = "dari",
    report: Callable[[str], None] | None = None,
    dask_address: str | None = None,
    codes: export.LangCodes | None = None,
) -> RunSummary:
    """Run every stage over ``inputs`` into ``outdir``; see the module docstring.

    ``report`` receives one line per rejected file or failed pair (default: stderr).
    ``dask_address`` aligns and scores the document pairs on that Dask scheduler's
    cluster (this process still does every write); it is reached before anything else,
    so a wrong address fails at once instead of after ingesting.
    ``codes`` are the exports' language tags and translation direction (default en-ko).
    Raises :class:`PipelineError` for bad options and :class:`StoreBusy` when another run
    holds the store.
    """
    outdir, store_path = Path(outdir), Path(store_path)
    formats = check_formats(formats)
    export.check_min_score(min_score)
    _check_outdir(outdir, inputs)
    report = report or _stderr
    with _dask(dask_address) as cluster:
        _make_folders(outdir, store_path.parent)
        with store_lock(store_path):
            try:
                store = Store(store_path)
            except StoreError as exc:
                raise PipelineError(str(exc)) from None
            with store:
                summary = RunSummary(str(store_path))
                _run_stages(store, inputs, summary, workers, aligner, quiet, report, cluster)
                _summarise_store(store, summary)
            with _stage(summary, "export"), _bar(quiet, "export", "format") as bar:
                bar.reset(total=len(formats))
                _export_all(store_path, outdir, formats, min_score, codes, summary, bar.update)
    return summary


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    unknown = [f for f in formats if f not in export.FORMATS]
    if unknown or not formats:
        raise PipelineError(
            f"--formats {','.join(formats)}: choose from {', '.join(export.FORMATS)}"
        )
    return tuple(dict.fromkeys(formats))


def parse_formats(value: str) -> tuple[str, ...]:
    return check_formats([f.strip().lower() for f in value.split(",") if f.strip()])


def _run_stages(
    store: Store,
    inputs: Sequence[str | Path],
    summary: RunSummary,
    workers: int,
    aligner: str,
    quiet: bool,
    report: Callable[[str], None],
    cluster: Any = None,
) -> None:
    from aligners.batch import align_pending
    from aligners.embedding import Encoder
    from aligners.quality import QualityModelError
    from aligners.scoring import score_store
    from corpus.pairing import pair_store

    encoder = Encoder(db=store.db)
    with _stage(summary, "ingest"):
        summary.ingest = _ingest(store, inputs, quiet, report, workers)
    with _stage(summary, "pair"), _bar(quiet, "pair", "article") as bar:
        summary.pairing = pair_store(store, encoder=encoder, progress=_advance(bar)).as_dict()
    with _stage(summary, "align"), _bar(quiet, "align", "pair") as bar:
        summary.alignment = align_pending(
            store,
            aligner=aligner,
            workers=workers,
            progress=_advance(bar),
            report=lambda line: _write_above(bar, line, report),
            encoder=encoder,
            client=cluster,
        ).as_dict()
    with _stage(summary, "score"), _bar(quiet, "score", "pair") as bar:
        try:
            summary.scoring = score_store(
                store, rescore=False, workers=workers, client=cluster, progress=_advance(bar)
            ).as_dict()
        except QualityModelError as exc:
            # Alignments are committed; a fixed model and a rerun pick up from here.
            raise PipelineError(f"scoring: {exc}") from None


def _ingest(
    store: Store,
    inputs: Sequence[str | Path],
    quiet: bool,
    report: Callable[[str], None],
    workers: int,
) -> dict[str, int]:
    from corpus.ingest import IngestEvent, ingest_paths

    with _bar(quiet, "ingest", "article") as bar:

        def on_event(event: IngestEvent) -> None:
            bar.update(1)
            if event.kind == "rejected":
                _write_above(bar, f"{event.path}: {event.detail}", report)
            elif event.kind == "warning":
                _write_above(bar, f"{event.path}: warning: {event.detail}", report)

        counts = ingest_paths(inputs, store, on_event, workers=workers)
    return {
        "files": counts.files,
        "new": counts.new,
        "versions": counts.versions,
        "unchanged": counts.unchanged,
        "rejected": counts.rejected,
        "warnings": counts.warnings,
    }


def _export_all(
    store_path: Path,
    outdir: Path,
    formats: Sequence[str],
    min_score: float | None,
    codes: export.LangCodes | None,
    summary: RunSummary,
    written: Callable[[int], object],
) -> None:
    """Write every format into ``outdir``; ``written(1)`` after each."""
    created = export.resolve_creation_date(None)
    for fmt in formats:
        output = outdir / OUTPUT_NAMES[fmt]
        options = export.ExportOptions(
            format=fmt,
            output=str(output),
            filters=export.ExportFilters(min_score=min_score),
            codes=codes or export.LangCodes(),
            creation_date=created,
            force=True,  # OUTDIR holds this run's products; a rerun refreshes them
        )
        try:
            stats = export.export_store(store_path, options, report=log.info)
        except export.ExportError as exc:
            raise PipelineError(str(exc)) from None
        summary.exported[fmt] = stats.written
        if fmt == "moses":
            summary.files.extend(str(p) for p in moses_paths(output, options.codes))
        else:
            summary.files.append(str(output))
        written(1)


def _summarise_store(store: Store, summary: RunSummary) -> None:
    """Whole-store counts, so a rerun that did nothing still says what the corpus holds."""
    db = store.db
    summary.articles = {
        row[0]: row[1]
        for row in db.execute(
            "SELECT lang, COUNT(*) FROM documents WHERE current = 1 GROUP BY lang ORDER BY lang"
        )
    }
    summary.pairs_by_method = {
        row[0]: row[1]
        for row in db.execute(
            "SELECT CASE WHEN ko_doc IS NULL THEN 'unpaired' ELSE method END AS m, COUNT(*) "
            "FROM pairs GROUP BY m ORDER BY m"
        )
    }
    summary.sentence_pairs_by_type = {
        row[0]: row[1]
        for row in db.execute(
            "SELECT json_array_length(en_ids) || '-' || json_array_length(ko_ids) AS kind, "
            "COUNT(*) FROM alignments GROUP BY kind ORDER BY COUNT(*) DESC, kind"
        )
    }
    summary.score_distribution = score_distribution(store)


def score_distribution(store: Store) -> dict[str, int]:
    """Link beads per score decile ("0.9-1.0": n), plus those without a score."""
    rows = store.db.execute(
        "SELECT CASE WHEN score IS NULL THEN -1 "
        f"ELSE MAX(0, MIN({SCORE_BINS - 1}, CAST(score * {SCORE_BINS} AS INTEGER))) END AS bin, "
        "COUNT(*) FROM alignments "
        "WHERE json_array_length(en_ids) > 0 AND json_array_length(ko_ids) > 0 GROUP BY bin"
    )
    counts = dict(rows.fetchall())
    result = {
        f"{b / SCORE_BINS:.1f}-{(b + 1) / SCORE_BINS:.1f}": counts.get(b, 0)
        for b in range(SCORE_BINS)
    }
    if counts.get(-1):
        result["unscored"] = counts[-1]
    return result


# -- the lock ----------------------------------------------------------------------------


def lock_path(store_path: Path) -> Path:
    """Hidden, so that ingesting the folder that holds the store never reads it."""
    return store_path.with_name(f".{store_path.name}.lock")


@contextmanager
def store_lock(store_path: str | Path) -> Iterator[None]:
    """Hold the store for one run; raise :class:`StoreBusy` naming the holder's PID.

    The file is never deleted: unlinking a lock file races with a process that has just
    opened it. Only the OS lock counts, and it dies with its process.
    """
    path = lock_path(Path(store_path))
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise StoreBusy(
                f"{store_path}: another 'dari run' (pid {holder}) is using this store; "
                "wait for it to finish or use another --store"
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing releases the OS lock


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


# -- helpers -----------------------------------------------------------------------------


@contextmanager
def _dask(address: str | None) -> Iterator[Any]:
    """The run's client of a Dask scheduler (None without one); held for the whole run so
    that a wrong address fails before any work. Unusable addresses are PipelineErrors."""
    if not address:
        yield None
        return
    from aligners.parallel import DaskError, dask_client

    try:
        with dask_client(address) as client:
            yield client
    except DaskError as exc:
        raise PipelineError(str(exc)) from None


def _check_outdir(outdir: Path, inputs: Sequence[str | Path]) -> None:
    """Refuse an OUTDIR inside an input folder: the next run would read the corpus back in."""
    if outdir.exists() and not outdir.is_dir():
        raise PipelineError(f"{outdir}: not a directory")
    target = outdir.resolve()
    for given in inputs:
        folder = Path(given).resolve()
        if Path(given).is_dir() and target.is_relative_to(folder):
            raise PipelineError(
                f"{outdir}: output folder is inside input folder {given}; "
                "its exports would be read as articles; choose another -o"
            )


def _make_folders(*folders: Path) -> None:
    """Created before any work, so that an unusable -o fails at once, not after aligning."""
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PipelineError(f"{folder}: cannot create folder ({exc.strerror})") from None


@contextmanager
def _stage(summary: RunSummary, name: str) -> Iterator[None]:
    log.info("%s: started", name)
    start = time.perf_counter()
    try:
        yield
    finally:
        summary.seconds[name] = round(time.perf_counter() - start, 2)
        log.info("%s: %.2fs", name, summary.seconds[name])


@contextmanager
def _bar(quiet: bool, stage: str, unit: str) -> Iterator[tqdm]:
    # disable=None: bars only when stderr is a terminal, never in logs or pipes.
    with tqdm(desc=stage, unit=unit, file=sys.stderr, disable=True if quiet else None) as bar:
        yield bar


def _advance(bar: tqdm) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if bar.total != total:
            bar.reset(total=total)
        bar.n = done
        bar.refresh()

    return progress


def _write_above(bar: tqdm, line: str, report: Callable[[str], None]) -> None:
    """Problem lines stay readable: the bar is cleared, the line printed, the bar redrawn."""
    with bar.external_write_mode(file=sys.stderr):
        report(line)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _is_link(kind: str) -> bool:
    return not kind.startswith("0-") and not kind.endswith("-0")


def _join(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "none"
