"""Bleualign-style alignment: score candidates against the user's machine translations.

Users with their own MT system translate the source document into the target language,
one translation per source sentence. A candidate bead (source run, target run) is then
judged monolingually, as Bleualign (Sennrich & Volk 2010) does: the sentence-level chrF
or BLEU of the joined translations of its source sentences against its joined target
sentences, computed with sacrebleu's metric objects.

A bead earns ``(a + b) / 2 * (score - threshold)``, plus a weak Gale-Church length prior
and minus a small price per merged sentence; a sentence left alone earns nothing. So the
threshold is the evidence a link needs: a sentence stays 1-0 / 0-1 when no candidate in
reach scores above it, not because a fixed skip cost happened to be cheaper. The
threshold sits a margin above the document's own background: how well its translations
match target sentences they do *not* translate (their typical score against everything
in reach), which differs between metrics and between documents.

sacrebleu scores one pair in about 0.3 ms, too slow for the millions of candidates of a
long document, so the work is split: the n-grams of every run of up to ``max_total - 1``
sentences are extracted once by the metric's own preprocessing and extraction, the
clipped matches of all candidates of a bead shape are counted at once with sparse
matrices, and the metric object turns those statistics into the score. The result equals
``metric.sentence_score`` (tests check it). Long documents are searched in a band around
anchors (mutual nearest neighbours by tf-idf cosine of the same n-grams), so time and
memory grow linearly with length.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.metrics.helpers import extract_all_char_ngrams, extract_all_word_ngrams
from scipy import sparse

from aligners.base import ALIGNERS, Aligner, Bead, get_aligner, register
from aligners.documents import read_lines
from aligners.length import length_log_probability, length_ratio, prefix_lengths
from aligners.search import Band, NearestBothWays, anchor_band, bead_shapes, full_band, search

METRICS = ("chrf", "bleu")
FULL_SEARCH_CELLS = 10_000
ANCHOR_CHUNK = 512
SCORE_CHUNK = 20_000
# Half-width cap of the band between anchors: chrF anchors are dense and reliable, and
# every extra cell costs all bead shapes a sparse n-gram comparison.
ANCHOR_MAX_WIDTH = 30
MIN_BACKGROUND_CELLS = 6
# sacrebleu tokenizers that need no extra download or package: BLEU on text without
# spaces between words (zh, ja) or with agglutinated endings (ko) is counted in
# characters; chrF works on characters anyway and needs no tokenizer.
BLEU_TOKENIZERS = {"zh": "zh", "ja": "char", "ko": "char"}
# chrF weighs recall beta times as much as precision; the usual beta of 2 suits scoring MT
# but not alignment: a hypothesis that runs on into the next sentence loses little
# precision-weighted score, so merges that swallow a neighbour look good. With beta 1,
# extra material on either side costs the same. (NTREX ko-en, even documents, simulated
# MT, strict F1 with the final weights: beta 1 0.992, beta 2 0.971; with the first,
# smaller merge penalty of 0.04 beta 2 fell to 0.80 from over-merging.)
CHRF_BETA = 1
# (floor, margin) of the threshold per metric, on the 0-1 scale.
METRIC_DEFAULTS = {"chrf": (0.18, 0.03), "bleu": (0.01, 0.0)}


@dataclass
class BleualignParameters:
    """Weights of the bead gain, set on NTREX ko-en with simulated MT (docs/benchmarks.md).

    ``threshold`` is what a link's score must exceed: the document's background score
    plus ``margin``, never below ``floor`` (both per metric, as chrF and sentence BLEU
    live on different scales); ``None`` takes the metric's default.
    """

    margin: float | None = None
    floor: float | None = None
    # A merged bead pays this per sentence beyond two: without it, two neighbouring 1-1
    # links merged into a 2-2 score about their average and win on the length prior.
    merge_penalty: float = 0.25
    length_weight: float = 0.02
    max_total: int = 5

    def margin_for(self, metric: str) -> float:
        return METRIC_DEFAULTS[metric][1] if self.margin is None else self.margin

    def floor_for(self, metric: str) -> float:
        return METRIC_DEFAULTS[metric][0] if self.floor is None else self.floor


class SpanScorer:
    """Sentence-level chrF or BLEU of translated source runs against target runs.

    ``hypotheses`` are the translations (one per source sentence), ``references`` the
    target sentences; runs of up to ``max_size`` consecutive sentences are joined with a
    space, as a bead's sides are.
    """

    def __init__(
        self,
        metric: str,
        hypotheses: Sequence[str],
        references: Sequence[str],
        max_size: int,
        tgt_lang: str = "",
    ):
        self.metric_name = metric
        self.metric = make_metric(metric, tgt_lang)
        self.orders = self.metric.char_order if metric == "chrf" else self.metric.max_ngram_order
        self._vocabulary: dict[object, int] = {}
        self.hyp = self._runs(hypotheses, max_size)
        self.ref = self._runs(references, max_size)
        orders = self._column_orders
        self.columns = len(orders)
        self._order_matrix = sparse.csr_matrix(
            (np.ones(self.columns), (np.arange(self.columns), orders)),
            shape=(self.columns, self.orders),
        )

    # -- n-gram tables -----------------------------------------------------------------

    def _runs(self, sentences: Sequence[str], max_size: int) -> dict[int, _Runs]:
        runs = {}
        for size in range(1, max(1, min(max_size, len(sentences))) + 1):
            texts = [" ".join(sentences[k : k + size]) for k in range(len(sentences) - size + 1)]
            runs[size] = self._table(texts)
        return runs

    def _table(self, texts: Sequence[str]) -> _Runs:
        """One sparse row of n-gram counts per text, built from NumPy arrays because
        Python lists of ints cost ten times the memory on long documents."""
        indptr, cols, counts, lengths = [0], [], [], []
        vocabulary = self._vocabulary
        for text in texts:
            grams, length = self._ngrams(text)
            lengths.append(length)
            keys = (vocabulary.setdefault(gram, len(vocabulary)) for gram in grams)
            cols.append(np.fromiter(keys, np.int32, len(grams)))
            counts.append(np.fromiter(grams.values(), np.float64, len(grams)))
            indptr.append(indptr[-1] + len(grams))
        return _Runs(
            np.array(indptr, dtype=np.int64),
            np.concatenate(cols) if cols else np.zeros(0, np.int32),
            np.concatenate(counts) if counts else np.zeros(0),
            np.array(lengths, dtype=np.int64),
        )

    def _ngrams(self, text: str) -> tuple[dict, int]:
        """The metric's own preprocessing and n-gram extraction. An n-gram's order is its
        length (characters for chrF, which drops spaces; tokens for BLEU), so n-grams of
        all orders share one vocabulary."""
        text = self.metric._preprocess_segment(text)
        if self.metric_name == "chrf":
            per_order = extract_all_char_ngrams(text, self.orders, self.metric.whitespace)
            return {g: c for counter in per_order for g, c in counter.items()}, 0
        return extract_all_word_ngrams(text, 1, self.orders)

    @property
    def _column_orders(self) -> np.ndarray:
        return np.fromiter((len(g) - 1 for g in self._vocabulary), np.int64, len(self._vocabulary))

    def matrix(self, runs: _Runs) -> sparse.csr_matrix:
        if runs.matrix is None:
            runs.finish(self.columns, self._order_matrix)
        return runs.matrix

    # -- scoring ---------------------------------------------------------------------

    def scores(self, a: int, i0: np.ndarray, b: int, j0: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] of translations[i0:i0+a] against references[j0:j0+b]."""
        if len(i0) == 0:
            return np.zeros(0)
        hyp, ref = self.hyp[a], self.ref[b]
        h, r = self.matrix(hyp)[i0], self.matrix(ref)[j0]
        matches = np.asarray((h.minimum(r) @ self._order_matrix).todense())
        hyp_totals, ref_totals = hyp.totals[i0], ref.totals[j0]
        if self.metric_name == "chrf":
            hyp_counts = np.where(ref_totals > 0, hyp_totals, 0)
            return _chrf(hyp_counts, ref_totals, matches, self.metric.beta) / 100
        lengths = np.stack([hyp.lengths[i0], ref.lengths[j0]], 1)
        flat = np.concatenate([lengths, matches, hyp_totals], 1).astype(int).tolist()
        return np.array([self.metric._compute_score_from_stats(s).score for s in flat]) / 100

    def scores_in_chunks(self, a: int, i0: np.ndarray, b: int, j0: np.ndarray) -> np.ndarray:
        """:meth:`scores` for many candidates, a chunk at a time to bound memory."""
        parts = [
            self.scores(a, i0[k : k + SCORE_CHUNK], b, j0[k : k + SCORE_CHUNK])
            for k in range(0, len(i0), SCORE_CHUNK)
        ]
        return np.concatenate(parts) if parts else np.zeros(0)

    def anchors(self) -> tuple[np.ndarray, np.ndarray]:
        """Each translation's nearest target sentence and each target's nearest
        translation by tf-idf cosine of their n-grams, in row chunks to bound memory."""
        hyp, ref = self.matrix(self.hyp[1]), self.matrix(self.ref[1])
        documents = np.asarray((hyp > 0).sum(axis=0) + (ref > 0).sum(axis=0)).ravel()
        idf = sparse.diags(np.log((hyp.shape[0] + ref.shape[0] + 1) / (documents + 1)))
        hyp_w, ref_w = _normalised(hyp @ idf), _normalised(ref @ idf)
        nearest = NearestBothWays(hyp.shape[0], ref.shape[0], np.float64)
        for start in range(0, hyp.shape[0], ANCHOR_CHUNK):
            nearest.add(
                start, np.asarray((hyp_w[start : start + ANCHOR_CHUNK] @ ref_w.T).todense())
            )
        return nearest.best_targets, nearest.best_sources


