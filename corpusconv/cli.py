"""The ``corpusconv`` command line: a thin Typer layer over the library.

Each command parses options, then delegates to one function that returns an exit code.
Diagnostics go to stderr as single lines ``corpusconv: error: <source>: <reason>``; stdout
carries only data (records, TEI, schemas), so the tool composes in shell pipelines.

Exit codes (also in the README):

====  =============================================================
0     everything converted / valid
1     some inputs failed or were invalid (the others were written)
2     usage error (bad option, contradictory options, unsafe output)
3     nothing to do: no input file matched
70    internal error (a bug: please report it)
130   interrupted (Ctrl-C)
141   standard output was closed early (``| head``); ends quietly
====  =============================================================
"""

from __future__ import annotations

import enum
import os
import signal
import sys
import threading
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable, Optional

import typer
from rich.console import Console

from . import TOOL_NAME, __version__
from .batch import BUG_HINT, Outcome, bundle_errors, bundle_tei, default_jobs, is_tei_corpus, run
from .containers import JsonlFields, is_container
from .errors import CorpusconvError, OutputError
from .reading import (DEFAULT_GLOBS, Job, UsageError, check_distinct_outputs,
                      expand_inputs, output_relpath, strip_compression)
from .summary import Totals, failure_lines, one_line, render
from .trees import DEFAULT as DEFAULT_MODEL
from .trees import resolve as resolve_model
from .writing import DirectorySink, FileSink, StreamSink, ensure_dir

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

app = typer.Typer(
    name=TOOL_NAME,
    help="Turn scraped web text (lynx/w3m/resiliparse dumps) into validated TEI-XML and JSON Lines.",
    epilog="Example: [bold]corpusconv convert pages/ -o tei/[/bold]   "
           "More: corpusconv COMMAND --help",
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, enum.Enum):
    tei = "tei"
    jsonl = "jsonl"


class LayoutName(str, enum.Enum):
    auto = "auto"
    lines = "lines"
    wrapped = "wrapped"
    markdown = "markdown"


def _model_spec(value: str) -> str | None:
    """'none' turns the fitted model off; anything else is 'default' or a file."""
    return None if value.lower() == "none" else value


class SchemaName(str, enum.Enum):
    tei = "tei"
    jsonl = "jsonl"


# --------------------------------------------------------------------------- helpers


