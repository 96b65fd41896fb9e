"""Containers: WARC/WET files and JSON Lines documents in, one document per record.

Every WARC file here is written by warcio's writer (through ``containers.write_wet``),
with Common Crawl's WET header set and a warcinfo record; damaged files are made from
such files by cutting or editing their bytes.  JSON Lines inputs mix good and bad lines.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import signal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import P1, P2, P3, SHARED, assert_valid, default_sigint, gzip_members, parse_tei, shared_path
from corpusconv.batch import run
from corpusconv.cli import app
from corpusconv.containers import (JsonlFields, WetPage, expand_documents, is_record_gzipped,
                                   iter_documents, safe_id, warc_doc_id, write_wet)
from corpusconv.reading import expand_inputs

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "input"
TEI = "{http://www.tei-c.org/ns/1.0}"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def example_pages() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.txt"))


def page_text(n: int) -> bytes:
    return f"Page number {n}\n\n{P1}\n\n{P2}\n\n{P3}\n\nShare this post\n".encode()


def cc_pages(n: int, sites: int = 2) -> list[WetPage]:
    return [WetPage(url=f"https://www.site{i % sites}.example/post-{i}", text=page_text(i),
                    headers=(("WARC-Identified-Content-Language", "eng"),)) for i in range(n)]


def wet_bytes(pages, *, gz: bool = True, version: str = "1.0", name: str = "crawl.warc.wet.gz") -> bytes:
    buf = io.BytesIO()
    write_wet(buf, pages, filename=name, gz=gz, version=version)
    return buf.getvalue()


def records(path: Path) -> list[dict]:
    """The records of a JSON Lines output (none when nothing converted: no file is written)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------- WET in


def test_wet_records_become_documents_with_url_and_headers(tmp_path):
    wet = tmp_path / "CC-MAIN-2024-10-00000.warc.wet.gz"
    wet.write_bytes(wet_bytes(cc_pages(3), name=wet.name))
    r = cli("convert", str(wet), "-o", str(tmp_path / "out.jsonl"), "-j", "1")
    assert r.exit_code == 0, r.stderr
    recs = records(tmp_path / "out.jsonl")
    assert [rec["url"] for rec in recs] == [f"https://www.site{i % 2}.example/post-{i}" for i in range(3)]
    assert all(UUID.fullmatch(rec["id"]) for rec in recs) and len({rec["id"] for rec in recs}) == 3
    meta = recs[0]["metadata"]
    for key in ("WARC-Target-URI", "WARC-Date", "WARC-Record-ID", "WARC-Refers-To", "WARC-Block-Digest",
                "WARC-Identified-Content-Language"):
        assert key in meta, key
    assert meta["WARC-Record-ID"] == f"<urn:uuid:{recs[0]['id']}>"
    assert meta["WARC-Type"] == "conversion" and meta["Content-Type"] == "text/plain"
    assert recs[0]["source"] == str(wet) and recs[0]["provenance"]["source_path"] == str(wet)
    assert P1 in recs[0]["text"] and "Share this post" not in recs[0]["text"]
    # the warcinfo record is no document: counted in the summary, not failed
    assert "warcinfo record" in r.stderr and "failed" not in r.stderr.split("summary")[0]


def test_record_kinds_warc_11_plain_and_skips(tmp_path):
    pages = [WetPage(url="https://a.example/1", text=page_text(1), record_type="resource"),
             WetPage(url="https://a.example/2", text=b"<html></html>", record_type="resource",
                     content_type="text/html"),
             WetPage(url="https://a.example/3", text=b"GET / HTTP/1.1\r\n\r\n", record_type="request",
                     content_type="application/http; msgtype=request"),
             WetPage(url="https://a.example/4", text=page_text(4), content_type="text/plain; charset=utf-8")]
    warc = tmp_path / "mixed.warc"
    warc.write_bytes(wet_bytes(pages, gz=False, version="1.1"))
    assert warc.read_bytes().startswith(b"WARC/1.1\r\n") and not is_record_gzipped(str(warc))
    (job,) = expand_inputs([str(warc)])
    docs = list(iter_documents(job))
    assert [d.skip for d in docs] == ["warcinfo record", None, "non-text resource record", "request record", None]
    assert [d.url for d in docs if d.skip is None] == ["https://a.example/1", "https://a.example/4"]
    assert all(d.where.startswith("record at byte ") for d in docs)


