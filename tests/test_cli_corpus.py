"""CLI: `learn`, `convert --rules` and `explain`, through Typer's runner and a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

from typer.testing import CliRunner

from corpusconv.cli import app

runner = CliRunner()
PROSE = "Paragraph {i} of post {d} says something new, with enough words to be prose. It ends here."


def _site(tmp_path, n=6):
    d = tmp_path / "site"
    d.mkdir()
    for k in range(n):
        body = "\n\n".join(PROSE.format(i=i, d=k) for i in range(3))
        (d / f"p{k}.txt").write_text(f"Acme Widgets Blog\n\nPost {k} Title\n\n{body}\n\n"
                                     "Acme Widgets sells widgets since forever\n", encoding="utf-8")
    return d


def test_learn_writes_reviewable_rules_and_convert_uses_them(tmp_path):
    site = _site(tmp_path)
    rules = tmp_path / "rules.toml"
    res = runner.invoke(app, ["learn", str(site), "-o", str(rules)])
    assert res.exit_code == 0, res.output
    parsed = tomllib.loads(rules.read_text(encoding="utf-8"))
    texts = {r["text"]: r["df"] for r in parsed["rule"]}
    assert texts["acme widgets sells widgets since forever"] == 6
    # Refuses to overwrite without --force.
    assert runner.invoke(app, ["learn", str(site), "-o", str(rules)]).exit_code == 1
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["convert", str(site), "-o", str(out), "--rules", str(rules), "-q", "-j", "1"])
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 6
    for rec in recs:
        assert "Acme Widgets sells" not in rec["text"]
        assert any(b["rule"].startswith("learned.") for b in rec["boilerplate"])


def test_learn_nothing_to_do(tmp_path):
    (tmp_path / "empty").mkdir()
    assert runner.invoke(app, ["learn", str(tmp_path / "empty")]).exit_code == 3


def test_explain_plain_and_json(seeds_dir):
    seed = str(sorted(seeds_dir.glob("002_*.txt"))[0])
    res = runner.invoke(app, ["explain", seed, "--removed"])
    assert res.exit_code == 0
    assert "✗ footer.powered-by" in res.stdout and "Blog at WordPress.com." in res.stdout
    assert "paragraph" not in res.stdout
    res = runner.invoke(app, ["explain", seed, "--json"])
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert {r["kind"] for r in rows} <= {"block", "comment", "removed"}
    assert any(r["element"].startswith("quote") for r in rows)


def test_explain_subprocess_stdin_and_bad_input(tmp_path):
    page = "A Title Line\n\n" + PROSE.format(i=1, d=1) + "\n\nComments are closed.\n"
    proc = subprocess.run([sys.executable, "-m", "corpusconv", "explain", "-"], input=page.encode(),
                          capture_output=True, timeout=60)
    assert proc.returncode == 0
    assert b"policy.comments-closed" in proc.stdout
    (tmp_path / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    proc = subprocess.run([sys.executable, "-m", "corpusconv", "explain", str(tmp_path / "bin.txt")],
                          capture_output=True, timeout=60)
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr and b"not text" in proc.stderr
