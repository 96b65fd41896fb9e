"""The command line, through Typer's CliRunner and through real subprocesses (pipes, exit codes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpusconv import __version__
from corpusconv.cli import (EXIT_BROKEN_PIPE, EXIT_FAILED, EXIT_NOTHING_TO_DO, EXIT_OK, EXIT_USAGE,
                            app, plan_output)
from corpusconv.reading import UsageError
from corpusconv.writing import TMP_PREFIX

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "input"


def cli(*args: str, input: bytes | None = None):
    """Invoke in-process; conversions run serially unless a test asks for workers (speed)."""
    args = list(args)
    if args[:1] == ["convert"] and "-j" not in args and "--help" not in args:
        args += ["-j", "1"]
    return CliRunner().invoke(app, args, input=input)


@pytest.fixture
def pages(tmp_path) -> Path:
    """A copy of the example pages plus one non-text file, in a nested tree."""
    root = tmp_path / "pages"
    shutil.copytree(EXAMPLES, root)
    return root


def _inputs(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.txt"))


def _ids(root: Path) -> list[str]:
    """The document ids of the pages under ``root``: the file's stem, or its relative path
    (``renderers-lynx-page``) where two folders hold a page of the same name."""
    pages = _inputs(root)
    stems = [p.stem for p in pages]
    return [s if stems.count(s) == 1 else "-".join(p.relative_to(root).with_suffix("").parts)
            for s, p in zip(stems, pages)]


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _run(*args: str, input: bytes | None = None, cwd: Path | None = None, env=None):
    env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "corpusconv", *args], input=input, capture_output=True,
                          cwd=cwd or REPO, env=env, timeout=120)


# --------------------------------------------------------------------------- CliRunner


def test_version():
    r = cli("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"corpusconv {__version__}"


@pytest.mark.parametrize("command", ["convert", "validate", "schema"])
def test_every_command_help_has_an_example(command):
    r = cli(command, "--help")
    assert r.exit_code == 0
    assert "Example" in r.stdout and f"corpusconv {command}" in r.stdout


def test_jsonl_to_stdout_one_record_per_input_in_order(pages):
    r = cli("convert", str(pages), "-q")
    assert r.exit_code == EXIT_OK, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [rec["id"] for rec in recs] == _ids(pages)
    assert [rec["source"] for rec in recs] == [str(p) for p in _inputs(pages)]
    assert r.stderr == ""  # -q: nothing decorative anywhere


def test_tei_directory_mirrors_relative_paths(pages, tmp_path):
    out = tmp_path / "tei"
    r = cli("convert", str(pages), "-o", f"{out}/", "-q")
    assert r.exit_code == EXIT_OK, r.stderr
    expected = sorted(str(p.relative_to(pages).with_suffix(".xml")) for p in _inputs(pages))
    assert sorted(_tree_bytes(out)) == expected
    assert all(b.startswith(b"<?xml") for b in _tree_bytes(out).values())


def test_format_is_inferred_from_the_output_name(pages, tmp_path):
    r = cli("convert", str(pages), "-o", str(tmp_path / "c.jsonl"), "-q")
    assert r.exit_code == EXIT_OK, r.stderr
    assert len((tmp_path / "c.jsonl").read_text().splitlines()) == len(_inputs(pages))


def test_plan_output_rules():
    assert (plan_output(None, None, False).kind, plan_output(None, None, False).fmt) == ("stdout", "jsonl")
    assert plan_output("x.jsonl.gz", None, False).fmt == "jsonl"
    assert plan_output("one.xml", None, False).kind == "file"
    assert (plan_output("outdir", None, False).kind, plan_output("outdir", None, False).fmt) == ("dir", "tei")
    assert plan_output("outdir", "jsonl", False).fmt == "jsonl"
    with pytest.raises(UsageError):
        plan_output("x.jsonl", "tei", False)
    with pytest.raises(UsageError, match="jsonl"):
        plan_output("corpus.json", None, False)


def test_contradictory_options_are_usage_errors(pages, tmp_path):
    r = cli("convert", str(pages), "-o", str(tmp_path / "x.jsonl"), "--format", "tei")
    assert r.exit_code == EXIT_USAGE and r.stderr.startswith("corpusconv: error:")
    r = cli("convert", str(pages), "--force", "--skip-existing")
    assert r.exit_code == EXIT_USAGE
    r = cli("convert", str(pages), "-f", "tei", "-q")  # several TEI docs to stdout
    assert r.exit_code == EXIT_USAGE and "--bundle" in r.stderr or "directory" in r.stderr


def test_unknown_option_is_exit_2():
    assert cli("convert", "--no-such-option", "x").exit_code == EXIT_USAGE


def test_nothing_to_do_has_its_own_exit_code(tmp_path):
    (tmp_path / "notes.md").write_text("not a page")
    r = cli("convert", str(tmp_path), "-q")
    assert r.exit_code == EXIT_NOTHING_TO_DO and "nothing to do" in r.stderr


def test_bad_file_in_a_batch_fails_alone(pages, tmp_path):
    (pages / "blog" / "broken.txt").write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    out = tmp_path / "out"
    r = cli("convert", str(pages), "-o", str(out), "-q")
    assert r.exit_code == EXIT_FAILED
    lines = r.stderr.splitlines()
    assert lines == [l for l in lines if l.startswith(f"corpusconv: error: {pages / 'blog' / 'broken.txt'}: ")]
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert len(_tree_bytes(out)) == len(_inputs(pages)) - 1


def test_fail_fast_stops_and_leaves_previous_jsonl_intact(pages, tmp_path):
    target = tmp_path / "c.jsonl"
    target.write_bytes(b"previous\n")
    (pages / "0-broken.txt").write_bytes(b"\x7fELF" + bytes(200))
    r = cli("convert", str(pages), "-o", str(target), "--force", "--fail-fast", "-q", "-j", "1")
    assert r.exit_code == EXIT_FAILED
    assert target.read_bytes() == b"previous\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_force_and_skip_existing(pages, tmp_path):
    out = tmp_path / "out"
    assert cli("convert", str(pages), "-o", str(out), "-q").exit_code == EXIT_OK
    victim = out / "recipe-note.xml"
    victim.write_bytes(b"edited by hand")
    r = cli("convert", str(pages), "-o", str(out), "-q")
    assert r.exit_code == EXIT_FAILED and "already exists" in r.stderr
    assert victim.read_bytes() == b"edited by hand"
    r = cli("convert", str(pages), "-o", str(out), "--skip-existing", "-q")
    assert r.exit_code == EXIT_OK and victim.read_bytes() == b"edited by hand"
    r = cli("convert", str(pages), "-o", str(out), "--force", "-q")
    assert r.exit_code == EXIT_OK and victim.read_bytes().startswith(b"<?xml")


def test_output_inside_the_input_tree_is_not_read_back(pages):
    out = pages / "converted"
    args = ("convert", str(pages), "-o", str(out), "--format", "jsonl", "--glob", "*", "-q")
    assert cli(*args).exit_code == EXIT_OK
    first = _tree_bytes(out)
    r = cli(*args, "--force")
    assert r.exit_code == EXIT_OK, r.stderr
    assert _tree_bytes(out) == first and not any(k.startswith("converted/") for k in first)


def test_output_equal_to_an_input_is_refused(tmp_path):
    page = tmp_path / "page.jsonl"
    page.write_text("Title\n\nSome text.\n")
    r = cli("convert", str(page), "-o", str(page), "--force")
    assert r.exit_code == EXIT_USAGE and "input" in r.stderr
    assert page.read_text() == "Title\n\nSome text.\n"
    r = cli("convert", str(tmp_path), "-o", str(tmp_path), "--glob", "*")
    assert r.exit_code == EXIT_USAGE


def test_dotdot_input_names_cannot_escape_the_output_dir(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "in").mkdir()
    shutil.copy(EXAMPLES / "recipe-note.txt", tmp_path / "in" / "a.txt")
    r = _run("convert", "../in/a.txt", "-o", "out", "-q", cwd=work)
    assert r.returncode == EXIT_OK, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "work"]
    assert _tree_bytes(work / "out") .keys() == {"a.xml"}


def test_outputs_are_deterministic_and_independent_of_jobs(pages, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("convert", str(pages), "-o", str(a), "-q", "-j", "1").exit_code == EXIT_OK
    assert cli("convert", str(pages), "-o", str(b), "-q", "-j", "2").exit_code == EXIT_OK
    assert _tree_bytes(a) == _tree_bytes(b)
    j1 = cli("convert", str(pages), "-q", "-j", "1").stdout
    j2 = cli("convert", str(pages), "-q", "-j", "2").stdout
    assert j1 == j2 and j1.count("\n") == len(_inputs(pages))
    g1, g2 = tmp_path / "1.jsonl.gz", tmp_path / "2.jsonl.gz"
    cli("convert", str(pages), "-o", str(g1), "-q")
    cli("convert", str(pages), "-o", str(g2), "-q")
    assert g1.read_bytes() == g2.read_bytes()
    assert not [p for p in tmp_path.rglob(f"{TMP_PREFIX}*")]


def test_summary_goes_to_stderr_only(pages):
    r = cli("convert", str(pages))
    assert r.exit_code == EXIT_OK
    assert "documents written" in r.stderr and "documents written" not in r.stdout
    assert all(line.startswith("{") for line in r.stdout.splitlines())


def test_validate_command(pages, tmp_path):
    out = tmp_path / "out"
    cli("convert", str(pages), "-o", str(out), "-q")
    cli("convert", str(pages), "-o", str(out / "all.jsonl"), "-q")
    r = cli("validate", str(out))
    assert r.exit_code == EXIT_OK, r.stderr
    bad = out / "bad.jsonl"
    bad.write_text('{"id": 1}\nnot json\n')
    r = cli("validate", str(out))
    assert r.exit_code == EXIT_FAILED
    assert [l for l in r.stderr.splitlines() if l.startswith("corpusconv: error:")] and str(bad) in r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("validate", str(empty)).exit_code == EXIT_NOTHING_TO_DO


def test_schema_command():
    r = cli("schema", "jsonl")
    assert r.exit_code == EXIT_OK and json.loads(r.stdout)["$schema"]
    r = cli("schema", "tei", "--path")
    assert r.exit_code == EXIT_OK and Path(r.stdout.strip()).is_file()
    assert cli("schema", "nope").exit_code == EXIT_USAGE


# --------------------------------------------------------------------------- real processes


def test_stdin_to_stdout_pipe():
    page = (EXAMPLES / "blog" / "two-therapists.txt").read_bytes()
    r = _run("convert", "-", input=page)
    assert r.returncode == EXIT_OK, r.stderr
    (rec,) = [json.loads(line) for line in r.stdout.splitlines()]
    assert rec["id"] == "stdin" and rec["source"] == "-"
    assert b"\x1b[" not in r.stderr  # NO_COLOR and not a terminal: no escape codes


def test_closed_stdout_ends_quietly(tmp_path):
    many = tmp_path / "many"
    many.mkdir()
    for i in range(60):
        shutil.copy(EXAMPLES / "blog" / "kitchen-garden.txt", many / f"p{i:03}.txt")
    proc = subprocess.Popen([sys.executable, "-m", "corpusconv", "convert", str(many), "-j", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert json.loads(first)["id"] == "p000"
    assert b"Traceback" not in err and b"Error" not in err


def test_exit_codes_from_a_real_process(tmp_path):
    assert _run("convert", str(tmp_path)).returncode == EXIT_NOTHING_TO_DO
    assert _run("convert").returncode == EXIT_USAGE
    r = _run("convert", str(tmp_path / "missing.txt"), "-q")
    assert r.returncode == EXIT_FAILED
    assert r.stderr.decode().strip() == f"corpusconv: error: {tmp_path / 'missing.txt'}: no such file or directory"


# --------------------------------------------------------------------------- bundle


def test_bundle_is_one_valid_tei_corpus_with_unique_ids(pages, tmp_path, tei_all_schema):
    from lxml import etree

    target = tmp_path / "corpus.xml"
    r = cli("convert", str(pages), "-o", str(target), "--bundle", "-q", "-j", "1")
    assert r.exit_code == EXIT_OK, r.stderr
    tree = etree.parse(str(target))
    tei = "{http://www.tei-c.org/ns/1.0}"
    assert tree.getroot().tag == f"{tei}teiCorpus"
    members = tree.getroot().findall(f"{tei}TEI")
    assert [m.get("{http://www.w3.org/XML/1998/namespace}id") for m in members] == \
           [f"d-{i}" for i in _ids(pages)]
    ids = tree.xpath("//@xml:id")
    assert len(ids) == len(set(ids))
    pointers = {t[1:] for v in tree.xpath("//@ana|//@who|//@ref") for t in v.split() if t.startswith("#")}
    assert pointers and pointers <= set(ids)  # renamed ids leave no dangling pointer
    assert tei_all_schema.validate(tree), tei_all_schema.error_log
    assert cli("validate", str(target)).exit_code == EXIT_OK


def test_pages_of_the_same_name_in_two_folders_get_ids_from_their_paths(tmp_path):
    import json
    for folder in ("a", "b/c"):
        (tmp_path / "in" / folder).mkdir(parents=True)
        (tmp_path / "in" / folder / "index.txt").write_text("A title\n\nSome text of a page here.\n")
    (tmp_path / "in" / "solo.txt").write_text("Solo\n\nA page of its own name.\n")
    r = cli("convert", str(tmp_path / "in"), "--format", "jsonl", "-q")
    assert r.exit_code == EXIT_OK, r.stderr
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["a-index", "b-c-index", "solo"]
    bundle = tmp_path / "all.xml"
    assert cli("convert", str(tmp_path / "in"), "-o", str(bundle), "--bundle", "-q").exit_code == EXIT_OK
    assert cli("validate", str(bundle)).exit_code == EXIT_OK


def test_bundle_needs_tei(pages, tmp_path):
    assert cli("convert", str(pages), "-o", str(tmp_path / "c.jsonl"), "--bundle").exit_code == EXIT_USAGE
    assert cli("convert", str(pages), "-o", str(tmp_path / "d"), "--bundle").exit_code == EXIT_USAGE


def test_user_rules_are_applied_and_a_bad_rules_file_is_a_usage_error(pages, tmp_path):
    rules = tmp_path / "site.toml"
    rules.write_text('[[rule]]\nid = "site.signoff"\ncategory = "signoff"\n'
                     "pattern = '^until next week.*$'\n")
    r = cli("convert", str(pages / "blog" / "kitchen-garden.txt"), "--rules", str(rules), "-q")
    assert r.exit_code == EXIT_OK, r.stderr
    (rec,) = [json.loads(line) for line in r.stdout.splitlines()]
    assert [b["text"] for b in rec["boilerplate"] if b["rule"] == "site.signoff"] == \
           ["Until next week, keep your boots dry."]
    assert "boots dry" not in rec["text"]
    rules.write_text("[[rule]]\nid = 'x'\n")
    r = cli("convert", str(pages), "--rules", str(rules), "-q")
    assert r.exit_code == EXIT_USAGE and len(r.stderr.splitlines()) == 1 and str(rules) in r.stderr


def test_verbose_names_every_document_on_stderr(pages, tmp_path):
    r = cli("convert", str(pages), "-o", str(tmp_path / "o"), "-v")
    wrote = [l for l in r.stderr.splitlines() if l.startswith("corpusconv: wrote ")]
    assert r.exit_code == EXIT_OK and len(wrote) == len(_inputs(pages))


def test_an_error_during_sigterm_shutdown_is_a_termination_not_a_bug(capsys):
    """SIGTERM's exception can land inside a lock release in the pool's shutdown, which then
    fails with RuntimeError: still exit 143 and 'terminated', not an internal error."""
    from corpusconv import cli

    def body():
        raise RuntimeError("release unlocked lock")

    assert cli.guarded(body) == cli.EXIT_INTERNAL  # without a SIGTERM it is a bug
    cli._SIGTERM_SEEN.set()
    try:
        assert cli.guarded(body) == cli.EXIT_TERMINATED
    finally:
        cli._SIGTERM_SEEN.clear()
    assert "terminated" in capsys.readouterr().err
