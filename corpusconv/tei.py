"""Serialise a :class:`Document` as a TEI P5 document (bytes, UTF-8).

The output is a small, fixed subset of TEI P5 described by ``schemas/corpusconv-tei.rng``;
every document valid against that schema is also valid against the official
``tei_all.rng``.  The tree is built with :mod:`lxml.etree`, which escapes text and
attribute values, so no input string can inject markup.  The bytes are deterministic
(no timestamps, stable ordering) so that re-running a conversion gives identical files.

Mapping decisions (and why):

* **Header.**  ``titleStmt/title`` is the printed title, or the document id marked
  ``type="derived"`` because TEI requires a title.  ``sourceDesc/bibl`` records what we
  know of the page: title, author, printed date (``date/@when`` only when the printed
  date is an ISO 8601 date or date-time, otherwise plain text), file name and SHA-256,
  and the URL (``idno type="URI"``) when the input gave one.  What a container said about
  the page (a WARC record's headers, a JSON Lines document's other fields) follows as a
  ``list type="gloss" subtype="metadata"`` of ``label``/``item`` pairs.
  ``encodingDesc/appInfo/application`` names the tool and version; its ``desc`` elements
  carry the rules digest, the input encoding and per-rule summaries of removals and
  repairs.  ``application/@version`` only admits dotted numbers, so a version string
  outside that shape is reduced to its numeric prefix and kept in full in a ``desc``.
  Each rule that removed a line is declared once as a ``classDecl/taxonomy/category``
  so that removals can point at it with ``@ana`` (a real target, not a dangling URI).

* **People.**  Dialogue speakers and comment authors become ``person`` entries in
  ``profileDesc/particDesc/listPerson`` (``@role`` says which).  ``sp/@who`` and
  ``post/@who`` are TEI pointers (``#id``), so they point at these entries.  Ids are
  derived from arbitrary strings by :func:`_ncname` and made unique per document.

* **Body.**  ``div type="article"`` holds the title as ``head``, then the blocks:
  paragraphs as ``p``; section breaks as ``milestone unit="section"``; dialogue turns as
  ``sp`` (``speaker`` + ``p``); quotes as ``cit`` (``quote`` + ``bibl``) when attributed,
  a bare ``quote`` otherwise; runs of consecutive list items as one ``list`` of ``item``.
  A heading block opens a nested ``div type="section"`` with the heading as its ``head``
  — TEI only admits ``head`` at the start of a division, and headings in scraped text
  carry no reliable level, so all sections are siblings.  An article without blocks gets
  a ``gap reason="no-content"`` so that the division is never silently empty.

* **Comments.**  ``div type="comments"`` holds one ``post`` (TEI CMC module) per comment,
  in page order and **not nested** (TEI posts do not nest).  ``post/@xml:id`` is the
  comment id prefixed with the document id (unique across a corpus); ``@n`` is the
  number printed by the site; ``@type`` is ``comment`` (depth 0), ``reply`` (deeper) or
  ``pingback``; ``@indentLevel`` is the depth; ``@modality="written"``.  We do **not**
  write ``@replyTo``: the CMC chapter reserves it for reply relations the source records
  explicitly, whereas ours are inferred from indentation — ``indentLevel`` plus document
  order states exactly what we observed.  ``@who`` points at the author's ``person``;
  ``@when`` is only written when the printed date is ISO 8601 (it must be a W3C date).
  The printed byline is kept verbatim in an ``opener`` (``persName`` and ``date``) so no
  information is lost when the date is not machine-readable.  Each paragraph is a ``p``.

* **Back.**  ``div type="boilerplate"`` lists every removal as
  ``ab type="removed" subtype="{category}" n="{line}" ana="#{rule category id}"`` with
  the removed text as content; ``div type="repairs"`` lists decoder repairs as
  ``ab type="repair" subtype="{kind}" n="{line}"`` holding a ``num type="count"`` and the
  detail.  Empty containers (no comments, no removals, no repairs) are omitted.

Every string is passed through :func:`xml_safe` first: a Document built through the API
may contain code points XML 1.0 forbids, which are replaced with U+FFFD.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
import unicodedata
from collections import Counter
from datetime import date as _date
from datetime import datetime as _datetime

from lxml import etree

from .model import Block, Comment, Document
from .segment import describe_layout

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_ID = f"{{{XML_NS}}}id"
_XML_DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Everything outside XML 1.0's Char production (incl. lone surrogates).
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The (Python-regex rendering of the) version pattern of TEI application/@version.
_TEI_VERSION = re.compile(r"\d+[a-z]*\d*(\.\d+[a-z]*\d*){0,3}")
# ISO 8601 dates and date-times as printed; anything else stays text only.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")
_PARA_SPLIT = re.compile(r"\n[ \t]*\n")


def xml_safe(s: str) -> str:
    """Replace code points XML 1.0 cannot carry with U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", s)


