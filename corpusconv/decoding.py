"""Stage 2: bytes -> clean text lines, with every repair recorded.

Policy: repair the *encoding*, never the author's characters.  Curly quotes, dashes and
ellipses stay as written; only bytes that were decoded with the wrong codec (mojibake,
``â€™`` -> ``’``) are fixed, by ftfy's ``fix_encoding``, which is conservative and well
tested (run through ``mojibake.fix_encoding``: the same result, skipping ftfy where it
cannot change anything).  Characters that XML 1.0 forbids are replaced by U+FFFD so that every output is
well-formed, and each replacement is recorded with its line.

How bytes are decoded (first rule that applies wins; the name used is recorded in
``Provenance.encoding``, and every deviation from clean UTF-8 in ``Provenance.repairs``):

1. A known binary signature (PDF, PNG, gzip, ...) or a high share of control/NUL bytes:
   the input is rejected with :class:`InputError` ("not text: looks like a PNG image").
2. A byte-order mark: UTF-8, UTF-16 or UTF-32 as the mark says (``"utf-16-le (BOM)"``).
   Bytes invalid in that encoding (e.g. a truncated UTF-16 file) become U+FFFD, recorded
   as ``undecodable``.
3. No BOM but the NUL pattern of UTF-16 (every other byte NUL): UTF-16-LE/BE, recorded
   as an ``encoding`` repair.
4. Valid UTF-8: ``"utf-8"`` -- clean input is never touched beyond line splitting.
5. *Mostly* UTF-8 (valid multi-byte sequences clearly outnumber invalid bytes): each
   invalid byte becomes U+FFFD, recorded per line as ``undecodable``.
6. Otherwise charset-normalizer guesses the legacy encoding.  Among its equally good
   candidates windows-1252 is preferred (the web's default legacy encoding, and a
   superset of Latin-1 for text), since for short Western text charset-normalizer's
   first choice is often an unrelated code page (cp1250, cp775).  Recorded as
   ``encoding`` with the codec name (``"cp1252"``).
7. Nothing fits: UTF-8 with every invalid byte replaced by U+FFFD, recorded per line.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import ftfy
from charset_normalizer import from_bytes
from charset_normalizer.utils import is_multi_byte_encoding

from . import mojibake
from .errors import InputError
from .model import Repair

# Magic numbers of common binary formats that crawls rename to .txt.  Signatures that are
# plain ASCII words ("RIFF", "BZh", "OggS", "wOFF") are checked with the bytes that must
# follow them, so that a text page starting with such a word is not rejected.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"\x7fELF", "ELF executable"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"\xd0\xcf\x11\xe0", "OLE2 (old Office) document"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_BINARY_PATTERNS: tuple[tuple[re.Pattern[bytes], str], ...] = (
    (re.compile(rb"BZh[1-9]1AY&SY"), "bzip2 archive"),
    (re.compile(rb"RIFF[\x00-\xff]{4}(?:WAVE|AVI |WEBP|RMID|ACON|CDXA)"), "RIFF media file"),
    (re.compile(rb"OggS\x00"), "Ogg media file"),
    (re.compile(rb"wOF[F2](?:\x00\x01\x00\x00|OTTO|true)"), "web font"),
)

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Share of control bytes (other than tab/newline/CR/FF and ANSI escape sequences) in the
# first block of a BOM-less file above which it is treated as binary rather than as text
# with a few stray bytes; the same for NUL bytes (a stray NUL in a text page is repaired,
# not a reason to reject the page).
BINARY_CONTROL_SHARE = 0.05
BINARY_NUL_SHARE = 0.01
# ... except in valid UTF-8, where only this many NULs mean binary (tiny pages with one
# stray NUL are text).
BINARY_NUL_SHARE_UTF8 = 0.10
# A handful of stray control bytes in a tiny page is text to repair, not binary.
MIN_CONTROL_BYTES = 4
# Share of bytes no encoding explains above which a BOM-less input is rejected.
UNDECODABLE_SHARE = 0.30
SNIFF_BYTES = 8192
# Share of NULs at the odd (LE) or even (BE) byte positions that marks BOM-less UTF-16.
UTF16_NUL_SHARE = 0.3
UTF16_OTHER_NUL_MAX_SHARE = 0.05  # ... while the other half of the bytes holds almost none
UTF16_MIN_BYTES = 4               # two characters: too few to tell anything from

# XML 1.0 Char production, complemented.  Lone surrogates cannot survive UTF-8 decoding
# but can arrive through the Python API.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Invalid bytes kept by the "surrogateescape" handler (U+DC80..U+DCFF) while decoding.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
# Invisible characters that break line analysis; removed and recorded.
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")
# Control bytes counted by the binary sniffer: C0 except TAB, LF, FF, CR, and ESC when it
# starts an ANSI sequence ("ESC [") as terminal captures of pages contain.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]|\x1b(?!\[)")
# The same count without a regex: every byte but those of the class deleted (C speed).
_NOT_CONTROL_CLASS = bytes(b for b in range(256)
                           if not (b <= 0x08 or b == 0x0b or 0x0e <= b <= 0x1a or 0x1c <= b <= 0x1f))
# Every character a match of _ESCAPED_BYTE, _SURROGATE, _XML_ILLEGAL or _ZERO_WIDTH can
# start with: most pages have none, and one search of the text then replaces three
# (tests/test_io_speed.py checks the union).  Mojibake has its own gate (mojibake.py).
_SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u200b\u2060\ud800-\udfff\ufeff\ufffe\uffff]")

#: Preferred legacy encoding when charset-normalizer finds several equally plausible.
PREFERRED_LEGACY = "cp1252"


@dataclass
class Decoded:
    """Decoded text split into lines, the encoding used, and the repairs made."""

    lines: list[str]
    encoding: str
    repairs: list[Repair]


def _utf16_order(head: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` if ``head`` has the NUL pattern of UTF-16 text."""
    if len(head) < UTF16_MIN_BYTES:
        return None
    even, odd = head[0::2], head[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if nul_odd >= UTF16_NUL_SHARE and nul_even < UTF16_OTHER_NUL_MAX_SHARE:
        return "utf-16-le"
    if nul_even >= UTF16_NUL_SHARE and nul_odd < UTF16_OTHER_NUL_MAX_SHARE:
        return "utf-16-be"
    return None


def _looks_like_text(text: str) -> bool:
    """Few controls in a decoded sample: used to confirm a BOM-less UTF-16 guess."""
    if not text:
        return False
    bad = sum(1 for ch in text if ord(ch) < 0x20 and ch not in "\t\n\r\f")  # C0 controls
    return bad / len(text) <= BINARY_CONTROL_SHARE


def _bomless_utf16(data: bytes) -> str | None:
    order = _utf16_order(data[:SNIFF_BYTES])
    if order is None:
        return None
    sample = data[: SNIFF_BYTES - SNIFF_BYTES % 2].decode(order, errors="replace")
    return order if _looks_like_text(sample) else None


def _valid_utf8_head(head: bytes, total: int) -> bool:
    """Is ``head`` valid UTF-8 (a multi-byte char cut by the sniff window is allowed)?"""
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return len(head) < total and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"


def count_control_bytes(head: bytes) -> int:
    """``len(_CONTROL_BYTES.findall(head))``, faster: ESC counts unless "[" follows it."""
    return (len(head.translate(None, _NOT_CONTROL_CLASS))
            + head.count(b"\x1b") - head.count(b"\x1b["))


def sniff_binary(data: bytes) -> str | None:
    """Return a description of the binary format of ``data``, or ``None`` if it may be text."""
    for magic, what in BINARY_SIGNATURES:
        if data.startswith(magic):
            return what
    for pattern, what in _BINARY_PATTERNS:
        if pattern.match(data):
            return what
    if any(data.startswith(bom) for bom, _ in BOMS):
        return None
    head = data[:SNIFF_BYTES]
    if not head:
        return None
    if b"\x00" in head and _bomless_utf16(data):
        return None
    utf8 = _valid_utf8_head(head, len(data))
    nuls = head.count(0)
    nul_share = nuls / len(head)
    # A few NULs are stray bytes however short the page ("\n\x00" is a newline written as
    # UTF-16, too short to show the UTF-16 pattern): they are repaired, as controls are.
    if nuls > MIN_CONTROL_BYTES and (nul_share > BINARY_NUL_SHARE_UTF8
                                     or (nul_share > BINARY_NUL_SHARE and not utf8)):
        return "binary data (contains NUL bytes)"
    controls = count_control_bytes(head)
    limit = BINARY_NUL_SHARE_UTF8 if utf8 else BINARY_CONTROL_SHARE
    if controls > MIN_CONTROL_BYTES and controls / len(head) > limit:
        return "binary data (many control bytes)"
    return None


def _decode_with_bom(data: bytes, bom: bytes, name: str) -> tuple[str, str, list[Repair]]:
    shown = name.replace("-sig", "") + " (BOM)"
    if name == "utf-8-sig":
        text, repairs = _decode_utf8_escaped(data[len(bom):])
        return text, shown, repairs
    body = data[len(bom):]
    try:
        return body.decode(name), shown, []
    except UnicodeDecodeError as exc:
        first = exc.start + len(bom)
    text = body.decode(name, errors="replace")
    return text, shown + " (with replacements)", [
        Repair("undecodable", f"bytes invalid in {name} (from byte {first}, e.g. a truncated "
                              "file) replaced by U+FFFD", count=max(1, text.count("\ufffd")))]


def _decode_utf8_escaped(data: bytes) -> tuple[str, list[Repair]]:
    """UTF-8 keeping invalid bytes as U+DC80..U+DCFF (replaced and recorded per line later)."""
    return data.decode("utf-8", errors="surrogateescape"), []


def _mostly_utf8(text: str) -> bool:
    """``text`` was decoded with ``surrogateescape``: do valid multi-byte chars dominate?"""
    invalid = _ESCAPED_BYTE.subn("", text)[1]
    valid = _NON_ASCII.subn("", text)[1] - invalid
    return valid >= 2 * invalid and valid > 0


def _legacy(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's decoding of non-UTF-8 bytes, preferring cp1252 among equals.

    UTF-16/32 guesses are ignored (BOM-less UTF-16 is recognised by its NUL pattern
    before we get here, so such a guess for NUL-free bytes is always wrong).  When the
    best guess is a single-byte code page chosen without any language evidence (very
    short text), cp1252 is used if it decodes the bytes.  Multi-byte guesses (GB18030,
    Big5, Shift-JIS, EUC-KR, ...) carry no language score but are kept as they are.
    """
    matches = [m for m in from_bytes(data) if m.encoding and not m.encoding.startswith(("utf_16", "utf_32"))]
    if not matches:
        return None
    best = matches[0]
    for m in matches:
        if m.encoding == PREFERRED_LEGACY and m.chaos <= best.chaos + 0.005:
            return str(m), m.encoding
    if best.coherence == 0.0 and not is_multi_byte_encoding(best.encoding):
        try:
            return data.decode(PREFERRED_LEGACY), PREFERRED_LEGACY
        except UnicodeDecodeError:
            pass
    return str(best), best.encoding


def _decode(data: bytes) -> tuple[str, str, list[Repair]]:
    """Decode ``data``; invalid UTF-8 bytes may remain as U+DC80..U+DCFF (see below)."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return _decode_with_bom(data, bom, name)
    if b"\x00" in data[:SNIFF_BYTES]:
        order = _bomless_utf16(data)
        if order:
            text = data.decode(order, errors="replace")
            reps = [Repair("encoding", f"no byte-order mark; decoded as {order} (NUL byte pattern)")]
            bad = text.count("\ufffd")
            if bad:
                reps.append(Repair("undecodable", f"bytes invalid in {order} replaced by U+FFFD",
                                   count=bad))
            return text, order, reps
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    escaped, _ = _decode_utf8_escaped(data)
    if _mostly_utf8(escaped):
        return escaped, "utf-8 (with replacements)", []
    legacy = _legacy(data)
    if legacy is not None:
        text, enc = legacy
        return text, enc, [Repair("encoding", f"not UTF-8; decoded as {enc}")]
    invalid = _ESCAPED_BYTE.subn("", escaped)[1]
    if invalid > UNDECODABLE_SHARE * len(escaped):
        raise InputError(f"not text: {invalid} of {len(data)} bytes are invalid in UTF-8 and no "
                         "other encoding explains them")
    return escaped, "utf-8 (with replacements)", []


def _replace_escaped(lines: list[str], kind: str, detail: str,
                     pattern: re.Pattern[str]) -> tuple[list[str], list[Repair]]:
    repairs: list[Repair] = []
    out = []
    for no, line in enumerate(lines, 1):
        new, n = pattern.subn("\ufffd", line)
        if n:
            repairs.append(Repair(kind, detail, no, n))
        out.append(new)
    return out, repairs


def _fix_mojibake(text: str) -> tuple[str, list[Repair]]:
    """ftfy's repair of ``text``, which ``mojibake.scan`` says ftfy may change."""
    try:
        fixed = ftfy.fix_encoding(text)
    except Exception:  # ftfy is a heuristic: never let it fail a conversion
        return text, []
    if fixed == text:
        return text, []
    if len(split_lines(fixed)) != len(split_lines(text)):
        return text, []  # line numbers of other repairs and of the structure must hold
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


def _finish(text: str, surrogate_kind: str, pattern: re.Pattern[str],
            detail: str) -> tuple[list[str], list[Repair]]:
    """Replace surrogates (per line, recorded), fix mojibake, then clean each line."""
    # One scan of the text answers both questions.  Without a suspect character none of
    # the searches below can match (``pattern`` is a set of surrogates) unless ftfy
    # changed the text, and ftfy runs only where it may change it.
    may_fix, suspect = mojibake.scan(text, _SUSPECT)
    if not suspect and not may_fix:
        return split_lines(text), []
    repairs: list[Repair] = []
    if suspect and pattern.search(text):
        lines, repairs = _replace_escaped(split_lines(text), surrogate_kind, detail, pattern)
        text = "\n".join(lines)
        may_fix = mojibake.may_change(text)  # U+FFFD is one of the characters ftfy looks at
    text, fixes = _fix_mojibake(text) if may_fix else (text, [])
    lines = split_lines(text)
    # One search of the whole text first: most pages have nothing to clean.
    if (suspect or fixes) and (_XML_ILLEGAL.search(text) or _ZERO_WIDTH.search(text)):
        lines, more = clean_lines(lines)
    else:
        more = []
    return lines, repairs + fixes + more


def decode_text(text: str) -> Decoded:
    """Prepare an already-decoded string (library callers): repair and split."""
    lines, repairs = _finish(text.lstrip("\ufeff"), "xml-illegal", _SURROGATE,
                             "lone surrogates (not characters) replaced by U+FFFD")
    return Decoded(lines, "unicode", repairs)


def decode_bytes(data: bytes) -> Decoded:
    """Decode raw bytes of a rendered page; raise :class:`InputError` for binary input."""
    what = sniff_binary(data)
    if what:
        article = "" if what.startswith("binary") else ("an " if what[0] in "AEIOUaeiox" else "a ")
        raise InputError(f"not text: looks like {article}{what}")
    text, encoding, repairs = _decode(data)
    lines, more = _finish(text, "undecodable", _ESCAPED_BYTE,
                          "bytes invalid in UTF-8 replaced by U+FFFD")
    return Decoded(lines, encoding, repairs + more)
