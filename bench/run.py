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

With ``--against REF`` the given git ref (a commit, branch or tag of this repository) is
built into a temporary virtual environment (``git archive`` of the ref, ``pip install``
of that tree; removed afterwards) and every measurement is made for the ref and for the
working tree, interleaved (ref, tree, ref, tree, ... ``--repeat`` times, default 3) so
that load from other processes hits both alike; the medians are printed side by side
with the ratios working tree / ref (MB per CPU-second, i.e. ref CPU / tree CPU, and wall
pages/s).  By default the ref is installed without its dependencies into a venv that sees
this interpreter's site-packages, so both sides run the same library versions and the
ratio measures the code alone; ``--ref-deps fresh`` installs the ref's own requirements.

Usage::

    python bench/run.py /tmp/corpus50 [--jobs 1,2] [--formats jsonl,tei] [--work /tmp/bench]
                                      [--json results.json] [--freeze] [--repeat N]
    python bench/run.py /tmp/mixed15 --against 9c8c0c3 [--repeat 3] [--ref-deps same|fresh]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

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
        return subprocess.run(["git", "-C", str(REPO), "describe", "--always",
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


def measure(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> dict:
    """Wall time, largest per-process peak RSS, and sampled peak RSS of the whole tree."""
    try:
        import psutil
    except ImportError:
        psutil = None
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, *cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
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


@dataclass
class Side:
    """One program under test: how to run its CLI."""

    key: str        # "tree" or "ref": names the output files
    label: str      # shown in the tables
    cli: list[str]
    env: dict | None = None


def frozen_tree(work: Path) -> Side:
    """A copy of the working tree's package taken now, run with PYTHONPATH (``--freeze``)."""
    frozen = work / "frozen"
    shutil.copytree(REPO / "corpusconv", frozen / "corpusconv", ignore=shutil.ignore_patterns("__pycache__"))
    if (REPO / "schemas").is_dir():
        shutil.copytree(REPO / "schemas", frozen / "schemas")
    return Side("tree", f"tree {git_describe()} (frozen)", [sys.executable, "-m", "corpusconv"],
                dict(os.environ, PYTHONPATH=str(frozen)))


def _run(cmd: list[str], what: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if proc.returncode:
        raise SystemExit(f"bench: {what} failed ({' '.join(cmd)}):\n{(proc.stdout + proc.stderr)[-3000:]}")
    return proc.stdout


def build_ref(ref: str, tmp: Path, fresh_deps: bool) -> Side:
    """``git archive`` ``ref`` into ``tmp/src`` and ``pip install`` it into the venv ``tmp/venv``.

    Same dependencies (default): a ``.pth`` file makes this interpreter's site-packages
    visible in the new venv and the ref is installed with ``--no-deps``; ``pip check``
    then confirms that the ref's requirements are met (else its own are installed).
    """
    sha = _run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{ref}^{{commit}}"], "git rev-parse").strip()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", sha],
                             capture_output=True, check=True).stdout
    src = tmp / "src"
    src.mkdir(parents=True)
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(src, filter="data")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], "venv")
    py = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--disable-pip-version-check"]
    if not fresh_deps:
        site = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], "venv").strip()
        ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
        Path(site, "_bench_same_deps.pth").write_text("".join(f"{p}\n" for p in ours))
        _run(pip + ["--no-deps", str(src)], f"pip install {ref}")
        check = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "check"],
                               capture_output=True, text=True)
        if check.returncode:
            print(f"  ref {ref}: requirements not met by this environment ({check.stdout.strip()[:200]}); "
                  "installing its own", flush=True)
            fresh_deps = True
    if fresh_deps:
        _run(pip + [str(src)], f"pip install {ref}")
    # From a neutral directory: "python -c" puts the current directory first on sys.path.
    where = _run([str(py), "-c", "import corpusconv; print(corpusconv.__file__)"], "import", cwd=tmp).strip()
    if not where.startswith(str(venv)):
        raise SystemExit(f"bench: the ref's venv imports corpusconv from {where}, not from its own install")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    label = ref if sha.startswith(ref) else f"{ref} ({sha[:7]})"
    return Side("ref", label, [str(venv / "bin" / "corpusconv")], env)