@lru_cache(maxsize=4096)  # categories and rule ids repeat on every removal
def _token(s: str, default: str = "unknown") -> str:
    """A TEI ``teidata.enumerated``-style token: no control (C*) or separator (Z*) chars."""
    out = "".join("-" if unicodedata.category(ch)[0] in "CZ" else ch for ch in xml_safe(s))
    out = re.sub(r"-{2,}", "-", out).strip("-")
    return out or default


_NCNAME_PLAIN = re.compile(r"[A-Za-z0-9.-](?:[A-Za-z0-9._-]*[A-Za-z0-9.-])?")


def _ncname(s: str, default: str = "x") -> str:
    """An ASCII NCName fragment derived from any string (accents folded, rest -> ``_``)."""
    if _NCNAME_PLAIN.fullmatch(s):  # already one (comment ids, most names): unchanged below
        return s
    folded = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^A-Za-z0-9._-]+", "_", folded).strip("_")
    return out or default


class _Ids:
    """Hands out xml:ids that are valid NCNames and unique within one document."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, prefix: str, raw: str) -> str:
        # The prefix starts with a letter, so the id is an NCName whatever ``raw`` is.
        base = f"{prefix}{_ncname(raw)}"
        candidate, i = base, 1
        while candidate in self._used:
            i += 1
            candidate = f"{base}-{i}"
        self._used.add(candidate)
        return candidate


def iso_when(printed: str | None) -> str | None:
    """The W3C (xsd:date / xsd:dateTime) form of an ISO 8601 printed date, else ``None``."""
    if not printed:
        return None
    s = printed.strip()
    try:
        if _ISO_DATE.fullmatch(s):
            return _date.fromisoformat(s).isoformat()
        if _ISO_DATETIME.fullmatch(s):
            if s.endswith("Z"):
                s = s[:-1] + "+00:00"
            dt = _datetime.fromisoformat(s)
            return dt.isoformat()
    except ValueError:  # e.g. 2021-02-30
        return None
    return None


def tei_version(version: str) -> str:
    """A value for ``application/@version`` (TEI admits only dotted numeric versions)."""
    v = version.strip()
    if _TEI_VERSION.fullmatch(v):
        return v
    m = re.match(r"\d+(\.\d+){0,3}", v)
    return m.group(0) if m else "0"


_QNAMES: dict[str, str] = {}


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    # One SubElement call with all attributes (in keyword order, as set() one by one would
    # give).  The reference for _TextBuilder, and the builder of documents it refuses.
    qname = _QNAMES.get(tag)
    if qname is None:
        qname = _QNAMES[tag] = f"{{{TEI_NS}}}{tag}"
    attrib = {(XML_ID if k == "xml_id" else k): str(v) for k, v in attrs.items() if v is not None}
    # lxml refuses exactly the code points XML 1.0 forbids (ValueError): only then clean.
    try:
        e = etree.SubElement(parent, qname, attrib)
    except ValueError:
        e = etree.SubElement(parent, qname, {k: xml_safe(v) for k, v in attrib.items()})
    if text is not None:
        try:
            e.text = text
        except ValueError:
            e.text = xml_safe(text)
    return e


class _TreeBuilder:
    """Builds the tree element by element through lxml's API (cleans XML-illegal text).

    The reference builder: :class:`_TextBuilder` must give exactly the same tree, and is
    only trusted when its text parses; otherwise the document is built by this one.
    """

    def root(self, root_id: str) -> etree._Element:
        self._root = etree.Element(f"{{{TEI_NS}}}TEI", nsmap={None: TEI_NS})
        self._root.set(XML_ID, root_id)
        return self._root

    el = staticmethod(_el)
    leaf = staticmethod(_el)

    def removals(self, parent, removals, rule_ids: dict[str, str]) -> None:
        for r in removals:
            _el(parent, "ab", r.text, type="removed", subtype=_token(r.category), n=r.line,
                ana=f"#{rule_ids[r.rule]}")

    def finish(self) -> etree._Element:
        return self._root


def _esc_text(s: str) -> str:
    # What the parser must read back unchanged: markup characters, and CR (line-end
    # normalisation would turn it into LF).
    if "&" in s or "<" in s or ">" in s or "\r" in s:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return s


_ATTR_SPECIAL = re.compile('[&<>"\t\n\r]')


def _esc_attr(s: str) -> str:
    # Attribute-value normalisation would also turn TAB, LF and CR into spaces.  Attribute
    # values are short tokens and ids: one search usually finds nothing to escape.
    if _ATTR_SPECIAL.search(s) is None:
        return s
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#9;"))


def _attr_text(attrs: dict) -> str:
    """`` name="value"`` for each attribute that is not None, in keyword order (as _el)."""
    out = ""
    for k, v in attrs.items():
        if v is None:
            continue
        if k == "xml_id":
            k = "xml:id"
        out += f' {k}="{v}"' if type(v) is int else f' {k}="{_esc_attr(str(v))}"'
    return out


class _TextBuilder:
    """Writes the document as XML text, in document order, for one parse by libxml2.

    Creating tens of thousands of elements one lxml call at a time (most of them one
    ``ab`` per removed line) costs several times more than writing their text and parsing
    it.  Elements are handles (their number in document order); adding a child to an
    element closes every element opened after it, so callers must build in document
    order, as :func:`to_tei_tree` does.  The parsed tree is the one validated and
    serialised; :func:`to_tei_tree` falls back to :class:`_TreeBuilder` when the text
    does not parse (XML-illegal characters), and tests check both give the same bytes.
    """

    def root(self, root_id: str) -> int:
        self._parts = [f'<TEI xmlns="{TEI_NS}" xml:id="{_esc_attr(root_id)}">']
        self._open = [0]  # handles of the open elements, root first
        self._tags = ["TEI"]
        self._count = 1  # elements written so far: the next handle
        self._empty: list[int] = []  # elements with text "": no markup makes that node
        return 0

    def _close_to(self, parent: int) -> None:
        open_, tags, parts = self._open, self._tags, self._parts
        while open_[-1] != parent:
            open_.pop()
            parts.append(f"</{tags.pop()}>")

    def el(self, parent: int, tag: str, text: str | None = None, **attrs) -> int:
        open_ = self._open
        if open_[-1] != parent:
            self._close_to(parent)
        handle = self._count
        self._count = handle + 1
        start = f"<{tag}{_attr_text(attrs)}>" if attrs else f"<{tag}>"
        if text is None:
            self._parts.append(start)
        else:
            if not text:
                self._empty.append(handle)
            self._parts.append(start + _esc_text(text))
        open_.append(handle)
        self._tags.append(tag)
        return handle

    def leaf(self, parent: int, tag: str, text: str | None = None, **attrs) -> None:
        """:meth:`el` for an element that gets no children: written whole, never opened."""
        if self._open[-1] != parent:
            self._close_to(parent)
        if text is None:
            self._parts.append(f"<{tag}{_attr_text(attrs)}/>" if attrs else f"<{tag}/>")
        else:
            if not text:
                self._empty.append(self._count)
            self._parts.append(f"<{tag}{_attr_text(attrs)}>{_esc_text(text)}</{tag}>" if attrs
                               else f"<{tag}>{_esc_text(text)}</{tag}>")
        self._count += 1

    def removals(self, parent: int, removals, rule_ids: dict[str, str]) -> None:
        """The ``ab`` of every removal (childless: written whole, start tags cached)."""
        if self._open[-1] != parent:
            self._close_to(parent)
        # Removed lines rarely hold a character to escape: look at all of them at once.
        joined = "".join([r.text for r in removals if r.text is not None])
        special = "&" in joined or "<" in joined or ">" in joined or "\r" in joined
        heads: dict[tuple[str, str], tuple[str, str]] = {}
        parts, empty = self._parts, self._empty
        handle = self._count
        for r in removals:
            head = heads.get((r.category, r.rule))
            if head is None:
                head = heads[(r.category, r.rule)] = (
                    f'<ab type="removed" subtype="{_esc_attr(_token(r.category))}" n="',
                    f'" ana="#{_esc_attr(rule_ids[r.rule])}">')
            line = r.line
            if type(line) is not int:
                if line is None:  # as _el: no attribute
                    head = (head[0].removesuffix(' n="'), head[1][1:])
                    line = ""
                else:
                    line = _esc_attr(str(line))
            text = r.text
            if text is None:
                parts.append(f"{head[0]}{line}{head[1]}</ab>")
            else:
                if not text:
                    empty.append(handle)
                parts.append(f"{head[0]}{line}{head[1]}{_esc_text(text) if special else text}</ab>")
            handle += 1
        self._count = handle

    def finish(self) -> etree._Element:
        self._close_to(0)
        self._parts.append("</TEI>")
        # A lone surrogate fails the encoding and an XML-illegal character the parse: the
        # caller then builds with _TreeBuilder, which cleans them as it always has.
        data = "".join(self._parts).encode("utf-8")
        root = etree.fromstring(data, etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True))
        if self._empty:  # lxml's API keeps an empty text node: so must we
            elements = list(root.iter())
            for handle in self._empty:
                elements[handle].text = ""
        return root


def _paragraphs(text: str) -> list[str]:
    """Split multi-paragraph turns and quotes; never empty, as ``sp`` and ``quote`` need a ``p``."""
    return _PARA_SPLIT.split(text) or [""]


def _summary(counts: Counter) -> str:
    return ", ".join(f"{k}={n}" for k, n in sorted(counts.items())) or "none"


# --- header ---------------------------------------------------------------------------


def _people(doc: Document) -> dict[str, set[str]]:
    """Every speaker and comment author, in first-appearance order, with their roles."""
    people: dict[str, set[str]] = {}
    for b in doc.blocks:
        if b.type == "turn" and b.speaker:
            people.setdefault(b.speaker, set()).add("speaker")
    for c in doc.comments:
        if c.author:
            people.setdefault(c.author, set()).add("commenter")
    return people


def _meta_text(value) -> str:
    """A metadata value as text: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def _header(b, root, doc: Document, person_ids: dict[str, str], rule_ids: dict[str, str]) -> None:
    prov = doc.provenance
    header = b.el(root, "teiHeader")
    fd = b.el(header, "fileDesc")
    ts = b.el(fd, "titleStmt")
    if doc.title:
        b.leaf(ts, "title", doc.title)
    else:
        b.leaf(ts, "title", doc.id, type="derived")
    ps = b.el(fd, "publicationStmt")
    b.leaf(ps, "authority", prov.tool or "corpusconv")
    b.leaf(ps, "idno", doc.id, type="docid")
    sd = b.el(fd, "sourceDesc")
    bibl = b.el(sd, "bibl")
    if doc.title:
        b.leaf(bibl, "title", doc.title)
    if doc.author:
        b.leaf(bibl, "author", doc.author)
    if doc.date:
        b.leaf(bibl, "date", doc.date, when=iso_when(doc.date))
    b.leaf(bibl, "idno", prov.source_path, type="filename")
    b.leaf(bibl, "idno", prov.sha256, type="sha256")
    if doc.url:
        b.leaf(bibl, "idno", doc.url, type="URI")
    if doc.metadata:
        meta = b.el(sd, "list", type="gloss", subtype="metadata")
        for key, value in doc.metadata.items():
            b.leaf(meta, "label", str(key))
            b.leaf(meta, "item", _meta_text(value))

    ed = b.el(header, "encodingDesc")
    app = b.el(b.el(ed, "appInfo"), "application", ident="corpusconv",
               version=tei_version(prov.tool_version))
    b.leaf(app, "label", prov.tool or "corpusconv")
    b.leaf(app, "desc", f"version {prov.tool_version}", type="version")
    b.leaf(app, "desc", f"rules digest {prov.rules_digest or 'none'}", type="rulesDigest")
    b.leaf(app, "desc", f"model digest {prov.model_digest or 'none'}", type="modelDigest")
    b.leaf(app, "desc", f"layout: {describe_layout(prov.layout)}", type="layout")
    b.leaf(app, "desc", f"input encoding {prov.encoding}", type="encoding")
    b.leaf(app, "desc", f"removals: {_summary(Counter(r.rule for r in doc.removals))}",
           type="removals")
    repairs = Counter()
    for r in prov.repairs:
        repairs[r.kind] += r.count
    b.leaf(app, "desc", f"repairs: {_summary(repairs)}", type="repairs")
    if rule_ids:
        tax = b.el(b.el(ed, "classDecl"), "taxonomy", n="removal-rules")
        counts = Counter(r.rule for r in doc.removals)
        for rule, rid in rule_ids.items():
            cat = b.el(tax, "category", xml_id=rid, n=counts[rule])
            b.leaf(cat, "catDesc", rule)

    if person_ids:
        roles = _people(doc)
        lp = b.el(b.el(b.el(header, "profileDesc"), "particDesc"), "listPerson")
        for name, pid in person_ids.items():
            person = b.el(lp, "person", xml_id=pid, role=" ".join(sorted(roles[name])))
            b.leaf(person, "persName", name)


