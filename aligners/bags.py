"""Hashed bags of tokens, so that overlap between runs of sentences is vectorised.

Signals such as numbers and names reduce each sentence to a small multiset of tokens.
The search needs their overlap for every candidate bead, millions of times per long
document, so each multiset is hashed into a fixed number of buckets and a run of
sentences is a difference of prefix sums.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

import numpy as np

BUCKETS = 64


def bag_matrix(token_lists: Sequence[Iterable[str]], buckets: int = BUCKETS) -> np.ndarray:
    """Prefix sums of per-sentence bucket counts, shape (len + 1, buckets)."""
    counts = np.zeros((len(token_lists) + 1, buckets), dtype=np.float32)
    for row, tokens in enumerate(token_lists, 1):
        for token in tokens:
            counts[row, zlib.crc32(token.encode("utf-8")) % buckets] += 1
    return np.cumsum(counts, axis=0)


def overlap(
    src_prefix: np.ndarray, i0: np.ndarray, a: int, tgt_prefix: np.ndarray, j0: np.ndarray, b: int
) -> tuple[np.ndarray, np.ndarray]:
    """Dice overlap of the bags of runs src[i0:i0+a] and tgt[j0:j0+b], and whether
    either side has any token at all (no tokens means no evidence either way)."""
    src = src_prefix[i0 + a] - src_prefix[i0]
    tgt = tgt_prefix[j0 + b] - tgt_prefix[j0]
    total = src.sum(axis=1) + tgt.sum(axis=1)
    shared = np.minimum(src, tgt).sum(axis=1)
    dice = np.divide(2 * shared, total, out=np.zeros_like(total), where=total > 0)
    return dice, total > 0
