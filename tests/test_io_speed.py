"""The I/O-edge fast paths give exactly what the plain paths give.

* TEI: :class:`corpusconv.tei._TextBuilder` (write the document as text, one parse)
  against :class:`corpusconv.tei._TreeBuilder` (one lxml call per element, the
  reference): same bytes for any document, and the text builder refuses (so that
  ``to_tei_tree`` falls back) whatever it cannot write faithfully.
* Decoding: the one-search gate ``_SUSPECT`` covers the first character of every match
  of the searches it stands for; ``count_control_bytes`` equals the regex count.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corpusconv
from corpusconv import decoding, tei
from corpusconv.model import BLOCK_TYPES, Block, Comment, Document, Removal, Repair

from conftest import SHARED, provenance, rich_document
from test_tei import HOSTILE, documents


def _both(doc: Document) -> tuple[bytes | None, bytes]:
    """(text builder's bytes or None if it refused, reference builder's bytes)."""
    ref = tei.tei_bytes(tei._build(doc, tei._TreeBuilder()))
    try:
        fast = tei.tei_bytes(tei._build(doc, tei._TextBuilder()))
    except Exception:
        fast = None
    assert tei.to_tei(doc) == ref
    return fast, ref


def _doc_with(s: str) -> Document:
    """``s`` in every string field a Document has, and some empty and None ones."""
    return Document(
        id=s, source=s, lines=[s], title=s, date=s, author=s,
        provenance=provenance(source_path=s, encoding=s, tool_version=s, rules_digest=s,
                              repairs=[Repair(s, s, 1, 2), Repair(s, "", None, 0)]),
        blocks=[Block(t, s, (1, 1), speaker=s, attribution=s) for t in BLOCK_TYPES]
        + [Block("paragraph", "", (2, 2)), Block("quote", f"{s}\n\n{s}", (3, 3), attribution=s)],
        comments=[Comment(s, None, 0, 1, s, s, [s, "", s], (1, 1), kind=s),
                  Comment("c2", s, 2, None, None, None, [s], (2, 2), kind="pingback")],
        removals=[Removal(s, s, 1, s, s), Removal("r", "c", 2, ""), Removal(s, "c", 3, s)])


WRITABLE = ["plain", "", " ", "  \n  ", "a & b < c > d", '"quoted" \'single\'', "]]>", "a\rb",
            "a\r\nb\n\rc", "tab\there", "new\nline", "&amp; &lt; &#13; &#x41;", "Zoë 日本 😀 e\u0301",
            "\u200b\ufeff zero width", "\ufffd", "\x7f\x85\u2028", "<p>not markup</p>",
            "x" * 100_000]


@pytest.mark.parametrize("s", WRITABLE)
def test_text_builder_equals_tree_builder(s):
    fast, ref = _both(_doc_with(s))
    assert fast == ref


@pytest.mark.parametrize("s", HOSTILE + ["\x00", "\x1f", "\ud800", "\udcff", "\ufffe", "\uffff"])
def test_text_builder_refuses_what_it_cannot_write(s):
    fast, ref = _both(_doc_with(f"a{s}b"))
    if tei.xml_safe(s) != s:
        assert fast is None
    else:
        assert fast == ref


def test_text_builder_on_real_documents(seed_files):
    docs = [rich_document()] + [corpusconv.convert_file(p) for p in seed_files]
    pages = SHARED / "realweb" / "pages"
    if pages.is_dir():
        docs += [corpusconv.convert_file(p) for p in sorted(pages.iterdir())[:40]]
    for doc in docs:
        fast, ref = _both(doc)
        assert fast == ref, doc.source


def test_empty_texts_keep_their_empty_node():
    # lxml's API writes an element whose text is "" as <p></p>, not <p/>: so must we.
    doc = _doc_with("x")
    fast, ref = _both(doc)
    assert fast == ref and b"<p></p>" in ref and b'n="2" ana="#rule-r"></ab>' in ref


def test_non_string_values_fall_back_to_the_reference():
    doc = _doc_with("x")
    doc.removals.append(Removal("r", "c", "7", "t"))  # a str line number: still an attribute
    doc.removals.append(Removal("r", "c", None, None))  # no n attribute, no text
    doc.removals.append(Removal("r", "c", 8, "a & b"))  # one removal to escape: all checked
    doc.comments[0].n = True
    fast, ref = _both(doc)
    assert fast == ref


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_any_document_same_bytes(doc):
    fast, ref = _both(doc)
    if fast is not None:
        assert fast == ref
    else:  # only text with XML-illegal characters is refused: the reference cleaned it
        assert "\ufffd" in ref.decode("utf-8")


# --- decoding ---------------------------------------------------------------------------


def test_suspect_gate_covers_every_search_it_replaces():
    everything = "".join(map(chr, range(0x110000)))
    suspect = set(decoding._SUSPECT.findall(everything))
    for pattern in (decoding._ESCAPED_BYTE, decoding._SURROGATE, decoding._XML_ILLEGAL,
                    decoding._ZERO_WIDTH):
        assert set(pattern.findall(everything)) <= suspect, pattern.pattern
    # (mojibake has its own exact gate: tests/test_mojibake.py)


CONTROL_CASES = [b"", b"\x1b", b"\x1b[", b"\x1b\x1b[", b"[\x1b", b"\x1b[\x1b", b"\x0c\x0b\t\n\r",
                 bytes(range(256)), bytes(range(256)) * 3 + b"\x1b"]


@pytest.mark.parametrize("head", CONTROL_CASES)
def test_count_control_bytes_cases(head):
    assert decoding.count_control_bytes(head) == len(decoding._CONTROL_BYTES.findall(head))


@settings(max_examples=300, deadline=None)
@given(head=st.binary(max_size=200) | st.lists(st.sampled_from([b"\x1b", b"[", b"a", b"\x00", b"\x0c"]))
       .map(b"".join))
def test_count_control_bytes_any(head):
    assert decoding.count_control_bytes(head) == len(decoding._CONTROL_BYTES.findall(head))
