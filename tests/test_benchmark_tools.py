"""The measuring tools the benchmarks rely on: they must measure what they claim."""

from __future__ import annotations

import subprocess
import sys

from benchmarks.measure import TreePeak


def test_tree_peak_counts_child_processes():
    """A child holding 200 MB shows in the tree's peak though the parent stays small."""
    hold = "x = bytearray(200 * 2**20); import time; time.sleep(0.8)"
    with TreePeak(interval=0.05) as tree:
        child = subprocess.Popen([sys.executable, "-c", hold])
        child.wait()
    assert tree.peak_mb >= 200