def test_directory_output_one_tei_per_document_under_the_container_folder(tmp_path, tei_all_schema):
    wet = tmp_path / "in" / "crawl-01.warc.wet.gz"
    wet.parent.mkdir()
    wet.write_bytes(wet_bytes(cc_pages(3)))
    r = cli("convert", str(tmp_path / "in"), "-o", str(tmp_path / "tei") + "/", "-j", "1")
    assert r.exit_code == 0, r.stderr
    files = sorted((tmp_path / "tei").rglob("*.xml"))
    assert len(files) == 3 and {f.parent.name for f in files} == {"crawl-01"}
    root = parse_tei(files[0].read_bytes())
    sd = root.find(f".//{TEI}sourceDesc")
    uri = sd.find(f"{TEI}bibl/{TEI}idno[@type='URI']")
    assert uri is not None and uri.text.startswith("https://www.site")
    labels = [e.text for e in sd.iterfind(f"{TEI}list[@subtype='metadata']/{TEI}label")]
    assert {"WARC-Record-ID", "WARC-Date", "WARC-Refers-To", "WARC-Block-Digest"} <= set(labels)
    assert_valid(tei_all_schema, files[0].read_bytes(), "TEI of a WET record vs tei_all")


def test_jobs_1_and_2_give_identical_bytes(tmp_path):
    wet = tmp_path / "c.warc.wet.gz"
    wet.write_bytes(wet_bytes(cc_pages(40)))
    pages = tmp_path / "pages"
    pages.mkdir()
    for p in example_pages()[:3]:
        (pages / p.name).write_bytes(p.read_bytes())
    outs = {}
    for j in ("1", "2"):
        r = cli("convert", str(pages), str(wet), "-o", str(tmp_path / f"o{j}.jsonl"), "-j", j, "-q")
        assert r.exit_code == 0, r.stderr
        r = cli("convert", str(wet), "-o", str(tmp_path / f"d{j}") + "/", "-j", j, "-q")
        assert r.exit_code == 0, r.stderr
        outs[j] = ((tmp_path / f"o{j}.jsonl").read_bytes(),
                   {p.name: p.read_bytes() for p in sorted((tmp_path / f"d{j}").rglob("*.xml"))})
    assert outs["1"] == outs["2"]
    assert outs["1"][0].count(b"\n") == 43 and len(outs["1"][1]) == 40


def test_the_writer_is_deterministic():
    assert wet_bytes(cc_pages(4)) == wet_bytes(cc_pages(4))


def test_reading_is_streamed_and_dispatch_bounded(tmp_path):
    """The first document comes before the file is read through, and with workers the
    first outcome is yielded while most of the container is still unread."""
    wet = tmp_path / "big.warc.wet.gz"
    wet.write_bytes(wet_bytes(cc_pages(1500)))
    size = wet.stat().st_size
    (job,) = expand_inputs([str(wet)])
    read = []
    docs = iter_documents(job, progress=read.append)
    next(docs)
    assert 0 < sum(read) < size / 10
    read.clear()
    stream = run([job], "jsonl", n_jobs=2, progress=read.append)
    first = next(stream)
    assert first.skipped == "warcinfo record"
    second = next(stream)
    assert second.ok and sum(read) < size / 2
    stream.close()


def test_progress_counts_every_byte_of_a_container(tmp_path):
    wet = tmp_path / "c.warc.wet.gz"
    wet.write_bytes(wet_bytes(cc_pages(30)))
    read = []
    outcomes = list(run(expand_inputs([str(wet)]), "jsonl", progress=read.append))
    assert sum(read) == wet.stat().st_size and len(outcomes) == 31


