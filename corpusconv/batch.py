"""Convert many inputs: one pure, picklable step per document, run in order, in parallel.

:func:`process` reads, converts, serialises **and validates** one input and returns an
:class:`Outcome` -- payload bytes or a one-line error -- and never raises, so that a bad
page cannot stop a batch or kill a worker.  :func:`run` maps it over jobs, in-process or
with a ``multiprocessing`` pool, yielding outcomes in input order; results are
byte-identical whatever the number of workers.  A distributed engine can map the same
:func:`process` over a ``dask.bag`` of :class:`~corpusconv.reading.Job`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

import orjson

from .containers import JsonlFields, Progress, expand_documents, is_container
from .errors import CorpusconvError
from .model import Document
from .pipeline import convert_bytes
from .reading import Job, read_job
from .rules import RuleSet, default_rules, load_rules
from .trees import DEFAULT, ModelSpec

FORMATS = ("tei", "jsonl")

#: Worker processes are started with "spawn": no inherited threads or locks (rich's
#: progress thread, for instance), and the same behaviour on Linux, macOS and Windows.
MP_START_METHOD = "spawn"

#: Jobs sent to a worker at a time: large enough to amortise pickling, small enough that
#: the last chunks still spread over all workers and progress moves smoothly.
MAX_CHUNKSIZE = 16
#: Chunks in flight per worker: enough to keep every worker busy while the main process
#: writes, few enough that a container's documents never pile up in memory.
WINDOW_PER_WORKER = 3

BUG_HINT = "this is a bug in corpusconv; please report it with the input file"

RulesSpec = RuleSet | str | os.PathLike | None
Screen = Callable[[Job], "Outcome | None"] | None


@dataclass(frozen=True)
class Stats:
    """What one document contained: shown in the end-of-run summary."""

    blocks: int = 0
    comments: int = 0
    quotes: int = 0
    removals: tuple[tuple[str, int], ...] = ()  # (rule id, lines) sorted by rule id


@dataclass(frozen=True)
class Outcome:
    """The result of one job: ``payload`` bytes when ``ok``, else a one-line ``error``.

    A container record that is no document (a warcinfo record, ...) has ``skipped`` set
    to why, and ``ok`` false: it is counted, neither written nor failed.
    """

    job: Job
    ok: bool
    payload: bytes = b""
    error: str = ""
    doc_id: str = ""
    stats: Stats = field(default_factory=Stats)
    skipped: str = ""


@lru_cache(maxsize=8)
def _load_rules_cached(path: str) -> RuleSet:
    return load_rules(path)


def resolve_rules(spec: RulesSpec) -> RuleSet:
    """A rule set from a spec: ``None`` (built-ins), a path, or a ready :class:`RuleSet`.

    Paths are parsed once per process (cached), so workers that receive the path with
    every chunk do not re-parse the file for every document.
    """
    if spec is None:
        return default_rules()
    if isinstance(spec, RuleSet):
        return spec
    return _load_rules_cached(str(Path(spec)))


def dumps_record(rec: dict) -> bytes:
    """One compact, deterministic JSON Lines line (key order is the record's, a contract)."""
    # orjson writes the same bytes as json.dumps(ensure_ascii=False, separators=(",", ":"))
    # for our records (strings, ints, None, lists, dicts), an order of magnitude faster.
    try:
        return orjson.dumps(rec) + b"\n"
    except TypeError:
        pass
    # File names that are not valid UTF-8 reach us as lone surrogates (surrogateescape),
    # which orjson refuses; they are written as JSON \\udcXX escapes, which os.fsencode()
    # turns back into bytes.
    return (json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
        "utf-8", "backslashreplace")


def doc_stats(doc: Document) -> Stats:
    removed = Counter(r.rule for r in doc.removals)
    return Stats(blocks=len(doc.blocks), comments=len(doc.comments),
                 quotes=sum(1 for b in doc.blocks if b.type == "quote"),
                 removals=tuple(sorted(removed.items())))


def serialise(doc: Document, fmt: str) -> bytes:
    """Serialise and validate one document; raises ``ValidationError`` if invalid."""
    from . import validate  # imported lazily: it compiles schemas, only needed here

    if fmt == "tei":
        from .tei import to_tei_tree

        return validate.check_tei_tree(to_tei_tree(doc))
    if fmt == "jsonl":
        from .record import to_record

        rec = to_record(doc)
        validate.check_record(rec)
        return dumps_record(rec)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def process(job: Job, fmt: str, rules: RulesSpec = None, layout: str = "auto",
            model: ModelSpec = DEFAULT) -> Outcome:
    """Read, convert, serialise and validate one input.  Never raises (except on Ctrl-C).

    An invalid document is returned as an error outcome, so it is never written.
    """
    if job.skip is not None:
        return Outcome(job=job, ok=False, skipped=job.skip)
    try:
        data = read_job(job)
        doc = convert_bytes(data, job.source, rules=resolve_rules(rules), doc_id=job.doc_id,
                            url=job.url, metadata=job.metadata, layout=layout, model=model)
        payload = serialise(doc, fmt)
        return Outcome(job=job, ok=True, payload=payload, doc_id=doc.id, stats=doc_stats(doc))
    except CorpusconvError as exc:
        return Outcome(job=job, ok=False, error=_located(job, _one_line(str(exc), job.source)))
    except OSError as exc:
        return Outcome(job=job, ok=False, error=_located(job, _one_line(exc.strerror or str(exc), job.source)))
    except Exception as exc:  # last resort: one line instead of a traceback mid-batch
        return Outcome(job=job, ok=False,
                       error=_located(job, f"internal error ({type(exc).__name__}: "
                                           f"{_one_line(str(exc), job.source)}); {BUG_HINT}"))


def _located(job: Job, reason: str) -> str:
    """A container record's failure says where in the container it is."""
    return f"{job.where}: {reason}" if job.where else reason


def process_chunk(jobs: list[Job], fmt: str, rules: RulesSpec = None, layout: str = "auto",
                  model: ModelSpec = DEFAULT) -> list[Outcome]:
    """:func:`process` over a chunk (a worker's task); a container document's bytes and
    metadata are not sent back (they are in the payload)."""
    return [_without_data(process(job, fmt, rules, layout, model)) for job in jobs]


def _without_data(outcome: Outcome) -> Outcome:
    if outcome.job.data is None or outcome.job.doc_id is None:  # stdin's job is the caller's
        return outcome
    return replace(outcome, job=replace(outcome.job, data=None, metadata=None))


def _one_line(msg: str, source: str) -> str:
    """Messages are prefixed with the source by the caller: drop a duplicate prefix."""
    msg = " ".join(msg.split())
    prefix = f"{source}: "
    return msg[len(prefix):] if msg.startswith(prefix) else msg


def chunksize_for(n_items: int, n_jobs: int) -> int:
    return max(1, min(MAX_CHUNKSIZE, n_items // (n_jobs * 4)))


def default_jobs() -> int:
    """Worker processes by default: one per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool; otherwise every worker
    would print its own KeyboardInterrupt traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_pool(ctx, n_jobs: int):
    """Start the worker pool; return it and the signals that arrived meanwhile.

    SIGINT is ignored while the workers are spawned: they inherit ``SIG_IGN`` and so
    ignore Ctrl-C from their first instruction (the initializer runs only after their
    imports, too late for a Ctrl-C during start-up).  SIGTERM is deferred: a start
    interrupted half-way leaves workers that print tracebacks about their lost parent.
    The caller re-raises deferred signals once it holds the pool.
    """
    if threading.current_thread() is not threading.main_thread():
        return ctx.Pool(processes=n_jobs, initializer=_worker_init), []
    pending: list[int] = []
    old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    old_term = signal.signal(signal.SIGTERM, lambda signum, frame: pending.append(signum))
    try:
        pool = ctx.Pool(processes=n_jobs, initializer=_worker_init)
    finally:
        signal.signal(signal.SIGINT, old_int if old_int is not None else signal.SIG_DFL)
        signal.signal(signal.SIGTERM, old_term if old_term is not None else signal.SIG_DFL)
    return pool, pending


def run(jobs: Iterable[Job], fmt: str, rules: RulesSpec = None, n_jobs: int = 1, *,
        fields: JsonlFields | None = None, progress: Progress = None,
        screen: Screen = None, layout: str = "auto", model: ModelSpec = DEFAULT) -> Iterator[Outcome]:
    """Yield one :class:`Outcome` per document, in input order.

    Pages are one document each; a container (WARC/WET, JSON Lines) is read as a stream
    in this process and its documents are dispatched as they come (``fields`` says which
    JSON Lines fields hold text, id and URL; ``progress(n)`` is told of every ``n`` bytes
    of a container read).  ``n_jobs == 1`` runs in this process; more starts a pool of
    spawned workers (at most one per page when there is no container), with a bounded
    number of documents in flight, so memory does not grow with the input.  Pass
    ``rules`` as a path (or ``None``) for pools: workers load it once each.  Closing the
    generator early stops the pool.  ``screen(job)`` is asked about each container
    document before it is converted: an :class:`Outcome` it returns stands for that
    document (e.g. its output exists and is to be kept), ``None`` lets it convert.
    ``layout`` and ``model`` are passed to :func:`corpusconv.pipeline.convert_bytes`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    jobs = list(jobs)
    streaming = any(is_container(j) for j in jobs)
    n_jobs = max(1, n_jobs if streaming else min(n_jobs, len(jobs)))
    items = expand_documents(jobs, fields, progress=progress)
    if n_jobs == 1:
        rs = resolve_rules(rules)  # parse once for the whole batch
        for job in items:
            yield _screened(job, screen) or process(job, fmt, rs, layout, model)
        return
    chunk = MAX_CHUNKSIZE if streaming else chunksize_for(len(jobs), n_jobs)
    ctx = multiprocessing.get_context(MP_START_METHOD)
    pool, pending = _start_pool(ctx, n_jobs)
    finished = False
    try:
        for signum in pending:
            signal.raise_signal(signum)
        yield from _dispatch(pool, items, (fmt, rules, layout, model), chunk, n_jobs * WINDOW_PER_WORKER, screen)
        pool.close()
        pool.join()
        finished = True
    finally:
        if not finished:  # interrupted, or the caller stopped early (--fail-fast)
            _abandon_pool(pool)


def _screened(job: Job, screen: Screen) -> Outcome | None:
    # Only a container's documents (they have an id and a place in the container) are screened.
    if screen is None or job.doc_id is None or job.where is None or job.error is not None or job.skip is not None:
        return None
    return screen(job)


def _dispatch(pool, items: Iterable[Job], how: tuple, chunk: int,
              window: int, screen: Screen = None) -> Iterator[Outcome]:
    """Send chunks of documents to the pool as they are read and yield outcomes in order
    (``how``: the arguments of :func:`process_chunk` after the chunk),
    with at most ``window`` chunks in flight (``Pool.imap`` would read all the input
    ahead).  Records that need no conversion (skipped, or failed while being read) are
    answered here, in their place in the order."""
    queue: deque = deque()
    buf: list[Job] = []

    def flush() -> None:
        if buf:
            queue.append(pool.apply_async(process_chunk, (list(buf), *how)))
            buf.clear()

    for job in items:
        done = _screened(job, screen)
        if done is None and (job.skip is not None or job.error is not None):
            done = process(job, how[0], None)  # no conversion: no rules needed
        if done is not None:
            flush()
            queue.append([done])
        else:
            buf.append(job)
            if len(buf) >= chunk:
                flush()
        while queue and (len(queue) > window or isinstance(queue[0], list) or queue[0].ready()):
            head = queue.popleft()
            yield from (head if isinstance(head, list) else head.get())
    flush()
    while queue:
        head = queue.popleft()
        yield from (head if isinstance(head, list) else head.get())


def _abandon_pool(pool) -> None:
    """Stop a pool in mid-batch without ``Pool.terminate()``, which can hang forever.

    ``terminate()`` kills workers with SIGTERM; one killed while sending a result leaves
    the result queue's lock held, and ``terminate()`` then waits for a handler thread
    blocked on that lock (seen after Ctrl-C or SIGTERM in about one large batch in ten).
    Instead: stop the pool's maintenance thread from replacing workers, kill and reap
    the workers, and drop the pool's exit-time finalizer (which would call terminate()).
    The pool's handler threads are daemons that end with the process.
    """
    from multiprocessing import pool as mp_pool

    workers = list(getattr(pool, "_pool", None) or [])
    handler = getattr(pool, "_worker_handler", None)
    finalizer = getattr(pool, "_terminate", None)
    if handler is None or finalizer is None:  # an unknown Pool implementation
        pool.terminate()
        pool.join()
        return
    pool._state = mp_pool.TERMINATE
    handler._state = mp_pool.TERMINATE
    finalizer.cancel()
    handler.join(timeout=2)  # it polls every 0.1 s; after this it starts no new workers
    for w in workers:
        try:
            w.kill()
        except (OSError, ValueError, AttributeError):
            pass
    for w in workers:
        try:
            w.join(timeout=5)
        except (OSError, ValueError, AssertionError):
            pass


# --------------------------------------------------------------------------- TEI corpus

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


class BundleError(CorpusconvError):
    """A member cannot be added to a teiCorpus (e.g. its document id is already there)."""


def _prefix_local_ids(root, prefix: str) -> None:
    """Make a member's internal ids corpus-unique: ``#rule-x`` -> ``#d-page.rule-x``.

    Each TEI document declares its own ids (rule categories, people), which collide
    between documents once they share one file; xml:id must be unique per file.  Ids
    already starting with the document's own prefix (comment posts) are left alone, and
    every ``#id`` pointer to a renamed id is rewritten so that no reference dangles.
    """
    renamed: dict[str, str] = {}
    for el in root.iter():
        old = el.get(XML_ID)
        if el is root or old is None or old.startswith(prefix + "."):
            continue
        renamed[old] = f"{prefix}.{old}"
        el.set(XML_ID, renamed[old])
    if not renamed:
        return
    for el in root.iter():
        for name, value in el.attrib.items():
            if "#" in value:
                toks = [f"#{renamed[t[1:]]}" if t.startswith("#") and t[1:] in renamed else t
                        for t in value.split(" ")]
                el.set(name, " ".join(toks))


def bundle_tei(members: list[bytes], title: str) -> bytes:
    """Wrap validated TEI documents, in order, in one ``teiCorpus`` with a corpus header.

    The bundled schema describes single documents, so each member is validated on its
    own (by :func:`process`); this wrapper only adds the minimal header TEI requires and
    is checked against the full TEI P5 schema by the tests.  Deterministic: no dates.
    """
    from lxml import etree

    from . import TOOL_NAME, __version__
    from .validate import safe_parser

    def el(parent, tag, text=None, **attrs):
        e = etree.SubElement(parent, f"{{{TEI_NS}}}{tag}", attrs)
        e.text = text
        return e

    corpus = etree.Element(f"{{{TEI_NS}}}teiCorpus", nsmap={None: TEI_NS})
    header = el(corpus, "teiHeader")
    fdesc = el(header, "fileDesc")
    el(el(fdesc, "titleStmt"), "title", title)
    el(el(fdesc, "publicationStmt"), "p", f"Converted by {TOOL_NAME} {__version__}.")
    el(el(fdesc, "sourceDesc"), "p", f"{len(members)} web pages rendered to plain text; each "
                                     "document's own header describes its source.")
    seen: set[str] = set()
    for data in members:
        root = etree.fromstring(data, safe_parser())
        doc_id = root.get(XML_ID) or f"doc{len(seen) + 1}"
        if doc_id in seen:
            raise BundleError(f"document id {doc_id!r} occurs twice; rename one input")
        seen.add(doc_id)
        _prefix_local_ids(root, doc_id)
        corpus.append(root)
    etree.cleanup_namespaces(corpus)
    return etree.tostring(corpus, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def is_tei_corpus(data: bytes) -> bool:
    """Cheap sniff: does this XML start with a ``teiCorpus`` root element?"""
    head = data[:2048].decode("utf-8", "replace")
    start = head.find("<teiCorpus")
    return start != -1 and "<TEI" not in head[:start]


def bundle_errors(data: bytes, tei_all: str | os.PathLike | None = None) -> list[str]:
    """Problems of a teiCorpus file: each member against the bundled schema (which
    describes single documents), and the whole file against ``tei_all`` when given."""
    from lxml import etree

    from .validate import relaxng, safe_parser, tei_errors

    try:
        corpus = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno or 0}: not well-formed XML: {exc.msg}"]
    problems = []
    for i, member in enumerate(corpus.iterchildren(f"{{{TEI_NS}}}TEI"), 1):
        errs = tei_errors(etree.tostring(member))
        if errs:
            problems.append(f"member {i} ({member.get(XML_ID)}): {errs[0]}"
                            + (f" (+{len(errs) - 1} more)" if len(errs) > 1 else ""))
    if tei_all is not None:
        schema = relaxng(tei_all)
        if not schema.validate(etree.ElementTree(corpus)):
            first = schema.error_log[0] if len(schema.error_log) else None
            problems.append(f"line {first.line}: {first.message} [{Path(tei_all).name}]"
                            if first else f"invalid [{Path(tei_all).name}]")
    return problems
