"""Build a report: stream records once, write each page's view, then the main page.

Memory holds the corpus figures (counters, histograms, a few samples per rule), the page
table's rows while they are few (past :data:`INLINE_INDEX_PAGES` they stream into
``pages.js`` in the folder) and one page at a time -- never the corpus.  Outputs are
deterministic (no clock, input order) and atomic: the folder is renamed into place when
complete, then the main page is written with :func:`corpusconv.writing.write_atomic`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..errors import CorpusconvError, OutputError
from ..rules import RuleSet
from ..writing import write_atomic
from . import mainpage
from .figures import CorpusFigures, PageFigures, page_figures
from .folder import StagingFolder, check_folder, folder_for
from .records import BadRecord, read_records
from .views import (ViewLinks, category_css, line_marks, load_page, render_lines, render_rebuilt,
                    rule_descriptions, view_html, view_name)

#: Up to this many pages the page table's rows are written into the main page; beyond,
#: into ``pages.js`` in the folder (about 120 bytes a page), keeping the main page small.
INLINE_INDEX_PAGES = 5_000
#: Failure messages kept for the overview (all are counted).
FAILURES_KEPT = mainpage.FAILURES_SHOWN
#: The prefix of convert's one-line diagnostics, read from an ``--errors`` log.
ERROR_PREFIX = "corpusconv: error: "


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


class IndexRows:
    """The page table's rows: kept in memory while few, then streamed to ``pages.js``."""

    def __init__(self, staging: StagingFolder, limit: int = INLINE_INDEX_PAGES):
        self.staging, self.limit = staging, limit
        self.rows: list[bytes] = []
        self.fh = None

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
        return None


def read_errors_log(path: str) -> list[str]:
    """The failures convert reported (its ``corpusconv: error:`` lines) in a saved stderr log."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return [line[len(ERROR_PREFIX):].rstrip("\n") for line in fh if line.startswith(ERROR_PREFIX)]
    except OSError as exc:
        raise CorpusconvError(f"{path}: cannot read the errors log ({exc.strerror})") from None


@dataclass
class _Pending:
    """A page whose view waits for the next page (to link to it)."""

    rec: dict
    page: PageFigures
    rows: str
    note: str


class _Builder:
    def __init__(self, opts: ReportOptions, staging: StagingFolder, result: ReportResult):
        self.opts, self.staging, self.result = opts, staging, result
        self.corpus = CorpusFigures()
        self.index = IndexRows(staging, opts.inline_index_pages)
        self.describe = rule_descriptions(opts.rules)
        self.report_href = "../" + quote(result.output.name)
        self.meta = mainpage.ReportMeta(title=" ".join(opts.records), files=quote(result.folder.name))
        self.pending: _Pending | None = None

    def failed(self, message: str) -> None:
        self.meta.failures_total += 1
        if len(self.meta.failures) < FAILURES_KEPT:
            self.meta.failures.append(message)

    def add(self, rec: dict) -> None:
        page = page_figures(rec, self.corpus.pages + 1)
        self.corpus.add(page, rec)
        self.index.add(mainpage.index_row(page))
        lines, why = load_page(rec, self.opts.sources)
        if lines is None:
            self.meta.views_rebuilt += 1
            if len(self.meta.rebuilt_reasons) < 1:
                self.meta.rebuilt_reasons.append(why)
            rows = render_rebuilt(rec, self.describe)
            note = f"The input page is not available ({why}); the lines are rebuilt from the record."
        else:
            self.meta.views_from_input += 1
            rows = render_lines(lines, line_marks(rec, len(lines), self.describe))
            note = ""
        self.flush(next_page=page.ordinal)
        self.pending = _Pending(rec, page, rows, note)

    def flush(self, next_page: int | None) -> None:
        p = self.pending
        if p is None:
            return
        prev = view_name(p.page.ordinal - 1) if p.page.ordinal > 1 else None
        links = ViewLinks(self.report_href, prev, view_name(next_page) if next_page else None)
        html = view_html(p.rec, p.page, p.rows, p.note, links)
        self.staging.write(view_name(p.page.ordinal), html.encode("utf-8"))
        self.pending = None

    def finish(self) -> bytes:
        self.flush(next_page=None)
        css = mainpage.asset("view.css") + category_css(list(self.corpus.categories))
        self.staging.write("view.css", css.encode("utf-8"))
        rows = self.index.finish()
        self.result.inline_index = rows is not None
        return mainpage.main_page(self.corpus, self.meta, rows, __version__).encode("utf-8")


def _check_output(opts: ReportOptions, output: Path, folder: Path) -> None:
    if output.is_dir():
        raise OutputError(f"-o {output} is a directory; name the report's .html file")
    real = os.path.realpath(output)
    if any(p != "-" and os.path.realpath(p) == real for p in opts.records):
        raise OutputError(f"-o {output} is also an input; refusing to overwrite it")
    if output.exists() and not opts.force:
        raise OutputError(f"{output}: already exists (use --force to overwrite it)")
    check_folder(folder, opts.force)


def _stream(opts: ReportOptions, builder: _Builder) -> None:
    for path in opts.records:
        for rec in read_records(path):
            if isinstance(rec, BadRecord):
                builder.failed(rec.message())
                builder.result.bad_records.append(rec.message())
            else:
                builder.add(rec)


def build_report(opts: ReportOptions) -> ReportResult:
    """Write the report and its folder; raise :class:`NothingToReport` if no record was read."""
    output = Path(opts.output)
    folder = folder_for(output)
    _check_output(opts, output, folder)
    logged = read_errors_log(opts.errors_log) if opts.errors_log else []
    result = ReportResult(output=output, folder=folder)
    staging = StagingFolder(folder)
    try:
        builder = _Builder(opts, staging, result)
        for message in logged:
            builder.failed(f"convert: {message}")
        _stream(opts, builder)
        if not builder.corpus.pages:
            raise NothingToReport(f"no records in {' '.join(opts.records)}")
        data = builder.finish()
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    write_atomic(output, data, overwrite=True)
    result.pages = builder.corpus.pages
    result.failures = builder.meta.failures_total
    result.main_bytes = len(data)
    sizes = [e.stat().st_size for e in os.scandir(folder) if e.is_file()]
    result.folder_bytes, result.folder_files = sum(sizes), len(sizes)
    result.views_from_input, result.views_rebuilt = builder.meta.views_from_input, builder.meta.views_rebuilt
    return result
