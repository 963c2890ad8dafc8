"""Document pairing benchmark on NTREX-128 rendered as articles (issue #4).

Scenarios, each in a fresh store:

* ``plain``: all 123 documents, shuffled, no links, no dates: pairing by content alone.
* ``orphans-en``: English of every other document, Korean of all; ``orphans-ko``: the
  reverse. Precision must stay 100%; every English orphan must stay unpaired with a reason.
  These three also run, in the same run and scored the same way, the obvious baseline:
  nearest neighbour by document vector alone (mean of the sentence vectors, no dates, no
  sentence-level re-check), assigned greedily one-to-one.
* ``dated``: Korean a day (and up to five hours) before the English, as the renderer
  dates them; then the same with a window too narrow to reach, which must pair nothing.
* ``load``: documents replicated with perturbations (each replica drops a different
  random share of paragraphs on both sides, and is shifted five days) to 1k and 10k
  English articles, each with its Korean; timed with the sentence embeddings already
  computed (encoding throughput is reported separately, from the first run).

Usage::

    python -m benchmarks.bench_pairing [--sizes 1000,10000] [--cache FILE]

``--sizes ""`` skips the load runs.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import numpy as np

from aligners.embedding import Encoder
from benchmarks.ntrex_articles import DEFAULT_DATA_DIR, NtrexDocument, load_documents
from corpus.article import Article, Paragraph
from corpus.pairing import list_pairs, pair_store
from corpus.segment import segment_article
from corpus.store import Store, StoredSentence


@dataclass(frozen=True)
class Side:
    """One language of one document, segmented once; replicas reuse its sentences."""

    article: Article
    sentences: tuple[StoredSentence, ...]


def make_article(document: NtrexDocument, lang: str, *, dated: bool) -> Article:
    lines = document.english if lang == "en" else document.korean
    ident = document.english_id if lang == "en" else document.korean_id
    published = document.english_published if lang == "en" else document.korean_published
    return Article(
        id=ident,
        language=lang,
        title=lines[0],
        paragraphs=[Paragraph(line) for line in lines[1:]],
        published=published if dated else None,
        source_format="bench",
        content_hash=f"{ident}:{'dated' if dated else 'undated'}",
    )


def segmented(documents: Sequence[NtrexDocument]) -> dict[tuple[int, str], Side]:
    sides = {}
    for document in documents:
        for lang in ("en", "ko"):
            article = make_article(document, lang, dated=True)
            sides[document.index, lang] = Side(article, tuple(segment_article(article)))
    return sides


def perturbed(side: Side, replica: int, dropped: set[int], dated: bool) -> tuple[Article, list]:
    """A replica: paragraphs in ``dropped`` removed, id suffixed, dates shifted by 5 days."""
    article = side.article
    shift = timedelta(days=5 * replica)
    copy = replace(
        article,
        id=f"{article.id}-r{replica}" if replica else article.id,
        published=article.published + shift if dated and article.published else None,
        content_hash=f"{article.id}-r{replica}-{dated}",
        paragraphs=list(article.paragraphs),
    )
    kept = [s for s in side.sentences if s.paragraph not in dropped]
    return copy, [replace(s, idx=i) for i, s in enumerate(kept)]


def build_store(path: Path, items: list[tuple[Article, list]]) -> Store:
    store = Store(path)
    for article, sentences in items:
        store.add_article(article, None, sentences)
    return store


@dataclass
class Score:
    correct: int
    wrong: int
    unpaired: int
    unpaired_with_reason: int
    expected: int

    @property
    def precision(self) -> float:
        made = self.correct + self.wrong
        return self.correct / made if made else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def score(store: Store) -> Score:
    """An English article is right when its Korean id is its own with 'ko' for 'en'."""
    pairs = list_pairs(store)
    unpaired = [r for r in list_pairs(store, unpaired=True) if r.en_id]
    korean = {a.id for _, a in store.articles("ko")}
    expected_ids = {a.id for _, a in store.articles("en") if _counterpart(a.id) in korean}
    correct = sum(1 for r in pairs if r.ko_id == _counterpart(r.en_id))
    return Score(
        correct=correct,
        wrong=len(pairs) - correct,
        unpaired=len(unpaired),
        unpaired_with_reason=sum(1 for r in unpaired if r.note),
        expected=len(expected_ids),
    )


_NUMBER_MAP: dict[str, str] = {}


def _counterpart(en_id: str) -> str:
    return _NUMBER_MAP.get(en_id, "")


def register_answers(documents: Sequence[NtrexDocument], replicas: int) -> None:
    for d in documents:
        for r in range(replicas):
            suffix = f"-r{r}" if r else ""
            _NUMBER_MAP[d.english_id + suffix] = d.korean_id + suffix


def run(
    name: str,
    items: list[tuple[Article, list]],
    encoder: Encoder,
    workdir: Path,
    **options: object,
) -> tuple[Score, dict, float]:
    store = build_store(workdir / f"{name}.sqlite", items)
    started = time.perf_counter()
    summary = pair_store(store, encoder=encoder, **options)
    elapsed = time.perf_counter() - started
    result = score(store)
    store.close()
    print(f"{name:<22} {_score_line(result)}  {elapsed:.1f} s", flush=True)
    return result, summary.as_dict(), elapsed


def run_with_baseline(
    name: str, items: list[tuple[Article, list]], encoder: Encoder, workdir: Path
) -> None:
    """The real pairing, then the document-vector baseline on the same articles."""
    _, _, elapsed = run(name, items, encoder, workdir)
    _, baseline_elapsed = nearest_neighbour_baseline(items, encoder)
    ratio = elapsed / baseline_elapsed if baseline_elapsed else float("inf")
    print(f"{'':<22} pairing takes {ratio:.0f}x the baseline's time", flush=True)


def _score_line(result: Score) -> str:
    return (
        f"correct {result.correct}/{result.expected}  wrong {result.wrong}  "
        f"precision {result.precision:.1%}  recall {result.recall:.1%}  "
        f"unpaired {result.unpaired} (with reason {result.unpaired_with_reason})"
    )


def nearest_neighbour_baseline(
    items: list[tuple[Article, list]], encoder: Encoder
) -> tuple[Score, float]:
    """Pair by document vector alone, to show what the real content pass adds.

    A document vector is the mean of its sentence vectors; every (English, Korean) edge is
    taken best cosine first while both ends are free, with no date window, threshold or
    sentence-level re-check. Scored like ``score``; its misses carry no reason.
    """
    started = time.perf_counter()
    english = [(a.id, s) for a, s in items if a.language == "en"]
    korean = [(a.id, s) for a, s in items if a.language == "ko"]
    en_vectors = _mean_vectors(english, encoder)
    ko_vectors = _mean_vectors(korean, encoder)
    similarity = en_vectors @ ko_vectors.T
    pairs: dict[str, str] = {}
    taken: set[int] = set()
    for flat in np.argsort(-similarity, axis=None, kind="stable"):
        e, k = divmod(int(flat), len(korean))
        if english[e][0] not in pairs and k not in taken:
            pairs[english[e][0]] = korean[k][0]
            taken.add(k)
    elapsed = time.perf_counter() - started
    korean_ids = {ident for ident, _ in korean}
    correct = sum(1 for en, ko in pairs.items() if ko == _counterpart(en))
    result = Score(
        correct=correct,
        wrong=len(pairs) - correct,
        unpaired=len(english) - len(pairs),
        unpaired_with_reason=0,
        expected=sum(1 for ident, _ in english if _counterpart(ident) in korean_ids),
    )
    print(f"{'  baseline doc-vector NN':<22} {_score_line(result)}  {elapsed:.2f} s", flush=True)
    return result, elapsed


def _mean_vectors(docs: list[tuple[str, list]], encoder: Encoder) -> np.ndarray:
    means = np.stack(
        [encoder.encode([s.text for s in sentences]).mean(axis=0) for _, sentences in docs]
    )
    return means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)


def scenario_items(
    documents: Sequence[NtrexDocument],
    sides: dict[tuple[int, str], Side],
    *,
    english: Sequence[int],
    korean: Sequence[int],
    dated: bool,
    seed: int = 7,
) -> list[tuple[Article, list]]:
    items = [perturbed(sides[i, "en"], 0, set(), dated) for i in english]
    items += [perturbed(sides[i, "ko"], 0, set(), dated) for i in korean]
    random.Random(seed).shuffle(items)
    return items


def load_items(
    documents: Sequence[NtrexDocument],
    sides: dict[tuple[int, str], Side],
    size: int,
    *,
    dated: bool,
) -> list[tuple[Article, list]]:
    rng = random.Random(size)
    seen: dict[int, set[frozenset[int]]] = {}
    items = []
    cursor = 0
    while len(items) < 2 * size:
        document = documents[cursor % len(documents)]
        cursor += 1
        used = seen.setdefault(document.index, set())
        dropped = _fresh_drop(rng, len(document.english), used)
        if dropped is None:  # a short document has no distinct replica left: skip it
            continue
        replica = len(used) - 1
        for lang in ("en", "ko"):
            items.append(perturbed(sides[document.index, lang], replica, dropped, dated))
    rng.shuffle(items)
    return items


def _fresh_drop(rng: random.Random, lines: int, seen: set[frozenset[int]]) -> set[int] | None:
    """Paragraphs to drop in one replica: a set no other replica of the document used.

    Identical replicas would be the same article ingested twice, which pairing rightly
    refuses to pair twice; the load test wants distinct articles.
    """
    for attempt in range(300):
        share = 0.15 if attempt < 50 else 0.3
        dropped = frozenset(p for p in range(1, lines) if rng.random() < share)
        if dropped not in seen and len(dropped) < lines - 1:
            seen.add(dropped)
            return set(dropped)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_pairing")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--sizes", default="1000,10000", help="English articles in load runs")
    parser.add_argument(
        "--cache", type=Path, help="store whose embeddings table keeps vectors between runs"
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: {args.data}: NTREX data not found", file=sys.stderr)
        return 2
    documents = load_documents(args.data)
    started = time.perf_counter()
    sides = segmented(documents)
    print(f"segmented {2 * len(documents)} articles in {time.perf_counter() - started:.1f} s")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    register_answers(documents, max([1, *[3 * (s // len(documents)) + 3 for s in sizes]]))
    cache = Store(args.cache) if args.cache else None
    encoder = Encoder(db=cache.db if cache else None)
    everything = [d.index for d in documents]
    half = everything[::2]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        texts = [s.text for side in sides.values() for s in side.sentences]
        if cache:
            with cache.transaction():
                encoder.encode(texts)
        else:
            encoder.encode(texts)
        took = time.perf_counter() - started
        rate = f"{encoder.encoded / took:.0f}/s" if encoder.encoded else "cached"
        print(f"encoded {encoder.encoded} sentences in {took:.1f} s ({rate})")
        common = {"dated": False}
        run_with_baseline(
            "plain",
            scenario_items(documents, sides, english=everything, korean=everything, **common),
            encoder,
            workdir,
        )
        run_with_baseline(
            "orphans-en (half EN)",
            scenario_items(documents, sides, english=half, korean=everything, **common),
            encoder,
            workdir,
        )
        run_with_baseline(
            "orphans-ko (half KO)",
            scenario_items(documents, sides, english=everything, korean=half, **common),
            encoder,
            workdir,
        )
        dated = scenario_items(documents, sides, english=everything, korean=everything, dated=True)
        run("dated (window 3d)", dated, encoder, workdir)
        run("dated (window 0.5d)", dated, encoder, workdir, window_days=0.5)
        run(
            "dated orphans-ko",
            scenario_items(documents, sides, english=everything, korean=half, dated=True),
            encoder,
            workdir,
        )
        # Undated load last: near-identical replicas make many close calls, each re-checked
        # with the sentence aligner, which dominates its time.
        runs = [(size, True) for size in sizes] + [(s, False) for s in sizes if s <= 1000]
        for size, dated_load in runs:
            label = f"load {size} {'dated' if dated_load else 'undated'}"
            items = load_items(documents, sides, size, dated=dated_load)
            _, _, elapsed = run(label, items, encoder, workdir)
            print(f"{'':<22} {elapsed / size * 1000:.1f} s per 1,000 English articles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