def error_line(source: str | None, reason: str) -> str:
    """The one-line diagnostic format every failure uses."""
    if source:
        return f"{TOOL_NAME}: error: {one_line(source)}: {one_line(reason)}"
    return f"{TOOL_NAME}: error: {one_line(reason)}"


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an exception so that the same cleanup as Ctrl-C runs: the worker
    pool is stopped and temporary files are removed (no partial output is left)."""


# Set once SIGTERM arrives: the exception it raises can land inside a lock's release in
# the worker pool's shutdown, which then fails with another error (RuntimeError: release
# unlocked lock); that is still a termination, not a bug.
_SIGTERM_SEEN = threading.Event()


def _on_sigterm(signum, frame) -> None:
    _SIGTERM_SEEN.set()
    raise Terminated()


def _stderr(line: str) -> None:
    # Plain writes, not rich: file names may contain [brackets] and lines must not wrap.
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real fd (e.g. under a test runner)
        pass


def guarded(fn: Callable[[], int]) -> int:
    """Run a command body, turning every escape into one stderr line and an exit code."""
    try:
        return fn()
    except UsageError as exc:
        _stderr(error_line(None, str(exc)))
        return EXIT_USAGE
    except CorpusconvError as exc:
        _stderr(error_line(None, str(exc)))
        return EXIT_FAILED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Terminated:
        _stderr(f"{TOOL_NAME}: terminated")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _stderr(f"{TOOL_NAME}: interrupted")
        return EXIT_INTERRUPTED
    except OSError as exc:
        where = getattr(exc, "filename", None)
        _stderr(error_line(where, exc.strerror or str(exc)))
        return EXIT_FAILED
    except Exception as exc:  # last resort: never a traceback
        if _SIGTERM_SEEN.is_set():
            _stderr(f"{TOOL_NAME}: terminated")
            return EXIT_TERMINATED
        _stderr(error_line(None, f"internal error ({type(exc).__name__}: {exc}); {BUG_HINT}"))
        return EXIT_INTERNAL


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"{TOOL_NAME} {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", "-V", callback=_version_callback,
                                       is_eager=True, help="Show the version and exit.")) -> None:
    """Turn scraped web text into clean, structured, validated TEI-XML and JSON Lines."""


# --------------------------------------------------------------------------- convert


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


# The JSON Lines field options of convert and learn (Typer options are plain values).
TEXT_FIELD_OPTION = typer.Option("text", "--text-field", metavar="NAME",
                                 help="JSON Lines inputs: the field holding the page text.")
ID_FIELD_OPTION = typer.Option("id", "--id-field", metavar="NAME",
                               help="JSON Lines inputs: the field holding the document id.")
URL_FIELD_OPTION = typer.Option("url", "--url-field", metavar="NAME",
                                help="JSON Lines inputs: the field holding the URL (also looked up "
                                     "under 'metadata').")


@dataclass
class ConvertOptions:
    paths: list[str]
    output: str | None = None
    fmt: str | None = None
    rules: str | None = None
    jobs: int | None = None
    force: bool = False
    skip_existing: bool = False
    fail_fast: bool = False
    globs: list[str] = field(default_factory=list)
    bundle: bool = False
    quiet: bool = False
    verbose: bool = False
    scheduler: str | None = None
    layout: str = "auto"
    model: str | None = DEFAULT_MODEL
    text_field: str = "text"
    id_field: str = "id"
    url_field: str = "url"

    @property
    def fields(self) -> JsonlFields:
        return JsonlFields(text=self.text_field, id=self.id_field, url=self.url_field)


def _real_inputs(jobs: list[Job]) -> set[str]:
    return {os.path.realpath(j.path) for j in jobs if j.path}


def _check_output_location(plan: OutputPlan, paths: list[str]) -> None:
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


def _check_not_an_input(plan: OutputPlan, jobs: list[Job]) -> None:
    """An output file that is also an input would be destroyed: refuse it."""
    if plan.kind == "file" and plan.path and os.path.realpath(plan.path) in _real_inputs(jobs):
        raise UsageError(f"-o {plan.path} is also an input; refusing to overwrite it")


def _check_single(plan: OutputPlan, jobs: list[Job]) -> None:
    if plan.fmt != "tei" or plan.kind not in ("file", "stdout") or plan.bundle:
        return
    where = plan.path or "stdout"
    if len(jobs) > 1:
        raise UsageError(f"{len(jobs)} inputs cannot go to one TEI document ({where}): give an "
                         "output directory (-o DIR/) or use --bundle for one teiCorpus file")
    if any(is_container(j) for j in jobs):
        raise UsageError(f"{jobs[0].source} holds many documents, which cannot go to one TEI "
                         f"document ({where}): give an output directory (-o DIR/) or use --bundle")


class Reporter:
    """Collects totals and prints per-document lines; knows nothing about output kinds."""

    def __init__(self, opts: ConvertOptions):
        self.opts = opts
        self.totals = Totals()
        self.failures: list[tuple[str, str]] = []

    def failed(self, source: str, reason: str) -> None:
        self.totals.failed += 1
        self.failures.append((source, reason))
        _stderr(error_line(source, reason))

    def list_failures(self) -> None:
        """Repeat every failure after the summary, where a long run's lines scrolled away."""
        for line in failure_lines(self.failures):
            _stderr(line)

    def wrote(self, outcome: Outcome, where: str) -> None:
        self.totals.add(outcome)
        if self.opts.verbose and not self.opts.quiet:
            _stderr(f"{TOOL_NAME}: wrote {one_line(outcome.job.label)} -> {where}")

    def not_a_document(self, outcome: Outcome) -> None:
        """A container record holding no page (warcinfo, request, ...): counted only."""
        self.totals.add(outcome)
        if self.opts.verbose and not self.opts.quiet:
            _stderr(f"{TOOL_NAME}: skipped {one_line(outcome.job.label)}: {outcome.skipped}")

    def skipped(self, source: str, target: Path) -> None:
        self.totals.skipped += 1
        if self.opts.verbose and not self.opts.quiet:
            _stderr(f"{TOOL_NAME}: skipped {source}: {target} exists")


