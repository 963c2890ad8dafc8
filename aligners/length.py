"""Length signal (Gale & Church 1993) and the length-only aligner built on it.

The expected target length is the source length times the pair's character ratio,
estimated from the two documents themselves rather than fixed at 1: Korean news text has
about half the characters of its English counterpart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import log_ndtr

from aligners.base import Bead, register
from aligners.search import bead_shapes, search

# Gale & Church's variance of target length per source character, for a ratio of 1.
VARIANCE_PER_CHAR = 6.8
# Gale & Church's bead priors; shapes they did not list share what is left of 2-2's mass.
PRIORS = {(1, 1): 0.89, (1, 0): 0.0099 / 2, (2, 1): 0.089 / 2, (1, 2): 0.089 / 2, (2, 2): 0.011}


def length_ratio(src_lengths: Sequence[int], tgt_lengths: Sequence[int]) -> float:
    src_total, tgt_total = sum(src_lengths), sum(tgt_lengths)
    if not src_total or not tgt_total:
        return 1.0
    return tgt_total / src_total


def length_log_probability(src_len: np.ndarray, tgt_len: np.ndarray, ratio: float) -> np.ndarray:
    """log P(|delta| at least this large) for target length given source length."""
    src_len = np.asarray(src_len, dtype=float)
    tgt_len = np.asarray(tgt_len, dtype=float)
    mean = (src_len + tgt_len / ratio) / 2
    delta = (tgt_len - src_len * ratio) / np.sqrt(np.maximum(mean, 1.0) * VARIANCE_PER_CHAR * ratio)
    return np.log(2.0) + log_ndtr(-np.abs(delta))


def prefix_lengths(sentences: Sequence[str]) -> np.ndarray:
    """Cumulative character counts, so a group's length is one subtraction."""
    return np.concatenate([[0], np.cumsum([len(s) for s in sentences])]).astype(np.int64)


@register("gale-church")
class GaleChurchAligner:
    """Length-only baseline: the classic aligner with the ratio estimated from the data."""

    name = "gale-church"

    def __init__(self, max_total: int = 4):
        self.shapes = [s for s in bead_shapes(max_total) if s in PRIORS or s[0] + s[1] <= 3]

    def align(
        self, src: Sequence[str], tgt: Sequence[str], src_lang: str = "", tgt_lang: str = ""
    ) -> list[Bead]:
        src_cum, tgt_cum = prefix_lengths(src), prefix_lengths(tgt)
        ratio = length_ratio(np.diff(src_cum), np.diff(tgt_cum))
        leftover = 0.011 / 4

        def gain_for(shape):
            a, b = shape
            log_prior = np.log(PRIORS.get(shape, leftover))

            def gain(i0, j0):
                ls = src_cum[i0 + a] - src_cum[i0]
                lt = tgt_cum[j0 + b] - tgt_cum[j0]
                return log_prior + length_log_probability(ls, lt, ratio)

            return gain

        skip = np.log(PRIORS[(1, 0)])
        path = search(
            len(src),
            len(tgt),
            {shape: gain_for(shape) for shape in self.shapes},
            np.full(len(src), skip),
            np.full(len(tgt), skip),
        )
        return [Bead(s, t) for s, t in path]
