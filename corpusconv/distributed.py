"""Run corpusconv on a Dask cluster: the library's per-document step mapped over a bag.

Optional: needs ``pip install 'corpusconv[dask]'`` (``dask[bag]`` and ``distributed``).
Importing :mod:`corpusconv` never imports Dask; this module imports it only inside its
functions, so that it can be imported (and its errors shown) without Dask installed.

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
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Iterable, Sequence

from .batch import FORMATS, RulesSpec, process
from .trees import DEFAULT, ModelSpec
from .containers import JsonlFields, expand_documents, is_container, is_record_gzipped, jsonl_chunks
from .errors import OutputError
from .reading import (Job, UsageError, check_distinct_outputs, expand_inputs, output_relpath,
                      strip_compression)
from .writing import AtomicFile, DirectorySink, FileSink, ensure_dir

#: Output file suffix per format for one-file-per-document output (as ``cli.SUFFIX``).
SUFFIX = {"tei": ".xml", "jsonl": ".jsonl"}
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

    def totals(self):
        """The same :class:`corpusconv.summary.Totals` a local run shows in its summary."""
        from .summary import Totals

        return Totals(documents=self.documents, failed=self.failed, skipped=self.skipped,
                      blocks=self.blocks, comments=self.comments, quotes=self.quotes,
                      removals=Counter(self.removals), records_skipped=Counter(self.records_skipped))


def _require_dask():
    try:
        import dask  # noqa: F401
        import dask.bag  # noqa: F401
    except ImportError as exc:
        raise UsageError("distributed runs need Dask: pip install 'corpusconv[dask]' "
                         f"({exc})") from None


def _account(res: DaskResult, outcome) -> None:
    from .summary import count_document

    count_document(res, outcome)


# ----------------------------------------------------------------- worker-side functions
# Module-level functions so that they pickle by reference (workers import corpusconv).


def _documents(units: Sequence[Job], fields: JsonlFields | None):
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
        sink = DirectorySink(out_dir, overwrite=overwrite,
                             protected={os.path.realpath(job.path)} if job.path else set())
        rel = output_relpath(job.relpath, suffix)
        try:
            target = sink.target(rel)
        except OutputError as exc:
            _failed(res, job, where + str(exc))
            continue
        if target.exists() and not overwrite:
            if skip_existing:
                res.skipped += 1
            else:
                _failed(res, job, f"{where}{target} already exists (use --force to overwrite "
                                  "or --skip-existing to keep it)")
            continue
        outcome = process(job, fmt, rules, layout, model)
        if not outcome.ok:
            _failed(res, job, outcome.error)
            continue
        try:
            sink.write(rel, outcome.payload)
        except OutputError as exc:
            msg = str(exc)
            _failed(res, job, where + (msg[len(job.source) + 2:] if msg.startswith(job.source + ": ")
                                       else msg))
            continue
        _account(res, outcome)
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
                _account(res, outcome)
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


def _client_for(scheduler):
    """(client, owned) for a scheduler address or Client; (None, False) for dask's default."""
    if scheduler is None:
        return None, False
    if isinstance(scheduler, str):
        from distributed import Client

        return Client(scheduler), True
    return scheduler, False  # a distributed.Client (or anything with .compute)


def _compute(tasks: list, client):
    import dask

    if client is not None:
        return client.compute(tasks, sync=True)
    return list(dask.compute(*tasks))


