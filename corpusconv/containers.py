"""Inputs that hold many documents: WARC/WET files and JSON Lines datasets.

A container is read as a stream and yields one :class:`~corpusconv.reading.Job` per
document, lazily: the whole file is never in memory and its records are never listed up
front, so a 1 GB WET file converts in bounded memory while its records are dispatched to
the workers as they are read.  Each yielded job carries the document's bytes, its id, URL,
metadata and where it stood in the container (``record at byte N``, ``line N``).

* **WARC/WET** (``*.warc``, ``*.warc.gz``, ``*.warc.wet.gz``, WARC 1.0 and 1.1), read with
  warcio.  Every ``conversion`` or ``resource`` record with a ``text/plain`` content type
  is a document; every other record (warcinfo, request, response, metadata, non-text) is
  a *skipped* job, counted in the summary.  The id comes from ``WARC-Record-ID`` (the
  UUID of ``<urn:uuid:…>``), the URL from ``WARC-Target-URI``; all WARC headers are kept
  as the document's metadata.
* **JSON Lines documents** (``*.jsonl``, ``*.ndjson``, optionally ``.gz/.bz2/.xz``): one
  JSON object per line with a text field (``--text-field``), an id (``--id-field``) and a
  URL (``--url-field``, also looked up under ``metadata``), as Dolma, datatrove and
  Hugging Face datasets write them; every other field is kept as metadata.

A bad record never stops a container: it becomes a job whose ``error`` names where it
was and why (a truncated or corrupt gzip member, a malformed WARC header, a line that is
not JSON or has no text), and reading resumes at the next record: for gzip-per-record
WARC files at the next gzip member that holds a WARC record, for plain WARC files at the
next ``WARC/1.x`` line, for JSON Lines at the next line.  A compressed JSON Lines stream
that is cut short ends there (nothing after the damage can be read).  A WARC file gzipped
as one stream (not per record) is read through its decompressed stream, whose offsets
its messages then give.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha1
from typing import BinaryIO, Callable, Iterable, Iterator

import orjson

from .reading import MAX_INPUT_BYTES, Job, input_error, strip_compression

#: Record types whose text/plain payload is a document.
DOCUMENT_RECORD_TYPES = ("conversion", "resource")
#: Bytes read at a time while looking for the next record after a damaged one.
RESYNC_BLOCK = 1 << 20
#: Bytes of a candidate gzip member inflated to see whether it starts a WARC record.
SNIFF_MEMBER = 4096
GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/1."
#: Longest id kept as it is; longer or unsafe ids are shortened and given a digest.
MAX_ID_CHARS = 100
#: Characters of a shown excerpt of unreadable input (a bad first line, a bad JSON line).
EXCERPT_CHARS = 100

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
_UUID_URN = re.compile(r"<?urn:uuid:([0-9A-Fa-f-]{32,36})>?")

Progress = Callable[[int], None] | None


@dataclass(frozen=True)
class JsonlFields:
    """Which fields of a JSON Lines document hold its text, id and URL."""

    text: str = "text"
    id: str = "id"
    url: str = "url"


def container_stem(name: str) -> str:
    """The container's name without its format and compression endings (the folder its
    documents are written under): ``CC-MAIN-x.warc.wet.gz`` -> ``CC-MAIN-x``."""
    stem, _ = strip_compression(name)
    for ext in (".wet", ".warc", ".jsonl", ".ndjson"):
        if stem.lower().endswith(ext) and len(stem) > len(ext):
            stem = stem[: -len(ext)]
    return stem or name


def safe_id(raw: str) -> str:
    """A document id that is also a safe file name: kept when it already is one, else
    its unsafe characters replaced and a digest of the original appended (so two ids
    that differ only in unsafe characters stay two ids)."""
    if len(raw) <= MAX_ID_CHARS and _SAFE_ID.fullmatch(raw) and raw.strip("."):
        return raw
    cleaned = _UNSAFE_RUN.sub("_", raw).strip("._-")[:MAX_ID_CHARS] or "doc"
    return f"{cleaned}-{sha1(raw.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


def warc_doc_id(record_id: str | None, stem: str, offset: int) -> str:
    """The id of a WARC record's document: the UUID of its record id (stable, unique and
    file-name safe); any other record id made safe; the container and offset if none."""
    if not record_id:
        return safe_id(f"{stem}-{offset}")
    m = _UUID_URN.fullmatch(record_id.strip())
    if m:
        return m.group(1).lower()
    return safe_id(record_id.strip().strip("<>"))


def excerpt(data: bytes | str) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = " ".join(text.split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")


# --------------------------------------------------------------------------- dispatch


def is_container(job: Job) -> bool:
    return job.kind in ("warc", "jsonl")


def iter_documents(job: Job, fields: JsonlFields | None = None, *,
                   progress: Progress = None) -> Iterator[Job]:
    """The document jobs of one input: a page job as it is, a container's documents in
    order.  ``progress(n)`` is called with every ``n`` further bytes of the container read."""
    if job.kind == "warc":
        yield from _warc_jobs(job, progress)
    elif job.kind == "jsonl":
        yield from _jsonl_jobs(job, fields or JsonlFields(), progress)
    else:
        yield job


def expand_documents(jobs: Iterable[Job], fields: JsonlFields | None = None, *,
                     progress: Progress = None) -> Iterator[Job]:
    """Every document of every input, in input order (containers streamed)."""
    for job in jobs:
        yield from iter_documents(job, fields, progress=progress)


def _folder(job: Job) -> str:
    head, _, name = job.relpath.rpartition("/")
    stem = container_stem(name)
    return f"{head}/{stem}" if head else stem


def _doc_job(job: Job, folder: str, doc_id: str, where: str, **kw) -> Job:
    return Job(source=job.source, relpath=f"{folder}/{doc_id}.txt", doc_id=doc_id, where=where, **kw)


def _open(job: Job) -> tuple[BinaryIO | None, str | None]:
    assert job.path is not None
    try:
        return open(job.path, "rb"), None
    except OSError as exc:
        return None, str(input_error(exc, job.path))


class _Tracker:
    """Turns a file position into progress increments (never backwards)."""

    def __init__(self, progress: Progress, start: int):
        self.progress, self.done = progress, start

    def at(self, pos: int) -> None:
        if self.progress is not None and pos > self.done:
            self.progress(pos - self.done)
            self.done = pos


# --------------------------------------------------------------------------- WARC


def _warc_errors() -> tuple[type[BaseException], ...]:
    from warcio.exceptions import ArchiveLoadFailed

    return (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError, IndexError,
            UnicodeDecodeError, lzma.LZMAError)


@lru_cache(maxsize=1)
def _quiet_iterator():
    """warcio's ArchiveIterator without its stderr warning about a record not followed by
    a blank line: that record is reported as ours are (it still counts ``err_count``)."""
    from warcio.archiveiterator import ArchiveIterator

    class QuietArchiveIterator(ArchiveIterator):
        INC_RECORD = ""

    return QuietArchiveIterator


def _is_gzip(fh: BinaryIO, at: int) -> bool:
    fh.seek(at)
    return fh.read(2) == GZIP_MAGIC[:2]


def _member_starts_warc(fh: BinaryIO, at: int) -> bool:
    """Does a gzip member start at ``at`` whose text starts a WARC record?"""
    fh.seek(at)
    raw = fh.read(SNIFF_MEMBER)
    try:
        head = zlib.decompressobj(31).decompress(raw, len(WARC_MAGIC))
    except zlib.error:
        return False
    return head == WARC_MAGIC


def resync(fh: BinaryIO, start: int, gz: bool) -> int | None:
    """The offset of the first record starting at or after ``start``, or ``None``.

    In a gzip-per-record file (the WARC standard's and Common Crawl's layout) a record
    starts with a gzip member that inflates to ``WARC/1.``; in a plain file at a line
    ``WARC/1.x`` (the previous byte is a newline).
    """
    magic = GZIP_MAGIC if gz else WARC_MAGIC
    pos, carry = start, b""
    while True:
        fh.seek(pos)
        block = fh.read(RESYNC_BLOCK)
        if not block:
            return None
        data, base = carry + block, pos - len(carry)
        i = data.find(magic)
        while i >= 0:
            at = base + i
            if at >= start and (_member_starts_warc(fh, at) if gz else
                                (at == 0 or (i > 0 and data[i - 1:i] == b"\n"))):
                return at
            i = data.find(magic, i + 1)
        carry, pos = data[-len(magic):], pos + len(block)


#: A first gzip member longer than this is taken for a file gzipped as one stream.
MAX_MEMBER_SNIFF = 64 * 1024 * 1024


def is_record_gzipped(path: str | None) -> bool:
    """Is ``path`` gzipped member by member (each WARC record its own gzip member, as the
    WARC standard recommends), so that a reader can start at any member?  False for plain
    files, files gzipped as one stream, and files that cannot be read."""
    if path is None:
        return False
    try:
        with open(path, "rb") as fh:
            if fh.read(2) != GZIP_MAGIC[:2]:
                return False
            fh.seek(0)
            d, seen = zlib.decompressobj(31), 0
            while not d.eof:
                raw = fh.read(1 << 16)
                seen += len(raw)
                if not raw or seen > MAX_MEMBER_SNIFF:
                    return False
                d.decompress(raw, 1 << 16)
                while d.unconsumed_tail and not d.eof:  # inflate and drop: bounded memory
                    d.decompress(d.unconsumed_tail, 1 << 16)
            return bool(d.unused_data) or bool(fh.read(1))
    except (OSError, zlib.error):
        return False


def _diagnose(fh: BinaryIO, at: int, gz: bool, exc: BaseException) -> str:
    """Why the record at ``at`` cannot be read: look at its gzip member ourselves."""
    if gz:
        fh.seek(at)
        d = zlib.decompressobj(31)
        got, pending = b"", b""
        try:
            while not d.eof:  # inflate the member and drop what it holds: bounded memory
                if not pending:
                    pending = fh.read(1 << 16)
                    if not pending:
                        return _damaged_member(fh, at, "it ends before its end")
                out = d.decompress(pending, 1 << 16)
                pending = d.unconsumed_tail
                got += out[: max(0, 256 - len(got))]
        except zlib.error as err:
            return _damaged_member(fh, at, f"zlib: {excerpt(str(err))}")
        if not got.startswith(b"WARC/"):
            return f"not a WARC record (it starts {excerpt(got[:80])!r})"
    msg = " ".join(str(exc).split()) or type(exc).__name__
    if "first line" in msg:
        return "malformed WARC record: " + excerpt(msg)
    return f"unreadable WARC record ({type(exc).__name__}: {excerpt(msg)})"


def _damaged_member(fh: BinaryIO, at: int, detail: str) -> str:
    nxt = resync(fh, at + 1, True)
    where = "the file ends inside it" if nxt is None else f"the next record starts at byte {nxt}"
    return f"truncated or corrupt gzip member ({detail}; {where})"


def _headers(rec) -> tuple[dict, dict[str, str]]:
    """The record's WARC headers in order (a repeated header keeps every value), and a
    lower-cased lookup of their first values (WARC field names are case-insensitive)."""
    out: dict = {}
    low: dict[str, str] = {}
    for name, value in rec.rec_headers.headers:
        low.setdefault(name.lower(), value)
        if name in out:
            prev = out[name]
            out[name] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            out[name] = value
    return out, low


def _header_problem(low: dict[str, str]) -> tuple[str | None, bool]:
    """(reason, headers missing) for a record whose WARC header is unusable."""
    missing = [n for n in ("WARC-Type", "WARC-Record-ID", "Content-Length") if n.lower() not in low]
    if missing:
        return f"malformed WARC header (no {', '.join(missing)})", True
    length = low["content-length"].strip()
    if not length.isdigit():
        return f"malformed WARC header (Content-Length {excerpt(length)!r} is not a number)", False
    return None, False


def _skip_reason(low: dict[str, str]) -> str | None:
    rtype = low.get("warc-type") or "unknown"
    if rtype not in DOCUMENT_RECORD_TYPES:
        return f"{rtype} record"
    ctype = low.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "text/plain":
        return f"non-text {rtype} record"
    return None


def _payload(rec, low: dict[str, str]) -> tuple[bytes, str | None]:
    """The record's block (bounded), or a reason it is unusable."""
    declared = int(low["content-length"].strip())
    if declared > MAX_INPUT_BYTES:
        return b"", f"record larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB"
    data = rec.content_stream().read(declared + 1)
    if len(data) < declared:
        return b"", f"truncated record ({len(data)} of the {declared} bytes its Content-Length declares)"
    return data[:declared], None


