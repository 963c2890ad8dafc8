"""Pair each English article with its Korean original (issue #4).

Two passes over the *current* versions of the stored documents:

1. **Link pass.** An English page that names its original (``original_url``) is paired
   with the Korean article at that URL, compared after :func:`corpus.urls.url_key`. A link
   is the publisher's own word, so it is kept even when the content disagrees; it is then
   flagged ``link_content_mismatch`` and its confidence lowered. A link to an article that
   is not in the store leaves the English article unpaired with the URL in the note, so a
   later run (after the original is ingested) picks it up.
2. **Content pass** for the rest. Candidates are blocked by date: Korean articles
   published from ``window_days`` before to ``DAYS_AFTER`` after the English one, found
   by a window scan over the Korean articles sorted by date. Articles without a date
   compete on content alone through an embedding index (a plain matrix product over
   document vectors, chunked; fine up to ~100k documents a side, beyond that an ANN
   index would be needed) and the pair gets the flag ``undated``. Candidates are scored by
   cross-lingual document similarity and assigned one-to-one by competitive linking
   (best edge first), which is what the Hungarian method gives on these very peaked
   score matrices at a fraction of the cost and memory.

Document similarity follows Thompson & Koehn (2020): sentence vectors are averaged with
positional windows, so a document is a concatenation of a global mean and ``BINS``
position-weighted means, and two documents match only if they say the same things *in
the same order*. These vectors pick the few best candidates cheaply; the decision among
them uses a banded sentence match (each sentence's best counterpart near the same relative
position), since stories on one topic have document vectors as close as a translation's.
Number overlap (numbers survive translation exactly) is added to both; close calls
between the two best candidates are re-checked by running the sentence aligner and by
matching romanised names.

**Confidence** (0-1) is how sure the pairing is that the Korean article is the original:
1.0 for a link whose content agrees (0.5 when it disagrees); for a content pair it is the
product of an *absolute* term (the match score placed linearly between
``UNRELATED_SCORE``, typical of unrelated articles, and ``TRANSLATION_SCORE``, typical
of translations) and a *margin* term (0.5 plus half the runner-up gap measured against
``CLEAR_MARGIN``), so a pair that is similar but barely beats another candidate is not
trusted. Pairs below ``min_confidence`` are not made.

Pairing is a global decision (one Korean original per English article), so a run is
decided before anything is written, in one transaction. What it keeps for the whole run is
small per article (ids, dates, a text fingerprint, the numbers, the few candidates found);
sentences and vectors are loaded only while an article is compared and released after, and
the content pass sweeps the articles in date order, so memory follows the number of
articles in a date window, not the size of the store. Undated articles are the exception:
they compete with everything, so their candidates' global means stay in memory.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import groupby

import numpy as np

from aligners.embedding import DIMENSION, Encoder
from aligners.numbers import number_tokens
from corpus.store import Store
from corpus.urls import url_key

DEFAULT_WINDOW_DAYS = 3.0
DAYS_AFTER = 1.0
DEFAULT_MIN_CONFIDENCE = 0.5
BINS = 4
CANDIDATES_PER_ARTICLE = 5
NUMBER_WEIGHT = 0.15
UNRELATED_SCORE = 0.40
TRANSLATION_SCORE = 0.55
BAND = 0.2
CLEAR_MARGIN = 0.10
RECHECK_MARGIN = 0.06
RECHECK_WEIGHT = 0.3
NAME_WEIGHT = 0.1
MISMATCH_SCORE = 0.35
LINK_MISMATCH_CONFIDENCE = 0.5
INDEX_CHUNK = 1024
SWEEP_BATCH = 256  # English articles compared per step of the date sweep (and per encoding)
# ... and at most this many Korean articles in the step's date window (a store holding the
# whole Korean archive beside a few English articles would otherwise load it all at once).
WINDOW_KOREAN = 4096


@dataclass(eq=False)
class Doc:
    id: int
    article_id: str
    lang: str
    published: datetime | None
    url_key: str | None
    original_url: str | None
    fingerprint: str = ""
    body_sentences: int = 0
    numbers: frozenset[str] = frozenset()
    # Loaded by _Texts while the article is being compared, released after.
    sentences: list[str] | None = None
    vector: np.ndarray | None = None
    mean: np.ndarray | None = None

    @property
    def empty(self) -> bool:
        return self.body_sentences == 0


@dataclass
class Decision:
    """What a run decided for one English article: a pair, or a reason to stay unpaired."""

    en: Doc
    ko: Doc | None
    method: str
    confidence: float
    flags: list[str] = field(default_factory=list)
    note: str | None = None
    reason: str | None = None  # reason category for the summary


@dataclass
class PairingSummary:
    english: int = 0
    korean: int = 0
    kept: int = 0
    stale_removed: int = 0
    rechecked: int = 0
    by_method: Counter = field(default_factory=Counter)
    unpaired: Counter = field(default_factory=Counter)
    flagged: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {
            "english": self.english,
            "korean": self.korean,
            "paired": sum(self.by_method.values()),
            "kept_from_earlier_runs": self.kept,
            "stale_removed": self.stale_removed,
            "rechecked_with_aligner": self.rechecked,
            "by_method": dict(self.by_method),
            "unpaired": dict(self.unpaired),
            "flagged": dict(self.flagged),
        }

    def text(self) -> str:
        data = self.as_dict()
        lines = [
            f"English articles: {self.english}, Korean articles: {self.korean}",
            f"paired: {data['paired']} ({_counts(self.by_method)}), "
            f"kept from earlier runs: {self.kept}",
            f"unpaired: {sum(self.unpaired.values())} ({_counts(self.unpaired)})",
        ]
        if self.flagged:
            lines.append(f"flagged: {_counts(self.flagged)}")
        if self.rechecked:
            lines.append(f"close calls re-checked with the sentence aligner: {self.rechecked}")
        return "\n".join(lines)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "none"


# -- the run -------------------------------------------------------------------------


def pair_store(
    store: Store,
    *,
    window_days: float = DEFAULT_WINDOW_DAYS,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    redo: bool = False,
    allow_many: bool = False,
    encoder: Encoder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PairingSummary:
    """Pair the store's English articles with Korean originals and write the pairs table.

    ``progress(done, total)`` is called as English articles are compared.
    """
    summary = PairingSummary()
    summary.stale_removed = _remove_stale_pairs(store)
    english = _load_docs(store, "en")
    korean = _load_docs(store, "ko")
    summary.english, summary.korean = len(english), len(korean)
    kept = {} if redo else _kept_pairs(store)
    summary.kept = len(kept)
    todo = [doc for doc in english if doc.id not in kept]
    taken: dict[int, str] = {} if allow_many else _taken_korean(kept, english)
    texts = _Texts(store, encoder or Encoder(db=store.db))

    decisions: list[Decision] = []
    ko_pool, ko_duplicates = _canonical(korean)
    en_todo, en_duplicates = _canonical(todo, others=[d for d in english if d.id in kept])
    for doc, original in en_duplicates.items():
        decisions.append(_unpaired(doc, f"duplicate of {original.article_id}", "duplicate"))
    for doc in en_todo:
        if doc.empty:
            decisions.append(_unpaired(doc, "empty article (no body text)", "empty article"))
    en_todo = [d for d in en_todo if not d.empty]
    counter = _Counter(len(en_todo), progress)
    by_key = _korean_by_url(korean, ko_duplicates)
    linked, en_rest = _link_pass(en_todo, by_key, taken, allow_many, decisions, texts, counter)
    decisions.extend(linked)
    free_ko = [d for d in ko_pool if not d.empty and (allow_many or d.id not in taken)]
    decisions.extend(
        _content_pass(
            en_rest,
            free_ko,
            taken,
            window_days=window_days,
            min_confidence=min_confidence,
            allow_many=allow_many,
            ranker=_Ranker(texts, min_confidence, counter),
            summary=summary,
        )
    )
    _write(store, decisions, redo)
    for decision in decisions:
        if decision.ko is None:
            summary.unpaired[decision.reason or "other"] += 1
        else:
            summary.by_method[decision.method] += 1
            summary.flagged.update(decision.flags)
    return summary


def _unpaired(doc: Doc, note: str, reason: str) -> Decision:
    return Decision(doc, None, "none", 0.0, note=note, reason=reason)


# -- loading -------------------------------------------------------------------------


def _remove_stale_pairs(store: Store) -> int:
    """Pairs of superseded versions go: a new version is paired afresh (alignments too)."""
    with store.transaction() as db:
        cursor = db.execute(
            "DELETE FROM pairs WHERE en_doc IN (SELECT id FROM documents WHERE current = 0) "
            "OR ko_doc IN (SELECT id FROM documents WHERE current = 0)"
        )
        return cursor.rowcount


def _load_docs(store: Store, lang: str) -> list[Doc]:
    """The current articles of one language, with what pairing needs of their text
    (fingerprint, body length, numbers) read in one streaming pass, the text itself not
    kept."""
    rows = store.db.execute(
        "SELECT id, article_id, lang, published, url, original_url FROM documents "
        "WHERE current = 1 AND lang = ? ORDER BY id",
        (lang,),
    ).fetchall()
    docs = {
        row["id"]: Doc(
            id=row["id"],
            article_id=row["article_id"],
            lang=row["lang"],
            published=datetime.fromisoformat(row["published"]) if row["published"] else None,
            url_key=url_key(row["url"]),
            original_url=row["original_url"],
        )
        for row in rows
    }
    sentences = store.db.execute(
        "SELECT s.doc_id, s.kind, s.text FROM sentences s JOIN documents d ON d.id = s.doc_id "
        "WHERE d.current = 1 AND d.lang = ? ORDER BY s.doc_id, s.idx",
        (lang,),
    )
    for doc_id, rows_of_doc in groupby(sentences, key=lambda row: row[0]):
        _summarise_text(docs[doc_id], [(kind, text) for _, kind, text in rows_of_doc])
    return list(docs.values())


def _summarise_text(doc: Doc, sentences: list[tuple[str, str]]) -> None:
    texts = [text for _, text in sentences if text.strip()]
    doc.body_sentences = sum(kind != "heading" for kind, text in sentences if text.strip())
    doc.fingerprint = _fingerprint(texts)
    doc.numbers = frozenset(n for s in texts for n in _numbers(s))


def _kept_pairs(store: Store) -> dict[int, tuple[int, str]]:
    """English doc id -> (Korean doc id, Korean article id) of pairs made by earlier runs."""
    rows = store.db.execute(
        "SELECT p.en_doc, p.ko_doc, d.article_id FROM pairs p JOIN documents d ON d.id = p.ko_doc"
    )
    return {en: (ko, ko_article) for en, ko, ko_article in rows}


def _taken_korean(kept: dict[int, tuple[int, str]], english: list[Doc]) -> dict[int, str]:
    """Korean doc id -> English article id it is already paired to."""
    names = {d.id: d.article_id for d in english}
    return {ko: names.get(en, str(en)) for en, (ko, _) in kept.items()}


class _Counter:
    """Reports English articles compared so far to a ``progress(done, total)`` callback."""

    def __init__(self, total: int, progress: Callable[[int, int], None] | None) -> None:
        self.done, self.total, self._progress = 0, total, progress
        self.advance(0)

    def advance(self, articles: int) -> None:
        self.done += articles
        if self._progress:
            self._progress(self.done, self.total)


class _Texts:
    """Sentences and document vectors of the articles under comparison.

    Loaded for many articles at once (one encoder call, so batching and the encoder's
    process pool pay off, in a transaction so the embeddings reach the store for the
    aligner) and released when the articles are done with.
    """

    def __init__(self, store: Store, encoder: Encoder) -> None:
        self.store = store
        self.encoder = encoder

    def load(self, docs: Sequence[Doc]) -> None:
        missing = list({d.id: d for d in docs if d.sentences is None}.values())
        for start in range(0, len(missing), SQL_CHUNK):
            chunk = missing[start : start + SQL_CHUNK]
            by_id = {d.id: d for d in chunk}
            for doc in chunk:
                doc.sentences = []
            rows = self.store.db.execute(
                f"SELECT doc_id, text FROM sentences WHERE doc_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY doc_id, idx",
                list(by_id),
            )
            for doc_id, text in rows:
                if text.strip():
                    by_id[doc_id].sentences.append(text)
        if not missing:
            return
        with self.store.transaction():
            self.encoder.encode(list(dict.fromkeys(t for d in missing for t in d.sentences)))
        for doc in missing:
            doc.vector = document_vector(self.encoder.encode(doc.sentences))
            doc.mean = doc.vector[:DIMENSION] * np.sqrt(BINS + 1)

    def release(self, docs: Sequence[Doc], *, keep_mean: bool = False) -> None:
        for doc in docs:
            doc.sentences = doc.vector = None
            if not keep_mean:
                doc.mean = None


SQL_CHUNK = 500  # SQLite allows 999 host parameters in older builds


@lru_cache(maxsize=20_000)
def _numbers(sentence: str) -> tuple[str, ...]:
    # One-digit numbers ("two", "3 days") are too common to tell stories apart.
    return tuple(n for n in number_tokens(sentence) if len(n.replace(".", "")) >= 2)


def document_vector(vectors: np.ndarray) -> np.ndarray:
    """A global mean plus ``BINS`` position-windowed means, each unit length, concatenated.

    Scaled so that the dot product of two document vectors is the mean of the part
    cosines: order counts, since the first quarter of one must match the first quarter
    of the other.
    """
    parts = np.zeros((BINS + 1, vectors.shape[1] if vectors.size else DIMENSION), np.float32)
    if len(vectors):
        positions = (np.arange(len(vectors)) + 0.5) / len(vectors)
        centres = (np.arange(BINS) + 0.5) / BINS
        weights = np.exp(-(((positions[None, :] - centres[:, None]) * BINS) ** 2))
        parts[0] = vectors.mean(axis=0)
        parts[1:] = weights @ vectors
        parts /= np.maximum(np.linalg.norm(parts, axis=1, keepdims=True), 1e-12)
    return (parts / np.sqrt(BINS + 1)).reshape(-1)


def _fingerprint(sentences: list[str]) -> str:
    text = "\n".join(" ".join(s.casefold().split()) for s in sentences)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _canonical(docs: list[Doc], others: Sequence[Doc] = ()) -> tuple[list[Doc], dict[Doc, Doc]]:
    """Drop articles whose text repeats an earlier one (the same story ingested twice).

    ``others`` are articles that win any tie (already paired ones). Returns the articles
    to keep and, for each dropped one, the article it repeats.
    """
    first: dict[str, Doc] = {}
    for doc in sorted(others, key=lambda d: d.id):
        if not doc.empty:
            first.setdefault(doc.fingerprint, doc)
    kept, duplicates = [], {}
    for doc in docs:
        if doc.empty:
            kept.append(doc)
            continue
        original = first.setdefault(doc.fingerprint, doc)
        if original is doc:
            kept.append(doc)
        else:
            duplicates[doc] = original
    return kept, duplicates


def _korean_by_url(korean: list[Doc], duplicates: dict[Doc, Doc]) -> dict[str, Doc]:
    """URL key (and article id) -> Korean article; a duplicate's URL leads to its original."""
    found: dict[str, Doc] = {}
    for doc in korean:
        target = duplicates.get(doc, doc)
        for key in (doc.url_key, url_key(doc.article_id)):
            if key:
                found.setdefault(key, target)
    return found


