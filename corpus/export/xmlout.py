"""A streaming XML writer that lays out one element per line.

Line layout matters beyond looks: opustools parses its inputs line by line, and a diff of two
exports is readable. lxml cannot write text outside the root element, so the final newline
goes to the stream after the writer has closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from lxml import etree


@contextmanager
def xml_writer(out: BinaryIO) -> Iterator[etree.xmlfile]:
    """An ``etree.xmlfile`` with the XML declaration written; ends the file with a newline."""
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        yield xf
    out.write(b"\n")
