"""The bundled schemas: where they are found, what they accept and reject, and that the
TEI one is a true subset of tei_all; plus ``validate_file`` (incl. entity safety)."""

from __future__ import annotations

import copy
import gzip
import json

import pytest
from lxml import etree

import corpusconv
from corpusconv import ValidationError, to_record, to_tei
from corpusconv.resources import schema_path
from corpusconv.validate import (check_record, check_tei, record_errors, record_schema,
                                 tei_errors, validate_file)

from conftest import REPO, assert_valid, minimal_document, parse_tei, rich_document

CONTRACT_KEYS = ["id", "source", "title", "date", "author", "text", "blocks", "comments",
                 "boilerplate", "provenance", "url", "metadata"]


# --- locating the schemas ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["corpusconv-tei.rng", "corpusconv-record.schema.json"])
def test_schema_path_finds_bundled_schemas(name):
    p = schema_path(name)
    assert p.is_file() and p.name == name
    assert p.resolve().parent in {(REPO / "schemas").resolve(), (REPO / "corpusconv" / "schemas").resolve()}


def test_schema_path_missing_and_bad_names():
    with pytest.raises(FileNotFoundError, match="nope.rng.*looked in"):
        schema_path("nope.rng")
    with pytest.raises(ValueError):
        schema_path("../pyproject.toml")


def test_record_schema_requires_contract_keys():
    s = record_schema()
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert sorted(s["required"]) == sorted(CONTRACT_KEYS)
    assert s["additionalProperties"] is True


# --- records ----------------------------------------------------------------------------


def test_seed_records_valid(seed_files, record_validator):
    for path in seed_files:
        rec = to_record(corpusconv.convert_file(path))
        assert record_errors(rec) == [], path.name
        json.loads(json.dumps(rec))  # and JSON-serialisable as is


@pytest.mark.parametrize("make", [rich_document, minimal_document])
def test_hand_built_records_valid(make):
    rec = to_record(make())
    assert record_errors(rec) == []
    check_record(rec)


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_record_missing_key_rejected(key):
    rec = to_record(rich_document())
    del rec[key]
    errors = record_errors(rec)
    assert len(errors) == 1 and f"'{key}' is a required property" in errors[0]


@pytest.mark.parametrize("path, value, fragment", [
    (["title"], 5, "$.title"),
    (["blocks", 0, "type"], "banner", "$.blocks[0].type"),
    (["blocks", 0, "lines"], [0, 3], "$.blocks[0].lines[0]"),
    (["blocks", 0, "lines"], [3], "$.blocks[0].lines"),
    (["blocks", 0, "lines"], [3, 4, 5], "$.blocks[0].lines"),
    (["comments", 0, "depth"], -1, "$.comments[0].depth"),
    (["comments", 0, "kind"], "trackback", "$.comments[0].kind"),
    (["comments", 0, "n"], "1", "$.comments[0].n"),
    (["boilerplate", 0, "line"], None, "$.boilerplate[0].line"),
    (["provenance", "sha256"], "xyz", "$.provenance.sha256"),
    (["provenance", "bytes"], 1.5, "$.provenance.bytes"),
    (["text"], None, "$.text"),
])
def test_record_wrong_types_rejected(path, value, fragment):
    rec = to_record(rich_document())
    target = rec
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    errors = record_errors(rec)
    assert errors and any(e.startswith(fragment) for e in errors), errors
    with pytest.raises(ValidationError) as exc:
        check_record(rec)
    assert exc.value.errors == errors


def test_record_nested_missing_key_rejected():
    rec = to_record(rich_document())
    del rec["comments"][0]["parent"]
    assert any("'parent' is a required property" in e for e in record_errors(rec))


def test_record_extra_top_level_key_allowed():
    rec = to_record(rich_document())
    rec["language"] = "en"
    assert record_errors(rec) == []


# --- TEI: the bundled schema rejects what to_tei never writes ------------------------------