# -- link pass -------------------------------------------------------------------------


def _link_pass(
    english: list[Doc],
    by_key: dict[str, Doc],
    taken: dict[int, str],
    allow_many: bool,
    decisions: list[Decision],
    texts: _Texts,
    counter: _Counter,
) -> tuple[list[Decision], list[Doc]]:
    """Pairs named by links (the better-matching English wins a shared original)."""
    named: list[tuple[Doc, Doc]] = []
    rest = []
    for en in english:
        key = url_key(en.original_url)
        if key is None:
            rest.append(en)
        elif (ko := by_key.get(key)) is None:
            note = f"original not ingested: {en.original_url}"
            decisions.append(_unpaired(en, note, "original not ingested"))
        else:
            named.append((en, ko))
    claims: dict[int, list[tuple[float, Decision]]] = defaultdict(list)
    for start in range(0, len(named), SWEEP_BATCH):
        batch = named[start : start + SWEEP_BATCH]
        docs = [doc for pair in batch for doc in pair if not doc.empty]
        texts.load(docs)
        for en, ko in batch:
            similarity = match_score(en, ko, texts.encoder) if not ko.empty else 1.0
            decision = Decision(en, ko, "link", 1.0)
            if similarity < MISMATCH_SCORE:
                decision.flags.append("link_content_mismatch")
                decision.confidence = LINK_MISMATCH_CONFIDENCE
                decision.note = f"linked article differs in content (score {similarity:.2f})"
            claims[ko.id].append((similarity, decision))
        texts.release(docs)
        counter.advance(len(batch))
    counter.advance(len(english) - len(named) - len(rest))
    linked = []
    for ko_id, claimants in claims.items():
        claimants.sort(key=lambda c: -c[0])
        for rank, (_, decision) in enumerate(claimants):
            holder = taken.get(ko_id)
            if allow_many or (holder is None and rank == 0):
                linked.append(decision)
                taken.setdefault(ko_id, decision.en.article_id)
            else:
                holder = holder or claimants[0][1].en.article_id
                note = f"original already paired to {holder}"
                linked.append(_unpaired(decision.en, note, "original already paired"))
    return linked, rest