# --- body -----------------------------------------------------------------------------


def _block(bld, parent, b: Block, person_ids: dict[str, str]) -> None:
    if b.type == "section_break":
        bld.leaf(parent, "milestone", unit="section")
    elif b.type == "turn":
        sp = bld.el(parent, "sp", who=f"#{person_ids[b.speaker]}" if b.speaker else None)
        if b.speaker:
            bld.leaf(sp, "speaker", b.speaker)
        for para in _paragraphs(b.text):
            bld.leaf(sp, "p", para)
    elif b.type == "quote":
        if b.attribution:
            cit = bld.el(parent, "cit")
            quote = bld.el(cit, "quote")
        else:
            cit, quote = None, bld.el(parent, "quote")
        for para in _paragraphs(b.text):
            bld.leaf(quote, "p", para)
        if cit is not None:
            bld.leaf(cit, "bibl", b.attribution)
    else:  # paragraph, and any type unknown to this serialiser (kept, never dropped)
        bld.leaf(parent, "p", b.text)


def _article(bld, body, doc: Document, person_ids: dict[str, str]) -> None:
    article = bld.el(body, "div", type="article")
    if doc.title:
        bld.leaf(article, "head", doc.title)
    if not doc.blocks:
        bld.leaf(article, "gap", reason="no-content")
        return
    container = article
    lst = None
    for b in doc.blocks:
        if b.type != "list_item":
            lst = None
        if b.type == "heading":
            container = bld.el(article, "div", type="section")
            bld.leaf(container, "head", b.text)
        elif b.type == "list_item":
            if lst is None:
                lst = bld.el(container, "list")
            bld.leaf(lst, "item", b.text)
        else:
            _block(bld, container, b, person_ids)


