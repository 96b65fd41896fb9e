"""Expand command-line inputs into conversion jobs and read their bytes.

Inputs are files, directories (walked recursively, in sorted order so that batches are
deterministic) and ``-`` for one document on standard input.  Each input becomes a
:class:`Job` that carries the source *as the user gave it* (shown in messages and recorded
in provenance) and a relative path used to mirror the input tree under an output
directory.  Jobs are small frozen dataclasses so that they pickle cheaply to worker
processes (``multiprocessing`` or a future Dask engine).
"""

from __future__ import annotations

import bz2
import fnmatch
import gzip
import io
import lzma
import os
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, Callable, Iterable

from .errors import CorpusconvError, InputError

#: Patterns matched against file names when walking a directory (explicit file arguments
#: are always taken).  Rendered pages are ``.txt``; crawls often store them compressed,
#: or publish them as WARC/WET files (``containers.WARC_GLOBS``).
#: File-name endings of WARC inputs (a Common Crawl WET file ends in ``.warc.wet.gz``).
WARC_SUFFIXES: tuple[str, ...] = (".warc", ".warc.gz", ".wet", ".wet.gz")
#: JSON Lines document inputs (also compressed).  Not taken from directories by default:
#: a directory may hold corpusconv's own ``.jsonl`` outputs; name them or use ``--glob``.
JSONL_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson")
DEFAULT_GLOBS: tuple[str, ...] = ("*.txt", "*.txt.gz", "*.txt.bz2", "*.txt.xz") + tuple(
    "*" + s for s in WARC_SUFFIXES)

#: Compression handled transparently, by file-name extension.
COMPRESSED_EXTS: tuple[str, ...] = (".gz", ".bz2", ".xz")
#: The opener (``opener(file_or_path, "rb")``) of each compressed extension.
COMPRESSED_OPENERS: dict[str, Callable[..., IO[Any]]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}

#: The name under which standard input is known (source, id and mirrored path).
STDIN = "-"
STDIN_RELPATH = "stdin.txt"

#: Upper bound on one decompressed input: rendered pages are kilobytes, so anything this
#: large is a mistake (or a decompression bomb) that would exhaust a worker's memory.
MAX_INPUT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Job:
    """One input to convert: a page, a container, or one document of a container.

    ``source`` is the input as given (``-`` for stdin); ``path`` the file to read (``None``
    when ``data`` already holds the bytes, as for stdin and a container's documents);
    ``relpath`` the POSIX path, relative and without ``..``, under which the output is
    mirrored.  ``kind`` is ``"page"``, or ``"warc"``/``"jsonl"`` for a container, whose
    documents (:mod:`corpusconv.containers`) are jobs with ``data``, ``doc_id``, ``url``,
    ``metadata`` and ``where`` (``record at byte N``, ``line N``) set.  ``start`` and
    ``stop`` bound a container job to the records starting in that byte range (a chunk;
    ``first_line`` counts the lines before it in a JSON Lines file).
    """

    source: str
    relpath: str
    path: str | None = None
    data: bytes | None = None
    #: A problem found while listing or reading inputs (an unreadable directory, a
    #: damaged record, ...): reported as this job's failure instead of silently leaving it out.
    error: str | None = None
    kind: str = "page"
    doc_id: str | None = None
    url: str | None = None
    metadata: dict | None = field(default=None, compare=False)
    where: str | None = None
    #: Why this container record is not a document (``warcinfo record``): counted, not converted.
    skip: str | None = None
    start: int = 0
    stop: int | None = None
    #: Lines before ``start`` in a chunk of a JSON Lines file (its records say ``line N``).
    first_line: int = 0

    @property
    def label(self) -> str:
        """``source`` and, for a container's record, where in it: for messages."""
        return f"{self.source}: {self.where}" if self.where else self.source


class UsageError(CorpusconvError):
    """The inputs as a whole make no sense (e.g. the output would overwrite an input)."""


def _matches(name: str, globs: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, g) for g in globs)


def _safe_relpath(parts: Iterable[str]) -> str:
    """Join path parts as a relative POSIX path, dropping anything that could climb out."""
    clean = [p for p in parts if p not in ("", ".", "..")]
    return str(PurePosixPath(*clean)) if clean else "unnamed.txt"


def _walk(root: Path, globs: tuple[str, ...], excluded: set[str]
          ) -> list[tuple[Path, str, str | None]]:
    """Files under ``root`` matching ``globs``, sorted, with their path relative to ``root``.

    Symlinked directories are followed once: a directory whose real path was already
    visited is skipped, so symlink loops end.  Excluded real paths (the output directory
    or file) are skipped so that a second run never reads its own outputs.
    """
    found: list[tuple[Path, str, str | None]] = []
    seen: set[str] = set()

    def visit(d: Path, rel: tuple[str, ...]) -> None:
        real = os.path.realpath(d)
        if real in seen or real in excluded:
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            why = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
            if not rel:
                raise InputError(f"{d}: cannot list directory ({why})") from None
            # A subdirectory: report it as one failed input, keep converting the rest.
            found.append((d, _safe_relpath(rel), f"cannot list directory ({why})"))
            return
        for e in entries:
            p = Path(e.path)
            try:
                is_dir = e.is_dir()  # follows symlinks; loops are stopped by `seen`
                is_file = e.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                visit(p, rel + (e.name,))
            elif ((is_file or e.is_symlink()) and _matches(e.name, globs)
                  and os.path.realpath(p) not in excluded):
                # A dangling or looping symlink is kept: reading it reports why it failed.
                found.append((p, _safe_relpath(rel + (e.name,)), None))

    visit(root, ())
    return found


