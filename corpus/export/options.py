"""Parsing and checking export options, so the CLI stays a thin layer over plain values."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from corpus.export.atomic import ExportError
from corpus.export.source import BEAD_TYPE

FORMATS = ("tmx", "xces", "moses", "tsv", "jsonl", "parquet")

# A translation direction: the source side first.
DIRECTIONS = ("en-ko", "ko-en")
_LANGUAGES = {"en": "English", "ko": "Korean"}
T = TypeVar("T")


@dataclass(frozen=True)
class LangCodes:
    """The language tags written for the English and the Korean side, and which side is the
    source of the declared translation direction (``source``: ``"en"`` or ``"ko"``)."""

    en: str = "en"
    ko: str = "ko"
    source: str = "en"

    def in_order(self, en: T, ko: T) -> tuple[T, T]:
        """``(en, ko)`` in the direction's order, source first. Applied to a pair already in
        that order it gives back ``(en, ko)``."""
        return (en, ko) if self.source == "en" else (ko, en)

    @property
    def tags(self) -> tuple[str, str]:
        """(source tag, target tag)."""
        return self.in_order(self.en, self.ko)

    def labelled(self, en: T, ko: T) -> dict[str, T]:
        """``{tag: value}``, source first (JSON object and Parquet struct order)."""
        return dict(zip(self.tags, self.in_order(en, ko), strict=True))


def parse_lang_codes(value: str, direction: str = "en-ko") -> LangCodes:
    """``en-US,ko-KR`` -> the tag of each side, found by the tag's language, not its place
    (``ko,en`` labels the Korean text ``ko``). Tags are checked against the IANA subtag
    registry and written in their canonical form (``EN_us`` -> ``en-US``)."""
    import langcodes

    if direction not in DIRECTIONS:
        raise ExportError(f"--direction {direction!r}: choose {' or '.join(DIRECTIONS)}")
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2:
        raise ExportError(f"--lang-codes {value!r}: expected two language tags, e.g. en,ko")
    by_language: dict[str, str] = {}
    for tag in parts:
        if not langcodes.tag_is_valid(tag):
            raise ExportError(f"--lang-codes {value!r}: {tag!r} is not a valid BCP 47 tag")
        language = langcodes.Language.get(tag).language
        if language not in _LANGUAGES:
            raise ExportError(
                f"--lang-codes {value!r}: {tag!r} is neither English (en) nor Korean (ko)"
            )
        if language in by_language:
            raise ExportError(
                f"--lang-codes {value!r}: both tags are {_LANGUAGES[language]}; "
                "give one English and one Korean tag"
            )
        by_language[language] = langcodes.standardize_tag(tag)
    return LangCodes(by_language["en"], by_language["ko"], source=direction.split("-")[0])


def parse_types(value: str | None) -> frozenset[str] | None:
    """``1-1,2-1`` -> the bead types to keep; None keeps every type."""
    if not value:
        return None
    types = [t.strip() for t in value.split(",") if t.strip()]
    bad = [t for t in types if not BEAD_TYPE.match(t)]
    if bad or not types:
        raise ExportError(f"--types {value!r}: expected bead types like 1-1,2-1")
    return frozenset(types)


def parse_flags(value: str | None) -> frozenset[str]:
    """``boilerplate,duplicate`` -> the flags to exclude; a misspelt flag is an error, since
    it would otherwise exclude nothing and the corpus would silently keep those pairs."""
    from aligners.batch import DOCUMENT_FLAG_NAMES
    from aligners.features import FLAG_NAMES  # imported here: it loads NumPy and SciPy

    known = (*FLAG_NAMES, *DOCUMENT_FLAG_NAMES)
    flags = frozenset(f.strip() for f in (value or "").split(",") if f.strip())
    unknown = sorted(flags.difference(known))
    if unknown:
        raise ExportError(
            f"--exclude-flags {value!r}: unknown flag {', '.join(unknown)}; "
            f"choose from {', '.join(known)}"
        )
    return flags


def check_min_score(value: float | None) -> float | None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise ExportError(f"--min-score {value}: scores run from 0 to 1")
    return value


def resolve_creation_date(value: str | None, environ: dict[str, str] | None = None) -> datetime:
    """--creation-date, else SOURCE_DATE_EPOCH (reproducible builds), else now; always UTC."""
    env = os.environ if environ is None else environ
    if value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ExportError(f"--creation-date {value!r}: not an ISO 8601 date") from exc
        try:
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
        except OverflowError as exc:
            raise ExportError(
                f"--creation-date {value!r}: outside years 1-9999 once converted to UTC"
            ) from exc
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            seconds = int(epoch)
        except ValueError as exc:
            raise ExportError(f"SOURCE_DATE_EPOCH {epoch!r}: not a Unix time") from exc
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise ExportError(f"SOURCE_DATE_EPOCH {epoch!r}: outside years 1-9999") from exc
    return datetime.now(tz=UTC).replace(microsecond=0)


def tool_version() -> str:
    """The installed package version; from pyproject.toml when running from a checkout."""
    try:
        return metadata.version("dari")
    except metadata.PackageNotFoundError:
        pass
    import tomllib

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