# -- content pass ----------------------------------------------------------------------


def combined_score(en: Doc, ko: Doc) -> float:
    """Positional document similarity plus agreement of numbers: cheap, ranks candidates."""
    similarity = float(en.vector @ ko.vector)
    return similarity + NUMBER_WEIGHT * (_number_agreement(en, ko) - 0.5)


def match_score(en: Doc, ko: Doc, encoder: Encoder) -> float:
    """Banded sentence matching plus agreement of numbers: decides among the best candidates.

    Each sentence's best cosine with the other side's sentences at a similar relative
    position (within ``BAND``), averaged over both sides. Document vectors of two stories
    on one topic can be as close as a translation's (NTREX: best wrong 0.76, worst right
    0.61); sentence by sentence they are not (best wrong 0.47, worst right 0.50).
    """
    return banded_similarity(encoder.encode(en.sentences), encoder.encode(ko.sentences)) + (
        NUMBER_WEIGHT * (_number_agreement(en, ko) - 0.5)
    )


def banded_similarity(src: np.ndarray, tgt: np.ndarray) -> float:
    if not len(src) or not len(tgt):
        return 0.0
    sims = src @ tgt.T
    src_pos = (np.arange(len(src)) + 0.5) / len(src)
    tgt_pos = (np.arange(len(tgt)) + 0.5) / len(tgt)
    sims = np.where(np.abs(src_pos[:, None] - tgt_pos[None, :]) <= BAND, sims, -1.0)
    return float((sims.max(axis=1).mean() + sims.max(axis=0).mean()) / 2)


