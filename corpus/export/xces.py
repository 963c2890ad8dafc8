"""XCES/cesAlign output in the OPUS layout, readable by opustools' ``opus_read``.

The export is a directory::

    DIR/en-ko.xml           cesAlign link file, one <linkGrp> per document pair
    DIR/en/<article>.xml    sentence-split documents: <s id="s{idx}">text</s>
    DIR/ko/<article>.xml

``opus_read`` looks for each ``fromDoc``/``toDoc`` as a plain file under its download
directory before trying OPUS zip archives, so no zip is needed::

    opus_read -d dari -s en -t ko -p raw -af DIR/en-ko.xml -dl DIR

Its parser reads the files line by line and only acts on complete elements per line, so
every element here ends its own line. Sentence ids are the store's ``idx`` values, and
documents hold every sentence (the link file decides what is exported), so a link can be
traced back to the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import chain, groupby
from pathlib import Path

from lxml import etree

from corpus.export.options import LangCodes
from corpus.export.records import ExportRecord, TextCleaner, format_score
from corpus.export.xmlout import xml_writer

# (idx, paragraph, text) for every sentence of a document, in order.
SentenceLoader = Callable[[int], Iterable[tuple[int, int, str]]]

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def link_file_name(codes: LangCodes) -> str:
    return f"{codes.en}-{codes.ko}.xml"


def reader_command(directory: Path, codes: LangCodes) -> str:
    """The opus_read invocation that prints this export, for the summary."""
    return (
        f"opus_read -d dari -s {codes.en} -t {codes.ko} -p raw "
        f"-af {directory / link_file_name(codes)} -dl {directory}"
    )


def _xtargets(ids: Iterable[int]) -> str:
    return " ".join(f"s{i}" for i in ids)


class DocumentFiles:
    """Writes each document once, under a file-system-safe name unique within its language."""

    def __init__(self, root: Path, load: SentenceLoader, cleaner: TextCleaner):
        self.root = root
        self.load = load
        self.cleaner = cleaner
        self.names: dict[int, str] = {}
        self.used: set[str] = set()

    def name(self, doc_id: int, article_id: str, lang: str) -> str:
        """Relative path of the document file, writing the file the first time it is needed."""
        if doc_id not in self.names:
            relative = self._unique_name(article_id, lang, doc_id)
            self._write(doc_id, article_id, lang, self.root / relative)
            self.names[doc_id] = relative
        return self.names[doc_id]

    def _unique_name(self, article_id: str, lang: str, doc_id: int) -> str:
        stem = _UNSAFE_NAME.sub("_", article_id).strip("._") or "doc"
        relative = f"{lang}/{stem}.xml"
        if relative in self.used:
            relative = f"{lang}/{stem}-{doc_id}.xml"
        self.used.add(relative)
        return relative

    def _write(self, doc_id: int, article_id: str, lang: str, path: Path) -> None:
        path.parent.mkdir(exist_ok=True)
        with (
            open(path, "wb") as out,
            xml_writer(out) as xf,
            xf.element("document", id=article_id, lang=lang),
        ):
            xf.write("\n")
            for paragraph, sentences in groupby(self.load(doc_id), key=lambda s: s[1]):
                with xf.element("p", id=f"p{paragraph}"):
                    xf.write("\n")
                    for idx, _, text in sentences:
                        s = etree.Element("s", id=f"s{idx}")
                        s.text = self.cleaner.clean(text)
                        xf.write(s, pretty_print=True)
                xf.write("\n")


def _link(record: ExportRecord) -> etree._Element:
    attributes = {
        "id": f"SL{record.pair_id}.{record.bead}",
        "xtargets": f"{_xtargets(record.en_ids)};{_xtargets(record.ko_ids)}",
    }
    if record.score is not None:
        attributes["certainty"] = format_score(record.score)
    return etree.Element("link", attributes)


def write_xces(
    records: Iterable[ExportRecord],
    directory: Path,
    codes: LangCodes,
    load: SentenceLoader,
    cleaner: TextCleaner,
) -> None:
    """Write the link file and, on first use, every document it links into ``directory``."""
    documents = DocumentFiles(directory, load, cleaner)
    with (
        open(directory / link_file_name(codes), "wb") as out,
        xml_writer(out) as xf,
        xf.element("cesAlign", version="1.0"),
    ):
        xf.write("\n")
        for _, group in groupby(records, key=lambda r: r.pair_id):
            first = next(group)
            from_doc = documents.name(first.en_doc_id, first.en_doc, codes.en)
            to_doc = documents.name(first.ko_doc_id, first.ko_doc, codes.ko)
            with xf.element("linkGrp", targType="s", fromDoc=from_doc, toDoc=to_doc):
                xf.write("\n")
                for record in chain((first,), group):
                    xf.write(_link(record), pretty_print=True)
            xf.write("\n")
