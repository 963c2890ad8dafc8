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
``remote_args`` hashable. A worker keeps one state per ``remote``, rebuilt when the store
or the arguments change.

The process pool is one per size for the whole process (:func:`shared_pool`), shared with
the sentence encoder: starting processes and loading the encoder's model cost seconds,
and a run would otherwise pay them again for pairing, aligning and scoring.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import islice
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
    running: deque[Any] = deque(submit(job) for job in islice(jobs, window))
    while running:
        yield result(running.popleft())
        running.extend(submit(job) for job in islice(jobs, 1))


# -- worker state ------------------------------------------------------------------------

# In a pool worker or a Dask worker thread: remote -> ((store_path, remote_args), state).
_states = threading.local()


def _state(setup: Setup, store_path: Path | None) -> Any:
    remote, remote_args = setup
    built: dict[Callable[..., Any], tuple[Any, Any]] = _states.__dict__.setdefault("built", {})
    key = (store_path, remote_args)
    if remote not in built or built[remote][0] != key:
        built[remote] = (key, remote(store_path, *remote_args))
    return built[remote][1]


# -- process pool ------------------------------------------------------------------------

_POOLS: dict[int, ProcessPoolExecutor] = {}


def shared_pool(processes: int) -> ProcessPoolExecutor:
    """The process's pool of ``processes`` workers, started on first use and kept (a pool
    broken by a dead worker is replaced)."""
    pool = _POOLS.get(processes)
    if pool is None or getattr(pool, "_broken", False):
        # spawn, not fork: the parent holds an open SQLite connection and maybe model threads.
        pool = ProcessPoolExecutor(processes, mp_context=get_context("spawn"))
        _POOLS[processes] = pool
    return pool


def _run_in_pool_worker(
    task: Callable[[Any, Job], Result], setup: Setup, store_path: Path | None, job: Job
) -> Result:
    return task(_state(setup, store_path), job)


def _in_pool(
    jobs: Iterator[Job],
    task: Callable[[Any, Job], Result],
    setup: Setup,
    store_path: Path | None,
    workers: int,
) -> Iterator[Result]:
    pool = shared_pool(workers)

    def submit(job: Job) -> Future[Result]:
        return pool.submit(_run_in_pool_worker, task, setup, store_path, job)

    return _in_order(jobs, submit, IN_FLIGHT_PER_WORKER * workers, Future.result)


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


def _run_on_dask_worker(task: Callable[[Any, Job], Result], setup: Setup, job: Job) -> Result:
    return task(_state(setup, None), job)


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