def test_skip_existing_leaves_container_documents_alone(tmp_path):
    wet = tmp_path / "c.warc.wet.gz"
    wet.write_bytes(wet_bytes(cc_pages(3)))
    out = str(tmp_path / "tei") + "/"
    assert cli("convert", str(wet), "-o", out, "-j", "1", "-q").exit_code == 0
    again = cli("convert", str(wet), "-o", out, "-j", "1")
    assert again.exit_code == 1 and again.stderr.count("already exists") >= 3
    kept = cli("convert", str(wet), "-o", out, "-j", "1", "--skip-existing", "-v")
    assert kept.exit_code == 0 and kept.stderr.count("skipped") >= 3 and "wrote" not in kept.stderr


def test_one_tei_document_refused_for_a_container_bundle_accepted(tmp_path, tei_all_schema):
    wet = tmp_path / "c.warc.wet.gz"
    wet.write_bytes(wet_bytes(cc_pages(3)))
    r = cli("convert", str(wet), "-o", str(tmp_path / "x.xml"), "-j", "1")
    assert r.exit_code == 2 and "holds many documents" in r.stderr
    r = cli("convert", str(wet), "-o", str(tmp_path / "x.xml"), "--bundle", "-j", "1", "-q")
    assert r.exit_code == 0, r.stderr
    corpus = parse_tei((tmp_path / "x.xml").read_bytes())
    assert len(corpus.findall(f"{TEI}TEI")) == 3
    assert tei_all_schema.validate(corpus.getroottree()), tei_all_schema.error_log


def test_explain_refuses_a_container_in_one_line(tmp_path):
    wet = tmp_path / "c.warc.wet.gz"
    wet.write_bytes(wet_bytes(cc_pages(2)))
    r = cli("explain", str(wet))
    assert r.exit_code == 1 and "holds many documents" in r.stderr and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- damaged WARC


def _convert_damaged(tmp_path, data: bytes, name: str = "bad.warc.wet.gz", jobs: str = "1"):
    path = tmp_path / name
    path.write_bytes(data)
    r = cli("convert", str(path), "-o", str(tmp_path / f"out-{jobs}.jsonl"), "-j", jobs, "--force")
    assert "Traceback" not in r.stderr and "WARNING" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("corpusconv: error: ")]
    return r, errors, records(tmp_path / f"out-{jobs}.jsonl")


def test_truncated_gzip_member_in_the_middle_is_reported_the_rest_converted(tmp_path):
    data = wet_bytes(cc_pages(6))
    offs = gzip_members(data)  # warcinfo, then 6 records
    cut = offs[3] + (offs[4] - offs[3]) // 2
    r, errors, recs = _convert_damaged(tmp_path, data[:cut] + data[offs[4]:])
    assert r.exit_code == 1
    (error,) = errors
    assert error.startswith(f"corpusconv: error: {tmp_path / 'bad.warc.wet.gz'}: record at byte {offs[3]}: "
                            "truncated or corrupt gzip member (")
    assert error.endswith(f"; the next record starts at byte {cut})")
    assert [rec["url"].rsplit("-", 1)[1] for rec in recs] == ["0", "1", "3", "4", "5"]
    # the summary lists the failure again
    tail = r.stderr.split("input(s) failed:")[1]
    assert f"record at byte {offs[3]}" in tail
    # --jobs 2: the same records and the same report
    r2, errors2, recs2 = _convert_damaged(tmp_path, data[:cut] + data[offs[4]:], jobs="2")
    assert (errors2, recs2) == (errors, recs)


def test_file_cut_short_reports_the_last_record(tmp_path):
    data = wet_bytes(cc_pages(4))
    offs = gzip_members(data)
    for cut, why in ((offs[-1] + 40, "truncated"), (len(data) - 30, "truncated")):
        r, errors, recs = _convert_damaged(tmp_path, data[:cut])
        assert r.exit_code == 1 and len(errors) == 1, r.stderr
        assert f"record at byte {offs[-1]}: " in errors[0] and why in errors[0]
        assert len(recs) == 3