def _number_agreement(en: Doc, ko: Doc) -> float:
    """Dice overlap of the two number sets; 0.5 (no evidence) when neither has numbers."""
    if not en.numbers and not ko.numbers:
        return 0.5
    return 2 * len(en.numbers & ko.numbers) / (len(en.numbers) + len(ko.numbers))


def confidence(score: float, margin: float | None) -> float:
    absolute = np.clip((score - UNRELATED_SCORE) / (TRANSLATION_SCORE - UNRELATED_SCORE), 0, 1)
    gap = 1.0 if margin is None else float(np.clip(margin / CLEAR_MARGIN, 0, 1))
    return round(float(absolute) * (0.5 + 0.5 * gap), 4)


@dataclass
class _Candidate:
    ko: Doc
    score: float


def _content_pass(
    english: list[Doc],
    korean: list[Doc],
    taken: dict[int, str],
    *,
    window_days: float,
    min_confidence: float,
    allow_many: bool,
    ranker: _Ranker,
    summary: PairingSummary,
) -> list[Decision]:
    if not english:
        return []
    if not korean:
        ranker.counter.advance(len(english))
        return [_unpaired(en, "no Korean articles to compare", "no candidate") for en in english]
    candidates = _candidates(english, korean, window_days, ranker)
    summary.rechecked = len(ranker.rechecked)
    edges = []
    for en in english:
        ranked = candidates[en.id]
        for rank, cand in enumerate(ranked):
            runner_up = ranked[1].score if rank == 0 and len(ranked) > 1 else None
            if rank > 0:
                runner_up = ranked[0].score
            margin = None if runner_up is None else cand.score - runner_up
            edges.append((cand.score, confidence(cand.score, margin), en, cand.ko))
    edges.sort(key=lambda e: (-e[0], e[2].id, e[3].id))
    decided: dict[int, Decision] = {}
    for score, conf, en, ko in edges:
        if en.id in decided or conf < min_confidence:
            continue
        if not allow_many and ko.id in taken:
            continue
        flags = ["undated"] if en.published is None or ko.published is None else []
        if en.id in ranker.rechecked:
            flags.append("rechecked")
        decided[en.id] = Decision(en, ko, "content", conf, flags, note=f"score {score:.3f}")
        taken.setdefault(ko.id, en.article_id)
    return [
        decided.get(en.id) or _why_unpaired(en, candidates[en.id], taken, min_confidence)
        for en in english
    ]


