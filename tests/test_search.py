"""The shared search engine: exact against brute force, banded, and at the edges."""

import itertools
import random

import numpy as np

from aligners.search import band_around, bead_shapes, full_band, search


def _all_paths(n, m, shapes):
    """Every monotone bead sequence covering n x m (for tiny inputs only)."""
    if n == 0 and m == 0:
        yield []
        return
    moves = [*shapes, (1, 0), (0, 1)]
    for a, b in moves:
        if a <= n and b <= m:
            for rest in _all_paths(n - a, m - b, shapes):
                yield [(a, b), *rest]


def _total(path, gains, skip_src, skip_tgt):
    i = j = 0
    total = 0.0
    for a, b in path:
        if a and b:
            total += gains[(a, b)][i, j]
        elif a:
            total += skip_src[i]
        else:
            total += skip_tgt[j]
        i, j = i + a, j + b
    return total


def _lookup(table):
    return lambda i0, j0: table[i0, j0]


def _as_functions(gains):
    return {shape: _lookup(table) for shape, table in gains.items()}


def _path_total(beads, gains, skip_src, skip_tgt):
    shape_path = [(len(s), len(t)) for s, t in beads]
    return _total(shape_path, gains, skip_src, skip_tgt)


def test_search_matches_brute_force_on_random_inputs():
    rng = random.Random(7)
    shapes = bead_shapes(4)
    for _ in range(40):
        n, m = rng.randint(0, 4), rng.randint(0, 4)
        gains = {
            s: np.array([[rng.uniform(-1, 1) for _ in range(m + 1)] for _ in range(n + 1)])
            for s in shapes
        }
        skip_src = np.array([rng.uniform(-0.5, 0.2) for _ in range(n)])
        skip_tgt = np.array([rng.uniform(-0.5, 0.2) for _ in range(m)])
        best = max(_total(p, gains, skip_src, skip_tgt) for p in _all_paths(n, m, shapes))
        beads = search(n, m, _as_functions(gains), skip_src, skip_tgt)
        assert (
            _path_total(beads, gains, skip_src, skip_tgt) == np.float64(best)
            or abs(_path_total(beads, gains, skip_src, skip_tgt) - best) < 1e-9
        )
        covered_src = [i for s, _ in beads for i in s]
        covered_tgt = [j for _, t in beads for j in t]
        assert covered_src == list(range(n)) and covered_tgt == list(range(m))


def test_empty_sides():
    assert search(0, 0, {}, np.zeros(0), np.zeros(0)) == []
    assert search(2, 0, {(1, 1): lambda i, j: i * 0.0}, np.zeros(2), np.zeros(0)) == [
        ((0,), ()),
        ((1,), ()),
    ]
    assert search(0, 1, {(1, 1): lambda i, j: i * 0.0}, np.zeros(0), np.zeros(1)) == [((), (0,))]


def test_diagonal_wins_inside_a_band():
    n = m = 60

    def one_to_one(i0, j0):
        return np.where(i0 == j0, 1.0, -1.0)

    band = band_around(np.arange(n + 1), m, 3)
    assert band.cells < full_band(n, m).cells / 5
    beads = search(n, m, {(1, 1): one_to_one}, np.full(n, -0.5), np.full(m, -0.5), band)
    assert beads == [((i,), (i,)) for i in range(n)]


def test_band_is_monotone_and_reaches_the_corner():
    path = np.array([0, 0, 5, 2, 9, 9])  # deliberately non-monotone
    band = band_around(path, 9, 1)
    assert band.lo[0] == 0 and band.hi[-1] == 9
    assert all(np.diff(band.lo) >= 0) and all(np.diff(band.hi) >= 0)
    assert all(band.lo[1:] <= band.hi[:-1])


def test_bead_shapes_respect_the_total():
    shapes = bead_shapes(5)
    assert shapes[0] == (1, 1)
    assert all(a >= 1 and b >= 1 and a + b <= 5 for a, b in shapes)
    assert (
        len(shapes)
        == len(set(shapes))
        == sum(1 for a, b in itertools.product(range(1, 5), repeat=2) if a + b <= 5)
    )


def test_anchor_band_stays_linear_without_anchors():
    from aligners.search import anchor_band

    n = m = 5000
    no_mutual = np.zeros(n, dtype=np.int64), np.ones(m, dtype=np.int64)
    band = anchor_band(*no_mutual, n, m)
    assert band.cells <= (n + 1) * (2 * 100 + 1)
    assert band.lo[0] == 0 and band.hi[-1] == m
