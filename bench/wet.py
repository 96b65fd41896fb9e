#!/usr/bin/env python3
"""WET input vs the same pages as files: throughput (pages per CPU-second) and peak RSS.

``make`` packs a folder of pages (``bench/make_corpus.py`` output, read in sorted order)
into one Common-Crawl-style WET file with corpusconv's own writer
(:func:`corpusconv.containers.write_wet`: warcinfo record, one gzip member per record,
URLs spread over ``--sites`` hosts).  ``run`` converts the folder and the WET file with
the CLI, one after the other in the same run, and prints pages per CPU-second of each,
their ratio, the largest per-process peak RSS and the output check (the records must be
identical apart from id, source, url, metadata and provenance.source_path).

Usage::

    python bench/make_corpus.py --size 20MB --out /tmp/p20
    python bench/wet.py make --pages /tmp/p20 --out /tmp/p20.warc.wet.gz
    python bench/wet.py run --pages /tmp/p20 --wet /tmp/p20.warc.wet.gz --jobs 1

    python bench/make_corpus.py --size 1GB --out /tmp/p1g          # 1 GB of page text
    python bench/wet.py make --pages /tmp/p1g --out /tmp/p1g.warc.wet.gz
    python bench/wet.py run --wet /tmp/p1g.warc.wet.gz --jobs 2      # the WET alone: RSS
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


def run(pages: Path | None, wet: Path, jobs: int, fmt: str, work: Path) -> int:
    work.mkdir(parents=True, exist_ok=True)
    cli = cli_command()
    results = {}
    inputs = ([("files", str(pages))] if pages else []) + [("wet", str(wet))]
    for name, src in inputs:
        out = work / f"{name}.jsonl"
        r = measure(cli + ["convert", src, "-o", str(out), "--force", "--quiet", "--jobs", str(jobs)])
        with open(out, "rb") as fh:
            r["pages"] = sum(1 for _ in fh)
        r["pages_per_cpu_s"] = r["pages"] / r["cpu_seconds"]
        r["mb"] = (sum(p.stat().st_size for p in pages_of(pages)) if name == "files"
                   else wet.stat().st_size) / 1e6
        results[name] = r
        print(f"{name:5s} {r['pages']:7d} pages  {r['cpu_seconds']:8.1f} CPU-s  {r['seconds']:7.1f} s  "
              f"{r['pages_per_cpu_s']:6.1f} pages/CPU-s  {r['pages'] / r['seconds']:6.1f} pages/s  "
              f"peak RSS {r['peak_rss_mb']:.0f} MB/process ({r['tree_rss_mb']:.0f} MB all)  "
              f"input {r['mb']:.1f} MB", flush=True)
    if pages:
        ratio = results["wet"]["pages_per_cpu_s"] / results["files"]["pages_per_cpu_s"]
        n, bad = same_records(work / "files.jsonl", work / "wet.jsonl")
        print(f"WET / files: {ratio:.3f} of the files' pages per CPU-second; {n} records, "
              f"{bad} differ beyond {', '.join(DIFFERING[:-1])} and provenance.source_path")
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
    rn.add_argument("--format", default="jsonl")
    rn.add_argument("--work", type=Path, default=Path("/tmp/corpusconv-bench-wet"))
    args = ap.parse_args(argv)
    if args.cmd == "make":
        return make(args.pages, args.out, args.sites)
    return run(args.pages, args.wet, args.jobs, args.format, args.work)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