def _why_unpaired(
    en: Doc, ranked: list[_Candidate], taken: dict[int, str], min_confidence: float
) -> Decision:
    if not ranked:
        where = "no unpaired Korean article in the date window" if en.published else "no candidate"
        return _unpaired(en, where, "no candidate")
    best = ranked[0]
    margin = best.score - ranked[1].score if len(ranked) > 1 else None
    if best.ko.id in taken and confidence(best.score, margin) >= min_confidence / 2:
        note = f"original already paired to {taken[best.ko.id]}"
        return _unpaired(en, note, "original already paired")
    note = (
        f"no confident match (best {best.ko.article_id}, score {best.score:.2f}, "
        f"confidence {confidence(best.score, margin):.2f})"
    )
    return _unpaired(en, note, "no confident match")


def _candidates(
    english: list[Doc], korean: list[Doc], window_days: float, ranker: _Ranker
) -> dict[int, list[_Candidate]]:
    """The best few Korean candidates per English article, best first by match score.

    Dated English articles are taken in date order, a batch at a time, with the Korean
    articles of the batch's date window loaded and those before it released; undated
    Korean articles compete in every window. Undated English articles then compete with
    every Korean article by global mean.
    """
    texts = ranker.texts
    dated = sorted((d for d in korean if d.published), key=lambda d: d.published)
    undated = [d for d in korean if d.published is None]
    times = [d.published for d in dated]
    texts.load(undated)
    en_dated = sorted((e for e in english if e.published), key=lambda e: e.published)
    en_undated = [e for e in english if e.published is None]
    before, after = timedelta(days=window_days), timedelta(days=DAYS_AFTER)
    ranked: dict[int, list[_Candidate]] = {}
    loaded: list[Doc] = []
    for batch in _sweep_batches(en_dated, times, before, after):
        low = bisect.bisect_left(times, batch[0].published - before)
        high = bisect.bisect_right(times, batch[-1].published + after)
        window = dated[low:high]
        texts.release(list(set(loaded) - set(window)))
        loaded = window
        texts.load([*batch, *loaded])
        matrix = np.stack([d.vector for d in loaded]) if loaded else None
        extra = _nearest(batch, undated)
        for en in batch:
            first = bisect.bisect_left(times, en.published - before, low, high) - low
            last = bisect.bisect_right(times, en.published + after, low, high) - low
            near = _most_similar(en, loaded[first:last], matrix[first:last]) if last else []
            ranked[en.id] = ranker.rank(en, near + extra[en])
        texts.release(batch)
        ranker.counter.advance(len(batch))
    texts.release(loaded)
    ranked.update(_undated_candidates(en_undated, korean, ranker))
    texts.release(undated)
    return ranked


