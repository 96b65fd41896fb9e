"""Faults during a batch: bad inputs among good ones, --fail-fast, signals at random
moments, existing outputs, a closed stdout, a read-only or full output file system.

All through real ``corpusconv`` subprocesses on files created in ``tmp_path``.  The
kill tests check the atomic-write promise: after SIGINT, SIGTERM or SIGKILL every output
file is either absent, the previous version, or complete and valid -- never partial.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from corpusconv.validate import record_errors, tei_errors
from corpusconv.writing import TMP_PREFIX

from conftest import default_sigint

REPO = Path(__file__).resolve().parent.parent
TEI = {"t": "http://www.tei-c.org/ns/1.0"}
WORDS = "the quick brown fox jumps over the lazy dog while thinking about therapy and care".split()


def page(i: int, paras: int = 3) -> str:
    body = "\n\n".join(f"Paragraph {k} of page {i}: " + " ".join(WORDS) + "." for k in range(paras))
    return f"Page Number {i} Title\n\nBy Jane Doe\n\n{body}\n"


def run_cli(*args, cwd, timeout=180, **kw):
    if args and args[0] == "convert" and "-j" not in args:
        args = (*args, "-j", "1")  # no worker pool unless the test is about one: faster
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "corpusconv", *map(str, args)], capture_output=True,
                          cwd=cwd, env=env, timeout=timeout, **kw)


def error_lines(stderr: bytes) -> list[str]:
    return [ln for ln in stderr.decode("utf-8", "replace").splitlines()
            if ln.startswith("corpusconv: error:")]


def temp_leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(TMP_PREFIX)]


def make_batch(root: Path, n: int, paras: int = 3) -> Path:
    src = root / "in"
    src.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (src / f"p{i:03d}.txt").write_text(page(i, paras), encoding="utf-8")
    return src


def assert_valid_tei_file(p: Path) -> etree._Element:
    data = p.read_bytes()
    assert data.endswith(b"</TEI>\n"), f"{p} is truncated"
    assert tei_errors(data) == [], p
    return etree.fromstring(data)


# --------------------------------------------------------------------------- bad files in a batch


def test_bad_files_listed_good_files_converted(tmp_path):
    src = make_batch(tmp_path, 4)
    (src / "b_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (src / "c_noise.txt").write_bytes(bytes(range(0x80, 0x100)) * 8)
    (src / "d_gzip.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    r = run_cli("convert", "in", "missing.txt", "-o", "out/", cwd=tmp_path)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert "Traceback" not in err
    lines = error_lines(r.stderr)
    reasons = {ln.split(": ")[2]: ln for ln in lines}
    assert set(reasons) == {"in/b_binary.txt", "in/c_noise.txt", "in/d_gzip.txt.gz", "missing.txt"}
    assert "PNG image" in reasons["in/b_binary.txt"]
    assert "not text" in reasons["in/c_noise.txt"]
    assert "gz" in reasons["in/d_gzip.txt.gz"]
    assert "no such file" in reasons["missing.txt"]
    # the summary counts them, then lists each with its reason
    assert any("failed" in ln and ln.rstrip("│ ").endswith("4") for ln in err.splitlines()), err
    tail = err[err.index("corpusconv: 4 input(s) failed:"):].splitlines()[1:]
    assert sorted(ln.strip().split(": ")[0] for ln in tail) == sorted(reasons)
    assert any("PNG image" in ln for ln in tail)
    outs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert outs == [f"p{i:03d}.xml" for i in range(4)]
    for i in range(4):
        root = assert_valid_tei_file(tmp_path / "out" / f"p{i:03d}.xml")
        assert root.xpath("string(//t:titleStmt/t:title)", namespaces=TEI) == f"Page Number {i} Title"


def test_bad_files_in_jsonl_output(tmp_path):
    src = make_batch(tmp_path, 3)
    (src / "p001.txt").write_bytes(b"%PDF-1.7\n")
    r = run_cli("convert", "in", "-o", "all.jsonl", "-q", cwd=tmp_path)
    assert r.returncode == 1
    assert error_lines(r.stderr) == ["corpusconv: error: in/p001.txt: not text: looks like a PDF document"]
    recs = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert [r_["id"] for r_ in recs] == ["p000", "p002"]
    assert all(record_errors(r_) == [] for r_ in recs)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fail_fast_stops_at_first_failure(tmp_path, jobs):
    src = make_batch(tmp_path, 6)
    (src / "p002.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (src / "p004.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = run_cli("convert", "in", "-o", "out/", "--fail-fast", "-q", "-j", jobs, cwd=tmp_path)
    assert r.returncode == 1
    assert error_lines(r.stderr) == ["corpusconv: error: in/p002.txt: not text: looks like a PNG image"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p000.xml", "p001.xml"]
    assert not temp_leftovers(tmp_path)


def test_fail_fast_single_file_output_is_all_or_nothing(tmp_path):
    src = make_batch(tmp_path, 4)
    (src / "p002.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = run_cli("convert", "in", "-o", "all.jsonl", "--fail-fast", "-q", cwd=tmp_path)
    assert r.returncode == 1
    assert not (tmp_path / "all.jsonl").exists()
    assert not temp_leftovers(tmp_path)


# --------------------------------------------------------------------------- existing outputs


def test_existing_outputs_not_overwritten_without_force(tmp_path):
    make_batch(tmp_path, 3)
    out = tmp_path / "out"
    out.mkdir()
    (out / "p001.xml").write_bytes(b"previous\n")
    r = run_cli("convert", "in", "-o", "out/", "-q", cwd=tmp_path)
    assert r.returncode == 1
    (line,) = error_lines(r.stderr)
    assert "in/p001.txt" in line and "already exists" in line and "--force" in line
    assert (out / "p001.xml").read_bytes() == b"previous\n"
    assert_valid_tei_file(out / "p000.xml")
    r = run_cli("convert", "in", "-o", "out/", "-q", "--skip-existing", cwd=tmp_path)
    assert r.returncode == 0 and (out / "p001.xml").read_bytes() == b"previous\n"
    r = run_cli("convert", "in", "-o", "out/", "-q", "--force", cwd=tmp_path)
    assert r.returncode == 0
    assert_valid_tei_file(out / "p001.xml")


def test_existing_jsonl_not_overwritten_without_force(tmp_path):
    make_batch(tmp_path, 2)
    (tmp_path / "all.jsonl").write_bytes(b"previous\n")
    r = run_cli("convert", "in", "-o", "all.jsonl", "-q", cwd=tmp_path)
    assert r.returncode == 1
    assert "already exists" in error_lines(r.stderr)[0]
    assert (tmp_path / "all.jsonl").read_bytes() == b"previous\n"


# --------------------------------------------------------------------------- signals


def _start(args, cwd) -> subprocess.Popen:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "corpusconv", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=default_sigint)


def _wait_for_progress(proc: subprocess.Popen, out: Path, already: int, delay: float) -> None:
    """Wait until the run has written something new to ``out``, then ``delay`` more."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(out.iterdir())) > already:
            break
        time.sleep(0.01)
    time.sleep(delay)


