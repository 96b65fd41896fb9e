"""Reading inputs and writing outputs: ordering, decompression, path safety, atomicity."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os

import pytest

from corpusconv.errors import InputError, OutputError
from corpusconv.reading import (Job, UsageError, check_distinct_outputs, expand_inputs,
                                output_relpath, read_job)
from corpusconv.writing import (TMP_PREFIX, AtomicFile, DirectorySink, FileSink, safe_target,
                                write_atomic)

PAGE = "A Title\n\nA paragraph of text.\n"


def _tree(root, files):
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return root


def _leftover_temps(root):
    return [p for p in root.rglob("*") if p.name.startswith(TMP_PREFIX)]


# --------------------------------------------------------------------------- reading


def test_directories_walk_recursively_in_sorted_order_with_default_globs(tmp_path):
    _tree(tmp_path, {"b.txt": PAGE, "a.txt": PAGE, "sub/c.txt": PAGE, "z.txt.gz": gzip.compress(b"x"),
                     "notes.md": PAGE, "img.png": b"\x89PNG", "sub/deeper/d.txt.xz": lzma.compress(b"x")})
    jobs = expand_inputs([str(tmp_path)])
    assert [j.relpath for j in jobs] == ["a.txt", "b.txt", "sub/c.txt", "sub/deeper/d.txt.xz", "z.txt.gz"]
    assert all(j.source.startswith(str(tmp_path)) for j in jobs)


def test_glob_option_replaces_default_patterns(tmp_path):
    _tree(tmp_path, {"a.txt": PAGE, "b.text": PAGE})
    assert [j.relpath for j in expand_inputs([str(tmp_path)], globs=["*.text"])] == ["b.text"]


def test_explicit_files_are_taken_whatever_their_name_and_keep_argument_order(tmp_path):
    _tree(tmp_path, {"z.page": PAGE, "a.txt": PAGE})
    jobs = expand_inputs([str(tmp_path / "z.page"), str(tmp_path / "a.txt")])
    assert [j.relpath for j in jobs] == ["z.page", "a.txt"]


def test_missing_file_becomes_a_job_that_fails_alone(tmp_path):
    (job,) = expand_inputs([str(tmp_path / "nope.txt")])
    with pytest.raises(InputError, match="no such file"):
        read_job(job)


def test_stdin_is_read_once_into_the_job():
    (job,) = expand_inputs(["-"], stdin=io.BytesIO(b"hello\n"))
    assert (job.source, job.relpath, read_job(job)) == ("-", "stdin.txt", b"hello\n")


def test_symlink_loops_end(tmp_path):
    _tree(tmp_path, {"in/a.txt": PAGE})
    os.symlink(tmp_path / "in", tmp_path / "in" / "loop")
    assert [j.relpath for j in expand_inputs([str(tmp_path / "in")])] == ["a.txt"]


def test_output_directory_inside_the_input_tree_is_not_read(tmp_path):
    _tree(tmp_path, {"a.txt": PAGE, "out/old.txt": PAGE})
    jobs = expand_inputs([str(tmp_path)], exclude=[tmp_path / "out"])
    assert [j.relpath for j in jobs] == ["a.txt"]


@pytest.mark.parametrize("name,compress", [("p.txt.gz", gzip.compress), ("p.txt.bz2", bz2.compress),
                                           ("p.txt.xz", lzma.compress)])
def test_compressed_inputs_are_decompressed_by_extension(tmp_path, name, compress):
    (tmp_path / name).write_bytes(compress(PAGE.encode()))
    (job,) = expand_inputs([str(tmp_path / name)])
    assert read_job(job) == PAGE.encode()


def test_corrupt_compressed_input_is_a_one_line_input_error(tmp_path):
    (tmp_path / "bad.txt.gz").write_bytes(b"\x1f\x8bnot really gzip")
    (job,) = expand_inputs([str(tmp_path / "bad.txt.gz")])
    with pytest.raises(InputError, match="not valid gz data") as exc:
        read_job(job)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("rel,suffix,expected", [
    ("a.txt", ".xml", "a.xml"), ("blog/a.txt.gz", ".xml", "blog/a.xml"),
    ("noext", ".jsonl", "noext.jsonl"), ("v1.2.txt", ".xml", "v1.2.xml"), (".hidden", ".xml", ".hidden.xml"),
])
def test_output_relpath_mirrors_and_swaps_the_extension(rel, suffix, expected):
    assert output_relpath(rel, suffix) == expected


def test_two_inputs_mapping_to_one_output_are_refused():
    jobs = [Job("x/a.txt", "a.txt", "x/a.txt"), Job("x/a.txt.gz", "a.txt.gz", "x/a.txt.gz")]
    with pytest.raises(UsageError, match="both be written to a.xml"):
        check_distinct_outputs(jobs, suffix=".xml")


def test_dotdot_in_an_input_name_never_reaches_the_relative_path(tmp_path):
    _tree(tmp_path, {"in/a.txt": PAGE})
    (job,) = expand_inputs([str(tmp_path / "in" / ".." / "in" / "a.txt")])
    assert job.relpath == "a.txt"


# --------------------------------------------------------------------------- writing


@pytest.mark.parametrize("rel", ["../escape.xml", "/etc/passwd", "a/../../b.xml", ""])
def test_safe_target_rejects_names_that_climb_out(tmp_path, rel):
    with pytest.raises(OutputError):
        safe_target(tmp_path, rel)


def test_safe_target_rejects_symlinked_subdirectories_pointing_outside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out").mkdir()
    os.symlink(outside, tmp_path / "out" / "sub")
    with pytest.raises(OutputError, match="outside"):
        safe_target(tmp_path / "out", "sub/a.xml")
    assert safe_target(tmp_path / "out", "ok/a.xml") == tmp_path / "out" / "ok" / "a.xml"


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "a.xml"
    write_atomic(target, b"one")
    write_atomic(target, b"two", overwrite=True)
    assert target.read_bytes() == b"two"
    assert _leftover_temps(tmp_path) == []
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not the temp file's private mode


def test_existing_output_is_kept_without_overwrite(tmp_path):
    target = tmp_path / "a.xml"
    target.write_bytes(b"precious")
    with pytest.raises(OutputError, match="already exists"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"precious"


def test_error_while_writing_keeps_the_previous_file_and_removes_the_temp(tmp_path):
    target = tmp_path / "corpus.jsonl"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError):
        with AtomicFile(target, overwrite=True) as fh:
            fh.write(b"half a rec")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old\n"
    assert _leftover_temps(tmp_path) == []


def test_file_sink_appears_only_on_commit(tmp_path):
    target = tmp_path / "c.jsonl"
    sink = FileSink(target).open()
    sink.write(b"{}\n")
    assert not target.exists()
    sink.commit()
    assert target.read_bytes() == b"{}\n"
    sink2 = FileSink(target, overwrite=True).open()
    sink2.write(b"partial")
    sink2.abort()
    assert target.read_bytes() == b"{}\n" and _leftover_temps(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory_is_a_one_line_output_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            write_atomic(ro / "a.xml", b"x")
    finally:
        ro.chmod(0o700)


def test_read_only_file_system_is_a_one_line_output_error(tmp_path, monkeypatch):
    import errno
    from corpusconv import writing

    def refuse(*a, **kw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(writing, "_open_exclusive", refuse)
    with pytest.raises(OutputError, match="read-only file system") as exc:
        write_atomic(tmp_path / "a.xml", b"x")
    assert str(exc.value).startswith(str(tmp_path / "a.xml"))
    assert list(tmp_path.iterdir()) == []


def test_missing_parent_directory_is_an_output_error_not_a_traceback(tmp_path):
    with pytest.raises(OutputError, match="cannot write"):
        write_atomic(tmp_path / "no" / "such" / "a.xml", b"x")


def test_full_disk_is_reported_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="no space left on device"):
        write_atomic(tmp_path / "a.xml", b"x" * 100)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert list(tmp_path.iterdir()) == []


def test_compressed_outputs_are_deterministic(tmp_path):
    for name in ("a.jsonl.gz", "b.jsonl.gz"):
        write_atomic(tmp_path / name, b'{"id":"x"}\n')
    a, b = (tmp_path / "a.jsonl.gz").read_bytes(), (tmp_path / "b.jsonl.gz").read_bytes()
    assert a == b and gzip.decompress(a) == b'{"id":"x"}\n'


def test_directory_sink_refuses_to_overwrite_an_input(tmp_path):
    src = tmp_path / "a.xml"
    src.write_bytes(b"input")
    sink = DirectorySink(tmp_path, overwrite=True, protected={os.path.realpath(src)})
    with pytest.raises(OutputError, match="input"):
        sink.write("a.xml", b"output")
    assert src.read_bytes() == b"input"


def test_decompression_is_capped(tmp_path, monkeypatch):
    from corpusconv import reading

    monkeypatch.setattr(reading, "MAX_INPUT_BYTES", 1000)
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 100_000))
    (job,) = expand_inputs([str(tmp_path / "bomb.txt.gz")])
    with pytest.raises(InputError, match="once decompressed"):
        read_job(job)
