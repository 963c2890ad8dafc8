"""Measurements shared by the benchmark scripts."""

from __future__ import annotations

import resource


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
