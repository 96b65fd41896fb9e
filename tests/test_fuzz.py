"""Long-running fuzz and scale tests, excluded from the default run.

Run them with ONE command (takes several minutes)::

    .venv/bin/pytest -m fuzz tests/test_fuzz.py

Budgets can be changed without editing this file: ``CORPUSCONV_FUZZ_EXAMPLES`` (default
5000 per property) and ``CORPUSCONV_FUZZ_SEED`` (default: random; printed on failure by
hypothesis as a reproducer).  The properties are those of ``tests/test_invariants.py``
(accounting, validity against the bundled schemas and ``tei_all.rng``, determinism), plus
raw-byte fuzzing of the decoder and the full-size scale cases the default run scales
down: a 50 MB file, a 10 MB single line, 100,000 comments.
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corpusconv
from corpusconv.batch import dumps_record
from corpusconv.decoding import decode_bytes
from corpusconv.errors import InputError
from corpusconv.pipeline import check_accounting

from test_bad_input import big_prose, check_all, deep_thread, many_comments, one_line
from test_invariants import ENCODINGS, PAGES, check_invariants

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("CORPUSCONV_FUZZ_EXAMPLES", "5000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, print_blob=True,
                suppress_health_check=list(HealthCheck))


@FUZZ
@given(text=PAGES)
def test_fuzz_text_invariants(text, tei_all_schema):
    doc = corpusconv.convert_text(text, source="page.txt")
    first = check_invariants(doc, tei_all_schema)
    again = corpusconv.convert_text(text, source="page.txt")
    assert (corpusconv.to_tei(again), dumps_record(corpusconv.to_record(again))) == first


@FUZZ
@given(text=PAGES, encoding=ENCODINGS, data=st.data())
def test_fuzz_encoded_and_corrupted_bytes(text, encoding, data, tei_all_schema):
    """Encode a page, then flip/insert/delete a few random bytes: never a crash."""
    raw = bytearray(text.encode(encoding, errors="replace") if encoding != "utf-8"
                    else text.encode("utf-8", errors="surrogatepass"))
    for _ in range(data.draw(st.integers(0, 6), label="mutations")):
        pos = data.draw(st.integers(0, len(raw)), label="pos")
        op = data.draw(st.integers(0, 2), label="op")
        byte = data.draw(st.integers(0, 255), label="byte")
        if op == 0 and pos < len(raw):
            raw[pos] = byte
        elif op == 1:
            raw.insert(pos, byte)
        elif pos < len(raw):
            del raw[pos]
    try:
        doc = corpusconv.convert_bytes(bytes(raw), source="page.txt")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("not text")
        return
    check_invariants(doc, tei_all_schema)


@FUZZ
@given(raw=st.binary(max_size=4096))
def test_fuzz_raw_bytes_decoder(raw):
    """Arbitrary bytes: InputError (one line) or lines that XML 1.0 can carry."""
    try:
        dec = decode_bytes(raw)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    for ln in dec.lines:
        assert "\n" not in ln and "\r" not in ln
        assert not any(ord(c) < 32 and c != "\t" for c in ln)
        assert not any(0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff" for c in ln)
    doc = corpusconv.convert_bytes(raw, source="raw.txt")
    assert check_accounting(doc) == []


# --------------------------------------------------------------------------- full-size scale cases


def _timed(label, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - t:.1f}s")
    return out


def test_50mb_file(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text(big_prose(50), encoding="utf-8")
    doc = _timed("convert 50 MB", lambda: corpusconv.convert_file(p))
    assert doc.title == "A Reasonable Title For Testing" and len(doc.blocks) > 100_000
    _timed("serialise+validate 50 MB", lambda: check_all(doc))


@pytest.fixture(scope="module")
def ten_mb_line_doc(tmp_path_factory):
    p = tmp_path_factory.mktemp("line") / "line.txt"
    p.write_text(one_line(10), encoding="utf-8")
    return _timed("convert 10 MB line", lambda: corpusconv.convert_file(p))


def test_10mb_single_line_jsonl(ten_mb_line_doc):
    """A 10 MB line (was ~35 s when dates were searched anywhere in a line)."""
    doc = ten_mb_line_doc
    assert check_accounting(doc) == []
    assert max(len(b.text) for b in doc.blocks) > 10_000_000
    rec = corpusconv.to_record(doc)
    from corpusconv.validate import check_record
    check_record(rec)
    assert len(dumps_record(rec)) > 10_000_000


def test_10mb_single_line_tei(ten_mb_line_doc):
    """Regression: one >10,000,000-char text node used to fail libxml2's default limits."""
    check_all(ten_mb_line_doc)


def test_100k_comments():
    """100,000 comments in one page (slow: ~1-2 minutes)."""
    doc = _timed("convert 100k comments", lambda: corpusconv.convert_text(many_comments(100_000)))
    assert len(doc.comments) == 100_000
    assert doc.comments[-1].author == "Person100000"
    _timed("serialise+validate", lambda: check_all(doc))


def test_deep_thread_2000_levels():
    """Regression: nesting beyond ~990 levels used to raise RecursionError."""
    doc = corpusconv.convert_text(deep_thread(2000))
    assert [c.depth for c in doc.comments] == list(range(2000))
    check_all(doc)


# --------------------------------------------------------------------------- many kills at random moments


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_repeated_kills_never_hang_or_leave_partial_outputs(tmp_path, sig):
    """20 interrupted batches per signal at random moments (Pool.terminate() used to hang
    in about one in ten when a worker died while sending a result)."""
    import random
    import signal
    import subprocess

    from test_faults import _start, assert_valid_tei_file, make_batch, temp_leftovers

    rnd = random.Random(sig)
    make_batch(tmp_path, 400, paras=40)
    for k in range(int(os.environ.get("CORPUSCONV_FUZZ_KILLS", "20"))):
        out = tmp_path / f"out{k}"
        out.mkdir()
        proc = _start(["convert", "in", "-o", f"{out.name}/", "-q", "-j", "2"], tmp_path)
        deadline = time.monotonic() + 30
        while not any(out.iterdir()) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rnd.uniform(0, 0.5))
        if proc.poll() is None:
            (os.killpg if sig == "SIGINT" else os.kill)(proc.pid, getattr(signal, sig))
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"run {k}: the interrupted batch hung")
        assert proc.returncode in (0, 130, 143), (k, proc.returncode, err.decode())
        assert b"Traceback" not in err, err.decode()
        assert not temp_leftovers(out), k
        for p in out.iterdir():
            assert_valid_tei_file(p)