def run_once(side: Side, fmt: str, jobs: int, corpus: Path, work: Path) -> dict:
    out = work / (f"{side.key}-{fmt}-j{jobs}.jsonl" if fmt == "jsonl" else f"{side.key}-{fmt}-j{jobs}")
    shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
    cmd = side.cli + ["convert", str(corpus), "-o", str(out) + ("" if fmt == "jsonl" else "/"),
                      "--format", fmt, "--jobs", str(jobs), "--quiet"]
    m = measure(cmd, side.env, cwd=work)  # not the repository: "-m" would import from the cwd
    m["digest"] = tree_digest(out)
    return m


def median_of(runs: list[dict]) -> dict:
    """Medians of the times over repeated runs; the largest RSS; every digest seen."""
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "tree_rss_mb": max(r["tree_rss_mb"] for r in runs),
            "failed": max(r["failed"] for r in runs), "repeats": len(runs),
            "cpu_all": [round(r["cpu_seconds"], 2) for r in runs],
            "digest": ",".join(sorted({r["digest"] for r in runs}))}


class Report:
    """Collects results and prints one line per measurement."""

    def __init__(self, n_docs: int, mb: float):
        self.n_docs, self.mb, self.results = n_docs, mb, []
        self.width = 0  # of the side labels, for alignment

    def add(self, name: str, n_proc: int, m: dict, side: str = "") -> dict:
        mb = self.mb
        r = {"name": name, "side": side, "procs": n_proc, **m, "mb_s": mb / m["seconds"],
             "docs_s": self.n_docs / m["seconds"], "cpu_mb_s": mb / m["cpu_seconds"],
             "cpu_docs_s": self.n_docs / m["cpu_seconds"]}
        r.setdefault("digest", "")
        self.results.append(r)
        label = f"{side:{self.width}s} " if self.width else ""
        reps = f" (median of {m['repeats']}: {m['cpu_all']})" if m.get("repeats", 1) > 1 else ""
        print(f"  {label}{name:10s} {m['seconds']:8.1f} s {r['mb_s']:8.2f} MB/s {r['docs_s']:8.0f} docs/s  "
              f"CPU {m['cpu_seconds']:7.1f} s ({r['cpu_mb_s']:.2f} MB, {r['cpu_docs_s']:.0f} docs per CPU-s)  "
              f"peak RSS/process {m['peak_rss_mb']:4.0f} MB  tree {m['tree_rss_mb']:4.0f} MB{reps}", flush=True)
        return r


def summarise_single(rep: Report, floor: dict, formats: list[str]) -> bool:
    ok = True
    for fmt in formats:
        rows = [r for r in rep.results if r["name"].startswith(fmt + "/")]
        base = rows[0]
        for r in rows:
            per_proc = r["mb_s"] / r["procs"] / floor["mb_s"]
            line = (f"  {r['name']:10s} {r['mb_s']:7.2f} MB/s = {100 * r['mb_s'] / floor['mb_s']:5.1f} % of floor, "
                    f"{100 * per_proc:5.1f} % per process, {100 * r['cpu_mb_s'] / floor['cpu_mb_s']:5.1f} % "
                    f"per CPU-second")
            if r is not base:
                line += f"; speedup vs j{base['procs']}: {r['mb_s'] / base['mb_s']:.2f}x"
            print(line)
        ok &= print_identity(fmt, rows)
    return ok


def print_identity(fmt: str, rows: list[dict], label: str = "") -> bool:
    digests = {d for r in rows for d in r["digest"].split(",")}
    same = len(digests) == 1
    print(f"  {label}{fmt}: outputs of --jobs {', '.join(str(r['procs']) for r in rows)} "
          f"{'byte-identical' if same else 'DIFFER'} ({', '.join(sorted(digests))})")
    return same


