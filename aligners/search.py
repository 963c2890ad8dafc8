"""The search engine every aligner shares: a monotone dynamic programme over beads.

The programme maximises the summed *gain* of the beads that cover both documents. An
aligner supplies the gains: for every bead shape (a source sentences, b target
sentences) a vectorised function of the bead start positions, and one gain per sentence
left without a counterpart. Working with gains rather than fixed costs is what lets the
0-1/1-0 decision rest on evidence: a sentence is left alone when nothing in reach
translates it well enough, not because a fixed skip penalty happened to be cheaper.

The search runs inside a *band*: for every source prefix length ``i`` a range of target
prefix lengths ``lo[i]..hi[i]``. Short documents use the full rectangle; long ones a band
around anchors found first (see :func:`anchor_band`), so time and memory grow linearly
with document length. Rows are processed with NumPy; only the bead shapes are looped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

GainFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""gain(i0, j0) for beads starting at source i0 and target j0 (arrays of equal length)."""

NEG_INF = -1e18


def bead_shapes(max_total: int) -> list[tuple[int, int]]:
    """All link shapes (a, b), a, b >= 1, a + b <= max_total; 1-1 first."""
    shapes = [
        (a, b) for a in range(1, max_total) for b in range(1, max_total) if a + b <= max_total
    ]
    return sorted(shapes, key=lambda s: (s[0] + s[1], s))


@dataclass(frozen=True)
class Band:
    lo: np.ndarray  # int64, length n + 1
    hi: np.ndarray  # int64, length n + 1, inclusive

    @property
    def cells(self) -> int:
        return int((self.hi - self.lo + 1).sum())


def full_band(n: int, m: int) -> Band:
    return Band(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))


def band_around(path: np.ndarray, m: int, width: np.ndarray | int) -> Band:
    """A band of ``width`` target positions either side of ``path`` (one j per i).

    lo and hi are made non-decreasing and overlapping from row to row, so that every
    cell stays reachable and the end cell (n, m) is inside.
    """
    path = np.asarray(path, dtype=np.int64)
    lo = np.clip(path - width, 0, m)
    hi = np.clip(path + width, 0, m)
    lo = np.minimum.accumulate(lo[::-1])[::-1]  # non-decreasing from the right
    hi = np.maximum.accumulate(hi)
    lo[0], hi[-1] = 0, m
    lo[1:] = np.minimum(lo[1:], hi[:-1])
    return Band(lo, hi)


# Gains are computed for a block of rows at a time, one call per bead shape: calling the
# aligner's vectorised gain once per row was most of the search time on news-length
# documents. The budget bounds the cells (and the aligner's temporaries) per call.
CELLS_PER_CALL = 20_000


