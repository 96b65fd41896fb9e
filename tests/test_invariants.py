"""Property tests (hypothesis) over generated and mutated pages.

Invariants, for every input:

1. accounting: every non-blank input line is owned exactly once
   (:func:`corpusconv.pipeline.check_accounting` returns ``[]``);
2. validity: the TEI output validates against the bundled schema *and* the official
   ``tei_all.rng``; the JSON record validates against the bundled JSON Schema and
   survives a JSON Lines round trip;
3. determinism: converting twice gives byte-identical outputs; a small batch gives
   byte-identical files with ``--jobs 1`` and ``--jobs 2``.

Budgets here are small (the default run stays fast); ``tests/test_fuzz.py`` runs the same
properties with a large budget.  The strategies are importable from this module.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from lxml import etree

import corpusconv
from corpusconv.decoding import BINARY_CONTROL_SHARE
from corpusconv.batch import dumps_record
from corpusconv.errors import InputError
from corpusconv.pipeline import check_accounting
from corpusconv.validate import record_errors, tei_errors

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"

# --------------------------------------------------------------------------- strategies

WORD = st.sampled_from(
    "the a therapy care mind of to and in we you I it is was people said think know "
    "Monica Ann Hugh Zoë O'Brien café naïve 2021 10:22 am pm http://example.com/x "
    "#tag @user (aside) [link] “quoted” ‘single’ — – … ! ? , ; : * ~ | / » «".split())

BOILERPLATE = st.sampled_from([
    "Comments are closed.", "Blog at WordPress.com.", "Report comment", "Reply", "Share this:",
    "Like this:", "Like Loading...", "Leave a Reply", "Leave a comment", "Posted in Uncategorized",
    "Subscribe", "Skip to content", "Menu", "Search", "Related", "Tags:", "Share", "Tweet",
    "Powered by Blogger", "Newer Post Older Post Home", "Cancel reply", "Log in", "Permalink",
    "12 Comments", "3 thoughts on “Hello”", "© 2021 Some Site. All rights reserved.",
    "Privacy Policy", "Follow", "Email", "Print", "Facebook", "Twitter", "* * *", "---",
])

DATES = st.sampled_from([
    "March 4, 2021", "2021-03-04", "4 March 2021 at 10:22 am", "March 4, 2021 at 10:22 am",
    "04/03/2021", "Mon, 4 Mar 2021", "2021-03-04T10:22:00Z", "May 2012", "10:22 pm", "Yesterday",
])

WEIRD = st.text(
    alphabet=st.characters(
        codec=None,
        categories=("L", "M", "N", "P", "S", "Zs", "Cc", "Cf", "Co", "Cs"),
    ),
    min_size=1, max_size=12,
)
NAMES = st.sampled_from(["Ann", "Hugh", "Steph", "Zoë O'Brien", "Anonymous", "J. R. R. Tolkien",
                         "Dr. Who", "a", "Q", "李小龙", "O’Neil"])


@st.composite
def prose(draw) -> str:
    words = draw(st.lists(WORD, min_size=1, max_size=30))
    s = " ".join(words)
    if draw(st.booleans()):
        s = s[:1].upper() + s[1:] + draw(st.sampled_from([".", "!", "?", "", "…"]))
    return s


@st.composite
def line(draw) -> str:
    indent = " " * draw(st.integers(0, 14))
    kind = draw(st.integers(0, 11))
    if kind <= 2:
        return indent + draw(prose())
    if kind == 3:
        return ""
    if kind == 4:
        marker = draw(st.sampled_from(["1. ", "2. ", "10. ", "• ", "◦ ", "* ", "- ", "3) ", "999. "]))
        return indent + marker + draw(prose())
    if kind == 5:
        return indent + draw(BOILERPLATE)
    if kind == 6:
        return indent + draw(DATES)
    if kind == 7:
        return indent + draw(NAMES) + ": " + draw(prose())
    if kind == 8:
        return indent + draw(prose()) + " ~ " + draw(NAMES)
    if kind == 9:
        return indent + draw(NAMES) + draw(st.sampled_from([" says:", " said...", " | ", " wrote:"])) \
            + draw(st.sampled_from(["", " " + draw(DATES)]))
    if kind == 10:
        return indent + draw(WEIRD)
    return indent + "— " + draw(NAMES) + ", " + draw(prose())


@st.composite
def page(draw) -> str:
    lines = draw(st.lists(line(), min_size=0, max_size=40))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return eol.join(lines) + draw(st.sampled_from(["", eol]))


def seed_texts() -> list[str]:
    if not SEEDS.is_dir():
        pytest.fail(f"shared seeds missing: {SEEDS}", pytrace=False)
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


@st.composite
def mutated_seed(draw) -> str:
    """A seed page with lines deleted, duplicated, moved, re-indented or replaced."""
    lines = draw(st.sampled_from(seed_texts())).split("\n")
    for _ in range(draw(st.integers(1, 12))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.integers(0, 5))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            lines[i] = " " * draw(st.integers(0, 12)) + lines[i].lstrip()
        elif op == 4:
            lines[i] = draw(line())
        else:
            lines.insert(i, draw(line()))
    return "\n".join(lines)


PAGES = st.one_of(page(), mutated_seed())

# --------------------------------------------------------------------------- checks


def check_invariants(doc, tei_all) -> tuple[bytes, bytes]:
    """All invariants for one converted document; returns (tei, jsonl line)."""
    assert check_accounting(doc) == []
    xml = corpusconv.to_tei(doc)
    assert tei_errors(xml) == [], tei_errors(xml)
    root = etree.fromstring(xml)
    assert tei_all.validate(root), str(tei_all.error_log)[:2000]
    rec = corpusconv.to_record(doc)
    assert record_errors(rec) == []
    line = dumps_record(rec)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == rec
    return xml, line


def check_deterministic(text: str, first: tuple[bytes, bytes]) -> None:
    again = corpusconv.convert_text(text, source="page.txt")
    assert (corpusconv.to_tei(again), dumps_record(corpusconv.to_record(again))) == first


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(text=PAGES)
def test_text_invariants(text, tei_all_schema):
    doc = corpusconv.convert_text(text, source="page.txt")
    first = check_invariants(doc, tei_all_schema)
    check_deterministic(text, first)


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])


@SETTINGS
@given(text=PAGES, encoding=ENCODINGS)
@example(text="   \x1f", encoding="utf-16-le")  # tiny BOM-less UTF-16, a quarter controls
@example(text="\x08\x80\x80", encoding="latin-1")  # C1 controls as latin-1 bytes
def test_bytes_invariants(text, encoding, tei_all_schema):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    try:
        doc = corpusconv.convert_bytes(data, source="page.txt")
    except InputError as exc:
        # Only a page with many control characters (C0, or C1 as latin-1 bytes), or a tiny
        # one where they are a large share, may be refused as binary.
        assert "not text" in str(exc)
        controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0x80 <= ord(ch) < 0xA0)
        assert controls > 4 or controls / len(text) > BINARY_CONTROL_SHARE, (str(exc), text[:200])
        return
    first = check_invariants(doc, tei_all_schema)
    again = corpusconv.convert_bytes(data, source="page.txt")
    assert (corpusconv.to_tei(again), dumps_record(corpusconv.to_record(again))) == first


# --------------------------------------------------------------------------- jobs 1 vs 2 via the CLI


def _batch_pages(n: int) -> list[str]:
    """Deterministic pages built from the seeds plus generated noise (no hypothesis)."""
    rnd = random.Random(4)
    seeds = seed_texts()
    pages = []
    for i in range(n):
        lines = seeds[i % len(seeds)].split("\n")
        for _ in range(rnd.randint(0, 6)):
            k = rnd.randrange(len(lines))
            lines.insert(k, rnd.choice(["", "Reply", "  • Ann says:", "Comments are closed.",
                                        f"  {rnd.randint(1, 40)}. Zoë: it’s “fine” — really…"]))
        pages.append("\n".join(lines))
    return pages


def _run(args, cwd):
    r = subprocess.run([sys.executable, "-m", "corpusconv", *args], cwd=cwd, capture_output=True,
                       timeout=180, env={**os.environ, "NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr.decode()
    return r


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_jobs_1_and_2_give_identical_outputs(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for i, text in enumerate(_batch_pages(10)):
        (src / ("sub" if i % 3 == 0 else "") / f"page{i:02d}.txt").write_text(text, encoding="utf-8")
    for jobs in ("1", "2"):
        _run(["convert", "in", "-o", f"tei{jobs}/", "-j", jobs, "-q"], tmp_path)
        _run(["convert", "in", "-o", f"all{jobs}.jsonl", "-j", jobs, "-q"], tmp_path)
    tei1, tei2 = _tree(tmp_path / "tei1"), _tree(tmp_path / "tei2")
    assert len(tei1) == 10 and tei1 == tei2
    j1, j2 = (tmp_path / "all1.jsonl").read_bytes(), (tmp_path / "all2.jsonl").read_bytes()
    assert j1 == j2 and len(j1.splitlines()) == 10
    # and equal to the library's output for the same source names
    for line_ in j1.splitlines():
        rec = json.loads(line_)
        doc = corpusconv.convert_file(tmp_path / rec["source"], source=rec["source"])
        assert dumps_record(corpusconv.to_record(doc)) == line_ + b"\n"
