"""Aligning two plain-text documents, as `dari align` and `dari eval` do.

A document is either one paragraph a line (Dari splits the sentences) or, with
``presegmented``, one sentence a line (the benchmark convention). The language of each
side is detected unless given, so nothing here assumes the pair is English-Korean.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TextIO

from aligners.base import Aligner, Bead
from aligners.evaluation import format_link
from corpus.decoding import decode
from corpus.export.atomic import FileSet, atomic_file
from corpus.export.lines import utf8_text
from corpus.language import detect_language
from corpus.readers import ReadError
from corpus.segment import split_paragraphs

OUTPUT_FORMATS = ("links", "tsv", "jsonl")


class DocumentError(ValueError):
    """An input document cannot be read; the message names the file."""


def read_lines(path: str | Path) -> list[str]:
    """The non-blank lines, decoded as ``dari ingest`` decodes articles (byte-order marks,
    UTF-8, then CP949), so a file saved as UTF-16 or EUC-KR aligns instead of failing; an
    empty or binary file is an error rather than a document with no sentences."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = decode(raw, path)
    except ReadError as exc:
        raise DocumentError(f"{path}: {exc}") from None
    return [line.strip() for line in text.split("\n") if line.strip()]


def sentences_of(lines: list[str], lang: str, presegmented: bool) -> list[str]:
    if presegmented:
        return lines
    spans = split_paragraphs(lines, lang)
    return [
        line[start:end]
        for line, line_spans in zip(lines, spans, strict=True)
        for start, end in line_spans
    ]


def language_of(lines: Sequence[str], given: str | None) -> str:
    return given or detect_language(" ".join(lines[:200])) or "und"


