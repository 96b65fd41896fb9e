"""Build a report: one pass over the records, each page's view written as it goes by.

The records are read line by line and sent in small chunks to :func:`process_chunk`,
in this process or in worker processes (``jobs``): it parses and checks each record,
computes its figures, writes its view into the staging folder and returns a small
:class:`~corpusconv.report.figures.PageDigest`.  The digests come back in input order
and are added up here.  Memory holds the corpus figures (counters, histograms, a few
samples per rule), the page table's rows while they are few (past
:data:`INLINE_INDEX_PAGES` they stream into ``pages.js``) and a bounded number of chunks
in flight -- never the corpus.  Outputs are deterministic (no clock; input order; the
same bytes for any ``jobs``) and atomic: the folder is renamed into place when complete,
then the main page is written with :func:`corpusconv.writing.write_atomic`.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator
from urllib.parse import quote

from ..version import __version__
from ..batch import MP_START_METHOD, _abandon_pool, _start_pool
from ..errors import CorpusconvError, OutputError
from ..rules import RuleSet
from ..writing import write_atomic
from . import mainpage
from .figures import CorpusFigures, PageDigest, page_digest
from .folder import StagingFolder, check_folder, folder_for
from .records import BadRecord, check_entries, display_name, numbered_lines, parse_record
from .views import (Marker, category_css, line_marks, load_page, render_lines, render_rebuilt,
                    rule_descriptions, view_html, view_name)

#: Up to this many pages the page table's rows are written into the main page; beyond,
#: into ``pages.js`` in the folder (about 120 bytes a page), keeping the main page small.
INLINE_INDEX_PAGES = 5_000
#: Failure messages kept for the overview (all are counted).
FAILURES_KEPT = mainpage.FAILURES_SHOWN
#: The prefix of convert's one-line diagnostics, read from an ``--errors`` log.
ERROR_PREFIX = "corpusconv: error: "
#: Records per task sent to a worker, and tasks in flight per worker: enough to keep the
#: workers busy, few enough that memory stays bounded (records are ~40 kB each).
CHUNK_RECORDS = 16
IN_FLIGHT_PER_JOB = 4
#: What a malformed entry of a record raises while its figures and view are made.  The
#: entries are checked only then (checking every entry of every record costs more than
#: the figures); nothing is kept of a record until both are made, so none is half added.
MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)
#: Chunks done in this process before workers are started (see :func:`results`).
IN_PROCESS_CHUNKS = 32


class NothingToReport(CorpusconvError):
    """The input held no record."""


@dataclass
class ReportOptions:
    records: list[str]
    output: str
    sources: str = "."            # relative ``source`` paths are resolved against it
    force: bool = False
    rules: RuleSet | None = None  # user rules, for the evidence shown beside their removals
    errors_log: str | None = None
    jobs: int = 1
    inline_index_pages: int = INLINE_INDEX_PAGES


@dataclass
class ReportResult:
    output: Path
    folder: Path
    pages: int = 0
    failures: int = 0
    bad_records: list[str] = field(default_factory=list)
    main_bytes: int = 0
    folder_bytes: int = 0
    folder_files: int = 0
    views_from_input: int = 0
    views_rebuilt: int = 0
    inline_index: bool = True


# --------------------------------------------------------------------------- one chunk


@dataclass(frozen=True)
class ViewContext:
    """What :func:`process_chunk` needs besides the records (picklable, sent with each chunk)."""

    folder: str          # the staging folder the views are written into
    sources: str
    report_href: str
    marker: Marker


@dataclass(frozen=True)
class Line:
    ordinal: int         # the record's position among the non-blank input lines: its view's name
    where: str
    number: int
    raw: bytes


@dataclass(frozen=True)
class Done:
    """One record's result: its digest and how its view was made, or why it is no record."""

    line: Line
    digest: PageDigest | None = None
    reason: str = ""
    view_from_input: bool = False
    view_note: str = ""