def _post(b, parent, c: Comment, post_id: str, person_ids: dict[str, str]) -> None:
    kind = "pingback" if c.kind == "pingback" else ("reply" if c.depth > 0 else "comment")
    when = iso_when(c.date)
    post = b.el(parent, "post", xml_id=post_id, n=c.n, type=kind, indentLevel=c.depth,
                modality="written", who=f"#{person_ids[c.author]}" if c.author else None,
                when=when)
    if c.author or c.date:
        opener = b.el(post, "opener")
        if c.author:
            b.leaf(opener, "persName", c.author, ref=f"#{person_ids[c.author]}")
        if c.date:
            b.leaf(opener, "date", c.date, when=when)
    for para in c.paragraphs:
        b.leaf(post, "p", para)


# --- back -----------------------------------------------------------------------------


def _back(b, text, doc: Document, rule_ids: dict[str, str]) -> None:
    repairs = doc.provenance.repairs
    if not doc.removals and not repairs:
        return
    back = b.el(text, "back")
    if doc.removals:
        div = b.el(back, "div", type="boilerplate")
        b.removals(div, doc.removals, rule_ids)
    if repairs:
        div = b.el(back, "div", type="repairs")
        for rep in repairs:
            ab = b.el(div, "ab", type="repair", subtype=_token(rep.kind), n=rep.line)
            b.leaf(ab, "num", str(rep.count), type="count", value=rep.count)
            b.leaf(ab, "seg", rep.detail, type="detail")


