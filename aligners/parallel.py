"""Run one task per document pair here, in a process pool, or on a Dask cluster.

Aligning and scoring share this: the store's owner builds pure-data jobs, the tasks turn
them into results, and only the owner writes. Results come back in job order whatever
runs them, so what is written (and so every export) is the same for any worker count.
At most two jobs per worker are in flight, so memory stays bounded however many are
pending.

A task is ``task(state, job)``. ``state`` holds what a worker builds once and keeps
between jobs (an aligner or a quality model, with its encoder and the vectors it has in
memory): built by ``local()`` in this process, and by ``remote(store_path, *remote_args)``
in each pool worker (with the store's path, to read the embedding cache) or in each Dask
worker thread (with ``None``: a cluster worker may be on another machine and never opens
the store). ``task`` and ``remote`` must be module-level functions, so they pickle, and
``remote_args`` hashable: a Dask worker thread keeps one state per ``(remote,
remote_args)``.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from distributed import Client

Job = TypeVar("Job")
Result = TypeVar("Result")
CacheWrites = list[tuple[str, list[tuple[Any, ...]]]]
Setup = tuple[Callable[..., Any], tuple[Any, ...]]  # (remote, remote_args)

# Results are taken in job order, so one slow job holds the others back; enough jobs in
# flight keep the other workers busy meanwhile (each job is a few KB of text).
IN_FLIGHT_PER_WORKER = 8


def run_tasks(
    jobs: Iterable[Job],
    task: Callable[[Any, Job], Result],
    *,
    local: Callable[[], Any],
    remote: Callable[..., Any],
    remote_args: tuple[Any, ...] = (),
    workers: int = 1,
    store_path: Path | None = None,
    client: Client | None = None,
) -> Iterator[Result]:
    """Results of ``task`` over ``jobs``, in job order; see the module docstring."""
    if client is not None:
        return _on_dask(iter(jobs), task, (remote, remote_args), client)
    if workers > 1:
        return _in_pool(iter(jobs), task, (remote, remote_args), store_path, workers)
    state = local()
    return (task(state, job) for job in jobs)


def _in_order(
    jobs: Iterator[Job], submit: Callable[[Job], Any], window: int, result: Callable[[Any], Any]
) -> Iterator[Any]:
    running: deque[Any] = deque(submit(job) for job in _take(jobs, window))
    while running:
        yield result(running.popleft())
        for job in _take(jobs, 1):
            running.append(submit(job))


def _take(jobs: Iterator[Job], count: int) -> list[Job]:
    taken = []
    for job in jobs:
        taken.append(job)
        if len(taken) == count:
            break
    return taken


# -- process pool ------------------------------------------------------------------------

_pool_state: Any = None


def _start_pool_worker(setup: Setup, store_path: Path | None) -> None:
    global _pool_state
    remote, remote_args = setup
    _pool_state = remote(store_path, *remote_args)


def _run_in_pool_worker(task: Callable[[Any, Job], Result], job: Job) -> Result:
    assert _pool_state is not None, "pool worker not initialised"
    return task(_pool_state, job)


def _in_pool(
    jobs: Iterator[Job],
    task: Callable[[Any, Job], Result],
    setup: Setup,
    store_path: Path | None,
    workers: int,
) -> Iterator[Result]:
    # spawn, not fork: the parent holds an open SQLite connection and maybe model threads.
    context = get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_pool_worker, initargs=(setup, store_path)
    ) as pool:

        def submit(job: Job) -> Future[Result]:
            return pool.submit(_run_in_pool_worker, task, job)

        yield from _in_order(jobs, submit, IN_FLIGHT_PER_WORKER * workers, Future.result)


# -- Dask distributed --------------------------------------------------------------------

# Seconds to reach the scheduler: a wrong address fails within this, not after a hang.
DASK_CONNECT_TIMEOUT = 10.0


class DaskError(Exception):
    """The Dask scheduler cannot be used; the message is one line naming the address."""


@contextmanager
def dask_client(address: str) -> Iterator[Client]:
    """A client of the scheduler at ``address``, closed afterwards; :class:`DaskError` if
    ``distributed`` is missing or nothing answers there."""
    try:
        from distributed import Client
    except ImportError:
        raise DaskError(
            f"--dask {address}: needs the 'distributed' package (pip install 'dari[dask]')"
        ) from None
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DaskError(f"--dask {address}: cannot reach a Dask scheduler: {reason}") from None
    try:
        yield client
    finally:
        client.close()


# One state per worker thread and kind of state, built on the first task and kept:
# building loads models, and their in-memory vectors then serve the later jobs.
_dask_local = threading.local()


def _run_on_dask_worker(task: Callable[[Any, Job], Result], setup: Setup, job: Job) -> Result:
    built: dict[Setup, Any] = _dask_local.__dict__.setdefault("built", {})
    if setup not in built:
        remote, remote_args = setup
        built[setup] = remote(None, *remote_args)
    return task(built[setup], job)


def _on_dask(
    jobs: Iterator[Job], task: Callable[[Any, Job], Result], setup: Setup, client: Client
) -> Iterator[Result]:
    window = IN_FLIGHT_PER_WORKER * max(1, sum(client.nthreads().values()))

    def submit(job: Job) -> Any:
        # Keys named after the task, so the dashboard (and a test) can tell them apart.
        key = f"{task.__name__.strip('_')}-{uuid.uuid4().hex}"
        return client.submit(_run_on_dask_worker, task, setup, job, key=key, pure=False)

    def result(future: Any) -> Any:
        value = future.result()
        future.release()
        return value

    return _in_order(jobs, submit, window, result)


# -- the embedding cache as a worker sees it ----------------------------------------------


class HeldWrites:
    """The embedding cache for an Encoder in a worker: reads from the store when there is
    one (a read-only connection), writes held back.

    The Encoder reads with ``execute`` and writes with ``executemany``; the writes are kept
    and travel back to the store's owner with the job's result, which commits them with
    it. Without a store (a Dask worker) nothing is found and everything is computed.
    """

    def __init__(self, store_path: Path | None = None):
        self._db = (
            sqlite3.connect(f"{store_path.resolve().as_uri()}?mode=ro", uri=True)
            if store_path is not None
            else None
        )
        self.writes: CacheWrites = []

    def execute(self, sql: str, params: Any = ()) -> Iterator[Any]:
        return self._db.execute(sql, params) if self._db is not None else iter(())

    def executemany(self, sql: str, rows: Any) -> None:
        self.writes.append((sql, list(rows)))

    def take_writes(self) -> CacheWrites:
        writes, self.writes = self.writes, []
        return writes
