"""Awkward paths, through the CLI (real subprocesses, and CliRunner where the test must
change the process's identity): unreadable files, directories where a file is expected,
symlink loops and dangling links, odd file names, outputs inside or equal to inputs, and
names that try to climb out of the output directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from corpusconv.cli import app
from corpusconv.errors import OutputError
from corpusconv.reading import expand_inputs
from corpusconv.writing import TMP_PREFIX, safe_target

REPO = Path(__file__).resolve().parent.parent
TEI = {"t": "http://www.tei-c.org/ns/1.0"}
PAGE = "Title Of The Page\n\nA paragraph of article text, long enough to look like prose.\n"


def run_cli(*args, cwd, timeout=120):
    if args and args[0] == "convert" and "-j" not in args:
        args = (*args, "-j", "1")  # no worker pool unless the test is about one: faster
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "corpusconv", *map(os.fsdecode, args)],
                          capture_output=True, cwd=cwd, env=env, timeout=timeout)


def error_lines(stderr: bytes) -> list[str]:
    return [ln for ln in stderr.decode("utf-8", "replace").splitlines()
            if ln.startswith("corpusconv: error:")]


def no_traceback(r) -> None:
    assert b"Traceback" not in r.stderr, r.stderr.decode("utf-8", "replace")


def title_of(xml_path: Path) -> str:
    return etree.parse(str(xml_path)).xpath("string(//t:titleStmt/t:title)", namespaces=TEI)


@pytest.fixture
def tree(tmp_path) -> Path:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "one.txt").write_text(PAGE, encoding="utf-8")
    (src / "sub" / "two.txt").write_text(PAGE.replace("Title Of", "Second Title Of"), encoding="utf-8")
    return src


# --------------------------------------------------------------------------- unreadable


@contextlib.contextmanager
def as_nobody():
    """Drop the effective uid/gid to nobody (root bypasses chmod 000); restore after."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def _readable(p: Path) -> bool:
    """Can this process (effective ids) read ``p``?  (os.access checks the real uid.)"""
    try:
        if p.is_dir():
            os.listdir(p)
        else:
            p.open("rb").close()
        return True
    except PermissionError:
        return False


def test_unreadable_file_reported_others_converted():
    # A world-writable scratch dir outside pytest's 0700 tmp tree, so that 'nobody' can use it.
    base = Path(tempfile.mkdtemp(prefix="corpusconv-perm-"))
    try:
        os.chmod(base, 0o777)
        src = base / "in"
        src.mkdir()
        (src / "good.txt").write_text(PAGE, encoding="utf-8")
        locked = src / "locked.txt"
        locked.write_text(PAGE, encoding="utf-8")
        os.chmod(locked, 0)
        os.chmod(src, 0o755)
        out = base / "out"
        # Warm up imports as root: 'nobody' cannot read the interpreter's stdlib under /root.
        assert CliRunner().invoke(app, ["convert", str(src / "good.txt"), "-q", "-j", "1"]).exit_code == 0
        with as_nobody():
            if _readable(locked):
                pytest.skip("cannot make a file unreadable here (running with CAP_DAC_OVERRIDE "
                            "as a non-root uid?)")
            r = CliRunner().invoke(app, ["convert", str(src), "-o", str(out) + "/", "-q", "-j", "1"])
        assert r.exit_code == 1, r.output
        err = [ln for ln in r.stderr.splitlines() if ln.startswith("corpusconv: error:")]
        assert err == [f"corpusconv: error: {locked}: permission denied"]
        assert sorted(p.name for p in out.iterdir()) == ["good.xml"]
        assert title_of(out / "good.xml") == "Title Of The Page"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_unreadable_subdirectory_reported_others_converted():
    base = Path(tempfile.mkdtemp(prefix="corpusconv-perm-"))
    try:
        os.chmod(base, 0o777)
        src = base / "in"
        (src / "locked").mkdir(parents=True)
        (src / "good.txt").write_text(PAGE, encoding="utf-8")
        (src / "locked" / "hidden.txt").write_text(PAGE, encoding="utf-8")
        os.chmod(src / "locked", 0)
        os.chmod(src, 0o755)
        out = base / "out"
        assert CliRunner().invoke(app, ["convert", str(src / "good.txt"), "-q", "-j", "1"]).exit_code == 0
        with as_nobody():
            if _readable(src / "locked"):
                pytest.skip("cannot make a directory unreadable here")
            r = CliRunner().invoke(app, ["convert", str(src), "-o", str(out) + "/", "-q", "-j", "1"])
        assert r.exit_code == 1, r.output
        err = [ln for ln in r.stderr.splitlines() if ln.startswith("corpusconv: error:")]
        assert len(err) == 1 and f"{src / 'locked'}" in err[0] and "permission denied" in err[0], err
        assert sorted(p.name for p in out.iterdir()) == ["good.xml"]
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------------- directories / files mixed up


