"""Dari's default aligner: embeddings, length and cross-script anchors in one search.

Every candidate bead gets a *match score*: the cosine of the two sides' sentence
embeddings, minus how similar those sentences are to everything else nearby (so a
sentence that resembles all its neighbours does not win by default), plus the length
agreement and the agreement of numbers and names. A bead earns ``score - threshold``
(less a merge penalty per extra sentence); a sentence left without a counterpart costs a
penalty that grows with how well its best match anywhere in the other document translates
it. So a sentence is aligned only when something in reach translates it better than the
threshold, and left alone cheaply only when nothing in the other document resembles it,
which is what decides the paragraphs an English edition drops or adds.

Merged sides (2-1, 1-2, ...) are first scored with the normalised sum of their sentence
vectors, which is cheap but undervalues merges; the merges the search comes near are then
encoded for real and the search is run again. That keeps encoding close to one pass over
the sentences instead of the several passes that vecalign and Bertalign spend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from aligners.bags import bag_matrix, overlap
from aligners.base import Bead, register
from aligners.embedding import DIMENSION, Encoder, covers
from aligners.length import length_log_probability, length_ratio, prefix_lengths
from aligners.lexicon import Lexicon
from aligners.names import shared_tokens
from aligners.numbers import number_tokens
from aligners.search import (
    Band,
    NearestBothWays,
    anchor_band,
    bead_shapes,
    diagonal_band,
    full_band,
    search,
)

FULL_SEARCH_CELLS = 250_000
# Documents searched together before their doubtful runs are encoded in one batch: enough
# strings to spread over every core, few enough that their state stays small.
DOCUMENTS_PER_BATCH = 64
NEIGHBOURS = 4


@dataclass
class DariParameters:
    """Weights of the match score; tuned on the public dev data (docs/benchmarks.md)."""

    embedding_weight: float = 1.0
    threshold: float = 0.1
    neighbour_weight: float = 0.25
    length_weight: float = 0.03
    merge_penalty: float = 0.0
    skip_penalty: float = 0.05
    number_weight: float = 0.1
    name_weight: float = 0.1
    # With embeddings the lexicon adds nothing measurable (Text+Berg dev strict F1 0.863
    # without, 0.861 at 0.15) and its second pass doubles the work; without them it is
    # worth 0.025 (WITHOUT_EMBEDDINGS).
    lexicon_weight: float = 0.0
    # Dice of a bead's lexicon bags halfway between true pairs (median 0.55 on the
    # Text+Berg dev document) and neighbour-shifted ones (median 0.19).
    lexicon_centre: float = 0.35
    # 1-1 beads scoring at least this in the first pass teach the lexicon.
    lexicon_min_score: float = 0.4
    max_total: int = 5
    refine: bool = True
    # A first-pass 1-1 bead scoring at least this is left as it is by the refinement;
    # around any other bead every adjacent pair of sentences is encoded for real. On
    # Text+Berg dev, refining merges this way lifts strict F1 from 0.863 to 0.879 (encoding
    # every run up to four: 0.883), the same for any cut from 0.2 up to "encode all pairs";
    # at 0.3, noisy NTREX needs 27% fewer encodings than with all pairs. The first search
    # uses summed vectors: with real pairs there it merges more, the refinement then
    # encodes longer runs around those merges, and real encodings of long runs score
    # higher than their parts (dev 0.870).
    confident_score: float = 0.3
    # Leaving a sentence unaligned costs skip_penalty plus skip_evidence_weight times how
    # far its best cosine with any sentence of the other document lies above
    # skip_evidence_centre (less below it; never a gain). Sentences with no counterpart
    # have a weak best match (median 0.42 on Text+Berg dev, 0.38 on noisy NTREX) and
    # aligned ones a strong one (0.61, 0.66), so a fixed penalty either swallows dropped
    # paragraphs or strands fragments. Grid on Text+Berg dev and even NTREX: dev strict
    # F1 0.879 -> 0.892, noisy even NTREX 0.979 -> 0.983, clean even 0.997 -> 0.999.
    skip_evidence_weight: float = 0.4
    skip_evidence_centre: float = 0.4
    # A bead of one sentence against several (2-1, 1-3, ...) loses this times how much
    # better its single sentence matches one sentence of the run than the whole run
    # (second search, real encodings). English editions drop paragraphs; a sentence whose
    # counterpart was dropped was swallowed into its neighbour's bead whenever leaving it
    # alone cost more than the small loss in cosine. Text+Berg dev 0.892 at 0 and 1
    # (0.880 at 2), noisy even NTREX 0.983 -> 0.985 (2-1 and 1-2 only). Extended to runs
    # of three and four (after neighbour_max): Text+Berg dev unchanged (0.891),
    # ntrex-digest-even 0.754 -> 0.783.
    edge_gain_weight: float = 1.0
    # A bead's length log-probability below this says no more. With a deeper floor (-10),
    # a 1-1 pair whose Korean is terser than usual gained more length score by swallowing
    # the sentences around it that the English edition dropped than the merge cost in
    # cosine. On English editions that keep half the lines (ntrex-digest-even), strict F1
    # 0.783 -> 0.831 (after neighbour_max and the edge gain of longer runs); Text+Berg dev
    # 0.891 -> 0.888, even NTREX clean and noisy unchanged.
    length_floor: float = -5.0


# For languages the encoder does not know: no embeddings, so length, numbers, names and
# the learned lexicon carry the search. Tuned on Text+Berg dev with the embeddings
# switched off, which stands in for an unknown language (docs/benchmarks.md).
# Dev strict F1 without embeddings: 0.793 from length, numbers and names (Gale-Church
# 0.647), 0.818 with the lexicon learned in a second pass.
WITHOUT_EMBEDDINGS = {
    "embedding_weight": 0.0,
    "neighbour_weight": 0.0,
    "refine": False,
    "length_weight": 0.1,
    "threshold": -0.4,
    "skip_penalty": 0.3,
    # Without vectors there is no best match to weigh, nor a closer part of a merge.
    "skip_evidence_weight": 0.0,
    "edge_gain_weight": 0.0,
    "merge_penalty": 0.0,
    # Tuned with the old floor; the digest change was measured with embeddings only.
    "length_floor": -10.0,
    "lexicon_weight": 0.6,
    "lexicon_min_score": -0.1,
}


@dataclass
class _Side:
    sentences: Sequence[str]
    vectors: np.ndarray
    neighbour_sims: np.ndarray
    lengths: np.ndarray
    numbers: np.ndarray
    names: np.ndarray
    words: np.ndarray
    best_similarity: np.ndarray
    groups: dict[int, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, sentences, vectors, neighbour_sims, names, words, best) -> _Side:
        return cls(
            sentences,
            vectors,
            neighbour_sims,
            prefix_lengths(sentences),
            bag_matrix([number_tokens(s) for s in sentences]),
            bag_matrix(names),
            bag_matrix(words),
            best,
        )

    def group(self, size: int) -> np.ndarray:
        """Vectors of every run of ``size`` consecutive sentences (row = first sentence)."""
        if size not in self.groups:
            count = len(self.sentences) - size + 1
            summed = sum(self.vectors[k : k + count] for k in range(size))
            norms = np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)
            self.groups[size] = (summed / norms).astype(np.float32)
        return self.groups[size]

    def neighbour_max(self, start: np.ndarray, size: int) -> np.ndarray:
        """How much the most hub-like sentence of each run resembles everything near it.

        A mean over the run would let a sentence the other edition dropped, which
        resembles little, dilute the penalty, so that merging it in paid: the max cannot
        fall as a run grows (ntrex-digest-even 0.742 -> 0.754, noisy even NTREX 0.985 ->
        0.987, Text+Berg dev 0.892 -> 0.891)."""
        return np.max([self.neighbour_sims[start + k] for k in range(size)], axis=0)

    def run_texts(self, runs: Sequence[tuple[int, int]]) -> list[str]:
        return [" ".join(self.sentences[start : start + size]) for start, size in runs]


@dataclass
class _FirstSearch:
    """One document after its first search, waiting for its doubtful runs' encodings."""

    source: _Side
    target: _Side
    band: Band
    path: list[tuple[tuple[int, ...], tuple[int, ...]]]
    runs: tuple[list[tuple[int, int]], list[tuple[int, int]]]
    parameters: DariParameters
    ratio: float

    def run_texts(self) -> list[str]:
        return self.source.run_texts(self.runs[0]) + self.target.run_texts(self.runs[1])