def _progress(opts: ConvertOptions, jobs: list[Job]):
    """A rich progress bar over the bytes of the inputs, on stderr, only for humans
    watching a terminal (a container moves it as its records are read)."""
    if opts.quiet or not sys.stderr.isatty() or (len(jobs) < 2 and not any(map(is_container, jobs))):
        return None
    from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn,
                               TransferSpeedColumn)

    return Progress(TextColumn("converting"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                    TimeRemainingColumn(), console=Console(stderr=True), transient=True)


def _input_bytes(job: Job) -> int:
    if job.data is not None:
        return len(job.data) if job.doc_id is None else 0  # a container's record: counted as read
    try:
        return os.path.getsize(job.path) if job.path else 0
    except OSError:
        return 0


def _outcomes(jobs: list[Job], plan: OutputPlan, opts: ConvertOptions, screen=None):
    n_jobs = opts.jobs or default_jobs()
    bar = _progress(opts, jobs)
    how = dict(fields=opts.fields, screen=screen, layout=opts.layout, model=opts.model)
    if bar is None:
        yield from run(jobs, plan.fmt, opts.rules, n_jobs, **how)
        return
    with bar:
        task = bar.add_task("convert", total=sum(_input_bytes(j) for j in jobs))
        stream = run(jobs, plan.fmt, opts.rules, n_jobs, progress=lambda n: bar.advance(task, n), **how)
        for outcome in stream:
            yield outcome
            if outcome.job.doc_id is None:  # a page: its bytes are read once converted
                bar.advance(task, _input_bytes(outcome.job))


def _convert_to_dir(jobs: list[Job], plan: OutputPlan, opts: ConvertOptions, rep: Reporter) -> None:
    assert plan.path is not None
    suffix = SUFFIX[plan.fmt]
    check_distinct_outputs(jobs, suffix=suffix)
    ensure_dir(plan.path)
    sink = DirectorySink(plan.path, overwrite=opts.force, protected=_real_inputs(jobs))
    todo = []
    for job in jobs:
        if is_container(job):  # its documents are checked one by one as they are read
            todo.append(job)
            continue
        try:
            target = sink.target(output_relpath(job.relpath, suffix))
        except OutputError as exc:
            rep.failed(job.source, str(exc))
            continue
        if target.exists() and not opts.force:
            if opts.skip_existing:
                rep.skipped(job.source, target)
            else:
                rep.failed(job.source, f"{target} already exists (use --force to overwrite or "
                                       "--skip-existing to keep it)")
            continue
        todo.append(job)
    if opts.fail_fast and rep.totals.failed:
        return
    for outcome in _outcomes(todo, plan, opts, screen=partial(_existing_output, sink, suffix, opts)):
        if outcome.skipped == OUTPUT_EXISTS:
            rep.skipped(outcome.job.label, sink.target(output_relpath(outcome.job.relpath, suffix)))
        elif outcome.skipped:
            rep.not_a_document(outcome)
        elif not outcome.ok:
            rep.failed(outcome.job.source, outcome.error)
        else:
            try:
                where = sink.write(output_relpath(outcome.job.relpath, suffix), outcome.payload)
                rep.wrote(outcome, str(where))
            except OutputError as exc:
                rep.failed(outcome.job.source, _strip_prefix(str(exc), outcome.job.source))
        if opts.fail_fast and rep.totals.failed:
            return


#: ``Outcome.skipped`` of a container document whose output is kept (--skip-existing).
OUTPUT_EXISTS = "output exists"


def _existing_output(sink: DirectorySink, suffix: str, opts: ConvertOptions, job: Job) -> Outcome | None:
    """Before a container document is converted: is its output already there?"""
    try:
        target = sink.target(output_relpath(job.relpath, suffix))
    except OutputError as exc:
        return Outcome(job=job, ok=False, error=f"{job.where}: {exc}")
    if opts.force or not target.exists():
        return None
    if opts.skip_existing:
        return Outcome(job=job, ok=False, skipped=OUTPUT_EXISTS)
    return Outcome(job=job, ok=False, error=f"{job.where}: {target} already exists (use --force to "
                                            "overwrite or --skip-existing to keep it)")


def _strip_prefix(msg: str, source: str) -> str:
    return msg[len(source) + 2:] if msg.startswith(source + ": ") else msg


def _bundle_title(plan: OutputPlan) -> str:
    if plan.path:
        return strip_compression(os.path.basename(plan.path))[0].rsplit(".", 1)[0]
    return "corpus"


def _convert_to_one(jobs: list[Job], plan: OutputPlan, opts: ConvertOptions, rep: Reporter) -> None:
    """Stdout or one file: records (or bundle members) in input order.

    A file appears only when complete (atomic rename); under ``--fail-fast`` a failure
    leaves the previous file untouched.  A bundle is assembled in memory and written last.
    """
    if plan.kind == "file":
        assert plan.path is not None
        ensure_dir(os.path.dirname(plan.path) or ".")
        if os.path.exists(plan.path) and not opts.force:
            if opts.skip_existing:
                rep.totals.skipped += len(jobs)
                return
            raise OutputError(f"{plan.path}: already exists (use --force to overwrite or "
                              "--skip-existing to keep it)")
        sink: FileSink | StreamSink = FileSink(plan.path, overwrite=True).open()
    else:
        sink = StreamSink()
    members: list[bytes] = []
    member_ids: set[str] = set()
    committed = False
    try:
        for outcome in _outcomes(jobs, plan, opts):
            if outcome.skipped:
                rep.not_a_document(outcome)
                continue
            if outcome.ok and plan.bundle and outcome.doc_id in member_ids:
                outcome = replace(outcome, ok=False, payload=b"",
                                  error=f"document id {outcome.doc_id!r} is already in the bundle; "
                                        "rename one of the inputs")
            if not outcome.ok:
                rep.failed(outcome.job.source, outcome.error)
                if opts.fail_fast:
                    return
                continue
            if plan.bundle:
                members.append(outcome.payload)
                member_ids.add(outcome.doc_id)
            else:
                sink.write(outcome.payload)
            rep.wrote(outcome, plan.path or "stdout")
        if members:
            sink.write(bundle_tei(members, _bundle_title(plan)))
        if isinstance(sink, FileSink) and rep.totals.documents:
            sink.commit()
            committed = True
    finally:
        if isinstance(sink, FileSink) and not committed:
            sink.abort()


def convert_command(opts: ConvertOptions) -> int:
    """Expand inputs, convert them (in parallel), write outputs; return the exit code."""
    if opts.force and opts.skip_existing:
        raise UsageError("--force and --skip-existing contradict each other; pick one")
    if opts.scheduler:
        # A Dask cluster converts instead of local processes (pip install 'corpusconv[dask]').
        try:
            from .distributed import cli_convert
        except ImportError:
            raise UsageError("--scheduler needs Dask: pip install 'corpusconv[dask]'") from None
        return cli_convert(opts, opts.scheduler)
    if opts.jobs is not None and opts.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    plan = plan_output(opts.output, opts.fmt, opts.bundle)
    if opts.rules:
        from .rules import load_rules

        try:
            load_rules(opts.rules)  # fail once, up front, rather than once per document
        except CorpusconvError as exc:
            raise UsageError(str(exc)) from None
    try:
        resolve_model(opts.model)  # likewise for the model file
    except CorpusconvError as exc:
        raise UsageError(str(exc)) from None
    if opts.paths.count("-") > 1:
        raise UsageError("standard input ('-') can be given only once")
    _check_output_location(plan, opts.paths)
    excluded = [plan.path] if plan.path else []
    jobs = expand_inputs(opts.paths, globs=opts.globs or None, exclude=excluded)
    if not jobs:
        pats = ", ".join(opts.globs or DEFAULT_GLOBS)
        _stderr(f"{TOOL_NAME}: nothing to do: no input files matched ({pats})")
        return EXIT_NOTHING_TO_DO
    _check_not_an_input(plan, jobs)
    _check_single(plan, jobs)
    rep = Reporter(opts)
    if plan.kind == "dir":
        _convert_to_dir(jobs, plan, opts, rep)
    else:
        _convert_to_one(jobs, plan, opts, rep)
    if not opts.quiet:
        render(rep.totals, Console(stderr=True))
        rep.list_failures()
    return EXIT_FAILED if rep.totals.failed else EXIT_OK


@app.command(epilog=(
    "[bold]Examples[/bold]\n\n"
    "One .xml per page, mirroring pages/:  [bold]corpusconv convert pages/ -o tei/[/bold]\n\n"
    "One JSON record per page, gzipped:  [bold]corpusconv convert pages/ -o corpus.jsonl.gz[/bold]\n\n"
    "Stdin to stdout:  [bold]cat page.txt | corpusconv convert - | jq .title[/bold]\n\n"
    "One teiCorpus file:  [bold]corpusconv convert pages/ -o corpus.xml --bundle[/bold]\n\n"
    "A Common Crawl WET file:  [bold]corpusconv convert CC-MAIN-x.warc.wet.gz -o crawl.jsonl.gz[/bold]\n\n"
    "A JSON Lines dataset:  [bold]corpusconv convert docs.jsonl.gz --text-field content -o out/[/bold]\n\n"
    "Exit codes: 0 ok, 1 some inputs failed, 2 usage error, 3 no input matched, "
    "141 stdout closed early."))
def convert(
    paths: list[str] = typer.Argument(..., metavar="PATHS...",
                                      help="Pages, WARC/WET files (*.warc[.gz], *.warc.wet.gz), JSON "
                                           "Lines documents (*.jsonl[.gz]), directories (walked "
                                           "recursively) or - for stdin."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="OUT",
                                         help="Output directory, FILE.jsonl[.gz|.bz2|.xz], "
                                              "FILE.xml, or - for stdout (the default)."),
    fmt: Optional[Format] = typer.Option(None, "--format", "-f",
                                         help="tei or jsonl; inferred from -o when omitted."),
    rules: Optional[Path] = typer.Option(None, "--rules", metavar="FILE",
                                         help="Extra boilerplate rules (TOML); they win over built-ins."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N",
                                       help="Worker processes (default: number of CPUs)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing outputs."),
    skip_existing: bool = typer.Option(False, "--skip-existing",
                                       help="Leave existing outputs alone and skip their inputs."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help="Stop at the first failing input."),
    glob: Optional[list[str]] = typer.Option(None, "--glob", metavar="PATTERN",
                                             help="File-name pattern for directories (repeatable; "
                                                  "default: *.txt, *.txt.gz/.bz2/.xz, *.warc[.gz], "
                                                  "*.wet[.gz])."),
    bundle: bool = typer.Option(False, "--bundle", help="Write one TEI teiCorpus file."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, no summary."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="One stderr line per document."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                            help="Convert on a Dask cluster (tcp://host:8786); "
                                                 "needs the dask extra."),
    layout: LayoutName = typer.Option(LayoutName.auto, "--layout",
                                      help="How the dump tool laid the page out: detected (auto), one "
                                           "line per block (resiliparse, inscriptis), hard-wrapped "
                                           "(lynx, w3m) or Markdown (html2text, pandoc)."),
    model: str = typer.Option(DEFAULT_MODEL, "--model", metavar="FILE",
                              help="The fitted article model (corpusconv fit): 'default' (built in), "
                                   "a file, or 'none' for the hand-written region only."),
    text_field: str = TEXT_FIELD_OPTION,
    id_field: str = ID_FIELD_OPTION,
    url_field: str = URL_FIELD_OPTION,
) -> None:
    """Convert rendered pages, WARC/WET files and JSON Lines documents to TEI-XML or JSON
    Lines (validated before writing)."""
    opts = ConvertOptions(paths=list(paths), output=output, fmt=fmt.value if fmt else None,
                          rules=str(rules) if rules else None, jobs=jobs, force=force,
                          skip_existing=skip_existing, fail_fast=fail_fast, globs=list(glob or []),
                          bundle=bundle, quiet=quiet, verbose=verbose, scheduler=scheduler,
                          layout=layout.value, model=_model_spec(model),
                          text_field=text_field, id_field=id_field, url_field=url_field)
    raise typer.Exit(guarded(lambda: convert_command(opts)))


# --------------------------------------------------------------------------- validate

#: What ``validate`` picks up when given a directory.
VALIDATE_GLOBS = ("*.xml", "*.xml.gz", "*.jsonl", "*.jsonl.gz")


def _validate_one(path: str, tei_all: str | None) -> list[str]:
    """A teiCorpus bundle is checked member by member; anything else by validate_file."""
    from .validate import validate_file

    if path.endswith(".xml"):
        with open(path, "rb") as fh:
            data = fh.read()
        if is_tei_corpus(data):
            return [f"{path}:{p}" for p in bundle_errors(data, tei_all)]
    return validate_file(path, tei_all=Path(tei_all) if tei_all else None)


def validate_command(paths: list[str], tei_all: str | None) -> int:
    jobs = expand_inputs(paths, globs=VALIDATE_GLOBS)
    if not jobs:
        _stderr(f"{TOOL_NAME}: nothing to do: no .xml or .jsonl files found")
        return EXIT_NOTHING_TO_DO
    bad = 0
    for job in jobs:
        if job.path is None:
            raise UsageError("validate reads files; '-' (stdin) is not supported")
        try:
            problems = _validate_one(job.path, tei_all)
        except (CorpusconvError, OSError) as exc:
            problems = [str(exc)]
        if problems:
            bad += 1
            for p in problems:
                msg = " ".join(str(p).split())
                # validate_file's messages already start with "FILE:LINE:"; keep them whole
                _stderr(f"{TOOL_NAME}: error: {msg}" if msg.startswith(job.path)
                        else error_line(job.source, msg))
    if bad:
        _stderr(f"{TOOL_NAME}: {bad} of {len(jobs)} files invalid")
    return EXIT_FAILED if bad else EXIT_OK


@app.command(epilog=(
    "[bold]Examples[/bold]\n\n"
    "[bold]corpusconv validate tei/ corpus.jsonl[/bold]\n\n"
    "Also against full TEI P5:  [bold]corpusconv validate tei/ --tei-all tei_all.rng[/bold]\n\n"
    "Exit codes: 0 all valid, 1 some invalid, 3 no file found."))
def validate(
    paths: list[str] = typer.Argument(..., metavar="PATHS...",
                                      help="TEI .xml or .jsonl files, or directories of them."),
    tei_all: Optional[Path] = typer.Option(None, "--tei-all", metavar="FILE",
                                           help="Also validate TEI against this full TEI P5 schema (RNG)."),
) -> None:
    """Check outputs against the bundled schemas; one line per problem on stderr."""
    raise typer.Exit(guarded(lambda: validate_command(list(paths), str(tei_all) if tei_all else None)))


# --------------------------------------------------------------------------- schema


def schema_command(name: str, path_only: bool) -> int:
    from .resources import schema_path
    from .validate import RECORD_SCHEMA, TEI_SCHEMA

    p = Path(schema_path({"tei": TEI_SCHEMA, "jsonl": RECORD_SCHEMA}[name]))
    if path_only:
        sys.stdout.write(f"{p}\n")
    else:
        sys.stdout.buffer.write(p.read_bytes())
    sys.stdout.flush()
    return EXIT_OK


@app.command(epilog=(
    "[bold]Examples[/bold]\n\n"
    "[bold]corpusconv schema jsonl > record.schema.json[/bold]\n\n"
    "[bold]jing $(corpusconv schema tei --path) doc.xml[/bold]"))
def schema(
    name: SchemaName = typer.Argument(..., help="tei (RELAX NG) or jsonl (JSON Schema)."),
    path: bool = typer.Option(False, "--path", help="Print the installed file's path instead."),
) -> None:
    """Print a bundled schema (or its path) to stdout."""
    raise typer.Exit(guarded(lambda: schema_command(name.value, path)))


# --------------------------------------------------------------------------- explain


def explain_command(path: str, as_json: bool, rules: str | None, only_removed: bool, layout: str = "auto",
                    model: str | None = DEFAULT_MODEL) -> int:
    import json

    from .batch import resolve_rules
    from .explain import describe_layout, explain, render_plain, render_rich
    from .pipeline import convert_bytes
    from .reading import read_job

    jobs = expand_inputs([path])
    if len(jobs) != 1:
        raise UsageError(f"explain takes one file, {path!r} gives {len(jobs)}")
    job = jobs[0]
    doc = convert_bytes(read_job(job), job.source, rules=resolve_rules(rules), layout=layout, model=model,
                        explain=True)
    rows = explain(doc)
    if only_removed:
        rows = [r for r in rows if r.kind == "removed"]
    if as_json:
        for r in rows:
            if r.kind != "blank":
                sys.stdout.write(json.dumps(r.as_dict(), ensure_ascii=False) + "\n")
    elif sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        console = Console()
        console.print(f"layout: {describe_layout(doc)}", style="bold", highlight=False, markup=False)
        render_rich(rows, console)
    else:
        sys.stdout.write(f"layout: {describe_layout(doc)}\n" + render_plain(rows) + "\n")
    sys.stdout.flush()
    return EXIT_OK


@app.command(epilog=(
    "[bold]Examples[/bold]\n\n"
    "[bold]corpusconv explain page.txt | less -R[/bold]      every line and its decision\n\n"
    "[bold]corpusconv explain page.txt --removed[/bold]      only what was removed, and why\n\n"
    "[bold]corpusconv explain page.txt --json | jq 'select(.kind==\"removed\") | .element'[/bold]"))
def explain(
    path: str = typer.Argument(..., metavar="FILE", help="One rendered page (or - for stdin)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per non-blank line."),
    rules: Optional[Path] = typer.Option(None, "--rules", metavar="FILE",
                                         help="Extra boilerplate rules (TOML), as for convert."),
    removed: bool = typer.Option(False, "--removed", help="Show only the removed lines."),
    layout: LayoutName = typer.Option(LayoutName.auto, "--layout", help="As for convert."),
    model: str = typer.Option(DEFAULT_MODEL, "--model", metavar="FILE", help="As for convert."),
) -> None:
    """Show each input line with its decision: the element it became, or the rule that removed it."""
    raise typer.Exit(guarded(lambda: explain_command(path, as_json, str(rules) if rules else None, removed,
                                                     layout.value, _model_spec(model))))


# --------------------------------------------------------------------------- learn


@dataclass
class LearnOptions:
    paths: list[str]
    output: str = "-"
    globs: list[str] = field(default_factory=list)
    min_df: int = 3
    min_share: float = 0.05
    force: bool = False
    quiet: bool = False
    by_site: bool = True
    fields: JsonlFields = field(default_factory=JsonlFields)


def learn_command(opts: LearnOptions) -> int:
    from .learn import candidates, learn_jobs, rules_toml
    from .writing import write_atomic

    output = opts.output
    jobs = expand_inputs(opts.paths, globs=opts.globs or None, exclude=[output] if output != "-" else [])
    if not jobs:
        _stderr(f"{TOOL_NAME}: nothing to do: no input file matched")
        return EXIT_NOTHING_TO_DO
    failures: list[tuple[str, str]] = []

    def on_error(source: str, message: str) -> None:
        failures.append((source, message))
        _stderr(error_line(source, message))

    counts = learn_jobs(jobs, on_error=on_error, fields=opts.fields, by_site=opts.by_site)
    entries = candidates(counts, min_df=opts.min_df, min_share=opts.min_share)
    text = rules_toml(entries, counts.docs).encode("utf-8")
    if output == "-":
        sys.stdout.buffer.write(text)
        sys.stdout.flush()
    else:
        write_atomic(Path(output), text, overwrite=opts.force)
    if not opts.quiet:
        scoped = sum(1 for e in entries if e.get("site"))
        sites = f" ({scoped} site-scoped, over {len(counts.sites)} sites)" if counts.sites else ""
        _stderr(f"{TOOL_NAME}: {len(entries)} rules{sites} from {counts.docs} documents"
                + (f" -> {output}" if output != "-" else ""))
        for line in failure_lines(failures):
            _stderr(line)
    return EXIT_FAILED if failures else EXIT_OK


@app.command(epilog=(
    "[bold]Examples[/bold]\n\n"
    "[bold]corpusconv learn crawl/ -o site-rules.toml[/bold]     lines recurring across pages\n\n"
    "[bold]corpusconv learn CC-MAIN-x.warc.wet.gz -o rules.toml[/bold]     per site, from the URLs\n\n"
    "Review the file, then: [bold]corpusconv convert crawl/ -o out/ --rules site-rules.toml[/bold]"))
def learn(
    paths: list[str] = typer.Argument(..., metavar="PATHS...",
                                      help="Pages, WARC/WET or JSON Lines files, or directories."),
    output: str = typer.Option("-", "--output", "-o", metavar="FILE",
                               help="Rules file to write (TOML); - for stdout (the default)."),
    glob: Optional[list[str]] = typer.Option(None, "--glob", metavar="PATTERN",
                                             help="File-name pattern for directories (repeatable)."),
    min_df: int = typer.Option(3, "--min-df", min=2, help="Documents a line must appear in."),
    min_share: float = typer.Option(0.05, "--min-share", min=0.0, max=1.0,
                                    help="Share of the documents (of its site) a line must appear in."),
    by_site: bool = typer.Option(True, "--by-site/--no-by-site",
                                 help="Count lines per site (URL host) where documents carry URLs, "
                                      "and write site-scoped rules."),
    text_field: str = TEXT_FIELD_OPTION,
    id_field: str = ID_FIELD_OPTION,
    url_field: str = URL_FIELD_OPTION,
    force: bool = typer.Option(False, "--force", help="Overwrite an existing rules file."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line."),
) -> None:
    """Learn boilerplate from lines that recur across many documents; write reviewable rules."""
    opts = LearnOptions(paths=list(paths), output=output, globs=list(glob or []), min_df=min_df,
                        min_share=min_share, force=force, quiet=quiet, by_site=by_site,
                        fields=JsonlFields(text=text_field, id=id_field, url=url_field))
    raise typer.Exit(guarded(lambda: learn_command(opts)))


def fit_command(page_dirs: list[str], gold: str, output: str, only: str | None, jobs: int, force: bool,
                cache: str | None = None) -> int:
    from .fitting import fit_pages
    from .writing import write_atomic

    names = None
    if only is not None:
        try:
            names = {ln.strip() for ln in Path(only).read_text(encoding="utf-8").splitlines() if ln.strip()}
        except OSError as exc:
            raise UsageError(f"{only}: cannot read ({exc.strerror or exc})") from None
    if Path(output).exists() and not force:
        raise UsageError(f"{output} exists; use --force to overwrite it")
    text = fit_pages(gold, page_dirs, names, jobs=max(1, jobs), cache=cache)
    write_atomic(output, text.encode("utf-8"), overwrite=force)
    _stderr(f"{TOOL_NAME}: wrote {output}")
    return EXIT_OK


@app.command(epilog=(
    "[bold]Example[/bold]\n\n"
    "[bold]corpusconv fit mypages-lynx/ mypages-w3m/ --gold gold/ -o my-model.json[/bold]   then   "
    "[bold]corpusconv convert crawl/ -o out/ --model my-model.json[/bold]\n\n"
    "Each NAME.txt needs a gold NAME.json in --gold (title and article paragraphs at least; "
    "see corpusconv.goldlabels). Needs the fit extra: pip install 'corpusconv[fit]'."))
def fit(
    pages: list[Path] = typer.Argument(..., metavar="PAGES_DIR...", help="Folders of rendered pages (NAME.txt)."),
    gold: Path = typer.Option(..., "--gold", metavar="DIR", help="Folder of gold files (NAME.json)."),
    output: Path = typer.Option(..., "--output", "-o", metavar="FILE", help="The model file to write."),
    only: Optional[Path] = typer.Option(None, "--only", metavar="FILE",
                                        help="Fit only on the pages named in FILE (one name per line)."),
    jobs: int = typer.Option(1, "--jobs", "-j", metavar="N", help="Processes extracting features."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing model file."),
    cache: Optional[Path] = typer.Option(None, "--cache", metavar="DIR",
                                         help="Keep each page's features here (reused while the code "
                                              "and the page are unchanged: repeated fits are fast)."),
) -> None:
    """Fit the article model on your own labelled pages (the built-in one is fitted the same way)."""
    raise typer.Exit(guarded(lambda: fit_command([str(p) for p in pages], str(gold), str(output),
                                                 str(only) if only else None, jobs, force,
                                                 str(cache) if cache else None)))

# --------------------------------------------------------------------------- report


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def report_command(records: list[str], output: str, sources: str, force: bool, rules: str | None,
                   errors_log: str | None, jobs: int | None, quiet: bool) -> int:
    from .report import NothingToReport, ReportOptions, build_report

    if records.count("-") > 1:
        raise UsageError("standard input ('-') can be given only once")
    if jobs is not None and jobs < 1:
        raise UsageError("--jobs must be at least 1")
    ruleset = None
    if rules:
        from .rules import load_rules

        try:
            ruleset = load_rules(rules)
        except CorpusconvError as exc:
            raise UsageError(str(exc)) from None
    opts = ReportOptions(records=records, output=output, sources=sources, force=force, rules=ruleset,
                         errors_log=errors_log, jobs=jobs or default_jobs())
    try:
        res = build_report(opts)
    except NothingToReport as exc:
        _stderr(error_line(None, str(exc)))
        return EXIT_NOTHING_TO_DO
    for message in res.bad_records:
        _stderr(error_line(None, message))
    if not quiet:
        _stderr(f"{TOOL_NAME}: report of {res.pages:,} pages -> {res.output} ({_size(res.main_bytes)}) and "
                f"{res.folder}/ ({res.folder_files:,} files, {_size(res.folder_bytes)})")
    return EXIT_FAILED if res.bad_records else EXIT_OK


@app.command(epilog=(
    "[bold]Examples[/bold]\n\n"
    "[bold]corpusconv report corpus.jsonl.gz -o report.html[/bold]   then open report.html\n\n"
    "The records:  [bold]corpusconv convert pages/ -o corpus.jsonl.gz[/bold]\n\n"
    "With convert's failures:  [bold]corpusconv report c.jsonl -o r.html --errors convert.log[/bold] "
    "(convert's stderr, saved with 2> convert.log)\n\n"
    "From TEI: convert once more with [bold]--format jsonl[/bold]. Per-page views go to "
    "report_files/ beside report.html; keep them together.\n\n"
    "Exit codes: 0 ok, 1 some records unreadable (the report is still written), 2 usage error, "
    "3 no records."))
def report(
    records: list[str] = typer.Argument(..., metavar="RECORDS...",
                                        help="Records as convert writes them (.jsonl, .jsonl.gz; - for stdin)."),
    output: str = typer.Option(..., "--output", "-o", metavar="FILE.html",
                               help="The report; its per-page views go to FILE_files/ beside it."),
    sources: str = typer.Option(".", "--sources", metavar="DIR",
                                help="Where relative input paths in the records are found (default: here)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing report and its folder."),
    rules: Optional[Path] = typer.Option(None, "--rules", metavar="FILE",
                                         help="The extra rules convert used, to describe their removals."),
    errors: Optional[Path] = typer.Option(None, "--errors", metavar="LOG",
                                          help="convert's saved stderr: its failures are listed in the report."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N",
                                       help="Worker processes (default: number of CPUs); same output for any N."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line."),
) -> None:
    """Write an HTML audit page of the records: what was removed and why, pages to review, every page's lines."""
    raise typer.Exit(guarded(lambda: report_command(list(records), output, sources, force,
                                                    str(rules) if rules else None,
                                                    str(errors) if errors else None, jobs, quiet)))


def main() -> None:
    """Console-script entry point."""
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread (embedded use): leave SIGTERM alone
        pass
    try:
        app(prog_name=TOOL_NAME)
    except BrokenPipeError:  # raised while Typer itself prints (e.g. --help | head)
        _silence_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