def test_directory_given_where_a_file_is_expected(tmp_path, tree):
    (tmp_path / "odd.jsonl").mkdir()  # an existing directory named like an output file
    r = run_cli("convert", "in/one.txt", "-o", "odd.jsonl", "-q", cwd=tmp_path)
    no_traceback(r)
    # An existing directory is a directory output, whatever its name: one TEI file inside.
    assert r.returncode == 0, r.stderr
    assert title_of(tmp_path / "odd.jsonl" / "one.xml") == "Title Of The Page"


def test_output_directory_is_an_existing_file(tmp_path, tree):
    (tmp_path / "outfile").write_text("precious\n")
    r = run_cli("convert", "in", "-o", "outfile/", "-q", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode != 0
    (line,) = error_lines(r.stderr)
    assert "outfile" in line
    assert (tmp_path / "outfile").read_text() == "precious\n"


def test_rules_path_is_a_directory(tmp_path, tree):
    r = run_cli("convert", "in", "--rules", "in", "-q", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 2
    assert len(error_lines(r.stderr)) == 1


def test_missing_input_reported_others_converted(tmp_path, tree):
    r = run_cli("convert", "in/one.txt", "nope.txt", "-o", "out/", "-q", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 1
    assert error_lines(r.stderr) == ["corpusconv: error: nope.txt: no such file or directory"]
    assert title_of(tmp_path / "out" / "one.xml") == "Title Of The Page"


# --------------------------------------------------------------------------- symlinks


def test_symlink_directory_loops_terminate(tmp_path, tree):
    os.symlink("..", tree / "sub" / "up")          # in/sub/up -> in
    os.symlink(".", tree / "self")                 # in/self -> in
    r = run_cli("convert", "in", "-o", "out/", "-q", cwd=tmp_path, timeout=60)
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    outs = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.xml"))
    assert outs == ["one.xml", "sub/two.xml"]  # each real file converted exactly once


def test_symlink_file_loop_and_dangling_link_are_reported_not_skipped(tmp_path, tree):
    os.symlink("loop.txt", tree / "loop.txt")
    os.symlink("missing.txt", tree / "dangling.txt")
    r = run_cli("convert", "in", "-o", "out/", "-q", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 1
    err = error_lines(r.stderr)
    assert len(err) == 2, err
    assert any("in/loop.txt:" in ln for ln in err)
    assert any("in/dangling.txt:" in ln for ln in err)
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.xml")) == ["one.xml", "two.xml"]


# --------------------------------------------------------------------------- odd names


def test_names_with_spaces_newlines_and_non_utf8_bytes(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    names = [b"with space.txt", b"new\nline.txt", b"caf\xe9.txt", b"[rich] *glob*.txt"]
    for n in names:
        (Path(os.fsdecode(src)) / os.fsdecode(n)).write_text(PAGE, encoding="utf-8")
    r = run_cli("convert", "in", "-o", "out/", "-q", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    got = sorted(os.listdir(os.fsencode(tmp_path / "out")))
    assert got == sorted(n[:-4] + b".xml" for n in names)
    r = run_cli("convert", "in", "-o", "all.jsonl", "-q", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in (tmp_path / "all.jsonl").read_bytes().splitlines()]
    assert len(recs) == len(names)
    # the recorded source round-trips to the real file name, bytes included
    assert sorted(os.fsencode(r_["source"]) for r_ in recs) == sorted(b"in/" + n for n in names)
    assert all(r_["title"] == "Title Of The Page" for r_ in recs)


def test_error_lines_stay_one_line_for_names_with_newlines(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "bad\nname.txt").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (src / "ok.txt").write_text(PAGE, encoding="utf-8")
    r = run_cli("convert", "in", "-o", "out/", "-q", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 1
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1, lines  # the newline in the name is escaped, not printed
    assert lines[0].startswith("corpusconv: error: in/bad") and "PDF document" in lines[0]


# --------------------------------------------------------------------------- outputs vs inputs


def test_output_dir_inside_input_tree_is_not_reread(tmp_path, tree):
    for _ in range(2):  # the second run sees the first run's outputs inside in/
        r = run_cli("convert", "in", "-o", "in/out/", "--glob", "*", "--force", "-q", cwd=tmp_path)
        no_traceback(r)
        assert r.returncode == 0, r.stderr
    outs = sorted(str(p.relative_to(tree / "out")) for p in (tree / "out").rglob("*") if p.is_file())
    assert outs == ["one.xml", "sub/two.xml"]


def test_jsonl_output_inside_input_tree_is_not_reread(tmp_path, tree):
    for _ in range(2):
        r = run_cli("convert", "in", "-o", "in/all.jsonl", "--glob", "*", "--force", "-q", cwd=tmp_path)
        no_traceback(r)
        assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in (tree / "all.jsonl").read_text().splitlines()]
    assert [r_["id"] for r_ in recs] == ["one", "two"]


@pytest.mark.parametrize("args", [
    ("convert", "data.jsonl", "-o", "data.jsonl", "--force"),
    ("convert", "in", "-o", "in"),
    ("convert", "in", "-o", "in/"),
    ("convert", "in", "-o", "./in/../in"),
])
def test_output_equal_to_an_input_is_refused(tmp_path, tree, args):
    (tmp_path / "data.jsonl").write_text(PAGE, encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    r = run_cli(*args, cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 2
    assert len(error_lines(r.stderr)) == 1
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_output_symlinked_to_input_file_is_refused(tmp_path, tree):
    os.symlink(tree / "one.txt", tmp_path / "alias.jsonl")
    r = run_cli("convert", "in/one.txt", "-o", "alias.jsonl", "--force", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 2
    assert (tree / "one.txt").read_text() == PAGE


# --------------------------------------------------------------------------- escaping the output dir


@pytest.mark.parametrize("rel", ["../evil.xml", "/etc/evil.xml", "a/../../evil.xml", "..", ""])
def test_safe_target_rejects_climbing_names(tmp_path, rel):
    with pytest.raises(OutputError):
        safe_target(tmp_path / "out", rel)


def test_dotdot_and_absolute_inputs_land_inside_output_dir(tmp_path, tree):
    work = tmp_path / "work"
    work.mkdir()
    r = run_cli("convert", "../in/one.txt", str(tree / "sub" / "two.txt"), "-o", "out/", "-q", cwd=work)
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.xml"))
    assert files == ["work/out/one.xml", "work/out/two.xml"]


def test_symlink_inside_output_dir_cannot_redirect_writes(tmp_path, tree):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out").mkdir()
    os.symlink(outside, tmp_path / "out" / "sub")  # out/sub -> ../outside
    r = run_cli("convert", "in", "-o", "out/", "-q", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 1
    (line,) = error_lines(r.stderr)
    assert "in/sub/two.txt" in line and "outside" in line
    assert list(outside.iterdir()) == []
    assert title_of(tmp_path / "out" / "one.xml") == "Title Of The Page"


def test_expand_inputs_relpaths_never_climb(tmp_path, tree):
    jobs = expand_inputs([str(tree), "../x/../y.txt", "/abs/z.txt"])
    for j in jobs:
        assert not j.relpath.startswith(("/", "../")) and ".." not in j.relpath.split("/")


def test_no_temp_files_left_after_failures(tmp_path, tree):
    (tree / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = run_cli("convert", "in", "-o", "out/", "-q", cwd=tmp_path)
    assert r.returncode == 1
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(TMP_PREFIX)]
