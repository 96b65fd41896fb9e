"""Run corpusconv on a Dask cluster: the library's per-document step mapped over a bag.

Optional: needs ``pip install 'corpusconv[dask]'`` (``dask[bag]`` and ``distributed``).
Importing :mod:`corpusconv` (or this module) never imports Dask: Dask and ``distributed``
are imported only inside the functions that need them, so that this module can be
imported, and its errors shown, without Dask installed.  Output planning, the output
checks and their messages come from :mod:`corpusconv.outputs`, as for a local run.

The unit of work is :func:`corpusconv.batch.process` -- the same pure, picklable function
the local ``--jobs N`` run uses -- so a document converts to the same bytes on a laptop and
on a cluster.  Workers **write the outputs themselves** (nothing but small summaries travels
back to the client), with the local run's rules (:mod:`corpusconv.writing`):

* ``output`` is a directory: one file per input, mirroring the input tree, named by
  :func:`corpusconv.reading.output_relpath` (``blog/a.txt.gz`` -> ``blog/a.xml``), each
  written atomically (temporary file, fsync, rename); existing files are an error unless
  ``overwrite`` (``--force``) or ``skip_existing``;
* ``output`` is one ``.jsonl`` file (optionally ``.gz``/``.bz2``/``.xz``): each partition
  writes its records, in input order, atomically to a part file in a temporary directory
  beside the output; the client then concatenates the parts into the output file, which
  appears atomically (and only if at least one document converted).  The result is
  byte-identical to ``corpusconv convert … -o out.jsonl`` run locally.

Every input must be readable by every worker at the same path (a shared file system such
as NFS, Lustre or a mounted bucket), and the output directory writable by all of them.
See ``bench/RESULTS.md`` for a cluster recipe.

Example::

    from corpusconv.distributed import convert
    res = convert(["pages/"], "tei/", fmt="tei", scheduler="tcp://10.0.0.5:8786")
    print(res.documents, res.failed)
    for source, reason in res.errors:
        print(source, reason)

Containers (WARC/WET files, JSON Lines documents) are read by the workers too, one task
each, and large ones in chunks of records (:func:`work_units`); their documents keep
their order and convert to the same bytes as locally.

Corpus statistics run as a map-reduce over the same bag, see :func:`learn_counts`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any, Iterable, Iterator, Protocol, Sequence

from rich.console import Console

from .batch import FORMATS, RulesSpec, process
from .containers import JsonlFields, expand_documents, is_container, is_record_gzipped, jsonl_chunks
from .errors import OutputError
from .learn import Counts, merge
from .learn import count_document as count_lines_of
from .outputs import (EXIT_FAILED, EXIT_NOTHING_TO_DO, EXIT_OK, SUFFIX, OutputPlan, check_not_an_input,
                      check_output_location, check_overwrite_flags, error_line, failure_lines,
                      keep_existing_file, nothing_to_do_line, place, plan_output, real_inputs, strip_source)
from .reading import (DEFAULT_GLOBS, Job, UsageError, check_distinct_outputs, expand_inputs, output_relpath,
                      strip_compression)
from .summary import Totals, count_document, render
from .trees import DEFAULT, ModelSpec
from .writing import AtomicFile, DirectorySink, FileSink, ensure_dir

#: Documents per bag partition (one task): large enough to amortise scheduling
#: (~10 ms per task), small enough to balance the load and bound a worker's memory.
PARTITION_SIZE = 64
#: Prefix of the temporary part-file directory beside a single-file output.
PARTS_PREFIX = ".corpusconv-parts-"
#: Bytes of a gzip-per-record WARC file per task: a 1 GB WET file becomes ~16 tasks of
#: a few thousand records each, so that a cluster converts one crawl file in parallel.
CHUNK_BYTES = 64 * 1024 * 1024


@dataclass
class DaskResult:
    """What a distributed run did; ``errors`` are (source, one-line reason) in input order."""

    documents: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    blocks: int = 0
    comments: int = 0
    quotes: int = 0
    removals: Counter = field(default_factory=Counter)
    records_skipped: Counter = field(default_factory=Counter)

    def add(self, part: "DaskResult") -> "DaskResult":
        self.documents += part.documents
        self.failed += part.failed
        self.skipped += part.skipped
        self.errors.extend(part.errors)
        self.blocks += part.blocks
        self.comments += part.comments
        self.quotes += part.quotes
        self.removals.update(part.removals)
        self.records_skipped.update(part.records_skipped)
        return self

    def totals(self) -> Totals:
        """The same :class:`corpusconv.summary.Totals` a local run shows in its summary."""
        return Totals(documents=self.documents, failed=self.failed, skipped=self.skipped,
                      blocks=self.blocks, comments=self.comments, quotes=self.quotes,
                      removals=Counter(self.removals), records_skipped=Counter(self.records_skipped))


def _require_dask() -> None:
    try:
        import dask  # noqa: F401
        import dask.bag  # noqa: F401
    except ImportError as exc:
        raise UsageError("distributed runs need Dask: pip install 'corpusconv[dask]' "
                         f"({exc})") from None


# ----------------------------------------------------------------- worker-side functions
# Module-level functions so that they pickle by reference (workers import corpusconv).


def _documents(units: Sequence[Job], fields: JsonlFields | None) -> Iterator[Job]:
    """The documents of a partition's units (pages, containers, container chunks)."""
    return expand_documents(units, fields)