def _url(headers: dict) -> str | None:
    url = headers.get("WARC-Target-URI")
    if isinstance(url, list):
        url = url[0]
    return url.strip().strip("<>") or None if isinstance(url, str) else None


@dataclass
class _WarcFile:
    """An open WARC file: ``fh`` is read by warcio (the file itself, or for a file
    gzipped as one stream its decompressed stream), ``raw`` the file (for progress),
    ``gz`` whether records are gzip members, ``size`` what ``fh`` holds (None: unknown)."""

    fh: BinaryIO
    raw: BinaryIO
    gz: bool
    size: int | None
    #: How offsets are named in messages (in a one-stream gzip file they count
    #: decompressed bytes, which is what a reader of that file can seek to).
    unit: str = "byte"

    def where(self, at: int) -> str:
        return f"record at {self.unit} {at}"


class _Inflated(io.RawIOBase):
    """A gzip file's decompressed bytes, read forward (a backward seek starts over).

    Unlike ``gzip.GzipFile`` it hands out every byte it could inflate and then ends
    where the stream is cut short or corrupt (the record there is then reported as
    truncated), instead of raising and losing the last block."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self._restart()

    def _restart(self) -> None:
        self.raw.seek(0)
        self._d = zlib.decompressobj(31)
        self._buf, self._pos, self._done = b"", 0, False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def _fill(self, n: int) -> None:
        while len(self._buf) < n and not self._done:
            chunk = self._d.unused_data if self._d.eof else b""
            if self._d.eof:  # concatenated gzip members: go on with the next one
                self._d = zlib.decompressobj(31)
            chunk = chunk or self.raw.read(1 << 16)
            try:
                out = self._d.decompress(chunk) if chunk else b""
            except zlib.error:
                out, self._done = b"", True
            self._buf += out
            self._done = self._done or not chunk

    def read(self, n: int = -1) -> bytes:
        self._fill(n if n >= 0 else 1 << 62)
        out, self._buf = (self._buf, b"") if n < 0 else (self._buf[:n], self._buf[n:])
        self._pos += len(out)
        return out

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def seek(self, pos: int, whence: int = 0) -> int:
        if whence != 0:
            raise io.UnsupportedOperation("only absolute seeks")
        if pos < self._pos:
            self._restart()
        while self._pos < pos and self.read(min(pos - self._pos, 1 << 20)):
            pass
        return self._pos


def _open_warc(raw: BinaryIO, path: str | None, chunked: bool) -> _WarcFile:
    size = os.fstat(raw.fileno()).st_size
    if not _is_gzip(raw, 0):
        return _WarcFile(raw, raw, False, size)
    if chunked or is_record_gzipped(path):
        return _WarcFile(raw, raw, True, size)
    # One gzip stream for the whole file (``gzip x.warc``): warcio reads only its first
    # record, so read the decompressed stream as a plain WARC file.
    return _WarcFile(_Inflated(raw), raw, False, None, unit="decompressed byte")  # type: ignore[arg-type]


def _warc_jobs(job: Job, progress: Progress) -> Iterator[Job]:
    """The documents of a WARC file (or of its byte range ``job.start``..``job.stop``)."""
    raw, why = _open(job)
    if raw is None:
        yield Job(source=job.source, relpath=job.relpath, error=why)
        return
    with raw:
        wf = _open_warc(raw, job.path, bool(job.start or job.stop is not None))
        pos: int | None = job.start if not job.start else resync(wf.fh, job.start, wf.gz)
        tracker = _Tracker(progress, job.start)
        folder, stem = _folder(job), container_stem(os.path.basename(job.relpath))
        while pos is not None and (job.stop is None or pos < job.stop):
            failed_at = yield from _warc_run(job, wf, pos, folder, stem, tracker)
            pos = None if failed_at is None else resync(wf.fh, failed_at + 1, wf.gz)
        tracker.at(job.stop if job.stop is not None else os.fstat(raw.fileno()).st_size)


def _warc_run(job: Job, wf: _WarcFile, pos: int, folder: str, stem: str, tracker: _Tracker):
    """Read records from ``pos`` until the end (returns ``None``), the chunk's end, or a
    damaged record (reported; returns its offset so that the caller resyncs past it)."""
    fh = wf.fh
    fh.seek(pos)
    it = _quiet_iterator()(fh)
    next_at = pos
    try:
        for rec in it:
            headers, low = _headers(rec)
            problem, missing = _header_problem(low)
            skip = None if problem else _skip_reason(low)
            data = b""
            if problem is None and skip is None:
                data, problem = _payload(rec, low)
            misframed = it.err_count
            at, length = it.get_record_offset(), it.get_record_length()
            if missing and not _leftover(wf, at + max(0, length)):
                problem = "truncated record (the file ends inside its WARC header)"
            elif problem is None and it.err_count > misframed:
                problem = ("malformed record (its Content-Length does not match its data: no "
                           "blank line follows it)")
            if job.stop is not None and at >= job.stop:
                return None
            tracker.at(wf.raw.tell())
            if problem is not None:
                yield Job(source=job.source, relpath=job.relpath, where=wf.where(at), error=problem)
                return at
            next_at = at + length
            if skip is not None:
                yield Job(source=job.source, relpath=job.relpath, where=wf.where(at), skip=skip)
                continue
            doc_id = warc_doc_id(low.get("warc-record-id"), stem, at)
            yield _doc_job(job, folder, doc_id, wf.where(at), data=data, url=_url(headers), metadata=headers)
    except _warc_errors() as exc:
        failure: BaseException | None = exc
    else:
        # warcio ends quietly at bytes it cannot read as a record (a gzip member cut
        # short after its header): anything but blank lines left is a damaged record.
        failure = EOFError("unreadable data at the end") if _leftover(wf, next_at) else None
    if failure is None or (job.stop is not None and next_at >= job.stop):
        return None
    reason = _diagnose(fh, next_at, wf.gz, failure)
    yield Job(source=job.source, relpath=job.relpath, where=wf.where(next_at), error=reason)
    return next_at


def _leftover(wf: _WarcFile, at: int) -> bool:
    """Is there anything after ``at`` but the blank lines that end a plain WARC record?"""
    if wf.size is not None and at >= wf.size:
        return False
    try:
        wf.fh.seek(at)
        rest = wf.fh.read(RESYNC_BLOCK)
    except _warc_errors():  # a one-stream gzip file damaged there: something is left
        return True
    return bool(rest) if wf.gz else bool(rest.strip())


# --------------------------------------------------------------------------- JSON Lines


def _jsonl_stream(raw: BinaryIO, name: str) -> BinaryIO:
    _, ext = strip_compression(name)
    if ext == ".gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if ext == ".bz2":
        return bz2.BZ2File(raw, mode="rb")  # type: ignore[return-value]
    if ext == ".xz":
        return lzma.LZMAFile(raw, mode="rb")  # type: ignore[return-value]
    return raw


def _read_line(fh: BinaryIO) -> tuple[bytes, bool]:
    """The next line (``b""`` at the end) and whether it fit in the size cap (the rest
    of an over-long line is read and dropped, never held in memory)."""
    line = fh.readline(MAX_INPUT_BYTES + 1)
    if len(line) <= MAX_INPUT_BYTES or line.endswith(b"\n"):
        return line, True
    while line and not line.endswith(b"\n"):
        line = fh.readline(1 << 20)
    return b"", False


def _loads(line: bytes):
    try:
        return orjson.loads(line), None
    except orjson.JSONDecodeError:
        pass
    try:  # json accepts what orjson refuses on purpose (lone surrogates): keep those too
        return json.loads(line.decode("utf-8", "surrogateescape")), None
    except (ValueError, RecursionError) as exc:
        return None, f"not valid JSON ({excerpt(str(exc))})"


def jsonl_document(obj, fields: JsonlFields, stem: str, lineno: int
                   ) -> tuple[str, bytes, str | None, dict] | str:
    """(id, text bytes, url, metadata) of one parsed JSON Lines document, or the reason
    it is not one."""
    if not isinstance(obj, dict):
        return f"not a JSON object (a {type(obj).__name__})"
    text = obj.get(fields.text)
    if text is None:
        return f"no {fields.text!r} field"
    if not isinstance(text, str):
        return f"the {fields.text!r} field is not a string (a {type(obj[fields.text]).__name__})"
    raw_id = obj.get(fields.id)
    if isinstance(raw_id, (str, int, float)) and not isinstance(raw_id, bool) and str(raw_id):
        doc_id = safe_id(str(raw_id))
    else:
        doc_id = safe_id(f"{stem}-{lineno}")
    url, url_top = obj.get(fields.url), True
    if not isinstance(url, str):
        inner = obj.get("metadata")
        url = inner.get(fields.url) if isinstance(inner, dict) else None
        url, url_top = (url if isinstance(url, str) else None), False
    meta = {k: v for k, v in obj.items()
            if k not in (fields.text, fields.id) and not (url_top and k == fields.url)}
    return doc_id, text.encode("utf-8", "surrogatepass"), (url.strip() or None) if url else None, meta


def _jsonl_jobs(job: Job, fields: JsonlFields, progress: Progress) -> Iterator[Job]:
    raw, why = _open(job)
    if raw is None:
        yield Job(source=job.source, relpath=job.relpath, error=why)
        return
    with raw:
        fh = _jsonl_stream(raw, job.relpath)
        if job.start:  # a chunk of a plain file: it starts at a line (see jsonl_chunks)
            fh.seek(job.start)
        folder, stem = _folder(job), container_stem(os.path.basename(job.relpath))
        tracker = _Tracker(progress, job.start)
        lineno = job.first_line
        while job.stop is None or fh.tell() < job.stop:
            where = f"line {lineno + 1}"
            try:
                line, fits = _read_line(fh)
            except (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as exc:
                yield Job(source=job.source, relpath=job.relpath, where=where,
                          error=f"truncated or corrupt compressed data ({excerpt(str(exc))})")
                break
            tracker.at(raw.tell())
            if not line and fits:
                break
            lineno += 1
            if not fits:
                yield Job(source=job.source, relpath=job.relpath, where=where,
                          error=f"line longer than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
                continue
            if not line.strip():
                continue  # a blank line holds no record
            yield _jsonl_job(job, line, fields, folder, stem, lineno)
        tracker.at(job.stop if job.stop is not None else os.fstat(raw.fileno()).st_size)


def jsonl_chunks(path: str, chunk_bytes: int) -> list[tuple[int, int, int]]:
    """(start, stop, lines before start) of the chunks of a plain JSON Lines file: each
    starts at a line, at the first line start at or after a multiple of ``chunk_bytes``.
    One sequential read of the file (newlines are counted, nothing is parsed)."""
    size = os.path.getsize(path)
    cuts: list[tuple[int, int]] = [(0, 0)]
    pos = lines = 0
    target = chunk_bytes
    with open(path, "rb") as fh:
        while block := fh.read(RESYNC_BLOCK * 16):
            while target < pos + len(block):
                i = block.find(b"\n", max(0, target - pos))
                if i < 0:
                    break  # the line goes on in the next block
                cut = pos + i + 1
                if cut < size:
                    cuts.append((cut, lines + block.count(b"\n", 0, i + 1)))
                target = cut + chunk_bytes
            lines += block.count(b"\n")
            pos += len(block)
    return [(a, b, n) for (a, n), (b, _) in zip(cuts, cuts[1:] + [(size, 0)])]


def _jsonl_job(job: Job, line: bytes, fields: JsonlFields, folder: str, stem: str, lineno: int) -> Job:
    where = f"line {lineno}"
    obj, problem = _loads(line)
    got = jsonl_document(obj, fields, stem, lineno) if problem is None else problem
    if isinstance(got, str):
        return Job(source=job.source, relpath=job.relpath, where=where, error=got)
    doc_id, data, url, meta = got
    return _doc_job(job, folder, doc_id, where, data=data, url=url, metadata=meta)


# --------------------------------------------------------------------------- writing WARC


@dataclass(frozen=True)
class WetPage:
    """One page for :func:`write_wet`: its URL and text, optionally its record id, date
    and extra WARC headers, and the record type (``conversion`` as in WET files)."""

    url: str
    text: bytes
    record_id: str | None = None
    date: str = "2024-03-01T00:00:00Z"
    headers: tuple[tuple[str, str], ...] = ()
    record_type: str = "conversion"
    content_type: str = "text/plain"


#: The ``warcinfo`` fields Common Crawl writes at the start of each WET file.
CC_WARCINFO = (("Software-Info", "ia-web-commons.1.1.10-SNAPSHOT-20240301000000"),
               ("Extracted-Date", "Fri, 01 Mar 2024 00:00:00 GMT"),
               ("robots", "checked via crawler-commons 1.5-SNAPSHOT (https://github.com/crawler-commons/crawler-commons)"),
               ("isPartOf", "CC-MAIN-2024-10"),
               ("operator", "Common Crawl Admin (info@commoncrawl.org)"),
               ("description", "Wide crawl of the web for February/March 2024"),
               ("publisher", "Common Crawl"))


def write_wet(fh: BinaryIO, pages: Iterable[WetPage], *, filename: str = "corpus.warc.wet.gz",
              gz: bool = True, version: str = "1.0",
              warcinfo: tuple[tuple[str, str], ...] | None = CC_WARCINFO) -> None:
    """Write a WET-style WARC file with warcio's writer: a ``warcinfo`` record with Common
    Crawl's fields, then one record per page with Common Crawl's WET header set
    (``WARC-Target-URI``, ``WARC-Date``, ``WARC-Record-ID``, ``WARC-Refers-To``,
    ``WARC-Block-Digest``, ``Content-Type: text/plain``), gzip per record.  Deterministic:
    record ids not given are derived from the file name and page number.  Used to build
    test files, the examples and benchmark inputs."""
    import io
    import uuid

    from warcio.warcwriter import WARCWriter

    def urn(*parts: str) -> str:
        return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '/'.join(parts))}>"

    writer = WARCWriter(fh, gzip=gz, warc_version=version)
    if warcinfo is not None:
        info = writer.create_warcinfo_record(filename, dict(warcinfo))
        info.rec_headers.replace_header("WARC-Record-ID", urn(filename, "warcinfo"))
        info.rec_headers.replace_header("WARC-Date", "2024-03-01T00:00:00Z")
        writer.write_record(info)
    for n, page in enumerate(pages):
        headers = {"WARC-Record-ID": page.record_id or urn(filename, str(n)),
                   "WARC-Date": page.date, "WARC-Refers-To": urn(filename, str(n), "response"),
                   "Content-Type": page.content_type, **dict(page.headers)}
        rec = writer.create_warc_record(page.url, page.record_type, payload=io.BytesIO(page.text),
                                        length=len(page.text), warc_headers_dict=headers,
                                        warc_content_type=page.content_type)
        writer.write_record(rec)
