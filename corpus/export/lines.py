"""Line-based outputs: Moses (two aligned plain files), TSV (bicleaner order) and JSONL.

Each record is exactly one line: the hygiene step has already turned every character some
reader takes for a line break (``\\n``, ``\\x85``, ``\\u2028``, ...) into a space, and lines
end with ``\\n`` only, so ``split("\\n")`` on the output gives back the records.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, TextIO

from corpus.export.options import LangCodes
from corpus.export.records import ExportRecord, format_score

TSV_COLUMNS = ("en", "ko", "score", "flags", "bead", "en_doc", "ko_doc")


@contextmanager
def utf8_text(out: BinaryIO) -> Iterator[TextIO]:
    """UTF-8 text over a binary stream, detached afterwards so the caller still owns it."""
    wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=False)
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()


def write_moses(records: Iterable[ExportRecord], en_out: BinaryIO, ko_out: BinaryIO) -> None:
    """Two files with one segment a line; line n of one translates line n of the other."""
    with utf8_text(en_out) as en, utf8_text(ko_out) as ko:
        for record in records:
            en.write(record.en + "\n")
            ko.write(record.ko + "\n")


def tsv_row(record: ExportRecord, codes: LangCodes) -> str:
    fields = (
        *codes.in_order(record.en, record.ko),
        format_score(record.score),
        ",".join(record.flags),
        record.bead_type,
        record.en_doc,
        record.ko_doc,
    )
    return "\t".join(fields) + "\n"


def write_tsv(
    records: Iterable[ExportRecord], out: BinaryIO, codes: LangCodes, header: bool = False
) -> None:
    """Source, target, then score: the column order bicleaner reads and writes. The other
    columns keep their order whatever the direction."""
    with utf8_text(out) as text:
        if header:
            names = (*codes.tags, *TSV_COLUMNS[2:])
            text.write("\t".join(names) + "\n")
        for record in records:
            text.write(tsv_row(record, codes))


def jsonl_object(record: ExportRecord, codes: LangCodes) -> dict[str, object]:
    """Hugging Face ``translation`` layout plus the metadata needed to filter later."""
    return {
        "translation": codes.labelled(record.en, record.ko),
        "score": record.score,
        "flags": list(record.flags),
        "bead": record.bead_type,
        "en_doc": record.en_doc,
        "ko_doc": record.ko_doc,
        "en_url": record.en_url,
        "ko_url": record.ko_url,
        "en_published": record.en_published,
        "ko_published": record.ko_published,
        "restricted": record.restricted,
    }


def write_jsonl(records: Iterable[ExportRecord], out: BinaryIO, codes: LangCodes) -> None:
    with utf8_text(out) as text:
        for record in records:
            text.write(json.dumps(jsonl_object(record, codes), ensure_ascii=False) + "\n")
