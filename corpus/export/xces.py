"""XCES/cesAlign output in the OPUS layout, readable by opustools' ``opus_read``.

The export is a directory::

    DIR/en-ko.xml           cesAlign link file, one <linkGrp> per document pair
    DIR/en/<article>.xml    sentence-split documents: <s id="s{idx}">text</s>
    DIR/ko/<article>.xml

With ``--direction ko-en`` the link file is ``ko-en.xml`` and each ``fromDoc`` is the Korean
document. Nothing else is ever written there, which is how :func:`is_xces_export` tells an
earlier export (that ``--force`` may replace) from a folder of the user's.

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
from pathlib import Path, PurePosixPath

from lxml import etree

from corpus.export.options import LangCodes
from corpus.export.records import ExportRecord, TextCleaner, format_score
from corpus.export.xmlout import xml_writer

# (idx, paragraph, text) for every sentence of a document, in order.
SentenceLoader = Callable[[int], Iterable[tuple[int, int, str]]]

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# Leaves room for the language folder, a "~<row id>" suffix and ".xml" within the 255 bytes
# most file systems allow per name.
_MAX_STEM = 100
# Names Windows refuses for a file whatever its extension.
_RESERVED_STEM = re.compile(r"(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?", re.IGNORECASE)


def link_file_name(codes: LangCodes) -> str:
    return "{}-{}.xml".format(*codes.tags)


def reader_command(directory: Path, codes: LangCodes) -> str:
    """The opus_read invocation that prints this export, for the summary."""
    source, target = codes.tags
    return (
        f"opus_read -d dari -s {source} -t {target} -p raw "
        f"-af {directory / link_file_name(codes)} -dl {directory}"
    )


def file_stem(article_id: str) -> str:
    """A portable file name for an article id: ASCII letters, digits, ``.``, ``_`` and
    ``-`` only (so no ``/``, ``..`` or NUL), at most ``_MAX_STEM`` characters, never a
    name Windows reserves."""
    stem = _UNSAFE_NAME.sub("_", article_id).strip("._")[:_MAX_STEM].strip("._") or "doc"
    return f"_{stem}" if _RESERVED_STEM.fullmatch(stem) else stem


def _xtargets(ids: Iterable[int]) -> str:
    return " ".join(f"s{i}" for i in ids)


class DocumentFiles:
    """Writes each document once, under a file-system-safe name unique within its language.

    A document is named after its article id; when that name is taken (ids that differ only
    in unsafe characters or in case, which a case-insensitive file system cannot tell
    apart), it gets ``<stem>~<row id>``. ``~`` never occurs in a stem, and row ids are
    unique, so such a name can clash neither with an article's own name nor with another.
    """

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
        stem = file_stem(article_id)
        relative = f"{lang}/{stem}.xml"
        if relative.casefold() in self.used:
            relative = f"{lang}/{stem}~{doc_id}.xml"
        self.used.add(relative.casefold())
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


def _link(record: ExportRecord, codes: LangCodes) -> etree._Element:
    source, target = codes.in_order(record.en_ids, record.ko_ids)
    attributes = {
        "id": f"SL{record.pair_id}.{record.bead}",
        "xtargets": f"{_xtargets(source)};{_xtargets(target)}",
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
            en_doc = documents.name(first.en_doc_id, first.en_doc, codes.en)
            ko_doc = documents.name(first.ko_doc_id, first.ko_doc, codes.ko)
            from_doc, to_doc = codes.in_order(en_doc, ko_doc)
            with xf.element("linkGrp", targType="s", fromDoc=from_doc, toDoc=to_doc):
                xf.write("\n")
                for record in chain((first,), group):
                    xf.write(_link(record, codes), pretty_print=True)
            xf.write("\n")


def is_xces_export(directory: Path) -> bool:
    """True when ``directory`` holds exactly what an XCES export writes, checked all the way
    down: cesAlign link files at the top, the documents they name below, and nothing else
    (no other file, no empty folder, no symbolic link)."""
    link_files = [entry for entry in directory.iterdir() if entry.is_file()]
    named: set[str] = set()
    for link_file in link_files:
        documents = _linked_documents(link_file)
        if documents is None:
            return False
        named |= documents
    folders = {parent.as_posix() for name in named for parent in PurePosixPath(name).parents}
    for path in directory.rglob("*"):
        if path.is_symlink():
            return False
        if path.parent == directory and path.is_file():
            continue  # a link file, read above
        relative = path.relative_to(directory).as_posix()
        if relative not in (folders if path.is_dir() else named):
            return False
    return bool(link_files)


def _linked_documents(path: Path) -> set[str] | None:
    """The fromDoc/toDoc names of a cesAlign file; None when it is not one."""
    documents: set[str] = set()
    try:
        events = etree.iterparse(str(path), events=("start", "end"))
        _, root = next(events)
        if root.tag != "cesAlign":
            return None
        for event, element in events:
            if event == "end" and element.tag == "linkGrp":
                documents.update(filter(None, (element.get("fromDoc"), element.get("toDoc"))))
                element.clear()
    except (etree.XMLSyntaxError, OSError, StopIteration):
        return None
    return documents