def expand_inputs(paths: Iterable[str], *, globs: Iterable[str] | None = None,
                  exclude: Iterable[str | os.PathLike] = (),
                  stdin: BinaryIO | None = None) -> list[Job]:
    """Turn command-line paths into jobs, in argument order then sorted directory order.

    ``exclude`` lists outputs (a directory or a file) that must never be read as inputs.
    A missing path becomes a job anyway, so that it is reported as that input's error
    while the other inputs still convert.  ``-`` reads all of ``stdin`` (default: the
    process's binary standard input) once.
    """
    globs = tuple(globs) if globs else DEFAULT_GLOBS
    excluded = {os.path.realpath(x) for x in exclude}
    jobs: list[Job] = []
    for arg in paths:
        if arg == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            jobs.append(Job(source=STDIN, relpath=STDIN_RELPATH, data=stream.read()))
            continue
        p = Path(arg)
        if p.is_dir():
            jobs.extend(Job(source=str(f), relpath=rel, path=str(f), error=err,
                            kind=input_kind(rel) if err is None else "page")
                        for f, rel, err in _walk(p, globs, excluded))
        else:
            jobs.append(Job(source=arg, relpath=_safe_relpath([p.name]), path=arg,
                            kind=input_kind(p.name)))
    return _with_unique_ids(jobs)


def document_id(source: str) -> str:
    """The record id: the file name without its extension (``stdin`` for ``-``)."""
    if source in ("-", "", "<stdin>"):
        return "stdin"
    name = os.path.basename(source.rstrip("/\\")) or source
    for ext in (".gz", ".bz2", ".xz"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


def _with_unique_ids(jobs: list[Job]) -> list[Job]:
    """Pages whose file names share a stem in different folders (``a/index.txt``,
    ``b/index.txt``) take their id from the relative path instead (``a-index``), so that
    one output file or bundle never holds two documents with the same id.  Other ids are
    the file's stem, as before."""
    stems = [document_id(j.source) if j.kind == "page" and j.doc_id is None and j.source != STDIN else None
             for j in jobs]
    counts = Counter(s for s in stems if s is not None)
    if all(n == 1 for n in counts.values()):
        return jobs
    return [replace(j, doc_id=document_id(j.relpath.replace("/", "-"))) if stem is not None and counts[stem] > 1
            else j for j, stem in zip(jobs, stems)]


def input_kind(name: str) -> str:
    """``"warc"`` or ``"jsonl"`` for a container file name, else ``"page"``."""
    low = os.path.basename(name).lower()
    if low.endswith(WARC_SUFFIXES):
        return "warc"
    if strip_compression(low)[0].endswith(JSONL_SUFFIXES):
        return "jsonl"
    return "page"


def check_distinct_outputs(jobs: list[Job], *, suffix: str) -> None:
    """Refuse two inputs that would be written to the same mirrored output file."""
    owners: dict[str, str] = {}
    for j in jobs:
        if j.kind != "page":  # a container's documents go to a folder of their own
            continue
        out = output_relpath(j.relpath, suffix)
        if out in owners and owners[out] != j.source:
            raise UsageError(f"{owners[out]} and {j.source} would both be written to {out}; "
                             "convert them separately or into different output directories")
        owners[out] = j.source


def strip_compression(name: str) -> tuple[str, str]:
    """Split ``a.txt.gz`` into (``a.txt``, ``.gz``); the extension is ``""`` if none."""
    for ext in COMPRESSED_EXTS:
        if name.endswith(ext) and len(name) > len(ext):
            return name[: -len(ext)], ext
    return name, ""


def output_relpath(relpath: str, suffix: str) -> str:
    """The mirrored output path: ``blog/a.txt.gz`` -> ``blog/a.xml`` for suffix ``.xml``."""
    pp = PurePosixPath(relpath)
    name, _ = strip_compression(pp.name)
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return str(pp.with_name(stem + suffix))


def _decompress(data: bytes, ext: str) -> bytes:
    """Decompress in a stream, stopping past the size cap (a bomb never fills memory)."""
    try:
        with COMPRESSED_OPENERS[ext](io.BytesIO(data), "rb") as fh:
            out = fh.read(MAX_INPUT_BYTES + 1)
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise InputError(f"not valid {ext[1:]} data ({exc})") from None
    if len(out) > MAX_INPUT_BYTES:
        raise InputError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB once decompressed")
    return out


def read_job(job: Job) -> bytes:
    """The (decompressed) bytes of one job.  Raises :class:`InputError` with a short reason."""
    if job.error is not None:
        raise InputError(job.error)
    if job.data is not None:
        return job.data
    if job.kind != "page":
        raise InputError("holds many documents (a WARC or JSON Lines file); read it with "
                         "containers.iter_documents")
    assert job.path is not None
    try:
        size = os.path.getsize(job.path)
        if size > MAX_INPUT_BYTES:
            raise InputError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
        with open(job.path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise input_error(exc, job.path) from None
    _, ext = strip_compression(job.path)
    return _decompress(data, ext) if ext else data


def input_error(exc: OSError, path: str) -> InputError:
    """The one-line reason an input file cannot be opened or read."""
    if isinstance(exc, IsADirectoryError):
        return InputError("is a directory, expected a file")
    if isinstance(exc, PermissionError):
        return InputError("permission denied")
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return InputError("broken symbolic link (its target does not exist)")
        return InputError("no such file or directory")
    return InputError(f"cannot read ({exc.strerror or exc})")