def search(
    n: int,
    m: int,
    link_gains: dict[tuple[int, int], GainFunction],
    skip_src: np.ndarray,
    skip_tgt: np.ndarray,
    band: Band | None = None,
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Best-scoring monotone bead sequence covering src[0:n] and tgt[0:m].

    ``skip_src[i]`` / ``skip_tgt[j]`` are the gains of leaving sentence i / j unaligned.
    Returns beads as (source ids, target ids) in document order.
    """
    band = band or full_band(n, m)
    lo, hi = band.lo, band.hi
    shapes = list(link_gains)
    scores: list[np.ndarray] = []
    moves: list[np.ndarray] = []  # index into shapes, -1 for 1-0, -2 for 0-1, -3 start
    skip_tgt_sums = np.concatenate([[0.0], np.cumsum(skip_tgt, dtype=np.float64)])
    rows_per_call = max(1, CELLS_PER_CALL // max(1, int((hi - lo).max()) + 1))
    gains: dict[tuple[int, tuple[int, int]], np.ndarray] = {}
    for i in range(n + 1):
        width = int(hi[i] - lo[i] + 1)
        row = np.full(width, NEG_INF)
        move = np.full(width, -3, dtype=np.int16)
        if i == 0:
            row[0] = 0.0
        else:
            if (i - 1) % rows_per_call == 0:
                last = min(n, i + rows_per_call - 1)
                gains = _block_gains(range(i, last + 1), shapes, link_gains, lo, hi)
            _relax_skip_src(i, lo, hi, scores, skip_src, row, move)
            for index, shape in enumerate(shapes):
                if (i, shape) in gains:
                    _relax_link(i, shape, index, lo, hi, scores, gains[i, shape], row, move)
        _relax_skip_tgt(lo[i], row, move, skip_tgt_sums)
        scores.append(row)
        moves.append(move)
    return _trace(n, m, lo, shapes, moves)


def _relax_skip_src(i, lo, hi, scores, skip_src, row, move) -> None:
    start, stop = max(lo[i], lo[i - 1]), min(hi[i], hi[i - 1])
    if start > stop:
        return
    candidate = scores[i - 1][start - lo[i - 1] : stop - lo[i - 1] + 1] + skip_src[i - 1]
    _update(row, move, start - lo[i], candidate, -1)


def _link_cells(i: int, shape: tuple[int, int], lo, hi) -> tuple[int, int] | None:
    """The bead starts (i - a, j0) for j0 in the returned inclusive range that end in row
    i of the band and start in row i - a of it; None when there are none."""
    a, b = shape
    p = i - a
    if p < 0:
        return None
    start, stop = max(lo[i], lo[p] + b), min(hi[i], hi[p] + b)
    return (int(start - b), int(stop - b)) if start <= stop else None


def _block_gains(rows, shapes, link_gains, lo, hi) -> dict[tuple[int, tuple[int, int]], np.ndarray]:
    """Gains of every bead ending in ``rows``, one vectorised call per shape."""
    gains = {}
    for shape in shapes:
        spans = {i: cells for i in rows if (cells := _link_cells(i, shape, lo, hi))}
        if not spans:
            continue
        starts = np.concatenate([np.arange(j, k + 1) for j, k in spans.values()])
        sources = np.concatenate([np.full(k - j + 1, i - shape[0]) for i, (j, k) in spans.items()])
        values = link_gains[shape](sources.astype(np.int64), starts.astype(np.int64))
        offset = 0
        for i, (j, k) in spans.items():
            gains[i, shape] = values[offset : offset + k - j + 1]
            offset += k - j + 1
    return gains


def _relax_link(i, shape, index, lo, hi, scores, gains, row, move) -> None:
    j_first, j_last = _link_cells(i, shape, lo, hi)
    p = i - shape[0]
    previous = scores[p][j_first - lo[p] : j_last - lo[p] + 1]
    candidate = np.where(previous > NEG_INF / 2, previous + gains, NEG_INF)
    _update(row, move, j_first + shape[1] - lo[i], candidate, index)


def _update(row, move, offset, candidate, code) -> None:
    target = row[offset : offset + len(candidate)]
    better = candidate > target
    target[better] = candidate[better]
    move[offset : offset + len(candidate)][better] = code


def _relax_skip_tgt(lo_i, row, move, sums) -> None:
    """0-1 moves stay in the row: row[j] = max(row[j], row[j-1] + skip_tgt[j-1]).

    Solved in one pass as a running maximum of row[k] - C[k], C the prefix sums of the
    skip gains, which turns a sequential recurrence into NumPy operations.
    """
    c = sums[lo_i : lo_i + len(row)]
    best = np.maximum.accumulate(row - c) + c
    better = best > row + 1e-9
    row[better] = best[better]
    move[better] = -2


def _trace(n, m, lo, shapes, moves) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        code = int(moves[i][j - lo[i]])
        if code == -1:
            beads.append(((i - 1,), ()))
            i -= 1
        elif code == -2:
            beads.append(((), (j - 1,)))
            j -= 1
        elif code >= 0:
            a, b = shapes[code]
            beads.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
            i, j = i - a, j - b
        else:
            raise RuntimeError(f"alignment search lost its path at ({i}, {j})")
    beads.reverse()
    return beads


def diagonal_band(n: int, m: int, share: float = 0.1, minimum: int = 20) -> Band:
    """A band around the straight line from (0, 0) to (n, m), for when nothing better
    is known: a tenth of the document either side, at least ``minimum`` sentences."""
    path = np.rint(np.arange(n + 1) * (m / max(n, 1))).astype(np.int64)
    return band_around(path, m, max(minimum, int(share * max(n, m))))


class NearestBothWays:
    """Each source sentence's most similar target and each target's most similar source,
    from a similarity matrix seen a block of source rows at a time (long documents do not
    fit whole): the input :func:`anchor_band` needs."""

    def __init__(self, n_src: int, n_tgt: int, dtype: type = np.float32):
        self.best_targets = np.zeros(n_src, dtype=np.int64)
        self.best_target_sims = np.full(n_src, -np.inf, dtype=dtype)
        self.best_sources = np.zeros(n_tgt, dtype=np.int64)
        self.best_source_sims = np.full(n_tgt, -np.inf, dtype=dtype)

    def add(self, start: int, sims: np.ndarray) -> None:
        """Similarities of source rows ``start``... (one row each) to every target."""
        rows = slice(start, start + len(sims))
        self.best_targets[rows] = sims.argmax(axis=1)
        self.best_target_sims[rows] = sims.max(axis=1)
        column_best = sims.argmax(axis=0)
        column_sims = sims[column_best, np.arange(sims.shape[1])]
        improved = column_sims > self.best_source_sims
        self.best_sources[improved] = column_best[improved] + start
        self.best_source_sims[improved] = column_sims[improved]


def anchor_band(
    best_targets: np.ndarray,
    best_sources: np.ndarray,
    n: int,
    m: int,
    base_width: int = 10,
    max_width: int = 100,
) -> Band:
    """A band around a chain of confident anchors (mutual nearest neighbours).

    ``best_targets[i]`` is the nearest target of source i, ``best_sources[j]`` the
    nearest source of target j. Mutual pairs are chained monotonically (the longest
    increasing chain), the path is interpolated between them, and the band widens with
    the distance to the nearest anchor, where the interpolation is least certain, up to
    ``max_width`` either side, so that the search stays linear in document length.
    """
    mutual = [(i, int(t)) for i, t in enumerate(best_targets) if best_sources[t] == i]
    chain = _longest_monotone_chain(mutual)
    xs = np.array([0] + [i + 0.5 for i, _ in chain] + [n], dtype=float)
    ys = np.array([0] + [j + 0.5 for _, j in chain] + [m], dtype=float)
    rows = np.arange(n + 1)
    path = np.rint(np.interp(rows, xs, ys)).astype(np.int64)
    distance = np.min(np.abs(rows[:, None] - xs[None, :]), axis=1) if len(xs) else rows
    width = np.minimum(base_width + (distance * 0.5).astype(np.int64), max_width)
    return band_around(path, m, width)


def _longest_monotone_chain(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain strictly increasing in both coordinates (patience sorting)."""
    import bisect

    points = sorted(points)
    tails: list[int] = []
    tail_index: list[int] = []
    parent = [-1] * len(points)
    for k, (_, j) in enumerate(points):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_index.append(k)
        else:
            tails[pos] = j
            tail_index[pos] = k
        parent[k] = tail_index[pos - 1] if pos else -1
    chain = []
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        chain.append(points[k])
        k = parent[k]
    return chain[::-1]
