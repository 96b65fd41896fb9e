"""Where a conversion's outputs go, the checks made before anything is written, the exit
codes and the one-line error format.

Shared by the local run (:mod:`corpusconv.cli`) and the Dask run
(:mod:`corpusconv.distributed`), so that both infer the same output kind and format
from ``-o`` and ``--format``, refuse the same unsafe outputs with the same messages, and
report in the same words.

Exit codes (also in the README):

====  =============================================================
0     everything converted / valid
1     some inputs failed or were invalid (the others were written)
2     usage error (bad option, contradictory options, unsafe output)
3     nothing to do: no input file matched
70    internal error (a bug: please report it)
130   interrupted (Ctrl-C)
141   standard output was closed early (``| head``); ends quietly
143   terminated (SIGTERM)
====  =============================================================
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .containers import is_container
from .errors import OutputError
from .reading import Job, UsageError, strip_compression
from .version import TOOL_NAME
from .writing import DirectorySink, ensure_dir

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOTHING_TO_DO = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
EXIT_TERMINATED = 143

#: Output file suffix per format, for one-file-per-document output directories.
SUFFIX = {"tei": ".xml", "jsonl": ".jsonl"}
#: Output names that say which format and kind of output the user wants.
FILE_EXTS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".xml": "tei"}
#: Names that surely mean a file, not a directory, yet no format we write: refuse them
#: rather than silently creating a directory called ``corpus.json``.
LOOKS_LIKE_A_FILE = (".json", ".txt", ".tei", ".csv")

#: How an existing output can be dealt with, appended to every "already exists" error.
EXISTS_HINT = "(use --force to overwrite or --skip-existing to keep it)"


# --------------------------------------------------------------------------- error lines

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(s: str) -> str:
    """``s`` with control characters escaped (``\\n``), so a diagnostic stays one line
    even for file names containing newlines.

    >>> one_line("a\\nb.txt")
    'a\\\\nb.txt'
    """
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], s)


def error_line(source: str | None, reason: str) -> str:
    """The one-line diagnostic format every failure uses.

    >>> error_line("page.txt", "not text")
    'corpusconv: error: page.txt: not text'
    >>> error_line(None, "no input")
    'corpusconv: error: no input'
    """
    if source:
        return f"{TOOL_NAME}: error: {one_line(source)}: {one_line(reason)}"
    return f"{TOOL_NAME}: error: {one_line(reason)}"


def nothing_to_do_line(why: str) -> str:
    """The line that goes with :data:`EXIT_NOTHING_TO_DO`."""
    return f"{TOOL_NAME}: nothing to do: {why}"


def failure_lines(failures: Sequence[tuple[str, str]]) -> list[str]:
    """Every failure again, after the summary (a long run's error lines scrolled away):
    a heading, then ``  SOURCE: REASON`` per (source, reason), control characters escaped."""
    if not failures:
        return []
    out = [f"{TOOL_NAME}: {len(failures)} input(s) failed:"]
    out += [f"  {one_line(source)}: {one_line(reason)}" for source, reason in failures]
    return out


def strip_source(msg: str, source: str) -> str:
    """``msg`` without a leading ``SOURCE: `` (the caller prefixes the source itself).

    >>> strip_source("a.txt: disk full", "a.txt")
    'disk full'
    """
    prefix = f"{source}: "
    return msg[len(prefix):] if msg.startswith(prefix) else msg


def exists_error(target: str | os.PathLike) -> str:
    """Why one document's output is not written: it is there already."""
    return f"{target} already exists {EXISTS_HINT}"


# --------------------------------------------------------------------------- the plan


@dataclass
class OutputPlan:
    """Where converted documents go: ``stdout``, one ``file``, or a ``dir`` of files."""

    kind: str
    fmt: str
    path: str | None = None
    bundle: bool = False


def plan_output(output: str | None, fmt: str | None, bundle: bool) -> OutputPlan:
    """Decide the output kind and format from ``-o`` and ``--format`` (pure, testable).

    ``-o`` missing or ``-``: stdout (JSON Lines by default).  A name ending in ``.jsonl``
    or ``.xml`` (optionally ``.gz``/``.bz2``/``.xz``): one file of that format.  Anything
    else (or an existing directory): a directory with one file per input (TEI by default).

    >>> plan_output("corpus.jsonl.gz", None, False)
    OutputPlan(kind='file', fmt='jsonl', path='corpus.jsonl.gz', bundle=False)
    """
    if output in (None, "-"):
        kind, inferred = "stdout", ("tei" if bundle else "jsonl")
    else:
        base, _ = strip_compression(os.path.basename(output.rstrip("/")))
        ext = os.path.splitext(base)[1].lower()
        if ext in LOOKS_LIKE_A_FILE and not os.path.isdir(output):
            raise UsageError(f"-o {output}: {ext} is not an output format; use .jsonl, .xml or a "
                             "directory")
        if os.path.isdir(output) or output.endswith(("/", os.sep)) or ext not in FILE_EXTS:
            kind, inferred = "dir", "tei"
        else:
            kind, inferred = "file", FILE_EXTS[ext]
            if fmt and fmt != inferred:
                raise UsageError(f"-o {output} names a {inferred} file but --format is {fmt}")
    fmt = fmt or inferred
    if bundle and (fmt != "tei" or kind == "dir"):
        raise UsageError("--bundle writes one TEI corpus file: use it with --format tei and "
                         "-o FILE.xml (or stdout)")
    if kind == "dir" and output and strip_compression(output.rstrip("/"))[1]:
        raise UsageError(f"-o {output}: compressed output needs a .jsonl.gz or .xml.gz name")
    return OutputPlan(kind=kind, fmt=fmt, path=output if kind != "stdout" else None, bundle=bundle)


# --------------------------------------------------------------------------- the checks


def check_overwrite_flags(force: bool, skip_existing: bool) -> None:
    if force and skip_existing:
        raise UsageError("--force and --skip-existing contradict each other; pick one")


def real_inputs(jobs: Iterable[Job]) -> set[str]:
    """The real paths of the input files (outputs must never land on one)."""
    return {os.path.realpath(j.path) for j in jobs if j.path}


def check_output_location(plan: OutputPlan, paths: Iterable[str]) -> None:
    """Before reading anything: the output directory must be a directory, not an input one."""
    if plan.kind != "dir" or plan.path is None:
        return
    if os.path.exists(plan.path) and not os.path.isdir(plan.path):
        raise UsageError(f"-o {plan.path} exists and is not a directory (name a .jsonl or "
                         ".xml file, or a directory)")
    real_out = os.path.realpath(plan.path)
    for p in paths:
        if p != "-" and os.path.isdir(p) and os.path.realpath(p) == real_out:
            raise UsageError(f"-o {plan.path} is the input directory; choose another output "
                             "directory")


def check_not_an_input(plan: OutputPlan, jobs: Iterable[Job]) -> None:
    """An output file that is also an input would be destroyed: refuse it."""
    if plan.kind == "file" and plan.path and os.path.realpath(plan.path) in real_inputs(jobs):
        raise UsageError(f"-o {plan.path} is also an input; refusing to overwrite it")


def check_single(plan: OutputPlan, jobs: Sequence[Job]) -> None:
    """One TEI document (a file or stdout, not a bundle) holds one input page."""
    if plan.fmt != "tei" or plan.kind not in ("file", "stdout") or plan.bundle:
        return
    where = plan.path or "stdout"
    if len(jobs) > 1:
        raise UsageError(f"{len(jobs)} inputs cannot go to one TEI document ({where}): give an "
                         "output directory (-o DIR/) or use --bundle for one teiCorpus file")
    if any(is_container(j) for j in jobs):
        raise UsageError(f"{jobs[0].source} holds many documents, which cannot go to one TEI "
                         f"document ({where}): give an output directory (-o DIR/) or use --bundle")


def keep_existing_file(path: str, overwrite: bool, skip_existing: bool) -> bool:
    """Before writing one output file: make its directory; True when an existing file is
    to be kept (``--skip-existing``).  An existing file without either flag is an error."""
    ensure_dir(os.path.dirname(os.path.abspath(path)))
    if not os.path.exists(path) or overwrite:
        return False
    if skip_existing:
        return True
    raise OutputError(f"{path}: already exists {EXISTS_HINT}")


@dataclass(frozen=True)
class Placement:
    """Where one document goes in an output directory, and whether it is written there:
    ``error`` says why it cannot be; ``keep`` that its existing output stays."""

    target: Path | None
    error: str = ""
    keep: bool = False


def place(sink: DirectorySink, relpath: str, overwrite: bool, skip_existing: bool) -> Placement:
    """The output of one document (at ``relpath`` under the sink), before converting it."""
    try:
        target = sink.target(relpath)
    except OutputError as exc:
        return Placement(None, error=str(exc))
    if overwrite or not target.exists():
        return Placement(target)
    if skip_existing:
        return Placement(target, keep=True)
    return Placement(target, error=exists_error(target))
