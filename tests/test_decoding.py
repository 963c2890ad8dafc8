"""Bytes -> text: BOMs, declared charsets, UTF-8, CP949/EUC-KR, and clear refusals."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import pytest

from corpus.decoding import declared_charset, decode
from corpus.readers import ReadError

KOREAN = "서울시는 급행철도 3개 노선을 새로 건설하겠다고 밝혔다."
HTML = Path("page.html")
TEXT = Path("notes.txt")


def test_utf8_text_comes_back_unchanged():
    assert decode(KOREAN.encode("utf-8"), TEXT) == KOREAN


@pytest.mark.parametrize(
    "raw",
    [
        codecs.BOM_UTF8 + KOREAN.encode("utf-8"),
        codecs.BOM_UTF16_LE + KOREAN.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + KOREAN.encode("utf-16-be"),
    ],
    ids=["utf-8-bom", "utf-16-le", "utf-16-be"],
)
def test_byte_order_marks_pick_the_codec_and_are_removed(raw):
    assert decode(raw, TEXT) == KOREAN


def test_cp949_without_declaration_is_recognised():
    assert decode(KOREAN.encode("cp949"), TEXT) == KOREAN


def test_cp949_only_syllable_decodes_when_page_declares_euc_kr():
    # 똠 is outside EUC-KR (KS X 1001) but in CP949, which browsers use for "euc-kr".
    text = '<html><head><meta charset="euc-kr"></head><body>똠양꿍 ' + KOREAN + "</body></html>"
    assert decode(text.encode("cp949"), HTML) == text


def test_http_equiv_declaration_is_read():
    text = f'<meta http-equiv="Content-Type" content="text/html; charset=EUC-KR"><p>{KOREAN}</p>'
    assert declared_charset(text.encode("cp949")) == "cp949"
    assert decode(text.encode("cp949"), HTML) == text


def test_xml_declaration_is_read():
    raw = '<?xml version="1.0" encoding="ISO-8859-1"?><p>café</p>'.encode("latin-1")
    assert decode(raw, HTML) == '<?xml version="1.0" encoding="ISO-8859-1"?><p>café</p>'


def test_wrong_declaration_falls_back_to_what_the_bytes_are():
    text = f'<meta charset="utf-8"><p>{KOREAN}</p>'
    assert decode(text.encode("cp949"), HTML) == text


def test_unknown_declared_charset_is_ignored():
    text = f'<meta charset="x-made-up"><p>{KOREAN}</p>'
    assert decode(text.encode("utf-8"), HTML) == text


def test_line_ends_and_unicode_normalisation():
    decomposed = unicodedata.normalize("NFD", "한겨레 café")
    raw = f"line one\r\n{decomposed}\rline three".encode()
    assert decode(raw, TEXT) == "line one\n한겨레 café\nline three"


@pytest.mark.parametrize("raw", [b"", b"  \n\t\r\n  "], ids=["empty", "whitespace"])
def test_empty_file_is_refused(raw):
    with pytest.raises(ReadError, match="^empty file$"):
        decode(raw, TEXT)


def test_nul_bytes_mean_binary():
    with pytest.raises(ReadError, match="binary file"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Path("photo.txt"))


def test_many_control_bytes_mean_binary():
    raw = bytes(range(1, 32)) * 20 + b"some text"
    with pytest.raises(ReadError, match="binary file"):
        decode(raw, TEXT)


def test_a_stray_control_character_is_still_text():
    raw = b"Seoul\x0bcity hall. " + b"Plain text follows here. " * 10
    assert decode(raw, TEXT).startswith("Seoul\x0bcity hall. Plain text")


def test_bytes_valid_in_no_candidate_codec_give_one_clear_error():
    with pytest.raises(ReadError) as caught:
        decode(b"caf\xff and more text \xff\xfe\xff", TEXT)
    message = str(caught.value)
    assert message == "cannot decode text: not valid in UTF-8, CP949/EUC-KR"
    assert "\n" not in message


def test_json_lines_ignore_markup_that_looks_like_a_declaration():
    line = '{"text": "<meta charset=\\"latin-1\\"> 서울"}'
    assert decode(line.encode("utf-8"), Path("a.jsonl")) == line
