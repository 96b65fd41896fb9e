"""Encodings, line endings and invisible/forbidden characters, end to end.

Every case writes a real file in ``tmp_path``, converts it with
:func:`corpusconv.convert_file`, and checks the decoded text, the recorded encoding and
repairs, and that both serialisations are well-formed and valid.
"""

from __future__ import annotations

import codecs
import json

import pytest
from lxml import etree

import corpusconv
from corpusconv.decoding import decode_bytes, decode_text, sniff_binary
from corpusconv.errors import InputError
from corpusconv.pipeline import check_accounting
from corpusconv.validate import check_record, tei_errors

#: The author's typography that decoding must never touch.
TYPOGRAPHY = "“Quoted,” she said — ‘single’ too… and naïve café façade."

PAGE = (
    "A Title For The Page\n\n"
    f"{TYPOGRAPHY}\n\n"
    "Second paragraph of the article, long enough to look like prose to the engine.\n"
)


def convert(tmp_path, data: bytes, name: str = "page.txt") -> corpusconv.Document:
    p = tmp_path / name
    p.write_bytes(data)
    doc = corpusconv.convert_file(p)
    assert check_accounting(doc) == []
    return doc


def all_text(doc) -> str:
    return "\n".join(doc.lines)


def assert_outputs_valid(doc, tei_all=None) -> bytes:
    xml = corpusconv.to_tei(doc)
    etree.fromstring(xml)  # well-formed
    assert tei_errors(xml) == []
    if tei_all is not None:
        assert tei_all.validate(etree.fromstring(xml)), tei_all.error_log
    rec = corpusconv.to_record(doc)
    line = json.dumps(rec, ensure_ascii=False)
    assert json.loads(line) == rec
    check_record(rec)
    return xml


def repairs(doc, kind=None):
    return [r for r in doc.provenance.repairs if kind is None or r.kind == kind]


# --------------------------------------------------------------------------- UTF-8 / BOMs


def test_plain_utf8_untouched(tmp_path):
    doc = convert(tmp_path, PAGE.encode("utf-8"))
    assert doc.provenance.encoding == "utf-8"
    assert doc.provenance.repairs == []
    assert doc.lines == PAGE.rstrip("\n").split("\n")
    assert TYPOGRAPHY in doc.text
    assert_outputs_valid(doc)


def test_utf8_bom(tmp_path):
    doc = convert(tmp_path, codecs.BOM_UTF8 + PAGE.encode("utf-8"))
    assert doc.provenance.encoding == "utf-8 (BOM)"
    assert doc.lines[0] == "A Title For The Page"  # no U+FEFF left at the start
    assert "\ufeff" not in all_text(doc)
    assert TYPOGRAPHY in all_text(doc)
    assert doc.provenance.bytes == len(PAGE.encode()) + 3


@pytest.mark.parametrize("codec,bom,label", [
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le (BOM)"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be (BOM)"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32-le (BOM)"),
])
def test_utf16_utf32_with_bom(tmp_path, codec, bom, label):
    doc = convert(tmp_path, bom + PAGE.encode(codec))
    assert doc.provenance.encoding == label
    assert doc.lines == PAGE.rstrip("\n").split("\n")
    assert doc.provenance.repairs == []
    assert_outputs_valid(doc)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected_not_rejected(tmp_path, codec):
    doc = convert(tmp_path, PAGE.encode(codec))
    assert doc.provenance.encoding == codec
    assert doc.lines == PAGE.rstrip("\n").split("\n")
    assert [r.kind for r in repairs(doc)] == ["encoding"]
    assert "no byte-order mark" in repairs(doc)[0].detail


def test_truncated_utf16_is_repaired_and_recorded(tmp_path):
    data = codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le")[:-1]  # odd length
    doc = convert(tmp_path, data)
    assert doc.provenance.encoding.startswith("utf-16-le (BOM)")
    assert "with replacements" in doc.provenance.encoding
    (rep,) = repairs(doc, "undecodable")
    assert rep.count == 1
    assert doc.lines[-1].endswith("\ufffd")
    assert TYPOGRAPHY in all_text(doc)


# --------------------------------------------------------------------------- legacy encodings


def test_cp1252_detected_and_recorded(tmp_path):
    text = "Café “naïve” — résumé’s façade… it’s fine.\nSecond line with œuvre and €5.\n"
    doc = convert(tmp_path, text.encode("cp1252"))
    assert doc.provenance.encoding == "cp1252"
    assert doc.lines == text.rstrip("\n").split("\n")  # œ, €, curly quotes: not cp1250/cp775
    (rep,) = repairs(doc, "encoding")
    assert "cp1252" in rep.detail
    xml = assert_outputs_valid(doc)
    desc = etree.fromstring(xml).xpath("string(//t:appInfo//t:desc[@type='encoding'])",
                                       namespaces={"t": "http://www.tei-c.org/ns/1.0"})
    assert "cp1252" in desc
    assert corpusconv.to_record(doc)["provenance"]["encoding"] == "cp1252"