KILLS = [pytest.param(signal.SIGINT, False, id="SIGINT"),
         pytest.param(signal.SIGINT, True, id="SIGINT-group"),
         pytest.param(signal.SIGTERM, False, id="SIGTERM"),
         pytest.param(signal.SIGKILL, False, id="SIGKILL")]


@pytest.mark.parametrize("sig,group", KILLS)
def test_kill_during_directory_batch_leaves_only_complete_outputs(tmp_path, sig, group):
    n = 400
    make_batch(tmp_path, n, paras=40)
    out = tmp_path / "out"
    out.mkdir()
    previous = {f"p{i:03d}.xml": b"<previous/>\n" for i in range(0, n, 7)}
    for name, data in previous.items():
        (out / name).write_bytes(data)
    rnd = random.Random(f"{sig}-{group}")
    proc = _start(["convert", "in", "-o", "out/", "--force", "-q", "-j", "2"], tmp_path)
    _wait_for_progress(proc, out, len(previous), rnd.uniform(0.0, 0.4))
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    (os.killpg if group else os.kill)(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    expected = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -9}[sig]
    assert proc.returncode == expected, err.decode()
    if sig != signal.SIGKILL:
        assert b"Traceback" not in err, err.decode()
        assert not temp_leftovers(tmp_path)
    else:  # nothing can clean up after SIGKILL: leftovers must at least be recognisable
        assert all(p.name.endswith(".tmp") for p in temp_leftovers(tmp_path))
    written = 0
    for p in sorted(out.iterdir()):
        if p.name.startswith(TMP_PREFIX):
            continue
        if previous.get(p.name) == p.read_bytes():
            continue  # the previous version, untouched
        root = assert_valid_tei_file(p)
        i = int(p.stem[1:])
        assert root.xpath("string(//t:titleStmt/t:title)", namespaces=TEI) == f"Page Number {i} Title"
        written += 1
    assert written < n


@pytest.mark.parametrize("sig", [pytest.param(signal.SIGINT, id="SIGINT"),
                                 pytest.param(signal.SIGTERM, id="SIGTERM"),
                                 pytest.param(signal.SIGKILL, id="SIGKILL")])
