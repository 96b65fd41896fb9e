"""to_tei: content mapping, escaping, determinism and validity (bundled schema and tei_all)."""

from __future__ import annotations

import copy
import re
from datetime import timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corpusconv
from corpusconv.model import BLOCK_TYPES, Block, Comment, Document, Removal, Repair
from corpusconv.tei import iso_when, tei_version, to_tei, xml_safe

from conftest import NS, XML_ID, assert_valid, minimal_document, parse_tei, provenance, rich_document

NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")


def x(root, path):
    return root.xpath(path, namespaces=NS)


# --- validity -------------------------------------------------------------------------


def test_rich_document_valid_against_both(rich_doc, bundled_tei_schema, tei_all_schema):
    xml = to_tei(rich_doc)
    assert_valid(bundled_tei_schema, xml, "bundled")
    assert_valid(tei_all_schema, xml, "tei_all")


def test_minimal_document_valid_against_both(minimal_doc, bundled_tei_schema, tei_all_schema):
    xml = to_tei(minimal_doc)
    assert_valid(bundled_tei_schema, xml, "bundled")
    assert_valid(tei_all_schema, xml, "tei_all")
    root = parse_tei(xml)
    # no printed title: the id stands in, marked as derived; no empty containers
    assert x(root, "string(//t:titleStmt/t:title)") == "empty"
    assert x(root, "string(//t:titleStmt/t:title/@type)") == "derived"
    assert x(root, "//t:div[@type='article']/t:gap/@reason") == ["no-content"]
    assert not x(root, "//t:div[@type='article']/t:head")
    assert not x(root, "//t:div[@type='comments'] | //t:back | //t:profileDesc | //t:classDecl")
    assert not x(root, "//t:sourceDesc/t:bibl/t:date | //t:sourceDesc/t:bibl/t:author")


def test_seed_outputs_valid_and_complete(seed_files, bundled_tei_schema, tei_all_schema):
    assert len(seed_files) >= 5
    for path in seed_files:
        doc = corpusconv.convert_file(path)
        xml = to_tei(doc)
        assert_valid(bundled_tei_schema, xml, f"bundled: {path.name}")
        assert_valid(tei_all_schema, xml, f"tei_all: {path.name}")
        root = parse_tei(xml)
        assert x(root, "string(//t:idno[@type='sha256'])") == doc.provenance.sha256
        assert x(root, "string(//t:idno[@type='filename'])") == str(path)
        assert len(x(root, "//t:post")) == len(doc.comments)
        removed = x(root, "//t:back/t:div[@type='boilerplate']/t:ab")
        assert [(int(a.get("n")), a.text) for a in removed] == [(r.line, r.text) for r in doc.removals]
        paras = [b.text for b in doc.blocks if b.type == "paragraph"]
        got = [p.text or "" for p in x(root, "//t:div[@type='article']//t:p[not(ancestor::t:sp or ancestor::t:quote)]")]
        assert got == paras


# --- mapping --------------------------------------------------------------------------


def test_header(rich_doc):
    root = parse_tei(to_tei(rich_doc))
    assert x(root, "string(//t:titleStmt/t:title)") == "Be Kind to Yourself… For Us!"
    assert not x(root, "//t:titleStmt/t:title/@type")
    bibl = x(root, "//t:sourceDesc/t:bibl")[0]
    assert x(bibl, "string(t:author)") == "Ann Smith"
    assert x(bibl, "string(t:date/@when)") == "2021-03-01"
    assert x(bibl, "string(t:idno[@type='filename'])") == "pages/rich.txt"
    assert x(bibl, "string(t:idno[@type='sha256'])") == "ab" * 32
    app = x(root, "//t:appInfo/t:application")[0]
    assert (app.get("ident"), app.get("version")) == ("corpusconv", "0.1.0")
    descs = {d.get("type"): d.text for d in x(app, "t:desc")}
    assert "sha256:0123abcd" in descs["rulesDigest"]
    assert "utf-8" in descs["encoding"]
    assert descs["removals"] == "removals: comment.report=2, meta.title=1, site.footer=1"
    assert descs["repairs"] == "repairs: control-char=3, mojibake=1"
    assert root.get(XML_ID) == "d-000_de7ddbd64d47a967"