def _failed(res: DaskResult, job: Job, reason: str) -> None:
    res.failed += 1
    res.errors.append((job.source, reason))


def convert_partition_to_dir(jobs: Sequence[Job], fmt: str, rules: RulesSpec, out_dir: str,
                             overwrite: bool = False, skip_existing: bool = False,
                             fields: JsonlFields | None = None, layout: str = "auto",
                             model: ModelSpec = DEFAULT) -> DaskResult:
    """Convert a partition and write one file per document under ``out_dir`` (on a worker)."""
    res = DaskResult()
    suffix = SUFFIX[fmt]
    for job in _documents(jobs, fields):
        if job.skip is not None:
            res.records_skipped[job.skip] += 1
            continue
        where = f"{job.where}: " if job.where else ""
        sink = DirectorySink(out_dir, overwrite=overwrite, protected=real_inputs([job]))
        rel = output_relpath(job.relpath, suffix)
        at = place(sink, rel, overwrite, skip_existing)
        if at.error:
            _failed(res, job, where + at.error)
            continue
        if at.keep:
            res.skipped += 1
            continue
        outcome = process(job, fmt, rules, layout, model)
        if not outcome.ok:
            _failed(res, job, outcome.error)
            continue
        try:
            sink.write(rel, outcome.payload)
        except OutputError as exc:
            _failed(res, job, where + strip_source(str(exc), job.source))
            continue
        count_document(res, outcome)
    return res


def convert_partition_to_part(jobs: Sequence[Job], fmt: str, rules: RulesSpec,
                              part_path: str, fields: JsonlFields | None = None, layout: str = "auto",
                              model: ModelSpec = DEFAULT) -> DaskResult:
    """Convert a partition and write its records, in order, atomically to ``part_path``
    (streamed: a container chunk's records are never all held in memory)."""
    res = DaskResult()
    try:
        with AtomicFile(part_path, overwrite=True) as fh:
            for job in _documents(jobs, fields):
                if job.skip is not None:
                    res.records_skipped[job.skip] += 1
                    continue
                outcome = process(job, fmt, rules, layout, model)
                if not outcome.ok:
                    _failed(res, job, outcome.error)
                    continue
                fh.write(outcome.payload)
                count_document(res, outcome)
    except OSError as exc:
        raise OutputError(f"{part_path}: cannot write ({exc.strerror or exc})") from None
    return res