def _sweep_batches(
    english: list[Doc], times: list[datetime], before: timedelta, after: timedelta
) -> Iterator[list[Doc]]:
    """English articles in date order, in batches of at most ``SWEEP_BATCH`` whose joint
    date window holds at most ``WINDOW_KOREAN`` Korean articles (or one article, whatever
    its own window holds)."""
    batch: list[Doc] = []
    for en in english:
        if batch:
            low = bisect.bisect_left(times, batch[0].published - before)
            high = bisect.bisect_right(times, en.published + after)
            if len(batch) == SWEEP_BATCH or high - low > WINDOW_KOREAN:
                yield batch
                batch = []
        batch.append(en)
    if batch:
        yield batch


def _undated_candidates(
    english: list[Doc], korean: list[Doc], ranker: _Ranker
) -> dict[int, list[_Candidate]]:
    """Candidates for undated English articles: every Korean article competes by its
    global mean (kept for the whole step), the few nearest are then loaded and ranked."""
    if not english:
        return {}
    texts = ranker.texts
    for start in range(0, len(korean), SWEEP_BATCH):
        chunk = korean[start : start + SWEEP_BATCH]
        texts.load(chunk)
        texts.release([d for d in chunk if d.published is not None], keep_mean=True)
    ranked = {}
    for start in range(0, len(english), SWEEP_BATCH):
        batch = english[start : start + SWEEP_BATCH]
        texts.load(batch)
        nearest = _nearest(batch, korean)
        found = [d for en in batch for d in nearest[en] if d.published is not None]
        texts.load(found)
        for en in batch:
            ranked[en.id] = ranker.rank(en, nearest[en])
        texts.release(batch)
        ranker.counter.advance(len(batch))
        texts.release(found, keep_mean=True)
    texts.release([d for d in korean if d.published is not None])
    return ranked