def job_bag(jobs: Sequence[Job], partition_size: int = PARTITION_SIZE):
    """A ``dask.bag`` of jobs in input order (partitions are consecutive runs of jobs)."""
    import dask.bag as db

    n = max(1, -(-len(jobs) // max(1, partition_size)))
    return db.from_sequence(list(jobs), npartitions=min(n, max(1, len(jobs))))


def convert(paths: Iterable[str], output: str, fmt: str | None = None, rules: RulesSpec = None, *,
            scheduler=None, partition_size: int = PARTITION_SIZE, overwrite: bool = False,
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
    res = DaskResult()
    if not jobs:
        return res
    real_out = os.path.realpath(plan.path)
    for p in paths:
        if os.path.isdir(p) and os.path.realpath(p) == real_out:
            raise UsageError(f"-o {plan.path} is the input directory; choose another output directory")
    if plan.kind == "file" and real_out in {os.path.realpath(j.path) for j in jobs if j.path}:
        raise UsageError(f"-o {plan.path} is also an input; refusing to overwrite it")

    from dask import delayed

    parts = partitions(work_units(jobs, chunk_bytes), partition_size)
    rules_arg = str(rules) if isinstance(rules, os.PathLike) else rules
    model_arg = str(model) if isinstance(model, os.PathLike) else model
    client, owned = _client_for(scheduler)
    try:
        if plan.kind == "dir":
            check_distinct_outputs(jobs, suffix=SUFFIX[plan.fmt])
            ensure_dir(plan.path)
            out_dir = os.path.abspath(plan.path)
            tasks = [delayed(convert_partition_to_dir, pure=False)(part, plan.fmt, rules_arg, out_dir,
                                                                    overwrite, skip_existing, fields, layout,
                                                                    model_arg)
                     for part in parts]
            for r in _compute(tasks, client):
                res.add(r)
            return res
        _convert_to_file(plan.path, plan.fmt, rules_arg, parts, client, res, overwrite, skip_existing,
                         len(jobs), fields, (layout, model_arg))
        return res
    finally:
        if owned:
            client.close()


def _plan(paths: list[str], output: str, fmt: str | None, overwrite: bool, skip_existing: bool):
    """The output plan of a distributed run, or the usage error that forbids it."""
    if overwrite and skip_existing:
        raise UsageError("--force and --skip-existing contradict each other; pick one")
    if "-" in paths:
        raise UsageError("a distributed run reads files on the workers; standard input ('-') "
                         "is not supported")
    from .cli import plan_output  # the CLI's output rules: same inference, same errors

    plan = plan_output(output, fmt, False)
    if plan.kind == "stdout" or plan.path is None:
        raise UsageError("a distributed run writes files: give -o DIR/ or -o FILE.jsonl")
    if plan.kind == "file" and plan.fmt != "jsonl":
        raise UsageError("a distributed run writes TEI into a directory (-o DIR/), one file per input")
    assert plan.fmt in FORMATS
    return plan


def _convert_to_file(path: str, fmt: str, rules: RulesSpec, parts: list, client, res: DaskResult,
                     overwrite: bool, skip_existing: bool, n_jobs: int,
                     fields: JsonlFields | None = None, how: tuple = ("auto", DEFAULT)) -> None:
    from dask import delayed

    parent = os.path.dirname(os.path.abspath(path))
    ensure_dir(parent)
    if os.path.exists(path) and not overwrite:
        if skip_existing:
            res.skipped += n_jobs
            return
        raise OutputError(f"{path}: already exists (use --force to overwrite or --skip-existing to keep it)")
    tmp_dir = tempfile.mkdtemp(prefix=PARTS_PREFIX, dir=parent)
    try:
        names = [os.path.join(tmp_dir, f"part-{i:06d}.jsonl") for i in range(len(parts))]
        tasks = [delayed(convert_partition_to_part, pure=False)(part, fmt, rules, name, fields, *how)
                 for part, name in zip(parts, names)]
        for r in _compute(tasks, client):
            res.add(r)
        if not res.documents:
            return
        sink = FileSink(path, overwrite=True).open()
        try:
            for name in names:
                with open(name, "rb") as fh:
                    while chunk := fh.read(1 << 20):
                        sink.write(chunk)
            sink.commit()
        finally:
            sink.abort()  # no-op after commit
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def cli_convert(opts, scheduler) -> int:
    """``corpusconv convert … --scheduler ADDRESS``: the CLI's convert on a Dask cluster.

    ``opts`` is a :class:`corpusconv.cli.ConvertOptions`; returns the CLI's exit code and
    reports like a local run (one stderr line per failed input, then the summary).
    ``--jobs`` and ``--fail-fast`` do not apply (the cluster decides the parallelism).
    """
    import sys

    from rich.console import Console

    from .cli import EXIT_FAILED, EXIT_NOTHING_TO_DO, EXIT_OK, error_line
    from .summary import failure_lines, render

    if opts.bundle:
        raise UsageError("--bundle is not supported with --scheduler")
    res = convert(opts.paths, opts.output or "-", opts.fmt, opts.rules, scheduler=scheduler,
                  overwrite=opts.force, skip_existing=opts.skip_existing, globs=opts.globs or None,
                  fields=opts.fields, layout=opts.layout, model=opts.model)
    if not (res.documents or res.failed or res.skipped or res.records_skipped):
        sys.stderr.write("corpusconv: nothing to do: no input files matched\n")
        return EXIT_NOTHING_TO_DO
    for source, reason in res.errors:
        sys.stderr.write(error_line(source, reason) + "\n")
    if not opts.quiet:
        render(res.totals(), Console(stderr=True))
        for line in failure_lines(res.errors):
            sys.stderr.write(line + "\n")
    return EXIT_FAILED if res.failed else EXIT_OK


# ----------------------------------------------------------------- corpus statistics


def _count_units(units: Sequence[Job], fields: JsonlFields | None = None, by_site: bool = True):
    """Map step of ``learn``: the counts of a partition's documents (unreadable ones are
    left out, as a local run leaves them out after reporting them)."""
    from .learn import Counts, count_document, merge

    total = Counts()
    for job in _documents(units, fields):
        counted = count_document(job, by_site)
        if counted is not None and not isinstance(counted, str):
            merge(total, counted)
    return total


def _merge(a, b):
    # learn.merge adds b into a in place.  Every `a` here is an object this reduction
    # owns (a fresh per-document Counts from the map step, or a partition's result), so
    # no fold `initial` is shared between partitions.
    from .learn import merge

    return merge(a, b)


def learn_counts(paths: Iterable[str], *, scheduler=None, partition_size: int = 256,
                 globs: Iterable[str] | None = None, fields: JsonlFields | None = None,
                 by_site: bool = True, chunk_bytes: int = CHUNK_BYTES):
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
        from .learn import Counts

        return Counts()
    import dask.bag as db

    parts = partitions(work_units(jobs, chunk_bytes), partition_size)
    total = (db.from_sequence(parts, npartitions=len(parts))
             .map(_count_units, fields, by_site).fold(_merge, _merge))
    client, owned = _client_for(scheduler)
    try:
        return _compute([total], client)[0]
    finally:
        if owned:
            client.close()


def merge_all(items: Iterable):
    """Fold ``learn.Counts`` locally (handy for tests and for results gathered by hand)."""
    from .learn import Counts, merge

    return reduce(merge, items, Counts())


__all__ = ["DaskResult", "convert", "cli_convert", "learn_counts", "job_bag", "work_units", "partitions",
           "convert_partition_to_dir",
           "convert_partition_to_part", "PARTITION_SIZE", "SUFFIX"]
