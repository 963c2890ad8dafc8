"""Aligning two plain-text documents, as `dari align` and `dari eval` do.

A document is either one paragraph a line (Dari splits the sentences) or, with
``presegmented``, one sentence a line (the benchmark convention). The language of each
side is detected unless given, so nothing here assumes the pair is English-Korean.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from aligners.base import Aligner, Bead
from aligners.evaluation import format_link
from corpus.decoding import decode
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
    src_lines, tgt_lines = read_lines(src_path), read_lines(tgt_path)
    src_code, tgt_code = language_of(src_lines, src_lang), language_of(tgt_lines, tgt_lang)
    src = sentences_of(src_lines, src_code, presegmented)
    tgt = sentences_of(tgt_lines, tgt_code, presegmented)
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
