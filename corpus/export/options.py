"""Parsing and checking export options, so the CLI stays a thin layer over plain values."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from corpus.export.atomic import ExportError
from corpus.export.source import BEAD_TYPE

FORMATS = ("tmx", "xces", "moses", "tsv", "jsonl", "parquet")

# BCP 47-ish: a 2-3 letter language, optional subtags (en, ko, en-US, ko-KR, zh-Hant-TW).
_LANG_CODE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class LangCodes:
    """The language tags written for the English and the Korean side."""

    en: str = "en"
    ko: str = "ko"


def parse_lang_codes(value: str) -> LangCodes:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(_LANG_CODE.match(p) for p in parts):
        raise ExportError(f"--lang-codes {value!r}: expected two language tags, e.g. en,ko")
    if parts[0].lower() == parts[1].lower():
        raise ExportError(f"--lang-codes {value!r}: the two language tags must differ")
    return LangCodes(parts[0], parts[1])


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
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError) as exc:
            raise ExportError(f"SOURCE_DATE_EPOCH {epoch!r}: not a Unix time") from exc
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