def test_malformed_warc_header_is_reported_the_rest_converted(tmp_path):
    data = wet_bytes(cc_pages(4))
    offs = gzip_members(data)
    rec = gzip.decompress(data[offs[2]:offs[3]])
    for bad, reason in ((rec.replace(b"WARC-Type: conversion", b"WARC-Type conversion"), "no WARC-Type"),
                        (rec.replace(b"Content-Length: ", b"Content-Length: x"), "Content-Length"),
                        (rec.replace(b"WARC/1.0", b"WARC/9.9", 1), "malformed WARC record")):
        r, errors, recs = _convert_damaged(tmp_path, data[:offs[2]] + gzip.compress(bad, mtime=0)
                                           + data[offs[3]:])
        assert r.exit_code == 1 and len(errors) == 1, r.stderr
        assert f"record at byte {offs[2]}: " in errors[0] and reason in errors[0], errors
        assert [x["url"][-1] for x in recs] == ["0", "2", "3"]


def test_plain_warc_resyncs_at_the_next_record(tmp_path):
    data = wet_bytes(cc_pages(4), gz=False, name="plain.warc")
    starts = [m.start() for m in re.finditer(rb"(?m)^WARC/1\.0\r\n", data)]
    bad = data[:starts[2]] + data[starts[2]:].replace(b"Content-Length: ", b"Content-Length: 9", 1)
    r, errors, recs = _convert_damaged(tmp_path, bad, name="plain.warc")
    assert r.exit_code == 1 and len(errors) == 1 and f"record at byte {starts[2]}" in errors[0], r.stderr
    assert [x["url"][-1] for x in recs] == ["0", "2", "3"]


def test_not_a_warc_file_at_all(tmp_path):
    r, errors, recs = _convert_damaged(tmp_path, b"hello, this is no WARC\n" * 10, name="x.warc")
    assert r.exit_code == 1 and len(errors) == 1 and "record at byte 0" in errors[0] and recs == []


# --------------------------------------------------------------------------- JSON Lines


def jsonl_lines() -> list[str]:
    return [
        json.dumps({"id": "doc-1", "text": page_text(1).decode(), "url": "https://a.example/1",
                    "source": "common-crawl", "added": "2024-03-01"}),
        "{not json",
        json.dumps({"id": "doc-3", "body": "no text field"}),
        "",
        json.dumps(["a", "list"]),
        json.dumps({"id": 4, "text": 12}),
        json.dumps({"text": page_text(5).decode(), "metadata": {"url": "https://b.example/5", "lang": "en"}}),
        json.dumps({"id": "a/../b c", "text": page_text(6).decode()}),
    ]


def test_jsonl_good_and_bad_lines(tmp_path):
    src = tmp_path / "docs.jsonl"
    src.write_text("\n".join(jsonl_lines()) + "\n", encoding="utf-8")
    r = cli("convert", str(src), "-o", str(tmp_path / "o.jsonl"), "-j", "1")
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("corpusconv: error: ")]
    assert [e.split(": ")[3] for e in errors] == ["line 2", "line 3", "line 5", "line 6"]
    assert "not valid JSON" in errors[0] and "no 'text' field" in errors[1]
    assert "not a JSON object" in errors[2] and "not a string" in errors[3]
    recs = records(tmp_path / "o.jsonl")
    assert [x["id"] for x in recs] == ["doc-1", "docs-7", safe_id("a/../b c")]
    assert recs[0]["url"] == "https://a.example/1"
    assert recs[0]["metadata"] == {"source": "common-crawl", "added": "2024-03-01"}
    assert recs[1]["url"] == "https://b.example/5"
    assert recs[1]["metadata"] == {"metadata": {"url": "https://b.example/5", "lang": "en"}}
    assert recs[2]["url"] is None and recs[2]["metadata"] == {}
    assert "4 input(s) failed" in r.stderr


def test_jsonl_field_options(tmp_path):
    src = tmp_path / "d.ndjson"
    src.write_text(json.dumps({"key": "k1", "content": page_text(1).decode(), "link": "https://c.example/"})
                   + "\n", encoding="utf-8")
    r = cli("convert", str(src), "-o", str(tmp_path / "o.jsonl"), "-j", "1", "--text-field", "content",
            "--id-field", "key", "--url-field", "link")
    assert r.exit_code == 0, r.stderr
    (rec,) = records(tmp_path / "o.jsonl")
    assert (rec["id"], rec["url"], rec["metadata"]) == ("k1", "https://c.example/", {})