def test_article_blocks(rich_doc):
    root = parse_tei(to_tei(rich_doc))
    art = x(root, "//t:div[@type='article']")[0]
    assert x(art, "string(t:head)") == rich_doc.title
    sections = x(art, "t:div[@type='section']")
    assert [x(s, "string(t:head)") for s in sections] == ["Part one", "Part two"]
    assert x(art, "t:p/text()") == ["Welcome to a conversation between two therapists."]
    assert len(x(art, ".//t:milestone[@unit='section']")) == 1
    sps = x(art, ".//t:sp")
    assert [x(sp, "string(t:speaker)") for sp in sps] == ["Ann", "Hugh", "", "Ann"]
    assert x(sps[1], "t:p/text()") == ["Wow! You’ve got my attention!", "Tell me more."]
    persons = {p.get(XML_ID): x(p, "string(t:persName)") for p in x(root, "//t:person")}
    for sp in sps:
        if sp.get("who"):
            assert persons[sp.get("who")[1:]] == x(sp, "string(t:speaker)")
    assert not sps[2].get("who")
    cit = x(art, ".//t:cit")[0]
    assert x(cit, "string(t:quote/t:p)").startswith("A therapist")
    assert x(cit, "string(t:bibl)") == "Michael Eigen, Toxic Nourishment"
    assert x(art, ".//t:quote[not(parent::t:cit)]/t:p/text()") == ["An anonymous proverb."]
    lists = x(art, ".//t:list")
    assert [x(lst, "t:item/text()") for lst in lists] == [["first item", "second item"], ["another list"]]


def test_comments_as_flat_posts(rich_doc):
    root = parse_tei(to_tei(rich_doc))
    posts = x(root, "//t:div[@type='comments']/t:post")
    assert len(posts) == len(rich_doc.comments)
    assert not x(root, "//t:post//t:post")  # posts do not nest
    assert not x(root, "//t:post/@replyTo")  # parents are inferred, see tei.py
    ids = [p.get(XML_ID) for p in posts]
    assert ids == [f"d-000_de7ddbd64d47a967.{c.id}" for c in rich_doc.comments]
    assert [p.get("indentLevel") for p in posts] == [str(c.depth) for c in rich_doc.comments]
    assert [p.get("type") for p in posts] == ["comment", "reply", "reply", "comment", "pingback"]
    assert [p.get("n") for p in posts] == ["1", None, None, "2", None]
    assert [p.get("when") for p in posts] == ["2021-03-04", None, None, "2021-03-05T10:22:00+00:00", None]
    # the printed date survives verbatim even when it is not machine-readable
    assert x(posts[1], "string(t:opener/t:date)") == "March 4, 2021 at 10:22 am"
    assert not x(posts[1], "t:opener/t:date/@when")
    persons = {p.get(XML_ID): x(p, "string(t:persName)") for p in x(root, "//t:person")}
    for post, c in zip(posts, rich_doc.comments):
        assert x(post, "t:p/text()") == c.paragraphs
        if c.author:
            assert persons[post.get("who")[1:]] == c.author
            assert x(post, "string(t:opener/t:persName)") == c.author
        else:
            assert post.get("who") is None
    roles = {x(p, "string(t:persName)"): p.get("role") for p in x(root, "//t:person")}
    assert roles["Ann"] == "commenter speaker" and roles["Hugh"] == "speaker"


