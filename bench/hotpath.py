#!/usr/bin/env python3
"""Profile the per-document hot path (read, convert, serialise, validate) in-process.

Runs :func:`corpusconv.batch.process` over the dev pages (``../shared/realweb/pages``) or
the given files/directories under cProfile and prints the top functions, plus the CPU time
per stage (convert / serialise+validate) measured without the profiler.

Usage::

    python bench/hotpath.py [--format jsonl|tei] [--sort cumtime|tottime] [--top 40] [PATHS...]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpusconv import batch  # noqa: E402
from corpusconv.pipeline import convert_bytes  # noqa: E402
from corpusconv.reading import expand_inputs, read_job  # noqa: E402
from corpusconv.rules import default_rules  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", default=[str(REPO.parent / "shared" / "realweb" / "pages")])
    ap.add_argument("--format", default="jsonl", choices=batch.FORMATS)
    ap.add_argument("--sort", default="cumtime")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    jobs = expand_inputs(args.paths)
    datas = [(j, read_job(j)) for j in jobs]
    mb = sum(len(d) for _, d in datas) / 1e6
    rules = default_rules()
    batch.process(jobs[0], args.format)  # imports, schemas

    t0 = time.process_time()
    docs = [convert_bytes(d, j.source, rules=rules) for j, d in datas]
    t1 = time.process_time()
    for doc in docs:
        batch.serialise(doc, args.format)
    t2 = time.process_time()
    print(f"{len(jobs)} documents, {mb:.2f} MB: convert {t1 - t0:.2f} CPU-s ({mb / (t1 - t0):.2f} MB/s), "
          f"serialise+validate {args.format} {t2 - t1:.2f} CPU-s; total {mb / (t2 - t0):.2f} MB per CPU-s")
    del docs

    prof = cProfile.Profile()
    prof.enable()
    for j in jobs:
        batch.process(j, args.format, rules)
    prof.disable()
    pstats.Stats(prof).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
