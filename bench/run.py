#!/usr/bin/env python3
"""Throughput benchmark: corpusconv against a floor, through the real CLI.

For a corpus directory (see ``bench/make_corpus.py``) this measures, each in a fresh
process tree:

* ``floor``      a minimal Python loop that reads every file and writes it back as one
                 JSON string per line (the I/O + JSON cost no converter can beat);
* ``jsonl/jN``   ``corpusconv convert DIR -o out.jsonl --format jsonl --jobs N``
                 (decode, structure, serialise, *validate*, write);
* ``tei/jN``     ``corpusconv convert DIR -o outdir/ --format tei --jobs N``;

for ``N`` in ``--jobs`` (default: 1 and all cores), and prints MB/s, docs/s, the peak RSS
of the largest single process (``getrusage(RUSAGE_CHILDREN).ru_maxrss`` in a wrapper
process, so earlier runs do not leak into later ones), the peak RSS of the whole process
tree (sampled with psutil when installed), the throughput per process relative to the
floor, the ``--jobs N`` / ``--jobs 1`` speedup, and whether the outputs of the different
``--jobs`` values are byte-identical.

Usage::

    python bench/run.py /tmp/corpus50 [--jobs 1,2] [--formats jsonl,tei] [--work /tmp/bench]
                                      [--json results.json] [--freeze]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

# The floor, run as its own process so that its RSS is measured like the others.
FLOOR = r"""
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
with open(out, "w", encoding="utf-8") as fh:
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".txt"):
                with open(os.path.join(d, name), "rb") as f:
                    text = f.read().decode("utf-8", errors="replace")
                fh.write(json.dumps(text, ensure_ascii=False) + "\n")
