#!/usr/bin/env python3
"""Read a WARC/WET file with warcio (what corpusconv uses) and, when installed, FastWARC:
records and payload MB per CPU-second of each, beside corpusconv's own reading (warcio plus
its record checks) and the conversion engine's rate for scale.

Usage::

    python bench/wet.py make --pages /tmp/p20 --out /tmp/p20.warc.wet.gz
    python bench/warc_readers.py /tmp/p20.warc.wet.gz      # pip install fastwarc to compare
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(label: str, fn, path: str) -> None:
    t0 = time.process_time()
    n, size = fn(path)
    dt = time.process_time() - t0
    print(f"{label:28s} {n:7d} records  {size / 1e6:8.1f} MB payload  {dt:6.2f} CPU-s  "
          f"{size / 1e6 / dt:7.1f} MB/CPU-s", flush=True)


def with_warcio(path: str) -> tuple[int, int]:
    from warcio.archiveiterator import ArchiveIterator

    n = size = 0
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            size += len(rec.content_stream().read())
            n += 1
    return n, size


def with_fastwarc(path: str) -> tuple[int, int]:
    from fastwarc.warc import ArchiveIterator

    n = size = 0
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh, parse_http=False):
            size += len(rec.reader.read())
            n += 1
    return n, size


def with_corpusconv(path: str) -> tuple[int, int]:
    from corpusconv.containers import iter_documents
    from corpusconv.reading import expand_inputs

    n = size = 0
    for job in iter_documents(expand_inputs([path])[0]):
        n += 1
        size += len(job.data or b"")
    return n, size


def main() -> int:
    path = sys.argv[1]
    timed("warcio", with_warcio, path)
    try:
        import fastwarc  # noqa: F401
    except ImportError:
        print("fastwarc                     (not installed: pip install fastwarc)")
    else:
        timed("fastwarc", with_fastwarc, path)
    timed("corpusconv containers", with_corpusconv, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