def test_kill_during_jsonl_output_leaves_previous_or_complete_file(tmp_path, sig):
    n = 400
    make_batch(tmp_path, n, paras=40)
    target = tmp_path / "all.jsonl"
    target.write_bytes(b'{"previous": true}\n')
    proc = _start(["convert", "in", "-o", "all.jsonl", "--force", "-q", "-j", "2"], tmp_path)
    deadline = time.monotonic() + 30  # the temporary output appears before conversion starts
    while not temp_leftovers(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(random.Random(str(sig)).uniform(0.2, 1.0))
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    data = target.read_bytes()
    expected = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -9}[sig]
    assert proc.returncode == expected, err.decode()
    if data != b'{"previous": true}\n':
        lines = data.splitlines()
        assert len(lines) == n and data.endswith(b"\n")
        for ln in lines:
            assert record_errors(json.loads(ln)) == []
    if sig != signal.SIGKILL:
        assert b"Traceback" not in err, err.decode()
        assert not temp_leftovers(tmp_path)


# --------------------------------------------------------------------------- closed stdout


def test_closed_stdout_is_quiet(tmp_path):
    make_batch(tmp_path, 60, paras=20)
    cmd = (f"{sys.executable} -m corpusconv convert in -q -j 2 | head -1 > first.jsonl; "
           "echo ${PIPESTATUS[0]} > status")
    r = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, capture_output=True, timeout=120,
                       env={**os.environ, "NO_COLOR": "1"})
    assert r.stderr == b"", r.stderr.decode()
    assert int((tmp_path / "status").read_text()) in (0, 141)
    (line,) = (tmp_path / "first.jsonl").read_text().splitlines()
    rec = json.loads(line)
    assert rec["id"] == "p000" and rec["title"] == "Page Number 0 Title"


# --------------------------------------------------------------------------- read-only / full file systems


@pytest.fixture
def tiny_fs(tmp_path):
    """A 64 KiB tmpfs (needs root / CAP_SYS_ADMIN); skipped with the reason otherwise."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0777", "tmpfs", str(mnt)],
                       capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to simulate a full disk: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _remount_ro(mnt: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True, capture_output=True)


def test_read_only_output_dir(tmp_path, tiny_fs):
    make_batch(tmp_path, 3)
    (tiny_fs / "out").mkdir()
    _remount_ro(tiny_fs)
    r = run_cli("convert", "in", "-o", str(tiny_fs / "out") + "/", "-q", cwd=tmp_path)
    assert r.returncode == 1
    assert b"Traceback" not in r.stderr
    lines = error_lines(r.stderr)
    assert len(lines) == 3 and all("read-only file system" in ln for ln in lines), lines
    assert list((tiny_fs / "out").iterdir()) == []


def test_read_only_jsonl_target(tmp_path, tiny_fs):
    make_batch(tmp_path, 3)
    _remount_ro(tiny_fs)
    r = run_cli("convert", "in", "-o", tiny_fs / "all.jsonl", "-q", cwd=tmp_path)
    assert r.returncode == 1
    (line,) = error_lines(r.stderr)
    assert "read-only file system" in line
    assert list(tiny_fs.iterdir()) == []


def test_full_disk_directory_output(tmp_path, tiny_fs):
    make_batch(tmp_path, 30, paras=12)  # ~10 KB of TEI each: 64 KiB fills after a few
    r = run_cli("convert", "in", "-o", str(tiny_fs / "out") + "/", "-q", "-j", "1", cwd=tmp_path)
    assert r.returncode == 1
    assert b"Traceback" not in r.stderr
    lines = error_lines(r.stderr)
    assert lines and all("no space left on device" in ln for ln in lines), lines
    written = sorted((tiny_fs / "out").iterdir())
    assert written and len(written) + len(lines) == 30
    for p in written:
        assert_valid_tei_file(p)
    assert not temp_leftovers(tiny_fs)


def test_full_disk_jsonl_output(tmp_path, tiny_fs):
    make_batch(tmp_path, 30, paras=12)
    (tiny_fs / "all.jsonl").write_bytes(b"previous\n")
    r = run_cli("convert", "in", "-o", tiny_fs / "all.jsonl", "--force", "-q", cwd=tmp_path)
    assert r.returncode == 1
    assert b"Traceback" not in r.stderr
    lines = error_lines(r.stderr)
    assert lines and "no space left on device" in lines[-1], lines
    assert (tiny_fs / "all.jsonl").read_bytes() == b"previous\n"
    assert not temp_leftovers(tiny_fs)
