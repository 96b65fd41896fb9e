"""Hostile input: XML bombs and external entities given to ``validate``, and markup-like
strings in pages that must come out as text, never as markup.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from lxml import etree

import corpusconv
from corpusconv.validate import validate_file

REPO = Path(__file__).resolve().parent.parent
TEI_NS = "http://www.tei-c.org/ns/1.0"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>&lol9;</p></body></text></TEI>
"""


def run_cli(*args, cwd, timeout=60):
    if args and args[0] == "convert" and "-j" not in args:
        args = (*args, "-j", "1")  # no worker pool unless the test is about one: faster
    return subprocess.run([sys.executable, "-m", "corpusconv", *map(str, args)], capture_output=True,
                          cwd=cwd, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})


class Listener:
    """A TCP listener on localhost that records whether anything connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self):
        self._stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


# --------------------------------------------------------------------------- validate: bombs, XXE


def test_billion_laughs_not_expanded(tmp_path):
    p = tmp_path / "laughs.xml"
    p.write_bytes(BILLION_LAUGHS)
    t = time.perf_counter()
    problems = validate_file(p)
    assert time.perf_counter() - t < 5
    assert problems and all("lol" not in msg for msg in problems)
    r = run_cli("validate", p, cwd=tmp_path)
    assert r.returncode == 1 and len(r.stdout) == 0
    assert b"Traceback" not in r.stderr and len(r.stderr) < 2000
    assert b"lollol" not in r.stderr


def test_external_file_entity_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    p = tmp_path / "xxe.xml"
    p.write_bytes(f"""<?xml version="1.0"?>
<!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file://{secret}">]>
<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader>&xxe;</teiHeader></TEI>
""".encode())
    problems = validate_file(p)
    assert problems
    assert not any("TOP-SECRET" in m for m in problems)
    r = run_cli("validate", p, cwd=tmp_path)
    assert r.returncode == 1
    assert b"TOP-SECRET" not in r.stderr + r.stdout


def test_network_entity_and_dtd_not_fetched(tmp_path, listener):
    url = f"http://127.0.0.1:{listener.port}/evil"
    docs = {
        "ext-entity.xml": f'<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY x SYSTEM "{url}">]>\n'
                          f'<TEI xmlns="{TEI_NS}">&x;</TEI>\n',
        "ext-dtd.xml": f'<?xml version="1.0"?>\n<!DOCTYPE TEI SYSTEM "{url}.dtd">\n<TEI xmlns="{TEI_NS}"/>\n',
        "param-entity.xml": f'<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY % p SYSTEM "{url}.ent"> %p;]>\n'
                            f'<TEI xmlns="{TEI_NS}"/>\n',
        "xinclude.xml": f'<?xml version="1.0"?>\n<TEI xmlns="{TEI_NS}" '
                        f'xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{url}.xml"/></TEI>\n',
    }
    for name, text in docs.items():
        (tmp_path / name).write_text(text)
    r = run_cli("validate", *docs, cwd=tmp_path)
    assert r.returncode == 1
    assert b"Traceback" not in r.stderr
    bad = {ln.split(":")[2].strip() for ln in r.stderr.decode().splitlines()
           if ln.startswith("corpusconv: error:")}
    assert bad == set(docs)
    time.sleep(0.3)
    assert listener.hits == 0


def test_validate_jsonl_with_hostile_content(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"id": "<!DOCTYPE x [<!ENTITY a SYSTEM \\"file:///etc/passwd\\">]>&a;"}\n[1,2]\nnot json\n')
    problems = validate_file(p)
    assert len(problems) == 3
    assert not any("root:" in m for m in problems)


# --------------------------------------------------------------------------- markup injection


HOSTILE = [
    "</p><script>alert(1)</script>",
    "]]> and <![CDATA[ x ]]>",
    "&xxe; &amp; &#x41; &lt;",
    '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    "<?xml-stylesheet href='evil.xsl'?> <!-- comment -->",
    '" onload="alert(1)" x=\'',
    "</TEI><TEI xmlns=\"http://www.tei-c.org/ns/1.0\">",
]


def _texts(root) -> str:
    return "\n".join(root.itertext())


def test_hostile_strings_are_text_not_markup(tmp_path, tei_all_schema):
    body = "\n\n".join(f"Paragraph {i}: {h} and then ordinary words follow here." for i, h in enumerate(HOSTILE))
    page = (f"Title <b>bold</b> & “quoted” ]]>\n\n{body}\n\n"
            "<img src=x onerror=alert(1)>: a dialogue turn with markup as speaker.\n\n"
            "12 Comments\n\n"
            "  1. </post><script> says:\n\n"
            "     A comment with ]]> and &xxe; inside, long enough to be a real comment here.\n\n"
            "     Report comment\n")
    src = tmp_path / "<evil>&name;.txt"
    src.write_text(page, encoding="utf-8")
    doc = corpusconv.convert_file(src)
    xml = corpusconv.to_tei(doc)
    assert b"<!DOCTYPE" not in xml and b"<script" not in xml and b"<?xml-stylesheet" not in xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(xml, parser)
    assert tei_all_schema.validate(root), tei_all_schema.error_log
    for el in root.iter():
        assert isinstance(el.tag, str), f"unexpected node {el!r}"  # no comments / PIs
        assert el.tag.startswith(f"{{{TEI_NS}}}"), el.tag
    text = _texts(root)
    for h in HOSTILE:
        assert h in text, h  # round-trips as character data
    assert "<evil>&name;.txt" in text  # the file name, in the header
    assert "A comment with ]]> and &xxe; inside" in text
    rec = json.loads(json.dumps(corpusconv.to_record(doc), ensure_ascii=False))
    assert rec["source"] == str(src)
    everything = json.dumps(rec, ensure_ascii=False)
    for h in HOSTILE:
        assert json.dumps(h, ensure_ascii=False)[1:-1] in everything


def test_cli_output_of_hostile_page_validates(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "h.txt").write_text("\n\n".join(HOSTILE) + "\n", encoding="utf-8")
    r = run_cli("convert", "in", "-o", "out/", "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run_cli("validate", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    root = etree.parse(str(tmp_path / "out" / "h.xml")).getroot()
    assert all(h in _texts(root) for h in HOSTILE)