# --- entry point ----------------------------------------------------------------------


def to_tei(doc: Document) -> bytes:
    """Return ``doc`` as a TEI P5 document: UTF-8 bytes with an XML declaration.

    The result is valid against ``schemas/corpusconv-tei.rng`` (and so against
    ``tei_all``) for any Document; check it with :func:`corpusconv.validate.check_tei`.
    """
    return tei_bytes(to_tei_tree(doc))


def tei_bytes(root: etree._Element) -> bytes:
    """The bytes of a tree from :func:`to_tei_tree` (deterministic: same tree, same bytes)."""
    # lxml writes the declaration with single quotes; write the conventional form ourselves.
    return _XML_DECL + etree.tostring(root, encoding="UTF-8", xml_declaration=False,
                                      pretty_print=True)


def to_tei_tree(doc: Document) -> etree._Element:
    """``doc`` as a TEI element tree (validate it in memory, then :func:`tei_bytes`)."""
    try:
        return _build(doc, _TextBuilder())
    except Exception:
        # Text that cannot be written and parsed back as it is (XML-illegal characters,
        # lone surrogates, non-string values from API callers): element by element, with
        # lxml's checks and our cleaning, exactly as it always was.
        return _build(doc, _TreeBuilder())


def _build(doc: Document, b) -> etree._Element:
    ids = _Ids()
    root_id = ids.make("d-", doc.id)
    person_ids = {name: ids.make("p-", name) for name in _people(doc)}
    rule_ids: dict[str, str] = {}
    for r in doc.removals:
        if r.rule not in rule_ids:
            rule_ids[r.rule] = ids.make("rule-", r.rule)
    post_ids = [ids.make(f"{root_id}.", c.id) for c in doc.comments]

    root = b.root(root_id)
    _header(b, root, doc, person_ids, rule_ids)
    text = b.el(root, "text")
    body = b.el(text, "body")
    _article(b, body, doc, person_ids)
    if doc.comments:
        comments = b.el(body, "div", type="comments")
        for c, pid in zip(doc.comments, post_ids):
            _post(b, comments, c, pid, person_ids)
    _back(b, text, doc, rule_ids)
    return b.finish()
