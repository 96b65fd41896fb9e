#!/usr/bin/env python3
"""How long does ``corpusconv report`` take, and how big is what it writes?

Builds the report of a set of records (e.g. the dev set converted to JSON Lines) and of
N records generated from them (the same records cycled with new ids; their ``source``
still names the real input pages, so every view reads and decodes its page as for a
real corpus), each with ``--jobs`` 1 and 2.  Each build runs as its own process
(``python -m corpusconv report``), measured with ``wait4``: wall seconds, CPU seconds
(with its workers), peak RSS of the largest process.  The baseline, measured in the same
run, is the floor of any report: reading and parsing the records (orjson), nothing else.

Usage::

    corpusconv convert ../shared/realweb/pages -o /tmp/dev.jsonl
    python bench/report_build.py /tmp/dev.jsonl [--pages 10000] [--jobs 1,2] [--out /tmp/report-bench]

Prints one row per build: pages, jobs, wall s, CPU s, pages/s (wall), x floor (CPU over
the floor's CPU for the same records), main page MB, folder MB and files, peak RSS MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson


def generate(records: Path, n: int, out: Path) -> Path:
    """``n`` records cycled from ``records``, each with a new id (streamed, never all in memory)."""
    lines = [ln for ln in records.read_bytes().splitlines() if ln.strip()]
    with open(out, "wb") as fh:
        for i in range(n):
            rec = orjson.loads(lines[i % len(lines)])
            rec["id"] = f"g{i:06d}-{rec['id']}"
            fh.write(orjson.dumps(rec) + b"\n")
    return out


def floor_cpu(records: Path) -> float:
    """CPU seconds to read and parse every record: what no report can do without."""
    start = time.process_time()
    with open(records, "rb") as fh:
        for line in fh:
            if line.strip():
                orjson.loads(line)
    return time.process_time() - start


def run_build(records: Path, out: Path, jobs: int) -> dict:
    if out.parent.exists():
        shutil.rmtree(out.parent)
    out.parent.mkdir(parents=True)
    cmd = [sys.executable, "-m", "corpusconv", "report", str(records), "-o", str(out), "-j", str(jobs), "-q"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"report failed: {' '.join(cmd)}")
    folder = out.with_name(out.stem + "_files")
    sizes = [e.stat().st_size for e in os.scandir(folder)]
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024,
            "main": out.stat().st_size / 1e6, "folder": sum(sizes) / 1e6, "files": len(sizes)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("records", type=Path, help="JSON Lines records as convert writes them")
    ap.add_argument("--pages", type=int, default=10_000, help="records to generate (default 10000)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values (default 1,2)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/report-bench"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    generated = generate(args.records, args.pages, args.out / f"generated-{args.pages}.jsonl")
    print(f"{'records':<22} {'pages':>7} {'jobs':>4} {'wall s':>7} {'CPU s':>7} {'pages/s':>8} "
          f"{'x floor':>7} {'main MB':>8} {'folder MB':>9} {'files':>6} {'RSS MB':>7}")
    for records in (args.records, generated):
        n = sum(1 for line in open(records, "rb") if line.strip())
        floor = floor_cpu(records)
        print(f"{records.name:<22} {n:>7} {'-':>4} {'':>7} {floor:>7.2f} {'':>8} {'floor':>7}  "
              "(read + parse only)")
        for jobs in (int(j) for j in args.jobs.split(",")):
            m = run_build(records, args.out / f"{records.stem}-j{jobs}" / "report.html", jobs)
            print(f"{records.name:<22} {n:>7} {jobs:>4} {m['wall']:>7.1f} {m['cpu']:>7.1f} "
                  f"{n / m['wall']:>8.0f} {m['cpu'] / floor:>7.1f} {m['main']:>8.2f} {m['folder']:>9.1f} "
                  f"{m['files']:>6} {m['rss']:>7.0f}")
    print(f"load average after the runs: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"(on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
