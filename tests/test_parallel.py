"""The task runner shared by aligning and scoring: job order, worker state, cache writes."""

from __future__ import annotations

import os
import sqlite3
import time

from aligners.parallel import HeldWrites, run_tasks


def _state_with_pid(store_path, offset):
    return (offset, os.getpid())


def _first_job_slowest(state, job):
    offset, pid = state
    time.sleep(0.5 if job == 0 else 0.01)
    return job + offset, pid


def _run(jobs: int, workers: int, offset: int = 100) -> list[tuple[int, int]]:
    return list(
        run_tasks(
            range(jobs),
            _first_job_slowest,
            local=lambda: (7, os.getpid()),
            remote=_state_with_pid,
            remote_args=(offset,),
            workers=workers,
        )
    )


def test_a_pool_returns_results_in_job_order_even_when_the_first_is_slowest():
    results = _run(12, workers=2)
    assert [value for value, _ in results] == [100 + job for job in range(12)]
    assert os.getpid() not in {pid for _, pid in results}


def test_later_runs_reuse_the_pool_and_rebuild_state_for_new_arguments():
    """Starting processes and loading models costs seconds: pairing, aligning and
    scoring share one pool, and a worker's state follows the arguments it is asked for."""
    first = {pid for _, pid in _run(6, workers=2)}
    again = _run(6, workers=2, offset=200)
    assert {pid for _, pid in again} <= first
    assert [value for value, _ in again] == [200 + job for job in range(6)]


def test_one_worker_runs_here_with_the_local_state():
    results = _run(3, workers=1)
    assert results == [(7, os.getpid()), (8, os.getpid()), (9, os.getpid())]


def test_held_writes_read_the_store_and_keep_writes_for_its_owner(tmp_path):
    path = tmp_path / "s.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x INTEGER)")
        db.execute("INSERT INTO t VALUES (1)")
    cache = HeldWrites(path)
    assert list(cache.execute("SELECT x FROM t")) == [(1,)]
    cache.executemany("INSERT INTO t VALUES (?)", iter([(2,), (3,)]))
    assert cache.take_writes() == [("INSERT INTO t VALUES (?)", [(2,), (3,)])]
    assert cache.take_writes() == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM t").fetchone() == (1,)
    assert list(HeldWrites(None).execute("SELECT x FROM t")) == []