def align_documents(
    src_path: str | Path,
    tgt_path: str | Path,
    aligner: Aligner,
    *,
    presegmented: bool = False,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> tuple[list[str], list[str], list[Bead]]:
    pair = ListedPair(Path(src_path), Path(tgt_path), "", "")
    src, tgt, src_code, tgt_code = _load_pair(pair, presegmented, src_lang, tgt_lang)
    return src, tgt, aligner.align(src, tgt, src_code, tgt_code)


def write_beads(
    beads: Sequence[Bead], src: Sequence[str], tgt: Sequence[str], fmt: str, out: TextIO
) -> None:
    for bead in beads:
        src_text = " ".join(src[i] for i in bead.src)
        tgt_text = " ".join(tgt[j] for j in bead.tgt)
        if fmt == "links":
            out.write(format_link(bead.src, bead.tgt, bead.score) + "\n")
        elif fmt == "tsv":
            out.write(f"{src_text}\t{tgt_text}\t{bead.score:.4f}\t{bead.kind}\n")
        else:
            record = {
                "src_ids": list(bead.src),
                "tgt_ids": list(bead.tgt),
                "src": src_text,
                "tgt": tgt_text,
                "score": round(bead.score, 4),
                "bead": bead.kind,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


# -- many document pairs from a list file --------------------------------------------------

OUTPUT_SUFFIXES = {"links": ".links", "tsv": ".tsv", "jsonl": ".jsonl"}
# Document pairs aligned together: the batch aligner encodes their sentences at once and
# learns its lexicon from them, and its memory grows with the batch.
PAIRS_PER_BATCH = 500


@dataclass(frozen=True)
class ListedPair:
    src: Path
    tgt: Path
    name: str  # relative output path without suffix, possibly with subfolders
    where: str  # list file and line, for messages


def output_name(raw: str) -> str:
    """A NAME from a list file as a relative path inside the output folder; subfolders are
    allowed (``2024/01/story``) and created when written. Raises ValueError, saying why,
    for a name that would leave the folder or cannot be a file name."""
    if any(ord(c) < 0x20 or c == "\x7f" for c in raw):
        raise ValueError("has a control character")
    path = PurePosixPath(raw)
    if path.is_absolute():
        raise ValueError("is an absolute path; give a name inside -o")
    if ".." in path.parts:
        raise ValueError("has a '..' part, which would leave -o")
    if not path.parts:
        raise ValueError("names no file")
    return path.as_posix()


def read_pair_list(list_path: str | Path) -> tuple[list[ListedPair], list[str]]:
    """``SRC<TAB>TGT[<TAB>NAME]`` lines (paths relative to the list file); the pairs, and
    one message per line that cannot be used."""
    list_path = Path(list_path)
    pairs, problems, names = [], [], {}
    for number, line in enumerate(_list_lines(list_path), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{list_path}:{number}"
        fields = line.rstrip("\r").split("\t")
        if len(fields) not in (2, 3) or not all(f.strip() for f in fields):
            problems.append(f"{where}: expected SRC<TAB>TGT or SRC<TAB>TGT<TAB>NAME")
            continue
        src, tgt = (list_path.parent / f.strip() for f in fields[:2])
        given = fields[2].strip() if len(fields) == 3 else src.stem
        try:
            name = output_name(given)
        except ValueError as exc:
            problems.append(f"{where}: output name {given!r} {exc}")
            continue
        # Names that differ only in case are one file on a case-insensitive file system.
        if name.casefold() in names:
            problems.append(f"{where}: output name {name!r} repeats line {names[name.casefold()]}")
            continue
        names[name.casefold()] = number
        pairs.append(ListedPair(src, tgt, name, where))
    return pairs, problems


def _list_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(f"{path}: cannot read as UTF-8 text ({exc})") from None


@dataclass
class ListSummary:
    aligned: int = 0
    failed: int = 0
    files: list[str] = field(default_factory=list)


def align_list(
    list_path: str | Path,
    outdir: str | Path,
    aligner: Aligner,
    fmt: str,
    report: Callable[[str], None],
    *,
    presegmented: bool = False,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> ListSummary:
    """Align every pair of a list file into ``outdir`` (one output file per pair, named by
    the list or after the source file). A pair that cannot be read or written is reported
    in one line and the others go on; an output that would overwrite the list or any file
    it lists is refused before anything is written."""
    pairs, problems = read_pair_list(list_path)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    inputs = FileSet([list_path, *(p.src for p in pairs), *(p.tgt for p in pairs)])
    writable = []
    for pair in pairs:
        path = output_path(outdir, pair, fmt)
        if path in inputs:
            problems.append(f"{pair.where}: output {path} is an input of {list_path}")
        else:
            writable.append(pair)
    summary = ListSummary(failed=len(problems))
    for problem in problems:
        report(problem)
    for start in range(0, len(writable), PAIRS_PER_BATCH):
        loaded = []
        for pair in writable[start : start + PAIRS_PER_BATCH]:
            try:
                loaded.append((pair, _load_pair(pair, presegmented, src_lang, tgt_lang)))
            except DocumentError as exc:
                report(f"{pair.where}: {exc}")
                summary.failed += 1
        documents = [document for _, document in loaded]
        many = getattr(aligner, "align_many", None)
        aligned = many(documents) if many else [aligner.align(*d) for d in documents]
        for (pair, (src, tgt, _, _)), beads in zip(loaded, aligned, strict=True):
            path = output_path(outdir, pair, fmt)
            try:
                _write_inside(outdir, path, beads, src, tgt, fmt)
            except (OSError, DocumentError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                report(f"{pair.where}: {path}: {reason}")
                summary.failed += 1
                continue
            summary.aligned += 1
            summary.files.append(str(path))
    return summary


def output_path(outdir: Path, pair: ListedPair, fmt: str) -> Path:
    return outdir / (pair.name + OUTPUT_SUFFIXES[fmt])


def _write_inside(
    outdir: Path, path: Path, beads: Sequence[Bead], src: list[str], tgt: list[str], fmt: str
) -> None:
    """Write one pair's output, creating its subfolders, but never through a symbolic link
    that leads out of ``outdir``; atomically, so a failure leaves no partial file."""
    if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(outdir)):
        raise DocumentError(f"a symbolic link leads outside {outdir}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, compress=False) as raw, utf8_text(raw) as out:
        write_beads(beads, src, tgt, fmt, out)


def _load_pair(
    pair: ListedPair, presegmented: bool, src_lang: str | None, tgt_lang: str | None
) -> tuple[list[str], list[str], str, str]:
    src_lines, tgt_lines = read_lines(pair.src), read_lines(pair.tgt)
    src_code, tgt_code = language_of(src_lines, src_lang), language_of(tgt_lines, tgt_lang)
    return (
        sentences_of(src_lines, src_code, presegmented),
        sentences_of(tgt_lines, tgt_code, presegmented),
        src_code,
        tgt_code,
    )
