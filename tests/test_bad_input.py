"""Degenerate and hostile inputs: empty, boilerplate-only, huge, deeply nested, binary.

Large cases are scaled to keep the default run fast; the full-size ones (a 50 MB file,
a 10 MB single line, 100,000 comments) live in ``tests/test_fuzz.py`` (``-m fuzz``) with
their timings.  Every case checks content, the accounting invariant and valid output.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from lxml import etree

import corpusconv
from corpusconv.errors import InputError
from corpusconv.pipeline import check_accounting
from corpusconv.validate import check_record, check_tei

REPO = Path(__file__).resolve().parent.parent
TEI = {"t": "http://www.tei-c.org/ns/1.0"}

WORDS = "the quick brown fox jumps over the lazy dog while thinking about therapy and care".split()
ARTICLE = ("A Reasonable Title For Testing\n\nBy Jane Doe\n\n"
           + "\n\n".join(f"Paragraph {i}: " + " ".join(WORDS) + "." for i in range(5)) + "\n\n")


def deep_thread(depth: int) -> str:
    """A comment thread where each comment replies to the previous one: ``depth`` levels."""
    out = [ARTICLE, f"{depth} Comments\n\n"]
    for d in range(depth):
        ind = "  " + "  " * d
        marker = "1. " if d == 0 else "• "
        out.append(f"{ind}{marker}Person{d} says:\n\n")
        out.append(f"{ind}   Reply number {d} " + " ".join(WORDS) + ".\n\n")
        out.append(f"{ind}   Report comment\n\n")
    return "".join(out)


def many_comments(n: int) -> str:
    """``n`` top-level bulleted comments, each with a header, text and an action link."""
    out = [ARTICLE, f"{n} Comments\n\n"]
    for i in range(1, n + 1):
        out.append(f"  • Person{i} says:\n\n    Comment {i} " + " ".join(WORDS)
                   + ".\n\n    Report comment\n\n")
    return "".join(out)


def big_prose(mb: float) -> str:
    """About ``mb`` MB of distinct paragraphs (repeated ones would be removed as repeats)."""
    sentence = " ".join(WORDS) + ". "
    para_len = len(sentence) * 4 + 20
    n = int(mb * 1024 * 1024) // para_len + 1
    return ARTICLE + "".join(f"Paragraph {i}: {sentence * 4}\n\n" for i in range(n))


def one_line(mb: float) -> str:
    return "Title Line\n\n" + ("word " * (int(mb * 1024 * 1024) // 5)) + "\n"


def check_all(doc, tei_all=None) -> bytes:
    assert check_accounting(doc) == []
    xml = corpusconv.to_tei(doc)
    check_tei(xml)  # the check the pipeline runs before writing
    if tei_all is not None:
        assert tei_all.validate(etree.fromstring(xml)), tei_all.error_log
    check_record(corpusconv.to_record(doc))
    return xml


def run_cli(*args, cwd=None, timeout=120):
    if args and args[0] == "convert" and "-j" not in args:
        args = (*args, "-j", "1")  # no worker pool unless the test is about one: faster
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "corpusconv", *map(str, args)], capture_output=True,
                          cwd=cwd or REPO, env=env, timeout=timeout)


# --------------------------------------------------------------------------- empty-ish


@pytest.mark.parametrize("content", [b"", b"   \n\t\n\n  ", b"\r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_and_whitespace_only(tmp_path, content, tei_all_schema):
    p = tmp_path / "empty.txt"
    p.write_bytes(content)
    doc = corpusconv.convert_file(p)
    assert doc.blocks == [] and doc.comments == [] and doc.removals == []
    assert doc.title is None and doc.text == ""
    xml = check_all(doc, tei_all_schema)
    gap = etree.fromstring(xml).xpath("//t:gap/@reason", namespaces=TEI)
    assert gap == ["no-content"]  # an empty article is stated, not silently empty
    rec = corpusconv.to_record(doc)
    assert rec["provenance"]["bytes"] == len(content)


def test_only_boilerplate(tmp_path, tei_all_schema):
    p = tmp_path / "bp.txt"
    p.write_text("Comments are closed.\n\nBlog at WordPress.com.\n", encoding="utf-8")
    doc = corpusconv.convert_file(p)
    assert doc.blocks == [] and doc.comments == []
    assert [(r.line, r.text) for r in doc.removals] == [(1, "Comments are closed."),
                                                        (3, "Blog at WordPress.com.")]
    assert all(r.rule and r.category for r in doc.removals)
    xml = check_all(doc, tei_all_schema)
    removed = etree.fromstring(xml).xpath("//t:ab[@type='removed']/text()", namespaces=TEI)
    assert removed == ["Comments are closed.", "Blog at WordPress.com."]


def test_binary_on_stdin_is_one_error_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "corpusconv", "convert", "-", "-q"], input=_png(),
                       capture_output=True, cwd=tmp_path, timeout=60)
    assert r.returncode == 1 and r.stdout == b""
    (line,) = [ln for ln in r.stderr.decode().splitlines() if ln.startswith("corpusconv:")]
    assert line == "corpusconv: error: -: not text: looks like a PNG image"


def test_empty_file_through_cli_is_a_document_not_a_failure(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    r = run_cli("convert", "in", "-o", "out.jsonl", "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (rec,) = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert rec["id"] == "empty" and rec["blocks"] == [] and rec["provenance"]["bytes"] == 0


# --------------------------------------------------------------------------- big and deep


def test_deep_reply_thread_500_levels(tei_all_schema):
    doc = corpusconv.convert_text(deep_thread(500), source="deep.txt")
    assert len(doc.comments) == 500
    for i, c in enumerate(doc.comments):
        assert c.depth == i
        assert c.parent == (doc.comments[i - 1].id if i else None)
        assert c.author == f"Person{i}"
        assert c.text.startswith(f"Reply number {i} ")
    xml = check_all(doc, tei_all_schema)
    posts = etree.fromstring(xml).xpath("//t:post", namespaces=TEI)
    assert [int(p.get("indentLevel")) for p in posts] == list(range(500))


def test_many_comments_scaled(tmp_path):
    """2,000 comments in one page (the 100,000 case is in test_fuzz.py: it takes minutes)."""
    n = 2000
    doc = corpusconv.convert_text(many_comments(n), source="many.txt")
    assert len(doc.comments) == n
    assert [c.author for c in doc.comments[:3]] == ["Person1", "Person2", "Person3"]
    assert doc.comments[-1].text.startswith(f"Comment {n} ")
    assert all(c.depth == 0 and c.parent is None for c in doc.comments)
    check_all(doc)


def test_comments_numbered_beyond_999_are_kept():
    """Regression: numbers 1000+ were not list markers and the comments were dropped as footer."""
    text = ARTICLE + "1003 Comments\n\n" + "".join(
        f"  {i}. Person{i} says:\n\n    Comment {i} " + " ".join(WORDS) + ".\n\n    Report comment\n\n"
        for i in range(1, 1004))
    doc = corpusconv.convert_text(text)
    assert check_accounting(doc) == []
    assert len(doc.comments) == 1003
    assert doc.comments[-1].text.startswith("Comment 1003 ")


def test_comment_count_scales_roughly_linearly():
    """Doubling the comments must not much more than double the time (no quadratic step)."""
    def timed(n):
        text = many_comments(n)
        t = time.perf_counter()
        doc = corpusconv.convert_text(text)
        assert len(doc.comments) == n
        return time.perf_counter() - t

    timed(200)  # warm up (rule compilation, imports)
    small, large = timed(500), timed(2000)
    assert large < 8 * small + 0.5, f"500 comments: {small:.2f}s, 2000: {large:.2f}s"


def test_large_file_2mb(tmp_path):
    """2 MB of prose (the 50 MB file is in test_fuzz.py)."""
    p = tmp_path / "big.txt"
    p.write_text(big_prose(2), encoding="utf-8")
    t = time.perf_counter()
    doc = corpusconv.convert_file(p)
    elapsed = time.perf_counter() - t
    assert elapsed < 30, f"2 MB took {elapsed:.1f}s"
    assert doc.title == "A Reasonable Title For Testing"
    assert len(doc.blocks) > 5_000
    assert doc.provenance.bytes == p.stat().st_size
    check_all(doc)


def test_single_long_line_256k(tmp_path):
    """A 256 KB line (the 10 MB one is in test_fuzz.py; see its timing note)."""
    p = tmp_path / "line.txt"
    p.write_text(one_line(0.25), encoding="utf-8")
    doc = corpusconv.convert_file(p)
    assert check_accounting(doc) == []
    body = [b for b in doc.blocks if len(b.text) > 250_000]
    assert len(body) == 1 and body[0].text.count("word") == 256 * 1024 // 5
    xml = check_all(doc)
    assert len(xml) > 256 * 1024


# --------------------------------------------------------------------------- binary


def _pdf() -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def _png() -> bytes:
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
            + zlib.compress(b"\x00" * 10))


BINARIES = {
    "doc.txt": (_pdf, "PDF document"),
    "image.txt": (_png, "PNG image"),
    "archive.txt": (lambda: gzip.compress(b"hello world\n" * 50, mtime=0), "gzip archive"),
    "random.txt": (lambda: bytes((i * 7919 + 13) % 256 for i in range(20000)), "binary data"),
}


@pytest.mark.parametrize("name", sorted(BINARIES))
def test_binary_rejected_by_library(tmp_path, name):
    make, what = BINARIES[name]
    p = tmp_path / name
    p.write_bytes(make())
    with pytest.raises(InputError) as exc:
        corpusconv.convert_file(p)
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(f"{p}: not text: looks like ")
    assert what in msg


def test_binary_files_in_batch_rejected_with_one_line_each(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, (make, _) in BINARIES.items():
        (src / name).write_bytes(make())
    (src / "good.txt").write_text(ARTICLE, encoding="utf-8")
    r = run_cli("convert", "in", "-o", "out/", "-q", cwd=tmp_path)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("corpusconv: error:")]
    assert len(lines) == len(BINARIES)
    for name, (_, what) in BINARIES.items():
        (line,) = [ln for ln in lines if f"in/{name}:" in ln]
        assert what in line and "not text" in line
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.xml"]
    xml = (tmp_path / "out" / "good.xml").read_bytes()
    assert etree.fromstring(xml).xpath("string(//t:titleStmt/t:title)", namespaces=TEI) == \
        "A Reasonable Title For Testing"