def test_back_lists_every_removal_and_repair(rich_doc):
    root = parse_tei(to_tei(rich_doc))
    cats = {c.get(XML_ID): x(c, "string(t:catDesc)") for c in x(root, "//t:taxonomy/t:category")}
    abs_ = x(root, "//t:back/t:div[@type='boilerplate']/t:ab")
    got = [(cats[a.get("ana")[1:]], a.get("subtype"), int(a.get("n")), a.text) for a in abs_]
    assert got == [(r.rule, r.category, r.line, r.text) for r in rich_doc.removals]
    assert all(a.get("type") == "removed" for a in abs_)
    counts = {x(c, "string(t:catDesc)"): c.get("n") for c in x(root, "//t:taxonomy/t:category")}
    assert counts == {"comment.report": "2", "site.footer": "1", "meta.title": "1"}
    reps = x(root, "//t:back/t:div[@type='repairs']/t:ab")
    assert [(a.get("subtype"), a.get("n"), x(a, "string(t:num/@value)"), x(a, "string(t:seg)"))
            for a in reps] == [("mojibake", None, "1", "fixed by ftfy"),
                               ("control-char", "7", "3", "removed U+0007")]


def test_ids_are_unique_ncnames_even_when_names_collide(bundled_tei_schema, tei_all_schema):
    doc = rich_document()
    doc.id = "42 weird/id ünïcode"
    doc.blocks = [Block("turn", "a", (1, 1), speaker=s) for s in ("Ann", "Ann!", "ann", "ÄNN", "日本")]
    doc.comments = [Comment(cid, None, 0, None, "Ann", None, ["x"], (2, 2)) for cid in ("c1", "c1", "", "c 1")]
    doc.removals = [Removal(rule, "cat", 3, "t") for rule in ("r.1", "r 1", "r/1", "")]
    xml = to_tei(doc)
    assert_valid(bundled_tei_schema, xml, "bundled")
    assert_valid(tei_all_schema, xml, "tei_all")
    ids = parse_tei(xml).xpath("//@xml:id")
    assert len(ids) == len(set(ids)) == 1 + 5 + 4 + 4
    assert all(NCNAME.fullmatch(i) for i in ids)


# --- safety and determinism -------------------------------------------------------------

HOSTILE = ["</p><script>alert(1)</script>", "]]>", "&xxe;", "<!ENTITY x 'y'>", "a\x00b\x0bc",
           "lone \ud800 surrogate", "\ufffe\uffff", '"\'<>&', "<?pi x?>"]


@pytest.mark.parametrize("s", HOSTILE)
def test_hostile_strings_are_escaped(s, bundled_tei_schema, tei_all_schema):
    doc = Document(id=s, source=s, lines=[s], title=s, date=s, author=s,
                   provenance=provenance(source_path=s, encoding=s, tool_version=s, rules_digest=s,
                                         repairs=[Repair(s, s, 1, 2)]),
                   blocks=[Block(t, s, (1, 1), speaker=s, attribution=s) for t in BLOCK_TYPES],
                   comments=[Comment(s, None, 0, 1, s, s, [s, s], (1, 1), kind=s)],
                   removals=[Removal(s, s, 1, s, s)])
    xml = to_tei(doc)
    assert_valid(bundled_tei_schema, xml, "bundled")
    assert_valid(tei_all_schema, xml, "tei_all")
    root = parse_tei(xml)
    safe = xml_safe(s)
    assert not root.xpath("//script | //*[local-name()='script']")
    assert x(root, "string(//t:titleStmt/t:title)") == safe
    assert x(root, "//t:post/t:p/text()") == [safe, safe]
    assert x(root, "string(//t:back//t:ab[@type='removed'])") == safe
    assert x(root, "string(//t:speaker)") == safe
    assert b"<script>" not in xml and b"&xxe;" not in xml


def test_xml_safe_replaces_only_illegal_code_points():
    assert xml_safe("ok\t\n\r é 😀") == "ok\t\n\r é 😀"
    assert xml_safe("\x00\x08\ud800\ufffe") == "\ufffd" * 4