def _view(rec: dict, digest: PageDigest, ctx: ViewContext) -> tuple[bytes, bool, str]:
    lines, why = load_page(rec, ctx.sources)
    if lines is None:
        rows, tips = render_rebuilt(rec, ctx.marker)
        note = f"The input page is not available ({why}); the lines are rebuilt from the record."
    else:
        rows, tips = render_lines(lines, line_marks(rec, len(lines), ctx.marker))
        note = ""
    return view_html(rec, digest.page, rows, tips, note, ctx.report_href).encode("utf-8"), lines is not None, why


def process_chunk(chunk: list[Line], ctx: ViewContext) -> list[Done]:
    """Parse, figure and write the view of each line's record (never keeps a record)."""
    out = []
    for line in chunk:
        got = parse_record(line.raw, entries=False)
        if isinstance(got, str):
            out.append(Done(line, reason=got))
            continue
        try:
            digest = page_digest(got, line.ordinal)
            data, from_input, why = _view(got, digest, ctx)
        except MALFORMED:
            reason = check_entries(got)
            if reason is None:  # the record is fine: this is a bug, not bad input
                raise
            out.append(Done(line, reason=reason))
            continue
        path = os.path.join(ctx.folder, view_name(line.ordinal))
        try:
            with open(path, "xb") as fh:
                fh.write(data)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
        out.append(Done(Line(line.ordinal, line.where, line.number, b""), digest, "", from_input, why))
    return out


# --------------------------------------------------------------------------- the stream


def _chunks(paths: list[str]) -> Iterator[list[Line]]:
    chunk: list[Line] = []
    ordinal = 0
    for path in paths:
        where = display_name(path)
        for number, raw in numbered_lines(path):
            ordinal += 1
            chunk.append(Line(ordinal, where, number, raw))
            if len(chunk) == CHUNK_RECORDS:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _pooled(chunks: Iterator[list[Line]], ctx: ViewContext, jobs: int) -> Iterator[Done]:
    """:func:`process_chunk` over worker processes, results in input order, a bounded
    number of chunks in flight (``Pool.imap`` would read the whole input ahead)."""
    pool, pending = _start_pool(multiprocessing.get_context(MP_START_METHOD), jobs)
    finished = False
    try:
        for signum in pending:
            signal.raise_signal(signum)
        flight: deque = deque()
        for chunk in chunks:
            flight.append(pool.apply_async(process_chunk, (chunk, ctx)))
            while len(flight) >= jobs * IN_FLIGHT_PER_JOB:
                yield from flight.popleft().get()
        while flight:
            yield from flight.popleft().get()
        pool.close()
        pool.join()
        finished = True
    finally:
        if not finished:
            _abandon_pool(pool)


def results(paths: list[str], ctx: ViewContext, jobs: int = 1) -> Iterator[Done]:
    """One :class:`Done` per non-blank input line, in input order.

    The first :data:`IN_PROCESS_CHUNKS` chunks are done here: starting workers costs about
    as much as that work, so a small corpus never waits for them."""
    chunks = _chunks(paths)
    for chunk in itertools.islice(chunks, None if jobs <= 1 else IN_PROCESS_CHUNKS):
        yield from process_chunk(chunk, ctx)
    first = next(chunks, None)
    if first is not None:
        yield from _pooled(itertools.chain([first], chunks), ctx, jobs)


# --------------------------------------------------------------------------- the report


class IndexRows:
    """The page table's rows: kept in memory while few, then streamed to ``pages.js``."""

    def __init__(self, staging: StagingFolder, limit: int = INLINE_INDEX_PAGES):
        self.staging, self.limit = staging, limit
        self.rows: list[bytes] = []
        self.fh: BinaryIO | None = None

    def add(self, row: bytes) -> None:
        if self.fh is not None:
            self.fh.write(b",\n" + row)
            return
        self.rows.append(row)
        if len(self.rows) > self.limit:
            self.fh = self.staging.open("pages.js")
            self.fh.write(b"window.CORPUSCONV.pages=[\n" + b",\n".join(self.rows))
            self.rows = []

    def finish(self) -> list[bytes] | None:
        """The rows to inline, or ``None`` when they went to ``pages.js``."""
        if self.fh is None:
            return self.rows
        self.fh.write(b"\n];\n")
        self.fh.close()
        self.fh = None
        return None