def test_truncated_compressed_jsonl_keeps_what_came_before(tmp_path):
    good = "\n".join(json.dumps({"id": f"d{i}", "text": page_text(i).decode()}) for i in range(20)) + "\n"
    data = gzip.compress(good.encode(), mtime=0)
    src = tmp_path / "docs.jsonl.gz"
    src.write_bytes(data[: len(data) - 40])
    r = cli("convert", str(src), "-o", str(tmp_path / "o.jsonl"), "-j", "1")
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("corpusconv: error: ")]
    assert len(errors) == 1 and "truncated or corrupt compressed data" in errors[0]
    recs = records(tmp_path / "o.jsonl")
    assert 0 < len(recs) < 20 and [x["id"] for x in recs] == [f"d{i}" for i in range(len(recs))]


def test_jsonl_files_are_not_taken_from_directories_by_default(tmp_path):
    (tmp_path / "a.txt").write_bytes(page_text(1))
    (tmp_path / "old-output.jsonl").write_text('{"text": "x"}\n')
    assert [j.relpath for j in expand_inputs([str(tmp_path)])] == ["a.txt"]
    assert [j.kind for j in expand_inputs([str(tmp_path)], globs=["*.jsonl"])] == ["jsonl"]


# --------------------------------------------------------------------------- ids


@given(st.text(min_size=1, max_size=300))
def test_safe_ids_are_file_names_stable_and_distinct(raw):
    got = safe_id(raw)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", got) and len(got) <= 111
    assert got == safe_id(raw)
    assert got.strip(".") and got not in (".", "..")


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_distinct_raw_ids_stay_distinct(a, b):
    if a != b:
        assert safe_id(a) != safe_id(b)


def test_warc_ids():
    assert warc_doc_id("<urn:uuid:6D3E9F1A-0000-4000-8000-00000000ABCD>", "c", 5) == \
        "6d3e9f1a-0000-4000-8000-00000000abcd"
    assert warc_doc_id(None, "crawl", 1234) == "crawl-1234"
    other = warc_doc_id("<urn:sha1:ABC/DEF>", "c", 0)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", other) and other != warc_doc_id("<urn:sha1:ABC_DEF>", "c", 0)


def test_expand_documents_keeps_pages_and_order(tmp_path):
    (tmp_path / "a.txt").write_bytes(page_text(1))
    (tmp_path / "b.warc.wet.gz").write_bytes(wet_bytes(cc_pages(2)))
    (tmp_path / "c.txt").write_bytes(page_text(2))
    docs = list(expand_documents(expand_inputs([str(tmp_path)]), JsonlFields()))
    assert [d.relpath.split("/")[0] for d in docs] == ["a.txt", "b.warc.wet.gz", "b", "b", "c.txt"]


# --------------------------------------------------------------------------- the dev set


def test_dev_pages_in_a_wet_file_convert_as_the_files_do(tmp_path):
    """All 264 dev pages (resiliparse rendering), one WET record each, give the records
    the .txt files give, apart from id, source, url, metadata and provenance.source_path
    (provenance's digest, size, encoding and repairs are the same: the same bytes)."""
    pages = sorted(shared_path(SHARED / "realweb" / "pages").glob("*.txt"))
    assert len(pages) == 264
    wet = tmp_path / "dev.warc.wet.gz"
    with open(wet, "wb") as fh:
        write_wet(fh, (WetPage(url=f"https://dev.example/{p.stem}", text=p.read_bytes()) for p in pages),
                  filename=wet.name)
    from_files = list(run([j for j in expand_inputs([str(p) for p in pages])], "jsonl"))
    from_wet = [o for o in run(expand_inputs([str(wet)]), "jsonl") if not o.skipped]
    assert len(from_files) == len(from_wet) == 264 and all(o.ok for o in from_files + from_wet)
    differs = ("id", "source", "url", "metadata", "provenance")
    for page, a, b in zip(pages, from_files, from_wet):
        ra, rb = json.loads(a.payload), json.loads(b.payload)
        assert {k: v for k, v in ra.items() if k not in differs} == \
               {k: v for k, v in rb.items() if k not in differs}, page.name
        assert dict(ra["provenance"], source_path="") == dict(rb["provenance"], source_path=""), page.name
        assert rb["url"] == f"https://dev.example/{page.stem}" and ra["url"] is None


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_a_wet_conversion_leaves_no_partial_output(tmp_path, sig):
    import subprocess
    import sys
    import time

    wet = tmp_path / "c.warc.wet.gz"
    wet.write_bytes(wet_bytes(cc_pages(600)))
    target = tmp_path / "all.jsonl"
    target.write_bytes(b'{"previous": true}\n')
    proc = subprocess.Popen([sys.executable, "-m", "corpusconv", "convert", str(wet), "-o", str(target),
                             "--force", "-q", "-j", "2"], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"}, preexec_fn=default_sigint)
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".corpusconv-*.tmp")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)
    assert proc.poll() is None, "the conversion finished before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[sig], err.decode()
    assert b"Traceback" not in err and target.read_bytes() == b'{"previous": true}\n'
    assert not list(tmp_path.glob(".corpusconv-*"))