def summarise_against(rep: Report, floor: dict, formats: list[str], sides: list[Side]) -> bool:
    ref, tree = sides
    ok = True
    print(f"  ratios {tree.label} / {ref.label} (> 1: the working tree is faster)")
    for fmt in formats:
        by = {s.key: [r for r in rep.results if r["side"] == s.label and r["name"].startswith(fmt + "/")]
              for s in sides}
        for a, b in zip(by["ref"], by["tree"]):
            print(f"  {b['name']:10s} MB per CPU-s {a['cpu_mb_s']:6.2f} -> {b['cpu_mb_s']:6.2f} "
                  f"= {b['cpu_mb_s'] / a['cpu_mb_s']:.2f}x;  pages/s (wall) {a['docs_s']:5.0f} -> "
                  f"{b['docs_s']:5.0f} = {b['docs_s'] / a['docs_s']:.2f}x;  peak RSS/process "
                  f"{a['peak_rss_mb']:.0f} -> {b['peak_rss_mb']:.0f} MB;  "
                  f"{100 * b['cpu_mb_s'] / floor['cpu_mb_s']:.1f} % of the floor per CPU-s")
        for s in sides:
            rows = by[s.key]
            ok &= print_identity(fmt, rows, f"{s.key}: ")
            if len(rows) > 1:
                print(f"  {s.key}: {fmt} --jobs {rows[-1]['procs']} speedup vs --jobs {rows[0]['procs']} "
                      f"(wall): {rows[-1]['mb_s'] / rows[0]['mb_s']:.2f}x")
        same = {r["digest"] for r in by["ref"]} == {r["digest"] for r in by["tree"]}
        print(f"  {fmt}: working tree output {'byte-identical to' if same else 'DIFFERS from'} the ref's")
    return ok


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
    ap.add_argument("--against", metavar="REF",
                    help="also build git REF in a temporary venv and time it interleaved with the "
                         "working tree, printing ratios (working tree / REF)")
    ap.add_argument("--repeat", type=int, default=None,
                    help="runs per measurement, medians reported (default: 3 with --against, else 1)")
    ap.add_argument("--ref-deps", choices=("same", "fresh"), default="same",
                    help="REF's dependencies: this environment's (default) or its own fresh install")
    args = ap.parse_args(argv)
    args.corpus, args.work = args.corpus.resolve(), args.work.resolve()
    repeat = args.repeat or (3 if args.against else 1)

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
    tmp = Path(tempfile.mkdtemp(prefix="corpusconv-ref-")) if args.against else None
    try:
        sides = [frozen_tree(args.work) if args.freeze else Side("tree", f"tree {git_describe()}", cli_command())]
        if args.against:
            t0 = time.perf_counter()
            sides.insert(0, build_ref(args.against, tmp, args.ref_deps == "fresh"))
            print(f"  built {sides[0].label} in {time.perf_counter() - t0:.0f} s ({tmp})", flush=True)
        warm_cache(args.corpus)
        rep = Report(n_docs, mb)
        if args.against:
            rep.width = max(len(s.label) for s in sides)
        floor = rep.add("floor", 1, measure([sys.executable, "-c", FLOOR, str(args.corpus),
                                             str(args.work / "floor.jsonl")]))
        os.unlink(args.work / "floor.jsonl")
        for fmt in formats:
            for j in jobs:
                runs: dict[str, list[dict]] = {s.key: [] for s in sides}
                for _ in range(repeat):
                    for s in sides:  # interleaved: ref, tree, ref, tree, ...
                        runs[s.key].append(run_once(s, fmt, j, args.corpus, args.work))
                for s in sides:
                    rep.add(f"{fmt}/j{j}", j, median_of(runs[s.key]), s.label if args.against else "")
        print("\nsummary", flush=True)
        if args.against:
            ok = summarise_against(rep, floor, formats, sides)
        else:
            ok = summarise_single(rep, floor, formats)
        if args.json:
            args.json.write_text(json.dumps({"corpus": str(args.corpus), "docs": n_docs, "bytes": n_bytes,
                                             "cores": os.cpu_count(), "commit": git_describe(),
                                             "against": args.against, "repeat": repeat,
                                             "results": rep.results}, indent=2))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