def test_deterministic_bytes(rich_doc):
    a, b = to_tei(rich_doc), to_tei(copy.deepcopy(rich_doc))
    assert a == b
    assert a.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<TEI ')
    a.decode("utf-8")


@pytest.mark.parametrize("printed, when", [
    ("2021-03-04", "2021-03-04"), (" 2021-03-04 ", "2021-03-04"),
    ("2021-03-04T10:22", "2021-03-04T10:22:00"), ("2021-03-04 10:22:05Z", "2021-03-04T10:22:05+00:00"),
    ("2021-03-04T10:22:05+0530", "2021-03-04T10:22:05+05:30"),
    ("2021-02-30", None), ("0000-01-01", None), ("March 4, 2021", None), ("2021", None),
    ("04/03/2021", None), ("", None), (None, None),
])
def test_iso_when(printed, when):
    assert iso_when(printed) == when


@pytest.mark.parametrize("version, expected", [
    ("0.1.0", "0.1.0"), ("1.2.3.dev4+gabc", "1.2.3"), ("2.0b1", "2.0b1"), ("dev", "0"), ("", "0"),
])
def test_tei_version(version, expected):
    assert tei_version(version) == expected


# --- property: any Document serialises to valid TEI --------------------------------------

NASTY = st.sampled_from(HOSTILE + ["", " ", "\n\n", "x\n \nY", "Zoë", "2021-03-04"])
TEXT = st.one_of(st.text(max_size=12), NASTY)
OPT_TEXT = st.one_of(st.none(), TEXT)
DATES = st.one_of(OPT_TEXT, st.dates().map(str),
                  st.datetimes(timezones=st.sampled_from([None, timezone.utc])).map(lambda d: d.isoformat()))
LINE = st.integers(-3, 10_000)


@st.composite
def documents(draw):
    blocks = draw(st.lists(st.builds(
        Block, type=st.sampled_from(BLOCK_TYPES + ("unknown",)), text=TEXT,
        lines=st.tuples(LINE, LINE), speaker=OPT_TEXT, attribution=OPT_TEXT), max_size=8))
    comments = draw(st.lists(st.builds(
        Comment, id=TEXT, parent=OPT_TEXT, depth=st.integers(-1, 6), n=st.one_of(st.none(), LINE),
        author=OPT_TEXT, date=DATES, paragraphs=st.lists(TEXT, max_size=3),
        lines=st.tuples(LINE, LINE), kind=st.sampled_from(["comment", "pingback", "other"])),
        max_size=5))
    removals = draw(st.lists(st.builds(Removal, rule=TEXT, category=TEXT, line=LINE, text=TEXT),
                             max_size=5))
    repairs = draw(st.lists(st.builds(Repair, kind=TEXT, detail=TEXT, line=st.one_of(st.none(), LINE),
                                      count=st.integers(0, 99)), max_size=3))
    prov = provenance(source_path=draw(TEXT), sha256=draw(TEXT), encoding=draw(TEXT),
                      tool_version=draw(st.one_of(TEXT, st.just("0.1.0"))), repairs=repairs)
    return Document(id=draw(TEXT), source="s", lines=[], provenance=prov, title=draw(OPT_TEXT),
                    date=draw(DATES), author=draw(OPT_TEXT), blocks=blocks, comments=comments,
                    removals=removals)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_any_document_is_valid_tei(doc, bundled_tei_schema, tei_all_schema):
    xml = to_tei(doc)
    assert_valid(bundled_tei_schema, xml, "bundled")
    assert_valid(tei_all_schema, xml, "tei_all")
    root = parse_tei(xml)
    assert len(x(root, "//t:post")) == len(doc.comments)
    assert len(x(root, "//t:ab[@type='removed']")) == len(doc.removals)
    assert len(x(root, "//t:ab[@type='repair']")) == len(doc.provenance.repairs)
    ids = root.xpath("//@xml:id")
    assert len(ids) == len(set(ids))
    assert xml == to_tei(doc)
