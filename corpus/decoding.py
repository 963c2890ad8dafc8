"""Turn the bytes of an input file into clean text, or say clearly why that is impossible.

Korean news pages are still often saved in CP949/EUC-KR, sometimes with a charset
declaration that is wrong, so the order is: byte-order mark, the charset the document
declares, UTF-8, then CP949 (a superset of EUC-KR, which is how browsers read
``euc-kr`` too). Text is normalised to NFC and ``\\n`` line ends so that offsets and
hashes of what we store do not depend on how a file happened to be saved.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from corpus.readers import ReadError

# Read as much of the start as browsers and w3lib do when they look for a declaration.
DECLARATION_WINDOW = 4096
SNIFF_WINDOW = 8192
# Share of control bytes above which a file is binary rather than text with a stray byte.
MAX_CONTROL_SHARE = 0.05

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARATIONS = (
    re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE),
    re.compile(rb"<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.IGNORECASE),
)
# WHATWG: browsers read these labels with a wider codec; so must we, or pages that rely
# on it (e.g. a Hangul syllable outside EUC-KR in a page declared euc-kr) fail to decode.
_WHATWG_SUPERSETS = {
    "euc_kr": "cp949",
    "iso2022_kr": "cp949",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f") + b"\x7f"
_CONTROL_TABLE = bytes.maketrans(b"", b"")
_TEXT_FILES_WITHOUT_DECLARATIONS = {".json", ".jsonl", ".ndjson"}


def decode(raw: bytes, path: Path | str) -> str:
    """Decode one input file to NFC text with ``\\n`` line ends, or raise :class:`ReadError`.

    ``path`` only tells formats that cannot declare a charset (JSON) from markup that can.
    """
    if not raw.strip():
        raise ReadError("empty file")
    bom_codec = _bom_codec(raw)
    if bom_codec is None:
        _reject_binary(raw)
    candidates = _candidate_codecs(raw, Path(path), bom_codec)
    for codec in candidates:
        try:
            text = raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return _normalise(text)
    raise ReadError(
        "cannot decode text: not valid in "
        + ", ".join(dict.fromkeys(_display_name(c) for c in candidates))
    )


def declared_charset(raw: bytes) -> str | None:
    """The Python codec named by an HTML ``<meta>`` or XML declaration, if it is one we know."""
    head = raw[:DECLARATION_WINDOW]
    for pattern in _DECLARATIONS:
        match = pattern.search(head)
        if match:
            return _codec_for_label(match.group(1).decode("ascii", "replace"))
    return None


# Labels browsers know that Python's codec registry does not.
_EXTRA_LABELS = {"windows-949": "cp949", "x-windows-949": "cp949", "unicode-1-1-utf-8": "utf_8"}


def _codec_for_label(label: str) -> str | None:
    if label.lower() in _EXTRA_LABELS:
        return _EXTRA_LABELS[label.lower()]
    try:
        name = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None
    return _WHATWG_SUPERSETS.get(name, name)


def _bom_codec(raw: bytes) -> str | None:
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return codec
    return None


def _reject_binary(raw: bytes) -> None:
    sample = raw[:SNIFF_WINDOW]
    if b"\x00" in sample:
        raise ReadError("binary file (contains NUL bytes), not text")
    control = len(sample) - len(sample.translate(_CONTROL_TABLE, _CONTROL_BYTES))
    if control / len(sample) > MAX_CONTROL_SHARE:
        raise ReadError(f"binary file ({control / len(sample):.0%} control characters), not text")


def _candidate_codecs(raw: bytes, path: Path, bom_codec: str | None) -> list[str]:
    if bom_codec is not None:
        return [bom_codec]
    declared = None
    if path.suffix.lower() not in _TEXT_FILES_WITHOUT_DECLARATIONS:
        declared = declared_charset(raw)
    return list(dict.fromkeys(c for c in (declared, "utf_8", "cp949") if c))


def _display_name(codec: str) -> str:
    return {"utf_8": "UTF-8", "cp949": "CP949/EUC-KR"}.get(codec, codec)


def _normalise(text: str) -> str:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)
