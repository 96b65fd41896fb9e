"""Stage 2: bytes -> clean text lines, with every repair recorded.

Policy: repair the *encoding*, never the author's characters.  Curly quotes, dashes and
ellipses stay as written; only bytes that were decoded with the wrong codec (mojibake,
``â€™`` -> ``’``) are fixed, by ftfy's ``fix_encoding``, which is conservative and well
tested.  Characters that XML 1.0 forbids are replaced by U+FFFD so that every output is
well-formed, and each replacement is recorded with its line.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .errors import InputError
from .model import Repair

# Magic numbers of common binary formats that crawls rename to .txt.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x7fELF", "ELF executable"),
    (b"RIFF", "RIFF media file"),
    (b"OggS", "Ogg media file"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"wOFF", "web font"),
    (b"\xd0\xcf\x11\xe0", "OLE2 (old Office) document"),
)

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Share of control bytes (other than tab/newline/CR/FF) in the first block of a BOM-less
# file above which it is treated as binary rather than as text with a few stray bytes.
BINARY_CONTROL_SHARE = 0.05
SNIFF_BYTES = 8192

# XML 1.0 Char production, complemented.  Lone surrogates cannot survive UTF-8 decoding
# but can arrive through the Python API.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Invisible characters that break line analysis; removed and recorded.
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00e2\u00c5\u00d0\u00d1\u00f0][\u0080-\u02ff\u2010-\u203a\u20ac\u2122]")


@dataclass
class Decoded:
    """Decoded text split into lines, the encoding used, and the repairs made."""

    lines: list[str]
    encoding: str
    repairs: list[Repair]


def sniff_binary(data: bytes) -> str | None:
    """Return a description of the binary format of ``data``, or ``None`` if it may be text."""
    for magic, what in BINARY_SIGNATURES:
        if data.startswith(magic):
            return what
    if any(data.startswith(bom) for bom, _ in BOMS):
        return None
    head = data[:SNIFF_BYTES]
    if not head:
        return None
    if b"\x00" in head:
        # UTF-16 without a BOM is rare in scraped text; NULs in a BOM-less file mean binary.
        return "binary data (contains NUL bytes)"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls / len(head) > BINARY_CONTROL_SHARE:
        return "binary data (many control bytes)"
    return None


def _decode(data: bytes) -> tuple[str, str, list[Repair]]:
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid {name} after a byte-order mark at byte {exc.start}") from None
            return text.lstrip("\ufeff"), name.replace("-sig", "") + " (BOM)", []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding, [Repair("encoding", f"not UTF-8; decoded as {best.encoding}")]
    text = data.decode("utf-8", errors="replace")
    return text, "utf-8 (with replacements)", [
        Repair("undecodable", "bytes that no encoding explains were replaced by U+FFFD",
               count=text.count("\ufffd"))]


def _fix_mojibake(text: str) -> tuple[str, list[Repair]]:
    if not _MOJIBAKE_HINT.search(text):
        return text, []
    import ftfy

    fixed = ftfy.fix_encoding(text)
    if fixed == text:
        return text, []
    return fixed, [Repair("mojibake", "text decoded with the wrong codec repaired by ftfy.fix_encoding")]


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF or CR (mixed endings included); no trailing empty line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def clean_lines(lines: list[str]) -> tuple[list[str], list[Repair]]:
    """Replace XML-illegal characters and remove zero-width ones, recording each line."""
    repairs: list[Repair] = []
    out = []
    for no, line in enumerate(lines, 1):
        new, n_bad = _XML_ILLEGAL.subn("\ufffd", line)
        if n_bad:
            repairs.append(Repair("xml-illegal", "characters XML 1.0 forbids replaced by U+FFFD", no, n_bad))
        new, n_zw = _ZERO_WIDTH.subn("", new)
        if n_zw:
            repairs.append(Repair("zero-width", "zero-width characters removed", no, n_zw))
        out.append(new)
    return out, repairs


def decode_text(text: str) -> Decoded:
    """Prepare an already-decoded string (library callers): repair and split."""
    text, repairs = _fix_mojibake(text)
    lines, more = clean_lines(split_lines(text.lstrip("\ufeff")))
    return Decoded(lines, "unicode", repairs + more)


def decode_bytes(data: bytes) -> Decoded:
    """Decode raw bytes of a rendered page; raise :class:`InputError` for binary input."""
    what = sniff_binary(data)
    if what:
        raise InputError(f"not text: looks like a {what}")
    text, encoding, repairs = _decode(data)
    text, fixes = _fix_mojibake(text)
    lines, more = clean_lines(split_lines(text))
    return Decoded(lines, encoding, repairs + fixes + more)