def _unaligned(src: Sequence[str], tgt: Sequence[str]) -> list[Bead]:
    """Every sentence on its own: what is left when one side is empty."""
    return [Bead((i,), ()) for i in range(len(src))] + [Bead((), (j,)) for j in range(len(tgt))]


@register("dari")
class DariAligner:
    name = "dari"

    def __init__(self, encoder: Encoder | None = None, **parameters: object):
        self.encoder = encoder or Encoder()
        self.parameters = DariParameters(**parameters)  # type: ignore[arg-type]
        self.parameters_without_embeddings = DariParameters(**{**WITHOUT_EMBEDDINGS, **parameters})  # type: ignore[arg-type]
        self.lexicon: Lexicon | None = None
        self._p = self.parameters

    def align_many(
        self, documents: Sequence[tuple[Sequence[str], Sequence[str], str, str]]
    ) -> list[list[Bead]]:
        """Align a corpus in two passes: learn a lexicon from the confident pairs of the
        first, then realign every document with it as one more signal.

        All sentences are encoded up front in one batch, which the encoder can spread
        over every core; documents one by one are too small to split.
        """
        self.encoder.encode(
            [
                sentence
                for src, tgt, src_lang, tgt_lang in documents
                if self._parameters_for(src_lang, tgt_lang).embedding_weight
                for sentence in (*src, *tgt)
            ]
        )
        first = []
        for start in range(0, len(documents), DOCUMENTS_PER_BATCH):
            first.extend(self._align_batch(documents[start : start + DOCUMENTS_PER_BATCH]))
        by_languages: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for (src, tgt, src_lang, tgt_lang), beads in zip(documents, first, strict=True):
            parameters = self._parameters_for(src_lang, tgt_lang)
            if parameters.lexicon_weight == 0:
                continue
            examples = by_languages.setdefault((src_lang, tgt_lang), [])
            examples.extend(
                (src[b.src[0]], tgt[b.tgt[0]])
                for b in beads
                if b.kind == "1-1" and b.score >= parameters.lexicon_min_score
            )
        lexicons = {langs: Lexicon.train(pairs, *langs) for langs, pairs in by_languages.items()}
        results = []
        for document, beads in zip(documents, first, strict=True):
            self.lexicon = lexicons.get((document[2], document[3]))
            results.append(self.align(*document) if self.lexicon else beads)
        self.lexicon = None
        return results

    def _align_batch(
        self, documents: Sequence[tuple[Sequence[str], Sequence[str], str, str]]
    ) -> list[list[Bead]]:
        """First searches of every document, then the runs they want encoded for real in
        one batch (spread over every core), then the second searches."""
        firsts = [self._first_search(*document) for document in documents]
        self.encoder.encode([text for first in firsts if first for text in first.run_texts()])
        return [
            self._second_search(first) if first else _unaligned(src, tgt)
            for first, (src, tgt, _, _) in zip(firsts, documents, strict=True)
        ]

    def align(
        self, src: Sequence[str], tgt: Sequence[str], src_lang: str = "", tgt_lang: str = ""
    ) -> list[Bead]:
        first = self._first_search(src, tgt, src_lang, tgt_lang)
        return self._second_search(first) if first else _unaligned(src, tgt)

    def _first_search(self, src, tgt, src_lang, tgt_lang) -> _FirstSearch | None:
        if not src or not tgt:
            return None
        self._p = self._parameters_for(src_lang, tgt_lang)
        source, target, band = self._prepare(src, tgt, src_lang, tgt_lang)
        path = self._search(source, target, band)
        runs = self._runs_to_encode(path, source, target) if self._p.refine else ([], [])
        return _FirstSearch(source, target, band, path, runs, self._p, self._ratio)

    def _second_search(self, first: _FirstSearch) -> list[Bead]:
        """Search again once the first search's doubtful runs have real encodings."""
        self._p, self._ratio = first.parameters, first.ratio
        path = first.path
        src_runs, tgt_runs = first.runs
        if src_runs or tgt_runs:
            self._encode_runs(first.source, src_runs)
            self._encode_runs(first.target, tgt_runs)
            path = self._search(first.source, first.target, first.band, edge=True)
        return [self._bead(s, t, first.source, first.target) for s, t in path]

    # -- preparation -----------------------------------------------------------------

    def _parameters_for(self, src_lang: str, tgt_lang: str) -> DariParameters:
        if covers(src_lang) and covers(tgt_lang):
            return self.parameters
        return self.parameters_without_embeddings

    def _vectors(self, sentences: Sequence[str]) -> np.ndarray:
        if self._p.embedding_weight == 0:
            return np.zeros((len(sentences), DIMENSION), dtype=np.float32)
        return self.encoder.encode(sentences)

    def _prepare(self, src, tgt, src_lang, tgt_lang) -> tuple[_Side, _Side, Band]:
        src_vectors = self._vectors(src)
        tgt_vectors = self._vectors(tgt)
        src_near, tgt_near, best_t, best_s, src_best, tgt_best = _neighbourhoods(
            src_vectors, tgt_vectors
        )
        src_names, tgt_names = shared_tokens(src, tgt, src_lang, tgt_lang)
        src_words, tgt_words = self._lexical_bags(src, tgt, src_lang, tgt_lang)
        source = _Side.build(src, src_vectors, src_near, src_names, src_words, src_best)
        target = _Side.build(tgt, tgt_vectors, tgt_near, tgt_names, tgt_words, tgt_best)
        n, m = len(src), len(tgt)
        if n * m <= FULL_SEARCH_CELLS:
            band = full_band(n, m)
        elif self._p.embedding_weight == 0:
            band = diagonal_band(n, m)
        else:
            band = anchor_band(best_t, best_s, n, m)
        self._ratio = length_ratio(np.diff(source.lengths), np.diff(target.lengths))
        return source, target, band

    def _lexical_bags(self, src, tgt, src_lang, tgt_lang):
        lexicon = self.lexicon
        if lexicon is None or (lexicon.src_lang, lexicon.tgt_lang) != (src_lang, tgt_lang):
            return [[] for _ in src], [[] for _ in tgt]
        return lexicon.bags(src, tgt)

    # -- scoring ---------------------------------------------------------------------

    def match_score(
        self, shape, i0, j0, source: _Side, target: _Side, cosine: np.ndarray | None = None
    ) -> np.ndarray:
        """``cosine``: the beads' ``_cosine`` when the caller has it already."""
        a, b = shape
        p = self._p
        if cosine is None:
            cosine = _cosine(shape, i0, j0, source, target)
        neighbours = (source.neighbour_max(i0, a) + target.neighbour_max(j0, b)) / 2
        src_len = source.lengths[i0 + a] - source.lengths[i0]
        tgt_len = target.lengths[j0 + b] - target.lengths[j0]
        length = np.maximum(length_log_probability(src_len, tgt_len, self._ratio), p.length_floor)
        return (
            p.embedding_weight * cosine
            - p.neighbour_weight * neighbours
            + p.length_weight * length
            + _bag_term(p.number_weight, 0.5, source.numbers, i0, a, target.numbers, j0, b)
            + _bag_term(p.name_weight, 0.5, source.names, i0, a, target.names, j0, b)
            + _bag_term(
                p.lexicon_weight, p.lexicon_centre, source.words, i0, a, target.words, j0, b
            )
        )

    def _search(self, source: _Side, target: _Side, band: Band, edge: bool = False):
        p = self._p

        def gain_for(shape):
            size = shape[0] + shape[1]

            def gain(i0, j0):
                cosine = _cosine(shape, i0, j0, source, target)
                score = self.match_score(shape, i0, j0, source, target, cosine)
                if edge and p.edge_gain_weight and min(shape) == 1 < max(shape):
                    edge_gain = _edge_gain(shape, i0, j0, source, target, cosine)
                    score -= p.edge_gain_weight * edge_gain
                return score - p.threshold - p.merge_penalty * (size - 2)

            return gain

        n, m = len(source.sentences), len(target.sentences)
        shapes = bead_shapes(p.max_total)
        return search(
            n,
            m,
            {shape: gain_for(shape) for shape in shapes},
            self._skip_gains(source),
            self._skip_gains(target),
            band,
        )

    def _skip_gains(self, side: _Side) -> np.ndarray:
        """Gain of leaving each sentence unaligned: dearer the better its best match.

        A dropped paragraph has no good match anywhere, an OCR fragment or a sentence
        split differently does (inside its merged counterpart), so the evidence, not a
        fixed guess, decides between a skip and a merge.
        """
        p = self._p
        evidence = p.skip_evidence_weight * (side.best_similarity - p.skip_evidence_centre)
        return np.minimum(-p.skip_penalty - evidence, 0.0)

    def _runs_to_encode(
        self, path, source: _Side, target: _Side
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """The runs (start, size) of each side to encode for real: where the first search
        may have split or merged wrongly.

        Those are the merged sides of the path's beads, a sentence left alone joined to
        the side of the link next to it (where an undervalued merge loses to a skip), and
        every adjacent pair of sentences around a bead that is not a confident 1-1 (summed
        vectors undervalue merges there). Confident 1-1 beads, most of a clean news
        translation, cost no further encoding.
        """
        wanted: dict[str, set[tuple[int, int]]] = {"src": set(), "tgt": set()}
        limit = self._p.max_total - 1
        confident = self._confident_one_to_one(path, source, target)
        sizes = {"src": len(source.sentences), "tgt": len(target.sentences)}
        for k, (s, t) in enumerate(path):
            for side, ids in (("src", s), ("tgt", t)):
                if len(ids) >= 2:
                    wanted[side].add((ids[0], len(ids)))
                if ids and not confident[k]:
                    first, last = max(0, ids[0] - 1), min(ids[-1], sizes[side] - 2)
                    wanted[side].update((start, 2) for start in range(first, last + 1))
            if s and t:
                continue
            side, skipped = ("src", s[0]) if s else ("tgt", t[0])
            for neighbour in (
                path[k - 1] if k else None,
                path[k + 1] if k + 1 < len(path) else None,
            ):
                if not neighbour or not (neighbour[0] and neighbour[1]):
                    continue
                ids = neighbour[0] if side == "src" else neighbour[1]
                run = sorted({*ids, skipped})
                if len(run) <= limit and run[-1] - run[0] + 1 == len(run):
                    wanted[side].add((run[0], len(run)))
        return sorted(wanted["src"]), sorted(wanted["tgt"])

    def _confident_one_to_one(self, path, source: _Side, target: _Side) -> list[bool]:
        ones = [k for k, (s, t) in enumerate(path) if len(s) == 1 and len(t) == 1]
        confident = [False] * len(path)
        if ones:
            i0 = np.array([path[k][0][0] for k in ones])
            j0 = np.array([path[k][1][0] for k in ones])
            scores = self.match_score((1, 1), i0, j0, source, target)
            for k, score in zip(ones, scores, strict=True):
                confident[k] = bool(score >= self._p.confident_score)
        return confident

    def _encode_runs(self, side: _Side, runs: list[tuple[int, int]]) -> None:
        """Replace the summed vectors of these runs (start, size) by real encodings."""
        if not runs:
            return
        texts = side.run_texts(runs)
        for (start, size), vector in zip(runs, self.encoder.encode(texts), strict=True):
            side.group(size)[start] = vector

    def _bead(self, s, t, source: _Side, target: _Side) -> Bead:
        if not s or not t:
            return Bead(s, t, 0.0)
        score = float(
            self.match_score((len(s), len(t)), np.array([s[0]]), np.array([t[0]]), source, target)[
                0
            ]
        )
        return Bead(s, t, score)


def _cosine(shape, i0, j0, source: _Side, target: _Side) -> np.ndarray:
    """Cosine of the two sides of each bead of this shape starting at (i0, j0)."""
    return np.einsum("ij,ij->i", source.group(shape[0])[i0], target.group(shape[1])[j0])


def _edge_gain(shape, i0, j0, source: _Side, target: _Side, whole: np.ndarray) -> np.ndarray:
    """For beads of one sentence against a run of several (2-1, 1-3, ...): how much
    closer the single sentence comes to one sentence of the run than to the whole run
    (0 when to none). A merge that swallowed sentences the other document lacks matches
    better without them; a true merge loses meaning. ``whole``: the beads' ``_cosine``,
    which their match score needs as well."""
    (run, run_at), (one, one_at) = (
        ((source, i0), (target, j0)) if shape[1] == 1 else ((target, j0), (source, i0))
    )
    size = max(shape)
    single = one.group(1)[one_at]
    parts = [np.einsum("ij,ij->i", run.group(1)[run_at + k], single) for k in range(size)]
    return np.maximum(np.max(parts, axis=0) - whole, 0.0)


def _neighbourhoods(src: np.ndarray, tgt: np.ndarray, chunk: int = 2048):
    """Mean similarity of each sentence to its nearest cross-language neighbours, and
    each sentence's single nearest neighbour, computed in row chunks to bound memory."""
    k_src = min(NEIGHBOURS, len(tgt))
    k_tgt = min(NEIGHBOURS, len(src))
    src_near = np.empty(len(src), dtype=np.float32)
    tgt_top = np.full((len(tgt), k_tgt), -1.0, dtype=np.float32)
    nearest = NearestBothWays(len(src), len(tgt))
    for start in range(0, len(src), chunk):
        sims = src[start : start + chunk] @ tgt.T
        top = -np.partition(-sims, k_src - 1, axis=1)[:, :k_src]
        src_near[start : start + len(sims)] = top.mean(axis=1)
        nearest.add(start, sims)
        merged = np.concatenate([tgt_top, sims.T], axis=1)
        tgt_top = -np.partition(-merged, k_tgt - 1, axis=1)[:, :k_tgt]
    return (
        src_near,
        tgt_top.mean(axis=1),
        nearest.best_targets,
        nearest.best_sources,
        nearest.best_target_sims,
        nearest.best_source_sims,
    )


def _bag_term(weight, centre, src_bags, i0, a, tgt_bags, j0, b) -> np.ndarray | float:
    """``weight`` x (bag overlap - ``centre``) where either side has a token, else 0;
    skipped when the weight is 0 (the lexicon for languages the encoder covers)."""
    if weight == 0:
        return 0.0
    dice, has_tokens = overlap(src_bags, i0, a, tgt_bags, j0, b)
    return weight * np.where(has_tokens, dice - centre, 0.0)
