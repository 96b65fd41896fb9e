"""Stream JSON Lines records (as ``corpusconv convert`` writes them) from a file or stdin.

Records are read one at a time, so a report over millions of pages holds one record in
memory.  A line that is not a record is yielded as a :class:`BadRecord` with its line
number and a one-line reason; the report counts it as a failure and goes on.  Records
made by newer versions may carry more keys, and older or foreign ones may miss optional
keys: only the keys the report cannot do without are required.
"""

from __future__ import annotations

import lzma
import sys
from dataclasses import dataclass
from typing import IO, Iterator

import orjson

from ..errors import InputError
from ..reading import COMPRESSED_OPENERS, STDIN, input_error, strip_compression

#: Keys without which a line is no corpusconv record, and the type each must have.
REQUIRED = {"id": str, "text": str, "blocks": list, "comments": list, "boilerplate": list}
#: Optional keys: ``None`` when missing, and of this type when present (else the record is bad).
OPTIONAL = {"source": str, "title": str, "date": str, "author": str, "url": str,
            "provenance": dict, "metadata": dict}
#: Fields each entry of a list must have (with their type), and its optional text fields.
ENTRY_FIELDS: dict[str, dict[str, type]] = {"blocks": {"lines": list}, "comments": {"lines": list},
                                            "boilerplate": {"line": int, "rule": str}}
ENTRY_TEXTS = ("text", "type", "category")



@dataclass(frozen=True)
class BadRecord:
    """A line of the input that is not a usable record."""

    where: str
    line: int
    reason: str

    def message(self) -> str:
        return f"{self.where}:{self.line}: {self.reason}"


def _entry_problem(item: object, required: dict[str, type]) -> str | None:
    if not isinstance(item, dict):
        return "is not an object"
    for name, kind in required.items():
        if not isinstance(item.get(name), kind) or isinstance(item.get(name), bool):
            return f"lacks {name!r} (a {kind.__name__})"
    for name in ENTRY_TEXTS:
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            return f"has a {name!r} that is not a string"
    return None


def _span_problem(item: dict) -> str | None:
    span = item["lines"]
    if len(span) != 2 or not all(isinstance(n, int) and not isinstance(n, bool) for n in span):
        return "has 'lines' that are not [first, last]"
    return None


def check_shape(rec: object) -> str | None:
    """The reason ``rec`` is no record by its top-level keys, or ``None`` (pure, cheap)."""
    if not isinstance(rec, dict):
        return f"not a JSON object (a {type(rec).__name__})"
    for key, kind in REQUIRED.items():
        if not isinstance(rec.get(key), kind):
            return f"not a corpusconv record: {key!r} missing or not a {kind.__name__}"
    for key, kind in OPTIONAL.items():
        value = rec.get(key)
        if value is not None and not isinstance(value, kind):
            return f"{key!r} is not a {kind.__name__}"
    return None


def check_entries(rec: dict) -> str | None:
    """The first malformed entry of a record's lists, or ``None`` (pure).

    A record holds hundreds of entries, so the report does not run this on every record:
    it is what names the problem when a record's figures or view cannot be made."""
    for key, required in ENTRY_FIELDS.items():
        for i, item in enumerate(rec[key], 1):
            problem = _entry_problem(item, required)
            if problem is None and "lines" in required:
                problem = _span_problem(item)
            if problem:
                return f"{key} entry {i} {problem}"
    return None


def check_record(rec: object) -> str | None:
    """The reason ``rec`` cannot be reported on, or ``None`` when it can (pure)."""
    return check_shape(rec) or check_entries(rec)  # type: ignore[arg-type]


def _open(path: str) -> IO[bytes]:
    if path == STDIN:
        return sys.stdin.buffer
    _, ext = strip_compression(path)
    try:
        if ext:
            return COMPRESSED_OPENERS[ext](path, "rb")
        return open(path, "rb")
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; give a .jsonl or .jsonl.gz file") from None
    except OSError as exc:
        raise InputError(f"{path}: {input_error(exc, path)}") from None


def display_name(path: str) -> str:
    return "stdin" if path == STDIN else path


def numbered_lines(path: str) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line number, bytes)`` for each non-blank line of ``path`` (``-``: stdin).

    A file that cannot be read at all (missing, corrupt compression) raises
    :class:`InputError`.
    """
    fh = _open(path)
    try:
        for no, raw in enumerate(fh, 1):
            if raw.strip():
                yield no, raw
    except (OSError, EOFError, lzma.LZMAError) as exc:  # corrupt compression, I/O error
        raise InputError(f"{display_name(path)}: cannot read ({exc})") from None
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def parse_record(raw: bytes, *, entries: bool = True) -> dict | str:
    """The record on one line, or the reason it is none (pure); ``entries=False`` checks
    only the top-level keys (see :func:`check_entries`)."""
    try:
        rec = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return f"not JSON ({str(exc).split(':', 1)[0]})"
    return (check_shape(rec) or (check_entries(rec) if entries else None)) or rec


def read_records(path: str) -> Iterator[dict | BadRecord]:
    """Yield each record of ``path`` (``-`` for stdin), or a :class:`BadRecord` for a bad line."""
    for no, raw in numbered_lines(path):
        got = parse_record(raw)
        yield BadRecord(display_name(path), no, got) if isinstance(got, str) else got