def _most_similar(en: Doc, docs: list[Doc], vectors: np.ndarray) -> list[Doc]:
    """The window's articles closest by document vector (numbers are added to these only)."""
    keep = 2 * CANDIDATES_PER_ARTICLE
    if len(docs) <= keep:
        return docs
    sims = vectors @ en.vector
    return [docs[i] for i in np.argpartition(-sims, keep - 1)[:keep]]


def _nearest(english: list[Doc], korean: list[Doc]) -> dict[Doc, list[Doc]]:
    """Top candidates by global-mean cosine: the embedding index for undated articles.

    A chunked matrix product; memory is INDEX_CHUNK x len(korean) floats at a time.
    """
    if not english or not korean:
        return {en: [] for en in english}
    matrix = np.stack([k.mean for k in korean])
    keep = min(len(korean), 2 * CANDIDATES_PER_ARTICLE)
    found = {}
    for start in range(0, len(english), INDEX_CHUNK):
        chunk = english[start : start + INDEX_CHUNK]
        sims = np.stack([e.mean for e in chunk]) @ matrix.T
        top = np.argpartition(-sims, keep - 1, axis=1)[:, :keep]
        for en, row in zip(chunk, top, strict=True):
            found[en] = [korean[i] for i in row]
    return found


class _Ranker:
    """Orders one English article's candidates: document vectors pick the few, the
    sentence-level match score orders them, and close calls are re-checked."""

    def __init__(self, texts: _Texts, min_confidence: float, counter: _Counter) -> None:
        self.texts = texts
        self.min_confidence = min_confidence
        self.counter = counter
        self.rechecked: set[int] = set()
        self._aligner = None

    def rank(self, en: Doc, docs: list[Doc]) -> list[_Candidate]:
        encoder = self.texts.encoder
        scores = [combined_score(en, ko) for ko in docs]
        best = sorted(zip(scores, docs, strict=True), key=lambda s: (-s[0], s[1].id))
        rescored = [(match_score(en, ko, encoder), ko) for _, ko in best[:CANDIDATES_PER_ARTICLE]]
        rescored.sort(key=lambda s: (-s[0], s[1].id))
        ranked = [_Candidate(ko, s) for s, ko in rescored]
        if self._is_close_call(ranked):
            self._recheck(en, ranked)
        return ranked

    def _is_close_call(self, ranked: list[_Candidate]) -> bool:
        return (
            len(ranked) > 1
            and ranked[0].score - ranked[1].score < RECHECK_MARGIN
            and confidence(ranked[0].score, None) >= self.min_confidence
        )

    def _recheck(self, en: Doc, ranked: list[_Candidate]) -> None:
        """Re-score the two best candidates with sentence alignment and names.

        The share of sentences the aligner links is a sharper witness than any document
        vector: a translation aligns nearly throughout, a story on the same topic does not.
        """
        from aligners.base import coverage, get_aligner
        from aligners.names import shared_tokens

        if self._aligner is None:
            self._aligner = get_aligner("dari", encoder=self.texts.encoder)
        for cand in ranked[:2]:
            beads = self._aligner.align(en.sentences, cand.ko.sentences, "en", "ko")
            en_cov, ko_cov = coverage(beads, len(en.sentences), len(cand.ko.sentences))
            en_names, _ = shared_tokens(en.sentences, cand.ko.sentences, "en", "ko")
            names = len({n for tokens in en_names for n in tokens})
            cand.score += RECHECK_WEIGHT * ((en_cov + ko_cov) / 2 - 0.5)
            cand.score += NAME_WEIGHT * (min(names, 5) / 5 - 0.5)
        ranked.sort(key=lambda c: (-c.score, c.ko.id))
        self.rechecked.add(en.id)


