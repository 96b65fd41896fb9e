#!/usr/bin/env python3
"""Do the working tree and a git ref write the same bytes?  Lists every document that differs.

Builds ``REF`` in a temporary venv as ``run.py --against`` does, converts every input
path with both (JSON Lines and TEI, one output file per input document), and compares
the outputs file by file.  Exit status 0 when all are byte-identical, 1 otherwise.

Usage::

    python bench/same_output.py --against 9c8c0c3 ../shared/realweb/pages* ../shared/seeds /tmp/mixed5
                                [--formats jsonl,tei] [--jobs 2] [--ref-deps same|fresh]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import Side, build_ref, cli_command, git_describe  # noqa: E402


def digests(root: Path) -> dict[str, str]:
    out = {}
    for d, dirs, files in os.walk(root):
        for name in files:
            p = Path(d, name)
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def convert(side: Side, path: Path, fmt: str, out: Path, jobs: int, cwd: Path) -> None:
    cmd = side.cli + ["convert", str(path), "-o", f"{out}/", "--format", fmt, "--jobs", str(jobs), "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=side.env, cwd=cwd)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"same_output: {' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--against", required=True, metavar="REF")
    ap.add_argument("--formats", default="jsonl,tei")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--ref-deps", choices=("same", "fresh"), default="same")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="corpusconv-same-"))
    try:
        ref = build_ref(args.against, tmp / "ref", args.ref_deps == "fresh")
        tree = Side("tree", f"tree {git_describe()}", cli_command())
        differ = total = 0
        for fmt in [f for f in args.formats.split(",") if f]:
            for i, path in enumerate(args.paths):
                outs = {}
                for side in (ref, tree):
                    out = tmp / side.key / fmt / str(i)
                    convert(side, path.resolve(), fmt, out, args.jobs, tmp)
                    outs[side.key] = digests(out)
                a, b = outs["ref"], outs["tree"]
                bad = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
                total += len(a.keys() | b.keys())
                differ += len(bad)
                print(f"{fmt} {path}: {len(a)} documents, {len(bad)} differ"
                      + "".join(f"\n    {k}" for k in bad[:50]), flush=True)
                for side in (ref, tree):
                    shutil.rmtree(tmp / side.key / fmt / str(i), ignore_errors=True)
        print(f"{ref.label} vs {tree.label}: {total - differ} of {total} output files byte-identical")
        return 0 if differ == 0 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
