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


CONTAINERS = ["containers/crawl.warc.wet.gz", "containers/archive.warc", "containers/docs.jsonl"]


def test_container_examples_are_what_their_script_makes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_containers", EXAMPLES / "make_containers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for made in module.build(tmp_path):
        assert made.read_bytes() == (EXAMPLES / "containers" / made.name).read_bytes(), \
            f"{made.name} differs: run python examples/make_containers.py"


def test_container_golden_file():
    from corpusconv.batch import run

    outcomes = list(run(expand_inputs(CONTAINERS), "jsonl"))
    assert [o.skipped for o in outcomes if o.skipped] == ["warcinfo record", "response record"]
    assert all(o.ok for o in outcomes if not o.skipped)
    got = b"".join(o.payload for o in outcomes if o.ok)
    assert got == (EXAMPLES / "expected" / "containers.jsonl").read_bytes(), \
        "JSON Lines differ from examples/expected/containers.jsonl; run examples/regenerate.sh"


def test_learned_site_rules_golden_file():
    from corpusconv.learn import candidates, learn_jobs, rules_toml

    counts = learn_jobs(expand_inputs(["containers/crawl.warc.wet.gz"]))
    text = rules_toml(candidates(counts), counts.docs)
    assert text == (EXAMPLES / "expected" / "site-rules.toml").read_text(encoding="utf-8")
    assert text.count('site = "greenleaf.example"') == 2 and text.count('site = "notes.example.org"') == 2