class _Runs:
    """The n-gram counts of every run of one size on one side, as a sparse matrix."""

    def __init__(self, indptr: np.ndarray, cols: np.ndarray, counts: np.ndarray, lengths):
        self._parts = (counts, cols, indptr)
        self.lengths = lengths
        self.count = len(indptr) - 1
        self.matrix: sparse.csr_matrix | None = None
        self.totals = np.zeros((self.count, 0))

    def finish(self, columns: int, order_matrix: sparse.csr_matrix) -> None:
        self.matrix = sparse.csr_matrix(self._parts, shape=(self.count, columns))
        self._parts = None
        self.totals = np.asarray((self.matrix @ order_matrix).todense())


def _chrf(hyp: np.ndarray, ref: np.ndarray, match: np.ndarray, beta: float) -> np.ndarray:
    """sacrebleu's chrF from per-order counts (rows = candidates, columns = orders),
    vectorised: precision and recall averaged over the orders both sides have, then the
    F-beta of the averages, on a 0-100 scale (CHRF._compute_f_score, one row at a time)."""
    effective = (hyp > 0) & (ref > 0)
    orders = effective.sum(axis=1)
    precision = np.where(effective, match / np.maximum(hyp, 1), 0.0).sum(axis=1)
    recall = np.where(effective, match / np.maximum(ref, 1), 0.0).sum(axis=1)
    precision = np.divide(precision, orders, out=np.zeros_like(precision), where=orders > 0)
    recall = np.divide(recall, orders, out=np.zeros_like(recall), where=orders > 0)
    factor = beta**2
    denominator = factor * precision + recall
    score = np.divide(
        (1 + factor) * precision * recall,
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return 100 * score


class ScoreTable:
    """The score of every bead of one shape (a, b) the band allows, computed at once.

    The search asks for a row's candidates at a time; batching them per shape instead
    saves most of the per-call cost of the sparse matrix operations.
    """

    def __init__(self, scorer: SpanScorer, shape: tuple[int, int], band: Band, n: int, m: int):
        a, b = shape
        starts = np.arange(max(n - a + 1, 0))
        self.j_lo = np.maximum(band.lo[starts], band.lo[starts + a] - b)
        j_hi = np.minimum(np.minimum(band.hi[starts], band.hi[starts + a] - b), m - b)
        counts = np.maximum(j_hi - self.j_lo + 1, 0)
        self.row_start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.i0 = np.repeat(starts, counts)
        self.j0 = np.arange(len(self.i0)) - np.repeat(self.row_start - self.j_lo, counts)
        self.scores = scorer.scores_in_chunks(a, self.i0, b, self.j0)

    def lookup(self, i0: np.ndarray, j0: np.ndarray) -> np.ndarray:
        return self.scores[self.row_start[i0] + j0 - self.j_lo[i0]]


def _normalised(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ matrix)


def make_metric(metric: str, tgt_lang: str = "") -> CHRF | BLEU:
    """sacrebleu's metric object; BLEU smooths n-gram orders a short sentence lacks."""
    if metric == "chrf":
        return CHRF(beta=CHRF_BETA)
    if metric == "bleu":
        tokenizer = BLEU_TOKENIZERS.get(tgt_lang.split("-")[0].lower(), "13a")
        return BLEU(effective_order=True, tokenize=tokenizer)
    raise ValueError(f"unknown MT metric {metric!r} (known: {', '.join(METRICS)})")


@register("bleualign")
class BleualignAligner:
    """Aligns with the user's machine translations of the source side."""

    name = "bleualign"

    def __init__(
        self,
        translations: Sequence[str] | None = None,
        metric: str = "chrf",
        translations_source: str = "translations",
        **parameters: object,
    ):
        if translations is None:
            raise ValueError(
                "the bleualign aligner needs machine translations of the source sentences"
            )
        make_metric(metric)  # reject an unknown metric before any work
        self.translations = list(translations)
        self.metric = metric
        self.translations_source = translations_source
        self.parameters = BleualignParameters(**parameters)  # type: ignore[arg-type]

    def align(
        self, src: Sequence[str], tgt: Sequence[str], src_lang: str = "", tgt_lang: str = ""
    ) -> list[Bead]:
        if len(self.translations) != len(src):
            raise ValueError(
                f"{self.translations_source}: {len(self.translations)} translations for "
                f"{len(src)} source sentences (one translation per source sentence, in order)"
            )
        if not src or not tgt:
            return [Bead((i,), ()) for i in range(len(src))] + [
                Bead((), (j,)) for j in range(len(tgt))
            ]
        p = self.parameters
        n, m = len(src), len(tgt)
        scorer = SpanScorer(self.metric, self.translations, tgt, p.max_total - 1, tgt_lang)
        band = self._band(scorer, n, m)
        shapes = bead_shapes(p.max_total)
        tables = {shape: ScoreTable(scorer, shape, band, n, m) for shape in shapes}
        threshold = self._threshold(tables[(1, 1)])
        src_cum, tgt_cum = prefix_lengths(src), prefix_lengths(tgt)
        ratio = length_ratio(np.diff(src_cum), np.diff(tgt_cum))

        def gain_for(shape):
            a, b = shape

            def gain(i0, j0):
                src_len = src_cum[i0 + a] - src_cum[i0]
                tgt_len = tgt_cum[j0 + b] - tgt_cum[j0]
                length = np.maximum(length_log_probability(src_len, tgt_len, ratio), -10.0)
                return (
                    (a + b) / 2 * (tables[shape].lookup(i0, j0) - threshold)
                    + p.length_weight * length
                    - p.merge_penalty * (a + b - 2)
                )

            return gain

        gains = {shape: gain_for(shape) for shape in shapes}
        path = search(n, m, gains, np.zeros(n), np.zeros(m), band)
        return [self._bead(src_ids, tgt_ids, tables, threshold) for src_ids, tgt_ids in path]

    def _band(self, scorer: SpanScorer, n: int, m: int) -> Band:
        if n * m <= FULL_SEARCH_CELLS:
            return full_band(n, m)
        best_t, best_s = scorer.anchors()
        return anchor_band(best_t, best_s, n, m, max_width=ANCHOR_MAX_WIDTH)

    def _threshold(self, one_to_one: ScoreTable) -> float:
        """The document's background score plus the margin, never below the floor.

        The background is the median 1-1 score over the band once each translation's and
        each target sentence's best candidate is set aside: what is left pairs sentences
        that do not translate each other. With too few such cells (a document of two or
        three sentences) there is no background to measure and the floor decides.
        """
        i0, j0, scores = one_to_one.i0, one_to_one.j0, one_to_one.scores
        floor = self.parameters.floor_for(self.metric)
        if len(scores) == 0:
            return floor
        row_best = np.full(int(i0.max()) + 1, -1.0)
        col_best = np.full(int(j0.max()) + 1, -1.0)
        np.maximum.at(row_best, i0, scores)
        np.maximum.at(col_best, j0, scores)
        rest = scores[(scores < row_best[i0]) & (scores < col_best[j0])]
        if len(rest) < MIN_BACKGROUND_CELLS:
            return floor
        return max(floor, float(np.median(rest)) + self.parameters.margin_for(self.metric))

    def _bead(self, s, t, tables: dict[tuple[int, int], ScoreTable], threshold: float) -> Bead:
        if not s or not t:
            return Bead(s, t, 0.0)
        table = tables[(len(s), len(t))]
        score = float(table.lookup(np.array([s[0]]), np.array([t[0]]))[0])
        return Bead(s, t, score, {self.metric: score, "threshold": threshold})


def aligner_for_documents(
    name: str | None,
    translations_path: str | Path | None = None,
    metric: str = "chrf",
    **options: object,
) -> Aligner:
    """The aligner `dari align` asks for: ``name`` (default ``dari``), or with a
    translations file (one machine translation per source sentence a line) the
    ``bleualign`` aligner unless ``name`` is given, which must then accept translations.
    Errors are ValueErrors whose message names the translations file."""
    if translations_path is None:
        return get_aligner(name or "dari", **options)
    name = name or "bleualign"
    if not _accepts_translations(name):
        raise ValueError(
            f"{translations_path}: the {name!r} aligner does not use machine translations "
            "(use --aligner bleualign or leave --aligner out)"
        )
    translations = read_lines(translations_path)
    return get_aligner(
        name,
        translations=translations,
        metric=metric,
        translations_source=str(translations_path),
        **options,
    )


def _accepts_translations(name: str) -> bool:
    import aligners.registry  # noqa: F401  (registers every method)

    factory = ALIGNERS.get(name)
    if factory is None:
        get_aligner(name)  # raises the registry's "unknown aligner" error
    return "translations" in inspect.signature(factory).parameters
