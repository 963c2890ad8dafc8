"""The interface every aligner implements, and the registry that names them.

An aligner turns two sentence lists into *beads*: monotone groups of source and target
sentences that translate each other. A bead with an empty side is a sentence with no
counterpart (1-0 / 0-1), which English editions of Korean articles have plenty of.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Bead:
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0
    components: dict[str, float] = field(default_factory=dict, compare=False, hash=False)

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"

    @property
    def is_link(self) -> bool:
        return bool(self.src) and bool(self.tgt)


class Aligner(Protocol):
    name: str

    def align(
        self, src: Sequence[str], tgt: Sequence[str], src_lang: str, tgt_lang: str
    ) -> list[Bead]: ...


ALIGNERS: dict[str, Callable[..., Aligner]] = {}


def register(name: str) -> Callable[[Callable[..., Aligner]], Callable[..., Aligner]]:
    def decorate(factory: Callable[..., Aligner]) -> Callable[..., Aligner]:
        ALIGNERS[name] = factory
        return factory

    return decorate


def get_aligner(name: str, **options: object) -> Aligner:
    """Build the aligner registered under ``name``."""
    import aligners.registry  # noqa: F401  (imports every method module so they register)

    try:
        factory = ALIGNERS[name]
    except KeyError:
        known = ", ".join(sorted(ALIGNERS))
        raise ValueError(f"unknown aligner {name!r} (known: {known})") from None
    return factory(**options)


def coverage(beads: Sequence[Bead], n_src: int, n_tgt: int) -> tuple[float, float]:
    """Share of source and of target sentences that sit in a link bead."""
    src = sum(len(b.src) for b in beads if b.is_link)
    tgt = sum(len(b.tgt) for b in beads if b.is_link)
    return (src / n_src if n_src else 0.0, tgt / n_tgt if n_tgt else 0.0)