"""

# Runs a command and reports the largest peak RSS of any process in its tree (KiB on Linux).
WRAPPER = r"""
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(ru.ru_utime + ru.ru_stime, ru.ru_maxrss, rc)
"""


def corpus_stats(root: Path) -> tuple[int, int]:
    n = size = 0
    for d, dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".txt"):
                n += 1
                size += os.path.getsize(os.path.join(d, name))
    return n, size


def warm_cache(root: Path) -> None:
    """Read the corpus once so that every measurement (the floor first) sees a warm page cache."""
    for d, dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(d, name), "rb") as fh:
                while fh.read(1 << 20):
                    pass


def git_describe() -> str:
    try:
        return subprocess.run(["git", "-C", str(Path(__file__).resolve().parent), "describe", "--always",
                               "--dirty"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def cli_command() -> list[str]:
    exe = Path(sys.executable).with_name("corpusconv")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "corpusconv"]


def tree_digest(path: Path) -> str:
    """A digest of a file, or of every file (name and bytes) under a directory."""
    h = hashlib.sha256()
    if path.is_file():
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()[:16]
    for d, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        for name in sorted(files):
            p = Path(d, name)
            h.update(str(p.relative_to(path)).encode() + b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def measure(cmd: list[str], env: dict | None = None) -> dict:
    """Wall time, largest per-process peak RSS, and sampled peak RSS of the whole tree."""
    try:
        import psutil
    except ImportError:
        psutil = None
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, *cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    tree_peak = 0
    if psutil is not None:
        try:
            root = psutil.Process(proc.pid)
            while proc.poll() is None:
                total = 0
                for p in [root] + root.children(recursive=True):
                    try:
                        if p.pid != proc.pid:
                            total += p.memory_info().rss
                    except psutil.Error:
                        pass
                tree_peak = max(tree_peak, total)
                time.sleep(0.2)
        except psutil.Error:
            pass
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    try:
        cpu, maxrss_kib, rc = out.split()[-3:]
        cpu, maxrss_kib, rc = float(cpu), int(maxrss_kib), int(rc)
    except ValueError:
        raise SystemExit(f"bench: cannot measure {cmd}: {out}\n{err}")
    failed = sum(1 for line in err.splitlines() if ": error: " in line)
    if rc not in (0, 1) or (rc == 1 and not failed):
        sys.stderr.write(err[-2000:])
        raise SystemExit(f"bench: {' '.join(cmd)} exited {rc}")
    if failed:
        first = next(line for line in err.splitlines() if ": error: " in line)
        print(f"  ({failed} inputs failed, e.g. {first[:200]})", flush=True)
    return {"seconds": wall, "cpu_seconds": cpu, "peak_rss_mb": maxrss_kib / 1024,
            "tree_rss_mb": tree_peak / 2**20, "failed": failed}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--jobs", default=f"1,{os.cpu_count() or 1}",
                    help="comma-separated --jobs values (default: 1 and all cores)")
    ap.add_argument("--formats", default="jsonl,tei")
    ap.add_argument("--work", type=Path, default=Path("/tmp/corpusconv-bench"),
                    help="scratch directory for outputs (emptied first)")
    ap.add_argument("--keep", action="store_true", help="keep outputs in --work")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--freeze", action="store_true",
                    help="run a copy of the package taken at the start (python -m corpusconv with "
                         "PYTHONPATH), so that edits to the working tree during the run cannot make "
                         "the --jobs outputs differ")
    args = ap.parse_args(argv)

    jobs = sorted({int(j) for j in args.jobs.split(",")})
    formats = [f for f in args.formats.split(",") if f]
    n_docs, n_bytes = corpus_stats(args.corpus)
    if not n_docs:
        raise SystemExit(f"bench: no .txt files under {args.corpus}")
    mb = n_bytes / 1e6
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    print(f"corpus {args.corpus}: {n_docs} docs, {mb:.1f} MB; cores {os.cpu_count()}; "
          f"python {sys.version.split()[0]}; corpusconv {git_describe()}; "
          f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    warm_cache(args.corpus)

    results: list[dict] = []

    def report(name: str, n_proc: int, m: dict, digest: str = "") -> dict:
        r = {"name": name, "procs": n_proc, **m, "mb_s": mb / m["seconds"],
             "docs_s": n_docs / m["seconds"], "cpu_mb_s": mb / m["cpu_seconds"], "digest": digest}
        results.append(r)
        print(f"  {name:10s} {m['seconds']:8.1f} s {r['mb_s']:8.2f} MB/s {r['docs_s']:8.0f} docs/s  "
              f"CPU {m['cpu_seconds']:7.1f} s ({r['cpu_mb_s']:.2f} MB per CPU-s)  "
              f"peak RSS/process {m['peak_rss_mb']:4.0f} MB  tree {m['tree_rss_mb']:4.0f} MB", flush=True)
        return r

    floor = report("floor", 1, measure([sys.executable, "-c", FLOOR, str(args.corpus),
                                        str(args.work / "floor.jsonl")]))
    os.unlink(args.work / "floor.jsonl")
    cli, env = cli_command(), None
    if args.freeze:
        repo = Path(__file__).resolve().parent.parent
        frozen = args.work / "frozen"
        shutil.copytree(repo / "corpusconv", frozen / "corpusconv",
                        ignore=shutil.ignore_patterns("__pycache__"))
        if (repo / "schemas").is_dir():
            shutil.copytree(repo / "schemas", frozen / "schemas")
        cli = [sys.executable, "-m", "corpusconv"]
        env = dict(os.environ, PYTHONPATH=str(frozen))
    for fmt in formats:
        for j in jobs:
            out = args.work / (f"{fmt}-j{j}.jsonl" if fmt == "jsonl" else f"{fmt}-j{j}")
            cmd = cli + ["convert", str(args.corpus), "-o", str(out) + ("" if fmt == "jsonl" else "/"),
                         "--format", fmt, "--jobs", str(j), "--quiet"]
            m = measure(cmd, env)
            report(f"{fmt}/j{j}", j, m, tree_digest(out))

    print("\nsummary", flush=True)
    ok = True
    for fmt in formats:
        rows = [r for r in results if r["name"].startswith(fmt + "/")]
        base = rows[0]
        for r in rows:
            per_proc = r["mb_s"] / r["procs"] / floor["mb_s"]
            line = (f"  {r['name']:10s} {r['mb_s']:7.2f} MB/s = {100 * r['mb_s'] / floor['mb_s']:5.1f} % of floor, "
                    f"{100 * per_proc:5.1f} % per process, {100 * r['cpu_mb_s'] / floor['cpu_mb_s']:5.1f} % "
                    f"per CPU-second")
            if r is not base:
                line += f"; speedup vs j{base['procs']}: {r['mb_s'] / base['mb_s']:.2f}x"
            print(line)
        digests = {r["digest"] for r in rows}
        same = len(digests) == 1
        ok &= same
        print(f"  {fmt}: outputs of --jobs {', '.join(str(r['procs']) for r in rows)} "
              f"{'byte-identical' if same else 'DIFFER'} ({', '.join(sorted(digests))})")
    if args.json:
        args.json.write_text(json.dumps({"corpus": str(args.corpus), "docs": n_docs, "bytes": n_bytes,
                                         "cores": os.cpu_count(), "commit": git_describe(),
                                         "results": results}, indent=2))
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