def test_jsonl_chunks_start_at_lines_and_read_as_the_whole_file(tmp_path):
    from dataclasses import replace

    from corpusconv.containers import jsonl_chunks

    lines = [json.dumps({"id": f"d{i}", "text": "x " * (i % 7 + 1)}) for i in range(100)]
    lines[41] = "{bad"
    src = tmp_path / "d.jsonl"
    src.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    data = src.read_bytes()
    chunks = jsonl_chunks(str(src), 300)
    assert chunks[0][:2] == (0, chunks[1][0]) and chunks[-1][1] == len(data) and len(chunks) > 5
    for (a, b, n), (c, _, _) in zip(chunks, chunks[1:]):
        assert b == c and data[a - 1:a] in (b"", b"\n") and data[:a].count(b"\n") == n
    (job,) = expand_inputs([str(src)], globs=["*.jsonl"])
    whole = [(d.doc_id, d.where, d.error) for d in iter_documents(job)]
    parts = [(d.doc_id, d.where, d.error) for a, b, n in chunks
             for d in iter_documents(replace(job, start=a, stop=b, first_line=n))]
    assert parts == whole and ("line 42" in [w for _, w, e in whole if e])


def test_warc_gzipped_as_one_stream(tmp_path):
    """``gzip x.warc`` (one gzip stream, not one member per record) is read too; offsets
    then count decompressed bytes, and a cut-short stream reports its last record."""
    plain = wet_bytes(cc_pages(5), gz=False, name="one.warc")
    whole = gzip.compress(plain, mtime=0)
    src = tmp_path / "one.warc.gz"
    src.write_bytes(whole)
    assert not is_record_gzipped(str(src))
    r = cli("convert", str(src), "-o", str(tmp_path / "o.jsonl"), "-j", "1")
    assert r.exit_code == 0, r.stderr
    assert [x["url"][-1] for x in records(tmp_path / "o.jsonl")] == list("01234")
    src.write_bytes(whole[: len(whole) * 9 // 10])
    r = cli("convert", str(src), "-o", str(tmp_path / "cut.jsonl"), "-j", "1")
    assert r.exit_code == 1 and "Traceback" not in r.stderr and "internal error" not in r.stderr
    (error,) = [line for line in r.stderr.splitlines() if line.startswith("corpusconv: error: ")]
    starts = [m.start() for m in re.finditer(rb"(?m)^WARC/1\.0\r\n", plain)]
    got = len(records(tmp_path / "cut.jsonl"))
    assert got < 5 and f"record at decompressed byte {starts[got + 1]}: truncated" in error


def test_missing_container_is_one_failed_input(tmp_path):
    (tmp_path / "a.txt").write_bytes(page_text(1))
    r = cli("convert", str(tmp_path / "a.txt"), str(tmp_path / "gone.warc.wet.gz"), str(tmp_path / "gone.jsonl"),
            "-o", str(tmp_path / "o.jsonl"), "-j", "1")
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("corpusconv: error: ")]
    assert errors == [f"corpusconv: error: {tmp_path / name}: no such file or directory"
                      for name in ("gone.warc.wet.gz", "gone.jsonl")]
    assert len(records(tmp_path / "o.jsonl")) == 1