def test_latin1_decoded_as_its_cp1252_superset(tmp_path):
    text = "Café naïve résumé façade señor.\nMore text here über alles.\n"
    doc = convert(tmp_path, text.encode("latin-1"))
    assert doc.provenance.encoding == "cp1252"
    assert doc.lines == text.rstrip("\n").split("\n")


def test_short_cp1252_word(tmp_path):
    doc = convert(tmp_path, "Café\n".encode("cp1252"))
    assert doc.lines == ["Café"]
    assert doc.provenance.encoding == "cp1252"


@pytest.mark.parametrize("text,codec,expected", [
    ("Привет, как дела? Это тестовый текст на русском языке, достаточно длинный.", "cp1251", "cp1251"),
    ("Αυτό είναι ένα ελληνικό κείμενο δοκιμής.", "cp1253", "cp1253"),
    ("Zażółć gęślą jaźń. Příliš žluťoučký kůň.", "cp1250", "cp1250"),
    ("これは日本語のテキストです。よろしくお願いします。", "shift_jis", "cp932"),
    ("这是一个中文测试文本，用于检测编码。", "gbk", "gb18030"),
    ("這是一個中文測試文本，用於檢測編碼。", "big5", "big5"),
    ("이것은 한국어 테스트 텍스트입니다.", "euc_kr", "cp949"),
])
def test_other_legacy_encodings_not_forced_to_cp1252(tmp_path, text, codec, expected):
    """The cp1252 preference only breaks ties among single-byte guesses."""
    doc = convert(tmp_path, (text + "\n").encode(codec))
    assert doc.lines == [text]
    assert doc.provenance.encoding == expected


# --------------------------------------------------------------------------- mojibake


def test_mojibake_fixed_and_typography_survives(tmp_path):
    broken = "It’s broken".encode("utf-8").decode("cp1252")  # "Itâ€™s broken"
    assert "â€™" in broken
    page = f"Title Line\n\n{broken} but {TYPOGRAPHY}\n"
    doc = convert(tmp_path, page.encode("utf-8"))
    assert doc.provenance.encoding == "utf-8"
    assert doc.lines[2] == f"It’s broken but {TYPOGRAPHY}"
    for ch in "“”‘’—…":
        assert ch in doc.lines[2]
    assert '"' not in doc.lines[2] and "'" not in doc.lines[2]  # nothing straightened
    (rep,) = repairs(doc, "mojibake")
    assert rep.line is None and "ftfy" in rep.detail


def test_clean_typography_not_reported_as_mojibake(tmp_path):
    page = "“ ” ‘ ’ — … « » ‹ › – ° ± © ® ™ € £ é ñ ü ß Ω 中文 🙂\n"
    doc = convert(tmp_path, page.encode("utf-8"))
    assert doc.lines == [page.strip("\n")]
    assert doc.provenance.repairs == []


def test_undecodable_bytes_replaced_per_line_and_recorded(tmp_path):
    data = ("Title\n\nCurly “quotes” and é stay.\n".encode() + b"bad \xff\xfe bytes here\n"
            + "Last line — fine.\n".encode())
    doc = convert(tmp_path, data)
    assert doc.provenance.encoding == "utf-8 (with replacements)"
    assert doc.lines[2] == "Curly “quotes” and é stay."
    assert doc.lines[3] == "bad \ufffd\ufffd bytes here"
    (rep,) = repairs(doc, "undecodable")
    assert (rep.line, rep.count) == (4, 2)
    assert_outputs_valid(doc)


def test_mostly_undecodable_noise_is_rejected():
    with pytest.raises(InputError, match="not text"):
        decode_bytes(bytes(range(0x80, 0x100)) * 20)


# --------------------------------------------------------------------------- line endings & whitespace


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_line_endings(tmp_path, eol):
    doc = convert(tmp_path, PAGE.replace("\n", eol).encode())
    assert doc.lines == PAGE.rstrip("\n").split("\n")
    assert not any("\r" in line for line in doc.lines)


def test_mixed_line_endings(tmp_path):
    data = b"one\r\ntwo\rthree\nfour\r\n\r\nfive"
    doc = convert(tmp_path, data)
    assert doc.lines == ["one", "two", "three", "four", "", "five"]


