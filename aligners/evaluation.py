"""Strict and lax precision/recall/F1 for sentence alignments.

This is the protocol behind the published Text+Berg numbers (Sennrich & Volk 2011, as
computed by vecalign's score.py), implemented from its description:

* precision runs over the predicted links (links empty on both sides are ignored); a link
  is strictly right when it occurs in the gold exactly, laxly right when its target
  overlaps a gold target of one of its source sentences;
* recall is the same computation with gold and prediction swapped, after dropping 1-0/0-1
  links from both, so deletions count against precision but never help recall;
* counts are summed over all documents before P, R and F1 are computed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

Link = tuple[tuple[int, ...], tuple[int, ...]]
# A list of sentence ids: whole numbers, so '[0.7]' or '[1e400]' is an error, not sentence 0
# or a crash.
_SENTENCE_IDS = re.compile(r"\[\s*(?:\d+\s*(?:,\s*\d+\s*)*,?\s*)?\]")
SHOWN_CHARS = 80


class LinkFormatError(ValueError):
    """A links file line is not of the form ``[i, j]:[k]`` (optionally ``:score``)."""


def parse_links(lines: Iterable[str], source: str = "<links>") -> list[Link]:
    links = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        parts = line.split(":")
        if len(parts) not in (2, 3):
            raise LinkFormatError(
                f"{source}:{number}: expected [src ids]:[tgt ids], got {_shown(line)}"
            )
        ids = [_SENTENCE_IDS.fullmatch(part.strip()) for part in parts[:2]]
        if ids[0] is None or ids[1] is None:
            raise LinkFormatError(
                f"{source}:{number}: unreadable link {_shown(line)} "
                "(sentence ids are whole numbers from 0)"
            )
        src, tgt = (tuple(int(i) for i in re.findall(r"\d+", match[0])) for match in ids)
        links.append((src, tgt))
    return links


def _shown(line: str) -> str:
    """The offending line, cut short: an error about a 100,000-character line stays one line."""
    return repr(line if len(line) <= SHOWN_CHARS else line[:SHOWN_CHARS] + "…")


def read_links(path: str | Path) -> list[Link]:
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return parse_links(handle, str(path))
    except UnicodeDecodeError as exc:
        raise LinkFormatError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise LinkFormatError(f"{path}: cannot read ({exc.strerror})") from None


def format_link(src: Sequence[int], tgt: Sequence[int], score: float | None = None) -> str:
    text = f"[{', '.join(map(str, src))}]:[{', '.join(map(str, tgt))}]"
    return text if score is None else f"{text}:{score:.4f}"


@dataclass(frozen=True)
class Counts:
    strict_right: int = 0
    strict_wrong: int = 0
    lax_right: int = 0
    lax_wrong: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.strict_right + other.strict_right,
            self.strict_wrong + other.strict_wrong,
            self.lax_right + other.lax_right,
            self.lax_wrong + other.lax_wrong,
        )


@dataclass(frozen=True)
class Scores:
    strict_precision: float
    strict_recall: float
    strict_f1: float
    lax_precision: float
    lax_recall: float
    lax_f1: float

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


def _judge(reference: Iterable[Link], predicted: Iterable[Link]) -> Counts:
    """Count predicted links that are strictly/laxly right with respect to ``reference``."""
    reference_set = {link for link in reference if link[0] or link[1]}
    gold_targets: dict[int, set[int]] = defaultdict(set)
    for src, tgt in reference_set:
        for s in src:
            gold_targets[s].update(tgt)
    counts = Counts()
    for link in {link for link in predicted if link[0] or link[1]}:
        if link in reference_set:
            counts += Counts(1, 0, 1, 0)
            continue
        overlap = set().union(*(gold_targets[s] for s in link[0])) if link[0] else set()
        counts += Counts(0, 1, 1, 0) if overlap & set(link[1]) else Counts(0, 1, 0, 1)
    return counts


def _ratio(right: int, wrong: int) -> float:
    return right / (right + wrong) if right + wrong else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_documents(pairs: Iterable[tuple[Sequence[Link], Sequence[Link]]]) -> Scores:
    """Pooled strict/lax P/R/F1 over (gold, predicted) pairs of documents."""
    precision = recall = Counts()
    for gold, predicted in pairs:
        precision += _judge(gold, predicted)
        gold_links = [link for link in gold if link[0] and link[1]]
        predicted_links = [link for link in predicted if link[0] and link[1]]
        recall += _judge(predicted_links, gold_links)
    sp = _ratio(precision.strict_right, precision.strict_wrong)
    sr = _ratio(recall.strict_right, recall.strict_wrong)
    lp = _ratio(precision.lax_right, precision.lax_wrong)
    lr = _ratio(recall.lax_right, recall.lax_wrong)
    return Scores(sp, sr, _f1(sp, sr), lp, lr, _f1(lp, lr))
