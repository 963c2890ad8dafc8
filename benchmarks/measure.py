"""Measurements shared by the benchmark scripts."""

from __future__ import annotations

import glob
import os
import resource
import threading


def peak_rss_mb() -> float:
    """Peak resident memory of this process image, in MB.

    VmHWM, not getrusage: on Linux ru_maxrss survives exec, so a benchmark child started
    from a large parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreePeak:
    """Peak summed resident memory of this process and all its descendants.

    ``dari run --workers N`` spreads work over pool processes, each with its own models,
    so the parent's peak alone understates what a run needs. A background thread samples
    the whole process tree every ``interval`` seconds (Linux /proc); a spike shorter
    than that can be missed, which is why the parent's own VmHWM is reported beside it.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, _tree_rss_mb(os.getpid()))
            if self._stop.wait(self.interval):
                return


def _tree_rss_mb(pid: int) -> float:
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for member in _process_tree(pid):
        try:
            with open(f"/proc/{member}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue  # the process ended between listing and reading
    return total / 2**20


def _process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        for task in glob.glob(f"/proc/{current}/task/*/children"):
            try:
                with open(task, encoding="ascii") as children:
                    todo.extend(int(child) for child in children.read().split())
            except OSError:
                continue
    return tree
