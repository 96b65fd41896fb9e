#!/usr/bin/env python3
"""WET input vs the same pages as files: throughput (pages per CPU-second) and peak RSS.

``make`` packs a folder of pages (``bench/make_corpus.py`` output, read in sorted order)
into one Common-Crawl-style WET file with corpusconv's own writer
(:func:`corpusconv.containers.write_wet`: warcinfo record, one gzip member per record,
URLs spread over ``--sites`` hosts).  ``run`` converts the folder and the WET file with
the CLI, alternately (``--repeat`` times each) in the same run, and prints pages per
CPU-second of each, the ratio of the best runs, the largest per-process peak RSS and the
output check (the records must be identical apart from id, source, url, metadata and
provenance.source_path).

Usage::

    python bench/make_corpus.py --size 20MB --out /tmp/p20
    python bench/wet.py make --pages /tmp/p20 --out /tmp/p20.warc.wet.gz
    python bench/wet.py run --pages /tmp/p20 --wet /tmp/p20.warc.wet.gz --jobs 1
    python bench/wet.py interleave --pages /tmp/p20 --wet /tmp/p20.warc.wet.gz   # least noise

    python bench/make_corpus.py --size 1GB --out /tmp/p1g          # 1 GB of page text
    python bench/wet.py make --pages /tmp/p1g --out /tmp/p1g.warc.wet.gz
    python bench/wet.py run --wet /tmp/p1g.warc.wet.gz --jobs 2 --repeat 1   # the WET alone: RSS
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import cli_command, measure  # noqa: E402  (bench/run.py: the same measuring wrapper)

from corpusconv.containers import WetPage, write_wet  # noqa: E402

#: Record keys that differ between a page read from a file and from a WET record.
DIFFERING = ("id", "source", "url", "metadata", "provenance")


def pages_of(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.txt") if p.is_file())


def make(pages: Path, out: Path, sites: int) -> int:
    files = pages_of(pages)
    t0 = time.perf_counter()

    def records():
        for n, f in enumerate(files):
            yield WetPage(url=f"https://site{n % sites}.example/{f.parent.name}/{f.stem}",
                          text=f.read_bytes(), headers=(("WARC-Identified-Content-Language", "eng"),))

    with open(out, "wb") as fh:
        write_wet(fh, records(), filename=out.name)
    print(f"wet: {len(files)} pages -> {out} ({out.stat().st_size / 1e6:.1f} MB, "
          f"{time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


def _comparable(line: bytes) -> tuple:
    rec = json.loads(line)
    prov = dict(rec["provenance"], source_path=None)
    return tuple((k, v) for k, v in rec.items() if k not in DIFFERING) + (("provenance", repr(prov)),)


def same_records(a: Path, b: Path) -> tuple[int, int]:
    """(records, records that differ beyond the keys a container changes)."""
    n = bad = 0
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for la, lb in zip(fa, fb, strict=True):
            n += 1
            bad += _comparable(la) != _comparable(lb)
    return n, bad


def run(pages: Path | None, wet: Path, jobs: int, work: Path, repeat: int) -> int:
    """Convert the files and the WET file alternately ``repeat`` times each; the best
    (least CPU) run of each is compared, which damps the noise of a shared machine."""
    work.mkdir(parents=True, exist_ok=True)
    cli = cli_command()
    results: dict[str, dict] = {}
    inputs = ([("files", str(pages))] if pages else []) + [("wet", str(wet))]
    for n in range(repeat):
        for name, src in inputs:
            out = work / f"{name}.jsonl"
            r = measure(cli + ["convert", src, "-o", str(out), "--force", "--quiet", "--jobs", str(jobs)])
            with open(out, "rb") as fh:
                r["pages"] = sum(1 for _ in fh)
            r["pages_per_cpu_s"] = r["pages"] / r["cpu_seconds"]
            r["mb"] = (sum(p.stat().st_size for p in pages_of(pages)) if name == "files"
                       else wet.stat().st_size) / 1e6
            print(f"{name:5s} #{n + 1} {r['pages']:7d} pages  {r['cpu_seconds']:8.1f} CPU-s  {r['seconds']:7.1f} s  "
                  f"{r['pages_per_cpu_s']:6.1f} pages/CPU-s  {r['pages'] / r['seconds']:6.1f} pages/s  "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB/process ({r['tree_rss_mb']:.0f} MB all)  "
                  f"input {r['mb']:.1f} MB", flush=True)
            if name not in results or r["cpu_seconds"] < results[name]["cpu_seconds"]:
                results[name] = r
    if pages:
        ratio = results["wet"]["pages_per_cpu_s"] / results["files"]["pages_per_cpu_s"]
        n, bad = same_records(work / "files.jsonl", work / "wet.jsonl")
        print(f"best of {repeat}: files {results['files']['pages_per_cpu_s']:.1f}, WET "
              f"{results['wet']['pages_per_cpu_s']:.1f} pages/CPU-s; WET / files: {ratio:.3f}; {n} records, "
              f"{bad} differ beyond {', '.join(DIFFERING[:-1])} and provenance.source_path")
    return 0


def interleave(pages: Path, wet: Path) -> int:
    """In one process, convert each page from its file and from its WET record, one
    after the other (which first alternates), timing each path's CPU: the machine's
    drift then hits both alike.  The WET path's time includes reading its records."""
    from corpusconv.batch import process, resolve_rules
    from corpusconv.containers import iter_documents
    from corpusconv.reading import expand_inputs

    rules = resolve_rules(None)
    files = expand_inputs([str(p) for p in pages_of(pages)])
    records = iter_documents(expand_inputs([str(wet)])[0])
    spent = {"files": 0.0, "wet": 0.0}

    def timed(name: str, step) -> bytes:
        t0 = time.process_time()
        out = step()
        spent[name] += time.process_time() - t0
        return out

    def from_wet() -> bytes:
        job = next(records)
        while job.skip is not None:
            job = next(records)
        return process(job, "jsonl", rules).payload

    differ = 0
    for n, job in enumerate(files):
        steps = [("files", lambda: process(job, "jsonl", rules).payload), ("wet", from_wet)]
        got = dict((name, timed(name, step)) for name, step in (steps if n % 2 == 0 else steps[::-1]))
        differ += _comparable(got["files"]) != _comparable(got["wet"])
    rate = {k: len(files) / v for k, v in spent.items()}
    print(f"interleaved, {len(files)} pages: files {rate['files']:.1f}, WET {rate['wet']:.1f} pages/CPU-s; "
          f"WET / files: {rate['wet'] / rate['files']:.3f}; {differ} records differ beyond "
          f"{', '.join(DIFFERING[:-1])} and provenance.source_path")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make", help="pack a folder of pages into a WET file")
    mk.add_argument("--pages", type=Path, required=True)
    mk.add_argument("--out", type=Path, required=True)
    mk.add_argument("--sites", type=int, default=50)
    rn = sub.add_parser("run", help="convert the pages and the WET file; compare")
    rn.add_argument("--pages", type=Path)
    rn.add_argument("--wet", type=Path, required=True)
    rn.add_argument("--jobs", type=int, default=1)
    rn.add_argument("--repeat", type=int, default=3, help="alternate runs of each (best is kept)")
    rn.add_argument("--work", type=Path, default=Path("/tmp/corpusconv-bench-wet"))
    il = sub.add_parser("interleave", help="files and WET records alternately, in one process")
    il.add_argument("--pages", type=Path, required=True)
    il.add_argument("--wet", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.cmd == "interleave":
        return interleave(args.pages, args.wet)
    if args.cmd == "make":
        return make(args.pages, args.out, args.sites)
    return run(args.pages, args.wet, args.jobs, args.work, args.repeat)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