def work_units(jobs: Sequence[Job], chunk_bytes: int = CHUNK_BYTES) -> list[Job]:
    """The inputs as units of work, in order.  A large gzip-per-record WARC file becomes
    chunks of records (byte ranges; a record belongs to the chunk it starts in, and a
    worker finds the first record of its range itself); a large plain JSON Lines file
    chunks of lines (cut at line starts by the client, which counts the lines before
    each so that records still say ``line N``); everything else stays whole (a
    compressed JSON Lines stream can only be read from its start)."""
    units: list[Job] = []
    for job in jobs:
        size = _size(job)
        if size > chunk_bytes and job.kind == "warc" and is_record_gzipped(job.path):
            units.extend(replace(job, start=start, stop=min(start + chunk_bytes, size))
                         for start in range(0, size, chunk_bytes))
        elif size > chunk_bytes and job.kind == "jsonl" and job.path and not strip_compression(job.path)[1]:
            units.extend(replace(job, start=a, stop=b, first_line=n)
                         for a, b, n in jsonl_chunks(job.path, chunk_bytes))
        else:
            units.append(job)
    return units


def _size(job: Job) -> int:
    try:
        return os.path.getsize(job.path) if job.path and job.error is None else 0
    except OSError:
        return 0


def partitions(units: Sequence[Job], partition_size: int = PARTITION_SIZE) -> list[list[Job]]:
    """Consecutive runs of at most ``partition_size`` pages; each container (or chunk of
    one) is a partition of its own, since it holds many documents."""
    parts: list[list[Job]] = []
    run: list[Job] = []
    for unit in units:
        if is_container(unit):
            if run:
                parts.append(run)
                run = []
            parts.append([unit])
            continue
        run.append(unit)
        if len(run) >= max(1, partition_size):
            parts.append(run)
            run = []
    if run:
        parts.append(run)
    return parts


# ----------------------------------------------------------------- client-side API


Scheduler = Any
"""A scheduler address (``"tcp://host:8786"``), a ``distributed.Client`` (anything with
``.compute``), or ``None`` for Dask's current default scheduler."""


@contextmanager
def _client(scheduler: Scheduler) -> Iterator[Any]:
    """The client to compute on: one made for an address (and closed after), the given
    client, or ``None`` for Dask's default scheduler."""
    if not isinstance(scheduler, str):
        yield scheduler
        return
    from distributed import Client

    client = Client(scheduler)
    try:
        yield client
    finally:
        client.close()


def _compute(tasks: list, client: Any) -> list:
    import dask

    if client is not None:
        return client.compute(tasks, sync=True)
    return list(dask.compute(*tasks))