# -- writing and listing ---------------------------------------------------------------


def _write(store: Store, decisions: list[Decision], redo: bool) -> None:
    with store.transaction() as db:
        if redo:
            db.execute(
                "DELETE FROM pairs WHERE en_doc IN (SELECT id FROM documents WHERE current = 1)"
            )
        db.executemany(
            "DELETE FROM pairs WHERE en_doc = ? AND ko_doc IS NULL",
            [(d.en.id,) for d in decisions],
        )
        db.executemany(
            "INSERT OR REPLACE INTO pairs (en_doc, ko_doc, method, confidence, flags, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    d.en.id,
                    d.ko.id if d.ko else None,
                    d.method,
                    d.confidence,
                    json.dumps(d.flags),
                    d.note,
                )
                for d in decisions
            ],
        )


@dataclass(frozen=True)
class PairRow:
    en_id: str | None
    ko_id: str | None
    method: str
    confidence: float
    flags: tuple[str, ...]
    note: str | None


def list_pairs(store: Store, *, unpaired: bool = False) -> list[PairRow]:
    """Pairs of current articles; with ``unpaired``, every article left alone and why.

    Korean articles never chosen as an original are listed with an empty English side.
    """
    where = "p.ko_doc IS NULL" if unpaired else "p.ko_doc IS NOT NULL"
    rows = store.db.execute(
        "SELECT e.article_id AS en_id, k.article_id AS ko_id, p.method, p.confidence, "
        "p.flags, p.note FROM pairs p JOIN documents e ON e.id = p.en_doc "
        "LEFT JOIN documents k ON k.id = p.ko_doc "
        f"WHERE e.current = 1 AND {where} ORDER BY e.article_id"
    )
    result = [
        PairRow(
            r["en_id"],
            r["ko_id"],
            r["method"],
            r["confidence"],
            tuple(json.loads(r["flags"])),
            r["note"],
        )
        for r in rows
    ]
    if unpaired:
        lonely = store.db.execute(
            "SELECT article_id FROM documents d WHERE current = 1 AND lang = 'ko' AND NOT EXISTS "
            "(SELECT 1 FROM pairs p WHERE p.ko_doc = d.id) ORDER BY article_id"
        )
        result.extend(
            PairRow(None, r[0], "none", 0.0, (), "no English article paired with it")
            for r in lonely
        )
    return result


def format_pair_rows(rows: list[PairRow], *, tsv: bool, unpaired: bool) -> list[str]:
    lines = []
    for row in rows:
        fields = [row.en_id or "-", row.ko_id or "-", row.method, f"{row.confidence:.3f}"]
        if unpaired or not tsv:
            fields.append(row.note or "")
        if not tsv:
            fields.append(",".join(row.flags))
            lines.append("  ".join(f for f in fields if f))
        else:
            lines.append("\t".join(fields))
    return lines
