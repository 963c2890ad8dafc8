"""A word translation table learned from the corpus being aligned (IBM Model 1).

No open Korean-English dictionary can be downloaded here, and the encoder has no
Icelandic at all, so the table is learned from the documents themselves: align once,
keep the confident 1-1 pairs, run a few EM iterations of IBM Model 1 in each direction,
then realign with the table as one more signal. Each sentence is turned into the bag of
words it should translate into, so that the search compares bags just as it does for
numbers and names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import regex

_WORD = regex.compile(r"\p{L}[\p{L}\p{M}'’-]*|\d+")
NULL = ""
MIN_PROBABILITY = 0.15
MAX_TRANSLATIONS = 2


def tokenize(sentence: str, lang: str) -> list[str]:
    """Lower-cased words; Korean is cut into morphemes so particles do not hide stems."""
    if lang == "ko":
        from corpus.segment import korean_morphemes

        return korean_morphemes(sentence)
    return [w.lower() for w in _WORD.findall(sentence)]


def _train_direction(
    pairs: Sequence[tuple[list[str], list[str]]], iterations: int
) -> dict[str, dict[str, float]]:
    """t(target word | source word) by EM; a NULL source word absorbs function words."""
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for src, tgt in pairs:
        for s in [NULL, *src]:
            row = table[s]
            for t in tgt:
                row[t] = 1.0
    for row in table.values():
        total = len(row)
        for t in row:
            row[t] = 1.0 / total
    for _ in range(iterations):
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for src, tgt in pairs:
            sources = [NULL, *src]
            for t in tgt:
                norm = sum(table[s][t] for s in sources)
                for s in sources:
                    counts[s][t] += table[s][t] / norm
        table = defaultdict(dict)
        for s, row in counts.items():
            total = sum(row.values())
            table[s] = {t: c / total for t, c in row.items()}
    return table


@dataclass
class Lexicon:
    """Word translation tables in both directions, pruned to the likely translations."""

    forward: dict[str, list[str]]
    backward: dict[str, list[str]]
    src_lang: str
    tgt_lang: str

    @classmethod
    def train(
        cls,
        pairs: Iterable[tuple[str, str]],
        src_lang: str,
        tgt_lang: str,
        iterations: int = 5,
    ) -> Lexicon:
        tokenized = [(tokenize(s, src_lang), tokenize(t, tgt_lang)) for s, t in pairs]
        tokenized = [(s, t) for s, t in tokenized if s and t]
        forward = _prune(_train_direction(tokenized, iterations))
        backward = _prune(_train_direction([(t, s) for s, t in tokenized], iterations))
        return cls(forward, backward, src_lang, tgt_lang)

    def __len__(self) -> int:
        return len(self.forward) + len(self.backward)

    def bags(
        self, src: Sequence[str], tgt: Sequence[str]
    ) -> tuple[list[list[str]], list[list[str]]]:
        """Per sentence, the words of the bag both sides are compared on.

        Tokens are marked by direction, so a source sentence's predicted target words
        meet the target sentence's own words and vice versa.
        """
        src_words = [tokenize(s, self.src_lang) for s in src]
        tgt_words = [tokenize(t, self.tgt_lang) for t in tgt]
        src_bags = [
            [f">{t}" for w in words for t in self.forward.get(w, ())]
            + [f"<{w}" for w in words if w in self.backward_targets]
            for words in src_words
        ]
        tgt_bags = [
            [f"<{s}" for w in words for s in self.backward.get(w, ())]
            + [f">{w}" for w in words if w in self.forward_targets]
            for words in tgt_words
        ]
        return src_bags, tgt_bags

    @cached_property
    def forward_targets(self) -> set[str]:
        return {t for ts in self.forward.values() for t in ts}

    @cached_property
    def backward_targets(self) -> set[str]:
        return {t for ts in self.backward.values() for t in ts}


def _prune(table: dict[str, dict[str, float]]) -> dict[str, list[str]]:
    pruned = {}
    for s, row in table.items():
        if s == NULL:
            continue
        best = sorted(((p, t) for t, p in row.items() if p >= MIN_PROBABILITY), reverse=True)
        if best:
            pruned[s] = [t for _, t in best[:MAX_TRANSLATIONS]]
    return pruned