def test_tabs_and_nbsp_are_kept(tmp_path):
    page = "Title\n\nA\tB with\u00a0no-break space and a tab.\n"
    doc = convert(tmp_path, page.encode())
    assert doc.lines[2] == "A\tB with\u00a0no-break space and a tab."
    assert doc.provenance.repairs == []
    assert_outputs_valid(doc)


def test_zero_width_characters_removed_and_recorded(tmp_path):
    page = "Title\n\nzero\u200bwidth\u2060joiner and \ufeffBOM inside.\n"
    doc = convert(tmp_path, page.encode())
    assert doc.lines[2] == "zerowidthjoiner and BOM inside."
    (rep,) = repairs(doc, "zero-width")
    assert (rep.line, rep.count) == (3, 3)


# --------------------------------------------------------------------------- XML-forbidden characters


def test_c0_controls_and_nul_in_text_file(tmp_path, tei_all_schema):
    data = b"Title\n\nNUL\x00 here, bell\x07, escape\x1b and vt\x0b.\nclean line\n\xef\xbf\xbe end\n"
    assert sniff_binary(data) is None  # a few stray controls: text to repair, not binary
    doc = convert(tmp_path, data)
    assert doc.lines[2] == "NUL\ufffd here, bell\ufffd, escape\ufffd and vt\ufffd."
    assert doc.lines[4] == "\ufffd end"  # U+FFFE
    reps = repairs(doc, "xml-illegal")
    assert [(r.line, r.count) for r in reps] == [(3, 4), (5, 1)]
    xml = assert_outputs_valid(doc, tei_all_schema)
    assert b"\x00" not in xml and b"\x07" not in xml
    # the repairs are in the TEI output too
    tree = etree.fromstring(xml)
    subtypes = tree.xpath("//t:ab[@type='repair']/@subtype", namespaces={"t": "http://www.tei-c.org/ns/1.0"})
    assert "xml-illegal" in subtypes


@pytest.mark.parametrize("data", [b"\n\x00", b"a\x00", b"\x00", b"Hi\x00\x00\n", "\n".encode("utf-16-le")])
def test_tiny_page_with_a_few_nuls_is_text(data, tei_all_schema):
    # Found by the invariant test: "\n" written as UTF-16-LE is b"\n\x00", too short to show
    # the UTF-16 NUL pattern; its NUL made the whole page "binary".  A handful of NULs is
    # repaired like any stray control, however short the page.
    assert sniff_binary(data) is None
    doc = corpusconv.convert_bytes(data, source="tiny.txt")
    assert "\x00" not in "".join(doc.lines)
    assert_outputs_valid(doc, tei_all_schema)


def test_many_nuls_in_a_short_file_are_still_binary():
    with pytest.raises(InputError, match="NUL"):
        corpusconv.convert_bytes(b"ab\x00\x00\x00\x00\x00\x00cd", source="x.bin")


def test_lone_surrogates_and_nonchars_via_python_api(tei_all_schema):
    text = "Title\n\nlone \ud800 high, \udfff low, \ufffe and \uffff nonchars.\n"
    doc = corpusconv.convert_text(text, source="api.txt")
    assert check_accounting(doc) == []
    assert doc.lines[2] == "lone \ufffd high, \ufffd low, \ufffd and \ufffd nonchars."
    assert sum(r.count for r in repairs(doc, "xml-illegal")) == 4
    assert all(r.line == 3 for r in repairs(doc, "xml-illegal"))
    xml = assert_outputs_valid(doc, tei_all_schema)
    assert xml.count("\ufffd".encode("utf-8")) >= 4  # the replacements reach the TEI text
    json.dumps(corpusconv.to_record(doc)).encode("utf-8")  # no surrogates left to choke on


def test_decode_text_mojibake_with_surrogate_does_not_crash():
    d = decode_text("Itâ€™s \ud800 odd\n")
    assert d.lines == ["It’s \ufffd odd"]
    kinds = {r.kind for r in d.repairs}
    assert kinds == {"xml-illegal", "mojibake"}


# --------------------------------------------------------------------------- binary sniffing


@pytest.mark.parametrize("text", [
    "RIFF raff and other people of the town\n",
    "BZh is not a word, but here it is\n",
    "OggS are not real\n",
    "wOFF wOFF said the dog\n",
])
def test_text_starting_with_a_magic_word_is_text(tmp_path, text):
    doc = convert(tmp_path, text.encode())
    assert doc.lines == [text.strip()]


def test_ansi_escape_sequences_are_text_with_repairs(tmp_path):
    data = b"\x1b[1mBold title\x1b[0m\n\n" + b"\x1b[4mUnderlined\x1b[0m paragraph of text.\n" * 3
    doc = convert(tmp_path, data)
    assert doc.lines[0] == "\ufffd[1mBold title\ufffd[0m"
    assert repairs(doc, "xml-illegal")