def read_errors_log(path: str) -> list[str]:
    """The failures convert reported (its ``corpusconv: error:`` lines) in a saved stderr log."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return [line[len(ERROR_PREFIX):].rstrip("\n") for line in fh if line.startswith(ERROR_PREFIX)]
    except OSError as exc:
        raise CorpusconvError(f"{path}: cannot read the errors log ({exc.strerror})") from None


class _Totals:
    """Adds up the results as they come back (in input order)."""

    def __init__(self, meta: mainpage.ReportMeta, index: IndexRows, result: ReportResult):
        self.meta, self.index, self.result = meta, index, result
        self.corpus = CorpusFigures()

    def failed(self, message: str) -> None:
        self.meta.failures_total += 1
        if len(self.meta.failures) < FAILURES_KEPT:
            self.meta.failures.append(message)

    def add(self, done: Done) -> None:
        if done.digest is None:
            bad = BadRecord(done.line.where, done.line.number, done.reason)
            self.failed(bad.message())
            self.result.bad_records.append(bad.message())
            return
        self.corpus.add(done.digest)
        self.index.add(mainpage.index_row(done.digest.page))
        if done.view_from_input:
            self.meta.views_from_input += 1
        else:
            self.meta.views_rebuilt += 1
            if not self.meta.rebuilt_reasons:
                self.meta.rebuilt_reasons.append(done.view_note)


def _check_output(opts: ReportOptions, output: Path, folder: Path) -> None:
    if output.is_dir():
        raise OutputError(f"-o {output} is a directory; name the report's .html file")
    real = os.path.realpath(output)
    if any(p != "-" and os.path.realpath(p) == real for p in opts.records):
        raise OutputError(f"-o {output} is also an input; refusing to overwrite it")
    if output.exists() and not opts.force:
        raise OutputError(f"{output}: already exists (use --force to overwrite it)")
    check_folder(folder, opts.force)


def _finish(totals: _Totals, staging: StagingFolder, meta: mainpage.ReportMeta) -> bytes:
    """Write the folder's shared files; return the main page."""
    css = mainpage.asset("view.css") + category_css(list(totals.corpus.categories))
    staging.write("view.css", css.encode("utf-8"))
    staging.write("view.js", mainpage.asset("view.js").encode("utf-8"))
    rows = totals.index.finish()
    totals.result.inline_index = rows is not None
    return mainpage.main_page(totals.corpus, meta, rows, __version__).encode("utf-8")


def build_report(opts: ReportOptions) -> ReportResult:
    """Write the report and its folder; raise :class:`NothingToReport` if no record was read."""
    output = Path(opts.output)
    folder = folder_for(output)
    _check_output(opts, output, folder)
    logged = read_errors_log(opts.errors_log) if opts.errors_log else []
    result = ReportResult(output=output, folder=folder)
    meta = mainpage.ReportMeta(title=" ".join(opts.records), files=quote(folder.name))
    staging = StagingFolder(folder)
    try:
        totals = _Totals(meta, IndexRows(staging, opts.inline_index_pages), result)
        for message in logged:
            totals.failed(f"convert: {message}")
        ctx = ViewContext(str(staging.path), opts.sources, "../" + quote(output.name),
                          Marker(rule_descriptions(opts.rules)))
        for done in results(opts.records, ctx, opts.jobs):
            totals.add(done)
        if not totals.corpus.pages:
            raise NothingToReport(f"no records in {' '.join(opts.records)}")
        data = _finish(totals, staging, meta)
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    write_atomic(output, data, overwrite=True)
    sizes = [e.stat().st_size for e in os.scandir(folder) if e.is_file()]
    result.pages, result.failures, result.main_bytes = totals.corpus.pages, meta.failures_total, len(data)
    result.folder_bytes, result.folder_files = sum(sizes), len(sizes)
    result.views_from_input, result.views_rebuilt = meta.views_from_input, meta.views_rebuilt
    return result