def job_bag(jobs: Sequence[Job], partition_size: int = PARTITION_SIZE) -> Any:
    """A ``dask.bag`` of jobs in input order (partitions are consecutive runs of jobs)."""
    import dask.bag as db

    n = max(1, -(-len(jobs) // max(1, partition_size)))
    return db.from_sequence(list(jobs), npartitions=min(n, max(1, len(jobs))))


@dataclass(frozen=True)
class _How:
    """How every document of a run is converted (the arguments each task carries)."""

    fmt: str
    rules: RulesSpec
    fields: JsonlFields | None
    layout: str
    model: ModelSpec


def _plain(spec: Any) -> Any:
    """A path-like spec as the string every worker can open (it pickles the same anywhere)."""
    return str(spec) if isinstance(spec, os.PathLike) else spec


def convert(paths: Iterable[str], output: str, fmt: str | None = None, rules: RulesSpec = None, *,
            scheduler: Scheduler = None, partition_size: int = PARTITION_SIZE, overwrite: bool = False,
            skip_existing: bool = False, globs: Iterable[str] | None = None,
            fields: JsonlFields | None = None, chunk_bytes: int = CHUNK_BYTES, layout: str = "auto",
            model: ModelSpec = DEFAULT) -> DaskResult:
    """Convert files and directories on a Dask cluster; workers write the outputs.

    ``paths`` are expanded on the client exactly like the CLI's (directories walked in
    sorted order, ``globs`` default ``*.txt`` and compressed variants, the output excluded).
    ``output`` is a directory (one file per input) or a ``.jsonl[.gz|.bz2|.xz]`` file;
    ``fmt`` is inferred from it as by the CLI (a directory means TEI).  ``rules`` is a
    rules-file path (each worker parses it once) or ``None`` for the built-ins.
    ``scheduler`` is a scheduler address (``"tcp://host:8786"``), a
    ``distributed.Client``, or ``None`` for Dask's current default scheduler.
    Standard input (``-``) is not supported: workers read the files themselves.
    Containers (WARC/WET, JSON Lines; ``fields`` as for the CLI) are read by the workers
    too: each is a task, and a gzip-per-record WARC file larger than ``chunk_bytes`` is
    cut into tasks of the records starting in each byte range.
    """
    _require_dask()
    paths = list(paths)
    plan = _plan(paths, output, fmt, overwrite, skip_existing)
    assert plan.path is not None
    jobs = expand_inputs(paths, globs=globs, exclude=[plan.path])
    if not jobs:
        return DaskResult()
    check_not_an_input(plan, jobs)
    parts = partitions(work_units(jobs, chunk_bytes), partition_size)
    how = _How(plan.fmt, _plain(rules), fields, layout, _plain(model))
    with _client(scheduler) as client:
        if plan.kind == "dir":
            check_distinct_outputs(jobs, suffix=SUFFIX[plan.fmt])
            return _convert_to_dir(plan.path, parts, client, how, overwrite, skip_existing)
        return _convert_to_file(plan.path, parts, client, how, overwrite, skip_existing, len(jobs))


def _plan(paths: list[str], output: str, fmt: str | None, overwrite: bool, skip_existing: bool
          ) -> OutputPlan:
    """The output plan of a distributed run, or the usage error that forbids it."""
    check_overwrite_flags(overwrite, skip_existing)
    if "-" in paths:
        raise UsageError("a distributed run reads files on the workers; standard input ('-') "
                         "is not supported")
    plan = plan_output(output, fmt, False)
    if plan.kind == "stdout" or plan.path is None:
        raise UsageError("a distributed run writes files: give -o DIR/ or -o FILE.jsonl")
    if plan.kind == "file" and plan.fmt != "jsonl":
        raise UsageError("a distributed run writes TEI into a directory (-o DIR/), one file per input")
    assert plan.fmt in FORMATS
    check_output_location(plan, paths)
    return plan


def _convert_to_dir(path: str, parts: list[list[Job]], client: Any, how: _How, overwrite: bool,
                    skip_existing: bool) -> DaskResult:
    """Every partition a task that writes its documents' files under ``path``."""
    from dask import delayed

    ensure_dir(path)
    out_dir = os.path.abspath(path)
    tasks = [delayed(convert_partition_to_dir, pure=False)(part, how.fmt, how.rules, out_dir, overwrite,
                                                            skip_existing, how.fields, how.layout, how.model)
             for part in parts]
    return reduce(DaskResult.add, _compute(tasks, client), DaskResult())


def _convert_to_file(path: str, parts: list[list[Job]], client: Any, how: _How, overwrite: bool,
                     skip_existing: bool, n_jobs: int) -> DaskResult:
    """Every partition a task that writes a part file; the parts, concatenated in order,
    become the output file (atomically, and only if a document converted)."""
    from dask import delayed

    res = DaskResult()
    if keep_existing_file(path, overwrite, skip_existing):
        res.skipped += n_jobs
        return res
    tmp_dir = tempfile.mkdtemp(prefix=PARTS_PREFIX, dir=os.path.dirname(os.path.abspath(path)))
    try:
        names = [os.path.join(tmp_dir, f"part-{i:06d}.jsonl") for i in range(len(parts))]
        tasks = [delayed(convert_partition_to_part, pure=False)(part, how.fmt, how.rules, name, how.fields,
                                                                 how.layout, how.model)
                 for part, name in zip(parts, names)]
        reduce(DaskResult.add, _compute(tasks, client), res)
        if res.documents:
            _concatenate(names, path)
        return res
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _concatenate(names: list[str], path: str) -> None:
    """The part files, in order, as the output file ``path`` (it appears when complete)."""
    sink = FileSink(path, overwrite=True).open()
    try:
        for name in names:
            with open(name, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    sink.write(chunk)
        sink.commit()
    finally:
        sink.abort()  # no-op after commit


class ConvertRequest(Protocol):
    """What :func:`cli_convert` reads of the CLI's ``convert`` options
    (:class:`corpusconv.cli.ConvertOptions` is one)."""

    paths: list[str]
    output: str | None
    fmt: str | None
    rules: str | None
    force: bool
    skip_existing: bool
    globs: list[str]
    bundle: bool
    quiet: bool
    layout: str
    model: str | None

    @property
    def fields(self) -> JsonlFields: ...


def cli_convert(opts: ConvertRequest, scheduler: Scheduler) -> int:
    """``corpusconv convert … --scheduler ADDRESS``: the CLI's convert on a Dask cluster.

    ``opts`` is a :class:`corpusconv.cli.ConvertOptions`; returns the CLI's exit code and
    reports like a local run (one stderr line per failed input, then the summary).
    ``--jobs`` and ``--fail-fast`` do not apply (the cluster decides the parallelism).
    """
    if opts.bundle:
        raise UsageError("--bundle is not supported with --scheduler")
    res = convert(opts.paths, opts.output or "-", opts.fmt, opts.rules, scheduler=scheduler,
                  overwrite=opts.force, skip_existing=opts.skip_existing, globs=opts.globs or None,
                  fields=opts.fields, layout=opts.layout, model=opts.model)
    if not (res.documents or res.failed or res.skipped or res.records_skipped):
        pats = ", ".join(opts.globs or DEFAULT_GLOBS)
        sys.stderr.write(nothing_to_do_line(f"no input files matched ({pats})") + "\n")
        return EXIT_NOTHING_TO_DO
    for source, reason in res.errors:
        sys.stderr.write(error_line(source, reason) + "\n")
    if not opts.quiet:
        render(res.totals(), Console(stderr=True))
        for line in failure_lines(res.errors):
            sys.stderr.write(line + "\n")
    return EXIT_FAILED if res.failed else EXIT_OK


# ----------------------------------------------------------------- corpus statistics


def _count_units(units: Sequence[Job], fields: JsonlFields | None = None, by_site: bool = True) -> Counts:
    """Map step of ``learn``: the counts of a partition's documents (unreadable ones are
    left out, as a local run leaves them out after reporting them)."""
    total = Counts()
    for job in _documents(units, fields):
        counted = count_lines_of(job, by_site)
        if counted is not None and not isinstance(counted, str):
            merge(total, counted)
    return total


def _merge(a: Counts, b: Counts) -> Counts:
    # learn.merge adds b into a in place.  Every `a` here is an object this reduction
    # owns (a fresh per-document Counts from the map step, or a partition's result), so
    # no fold `initial` is shared between partitions.
    return merge(a, b)


def learn_counts(paths: Iterable[str], *, scheduler: Scheduler = None, partition_size: int = 256,
                 globs: Iterable[str] | None = None, fields: JsonlFields | None = None,
                 by_site: bool = True, chunk_bytes: int = CHUNK_BYTES) -> Counts:
    """``corpusconv learn``'s counting as a map-reduce on a Dask bag; returns ``learn.Counts``.

    ``bag.map(count a partition's documents).fold(merge)`` (containers and chunks of
    large WARC files are partitions of their own): partitions are folded on the workers,
    the partition results are merged in a tree.  Feed the result to
    :func:`corpusconv.learn.candidates` and :func:`corpusconv.learn.rules_toml`.  The
    counts equal a local ``learn`` run's as long as the table stayed below
    ``learn.MAX_KEYS`` (``counts.pruned == 0``); past it both are lossy in the same
    documented way (under-counts, never invented lines) but may prune at different points.
    """
    _require_dask()
    jobs = expand_inputs(list(paths), globs=globs)
    if not jobs:
        return Counts()
    import dask.bag as db

    parts = partitions(work_units(jobs, chunk_bytes), partition_size)
    total = (db.from_sequence(parts, npartitions=len(parts))
             .map(_count_units, fields, by_site).fold(_merge, _merge))
    with _client(scheduler) as client:
        return _compute([total], client)[0]


def merge_all(items: Iterable[Counts]) -> Counts:
    """Fold ``learn.Counts`` locally (handy for tests and for results gathered by hand)."""
    return reduce(merge, items, Counts())


__all__ = ["DaskResult", "convert", "cli_convert", "learn_counts", "job_bag", "work_units", "partitions",
           "convert_partition_to_dir",
           "convert_partition_to_part", "PARTITION_SIZE", "SUFFIX"]
