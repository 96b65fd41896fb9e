"""The batch layer: one picklable step per document, ordered results, parallel == serial."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from corpusconv import batch
from corpusconv.batch import Outcome, dumps_record, process, resolve_rules, run
from corpusconv.errors import ValidationError
from corpusconv.reading import Job, expand_inputs
from corpusconv.rules import default_rules

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "input"


@pytest.fixture(scope="module")
def example_jobs() -> list[Job]:
    jobs = expand_inputs([str(EXAMPLES)])
    assert len(jobs) >= 3, f"expected the bundled example pages in {EXAMPLES}"
    return jobs


def test_process_returns_validated_payload_and_stats(example_jobs):
    out = process(example_jobs[0], "jsonl")
    assert out.ok, out.error
    rec = json.loads(out.payload)
    assert rec["id"] == out.doc_id == Path(example_jobs[0].relpath).stem
    assert out.payload.endswith(b"\n") and out.payload.count(b"\n") == 1
    assert out.stats.blocks == len(rec["blocks"])
    assert out.stats.comments == len(rec["comments"])
    assert sum(n for _, n in out.stats.removals) == len(rec["boilerplate"])


def test_process_tei_payload_is_xml(example_jobs):
    out = process(example_jobs[0], "tei")
    assert out.ok, out.error
    assert out.payload.startswith(b"<?xml") and b"<TEI" in out.payload


def test_bad_input_is_an_error_outcome_not_an_exception(tmp_path):
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    out = process(Job(str(bad), "photo.txt", str(bad)), "jsonl")
    assert not out.ok and out.payload == b""
    assert "PNG" in out.error and "\n" not in out.error
    assert not out.error.startswith(str(bad))  # the caller adds the source once


def test_invalid_document_is_never_returned_as_payload(monkeypatch, example_jobs):
    def reject(rec):
        raise ValidationError("record 'x' does not validate: /title: 5 is not of type 'string'")

    from corpusconv import validate

    monkeypatch.setattr(validate, "check_record", reject)
    out = process(example_jobs[0], "jsonl")
    assert not out.ok and out.payload == b"" and "does not validate" in out.error


def test_unexpected_exception_becomes_one_line_naming_its_type(monkeypatch, example_jobs):
    def boom(*a, **kw):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(batch, "convert_bytes", boom)
    out = process(example_jobs[0], "jsonl")
    assert not out.ok
    assert "ZeroDivisionError" in out.error and "report" in out.error and "\n" not in out.error


def test_jobs_and_outcomes_pickle(example_jobs):
    out = process(example_jobs[0], "jsonl")
    assert pickle.loads(pickle.dumps(out)) == out
    assert pickle.loads(pickle.dumps(example_jobs[0])) == example_jobs[0]


def test_rules_spec_is_parsed_once_per_process(tmp_path):
    rules = tmp_path / "r.toml"
    rules.write_text('[[rule]]\nid = "x.share"\ncategory = "share"\npattern = "^share this$"\n')
    assert resolve_rules(None) is default_rules()
    assert resolve_rules(str(rules)) is resolve_rules(rules)
    assert resolve_rules(str(rules)).rules[0].id == "x.share"


def test_dumps_record_is_compact_utf8_and_keeps_key_order():
    assert dumps_record({"b": "é", "a": [1, None]}) == '{"b":"é","a":[1,null]}\n'.encode()


def test_dumps_record_bytes_equal_the_json_module_for_any_text():
    """orjson (the fast path) and json (the fallback) write the same bytes; lone surrogates
    (undecodable file names) take the fallback and stay recoverable."""
    import json

    for start in range(0, 0x110000, 0x1000):
        text = "".join(chr(c) for c in range(start, start + 0x1000, 7) if not 0xD800 <= c <= 0xDFFF)
        rec = {"text": text, "n": [1, -2, None, True], "nested": {"t": text[::-1]}}
        assert dumps_record(rec) == (json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    assert dumps_record({"source": "caf\udce9.txt"}) == b'{"source":"caf\\udce9.txt"}\n'


def test_run_keeps_input_order_and_parallel_equals_serial(example_jobs, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"%PDF-1.4 binary")
    jobs = example_jobs + [Job(str(bad), "bad.txt", str(bad))] + example_jobs[:1]
    serial = list(run(jobs, "jsonl", None, n_jobs=1))
    parallel = list(run(jobs, "jsonl", None, n_jobs=2))
    assert [o.job for o in serial] == jobs
    assert [(o.ok, o.payload, o.error, o.stats) for o in serial] == \
           [(o.ok, o.payload, o.error, o.stats) for o in parallel]
    assert [o.ok for o in serial].count(False) == 1


def test_run_with_no_jobs_yields_nothing():
    assert list(run([], "tei", None, n_jobs=4)) == []


def test_run_rejects_unknown_format():
    with pytest.raises(ValueError, match="unknown format"):
        list(run([], "csv"))


def test_outcome_defaults_are_an_empty_failure_shape():
    o = Outcome(job=Job("-", "stdin.txt", data=b""), ok=False, error="x")
    assert o.payload == b"" and o.stats.removals == ()
