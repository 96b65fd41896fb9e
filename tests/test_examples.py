"""Golden files: the bundled example pages convert to exactly the committed outputs.

Run ``examples/regenerate.sh`` after a deliberate engine change, review the diff of
``examples/expected/``, and commit it; this test then pins the new behaviour.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpusconv.batch import process, serialise  # noqa: F401  (process is what the CLI runs)
from corpusconv.reading import expand_inputs, output_relpath

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(autouse=True)
def _in_examples(monkeypatch):
    # Sources are recorded relative to examples/, as regenerate.sh runs there.
    monkeypatch.chdir(EXAMPLES)


def _jobs():
    jobs = expand_inputs(["input"])
    assert len(jobs) >= 3, "examples/input should hold several pages"
    return jobs


def test_tei_golden_files():
    for job in _jobs():
        out = process(job, "tei")
        assert out.ok, out.error
        expected = EXAMPLES / "expected" / "tei" / output_relpath(job.relpath, ".xml")
        assert expected.exists(), f"missing golden file {expected}; run examples/regenerate.sh"
        assert out.payload == expected.read_bytes(), f"{job.source}: TEI differs from {expected}"


def test_jsonl_golden_file():
    lines = []
    for job in _jobs():
        out = process(job, "jsonl")
        assert out.ok, out.error
        lines.append(out.payload if out.payload.endswith(b"\n") else out.payload + b"\n")
    expected = (EXAMPLES / "expected" / "corpus.jsonl").read_bytes()
    assert b"".join(lines) == expected, "JSON Lines differ from examples/expected/corpus.jsonl"


def test_examples_cover_every_structure():
    import json
    recs = [json.loads(line) for line in (EXAMPLES / "expected" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    types = {b["type"] for r in recs for b in r["blocks"]}
    assert {"paragraph", "section_break", "turn", "quote"} <= types
    assert any(c["depth"] > 0 for r in recs for c in r["comments"])
    assert any(q["attribution"] for r in recs for q in r["blocks"] if q["type"] == "quote")
    assert all(r["boilerplate"] for r in recs)