def _mutated(fn) -> bytes:
    root = parse_tei(to_tei(rich_document()))
    fn(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


T = "{http://www.tei-c.org/ns/1.0}"


def _add_note(root):
    art = root.find(f".//{T}div[@type='article']")
    etree.SubElement(art, f"{T}note").text = "a note"


def test_element_outside_subset_rejected(bundled_tei_schema, tei_all_schema):
    xml = _mutated(_add_note)
    assert tei_all_schema.validate(parse_tei(xml))  # fine TEI ...
    errors = tei_errors(xml)                         # ... but not ours
    assert errors and "note" in " ".join(errors)
    with pytest.raises(ValidationError, match="does not validate"):
        check_tei(xml)


@pytest.mark.parametrize("mutate", [
    lambda r: r.remove(r.find(f"{T}teiHeader")),
    lambda r: r.find(f".//{T}post").set("type", "comment reply"),
    lambda r: r.find(f".//{T}post").set("when", "March 2021"),
    lambda r: r.find(f".//{T}post").attrib.pop("indentLevel"),
    lambda r: r.find(f".//{T}ab").attrib.pop("n"),
    lambda r: r.find(f".//{T}div[@type='comments']").append(etree.Element(f"{T}post")),
    lambda r: r.find(f".//{T}body").insert(0, etree.Element(f"{T}div", type="comments")),
])
def test_bundled_schema_rejects_malformed_variants(mutate):
    assert tei_errors(_mutated(mutate))


def test_check_tei_accepts_to_tei_output():
    check_tei(to_tei(rich_document()))
    check_tei(to_tei(minimal_document()))


# --- the subset property on hand-made edge cases -------------------------------------------

HEADER = """<teiHeader><fileDesc><titleStmt><title type="derived">x</title></titleStmt>
<publicationStmt><authority>corpusconv</authority><idno type="docid">x</idno></publicationStmt>
<sourceDesc><bibl><idno type="filename">f</idno><idno type="sha256">h</idno></bibl></sourceDesc>
</fileDesc><encodingDesc><appInfo><application ident="corpusconv" version="1.2b3">
<label>corpusconv</label><desc type="t">d</desc></application></appInfo></encodingDesc></teiHeader>"""

EDGE_BODIES = [
    # sections only, a section with nothing but its head, milestones everywhere
    '<body><div type="article"><div type="section"><head>h</head></div>'
    '<div type="section"><head>h2</head><milestone unit="section"/><p/></div></div></body>',
    # leading milestone, then blocks, then sections
    '<body><div type="article"><head>t</head><milestone unit="section"/><list><item/></list>'
    '<quote><p/><p>b</p></quote><div type="section"><head>s</head><sp><p/></sp></div></div></body>',
    # a post with no paragraphs, an opener with only a date, a dateTime with offset
    '<body><div type="article"><gap reason="no-content"/></div><div type="comments">'
    '<post xml:id="a" type="pingback" indentLevel="-1" modality="written" when="2021-01-01T00:00:00+05:30">'
    '<opener><date when="2021-01-01">1 Jan</date></opener></post>'
    '<post xml:id="b" n="-3" type="reply" indentLevel="7" modality="written" who="#p"><opener/><p/></post>'
    '</div></body><back><div type="repairs"><ab type="repair" subtype="k">'
    '<num type="count" value="0">0</num><seg type="detail"/></ab></div></back>',
    # a speaker-only turn structure and a cit
    '<body><div type="article"><sp who="#p"><speaker>S</speaker><p>x</p></sp>'
    '<cit><quote><p>q</p></quote><bibl/></cit></div></body>'
    '<back><div type="boilerplate"><ab type="removed" subtype="a.b" n="0" ana="#r">t</ab></div></back>',
]


@pytest.mark.parametrize("body", EDGE_BODIES)
def test_subset_property_on_edge_cases(body, bundled_tei_schema, tei_all_schema):
    xml = (f'<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="d">{HEADER}'
           f'<text>{body}</text></TEI>').encode()
    assert_valid(bundled_tei_schema, xml, "bundled")
    assert_valid(tei_all_schema, xml, "tei_all")


# --- validate_file ----------------------------------------------------------------------------


def test_validate_file_tei(tmp_path, tei_all_path):
    good = tmp_path / "good.xml"
    good.write_bytes(to_tei(rich_document()))
    assert validate_file(good, tei_all=tei_all_path) == []
    bad = tmp_path / "bad.tei"
    bad.write_bytes(_mutated(_add_note))
    msgs = validate_file(bad, tei_all=tei_all_path)
    assert len(msgs) == 1  # valid tei_all, invalid subset: one message, naming the schema
    assert msgs[0].startswith(f"{bad}:line ") and "corpusconv-tei.rng" in msgs[0]
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<TEI><unclosed></TEI>")
    assert len(validate_file(broken)) == 1 and "not well-formed" in validate_file(broken)[0]


def test_validate_file_jsonl(tmp_path):
    recs = [to_record(rich_document()), to_record(minimal_document()), to_record(rich_document())]
    bad = copy.deepcopy(recs[1])
    del bad["title"]
    lines = [json.dumps(recs[0]), "", json.dumps(bad), "{not json", json.dumps(recs[2]), "[1]"]
    p = tmp_path / "out.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    msgs = validate_file(p)
    assert len(msgs) == 3
    assert msgs[0].startswith(f"{p}:3: record 2 (id 'empty'): ") and "'title'" in msgs[0]
    assert msgs[1].startswith(f"{p}:4: record 3: not valid JSON")
    assert msgs[2].startswith(f"{p}:6: record 5: not a JSON object")
    gz = tmp_path / "ok.jsonl.gz"
    gz.write_bytes(gzip.compress((json.dumps(recs[0]) + "\n").encode()))
    assert validate_file(gz) == []
    assert validate_file(tmp_path / "missing.jsonl")[0].endswith("cannot read (No such file or directory)")


def test_validate_file_does_not_expand_entities(tmp_path, tei_all_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    laughs = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    cases = {
        "xxe.xml": f'<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                   '<TEI xmlns="http://www.tei-c.org/ns/1.0"><p>&xxe;</p></TEI>',
        "laughs.xml": f'<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY l0 "ha">{laughs}]>'
                      '<TEI xmlns="http://www.tei-c.org/ns/1.0"><p>&l9;</p></TEI>',
    }
    for name, content in cases.items():
        p = tmp_path / name
        p.write_text(content)
        msgs = validate_file(p, tei_all=tei_all_path)
        # refused either as a DOCTYPE or (libxml2's own guard) as an amplification attack
        assert len(msgs) == 1, msgs
        assert "DOCTYPE not allowed" in msgs[0] or "amplification" in msgs[0], msgs
        assert "TOP-SECRET" not in msgs[0] and "hahaha" not in msgs[0]
    # the safe parser leaves the external entity unresolved: the file is never read
    from corpusconv.validate import safe_parser
    root = etree.fromstring(cases["xxe.xml"].encode(), safe_parser())
    assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode")
    try:
        root = etree.fromstring(cases["laughs.xml"].encode(), safe_parser())
    except etree.XMLSyntaxError:
        pass
    else:
        assert len(etree.tostring(root)) < 2000
