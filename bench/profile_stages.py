#!/usr/bin/env python3
"""Self time by stage of the per-document step, sampled with py-spy (or cProfile).

Runs :func:`corpusconv.batch.process` (read, decode, structure, serialise, validate; the
CLI's per-document step, without the final write) over the given inputs in one process,
under ``py-spy record --format raw`` (a sampling profiler, so regex and other C calls are
charged to the Python function that made them), and charges every sample to the
*innermost* frame of the stack that belongs to a known stage (``STAGES`` below: a module,
or a module and function names).  So "rule matching" is the time spent in ``rules.py``
below everything else, including the regexes it runs; "comment threads" excludes the
rule lookups ``is_action`` makes.  Prints the table, the top functions by self samples,
and the CPU seconds per input path (py-spy samples from another process: the
target's CPU time is barely affected).

Usage::

    python bench/profile_stages.py /tmp/mixed5 [--format jsonl|tei] [--rate 400] [--top 25]
    python bench/profile_stages.py --cprofile /tmp/mixed5      # cProfile top functions instead
    git archive 9c8c0c3 corpusconv schemas | tar -x -C /tmp/base && \
        python bench/profile_stages.py --root /tmp/base /tmp/mixed5     # another commit's engine

py-spy (``pip install py-spy``) is a bench-only tool, not a dependency of the package.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# (module, functions or None for the whole module, stage); the first entry matching a
# frame decides.  Modules are "corpusconv.X" files or third-party top-level packages.
STAGES: tuple[tuple[str, frozenset[str] | None, str], ...] = (
    ("ftfy", None, "decoding: ftfy"),
    ("charset_normalizer", None, "decoding: charset guess"),
    ("decoding", None, "decoding (other)"),
    ("rules", frozenset({"normalise"}), "normalise (rules.normalise)"),
    ("rules", None, "rule matching"),
    ("lines", None, "line features (build_lines)"),
    ("comments", frozenset({"is_comment_heading", "_has_heading_word"}), "comment headings (is_comment_heading)"),
    ("comments", frozenset({"parse_header_line", "_clean_author", "_ends_sentence"}),
     "comment headers (parse_header_line)"),
    ("comments", None, "comment threads"),
    ("threads", None, "comment threads"),
    ("structure", frozenset({"_comment_section"}), "comment threads"),
    ("quotes", None, "quotes"),
    ("dates", None, "dates"),
    ("article", frozenset({"line_score", "is_code", "_code_shape", "is_sentence", "is_title_case", "escalate",
                           "widget_run_walls", "link_block_lines", "best_region"}), "article scoring"),
    ("structure", frozenset({"_score_lines"}), "article scoring"),
    ("article", frozenset({"paragraphs_from_lines", "strip_remnants", "_trailing_remnant", "mark_headings",
                           "apply_dialogue"}), "article blocks"),
    ("structure", frozenset({"_article_blocks", "_drop_repeated_blocks"}), "article blocks"),
    ("article", None, "article region, title, byline"),
    ("structure", frozenset({"_article_region", "mentions", "named_by_comments", "repeats", "in_footer",
                             "usable"}), "article region, title, byline"),
    ("structure", frozenset({"_widget_interiors", "_assign_lines", "_indented_lines", "_teaser_list_lines"}),
     "line assignment"),
    ("structure", frozenset({"_first_pass"}), "first pass (its loop)"),
    ("structure", frozenset({"_shape_removal", "_rule_removal"}), "removal records"),
    ("structure", None, "structure (other)"),
    ("tei", None, "TEI build"),
    ("validate", None, "validation"),
    ("jsonschema", None, "validation"),
    ("jsonschema_rs", None, "validation"),
    ("record", None, "JSON record + serialise"),
    ("orjson", None, "JSON record + serialise"),
    ("batch", frozenset({"dumps_record"}), "JSON record + serialise"),
    ("reading", None, "read"),
    ("pipeline", None, "pipeline, model (other)"),
    ("model", None, "pipeline, model (other)"),
)
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]*):\d+\)$")


def module_of(path: str) -> str:
    """'corpusconv/rules.py' -> 'rules'; '.../site-packages/ftfy/badness.py' -> 'ftfy'."""
    parts = Path(path).parts
    if "corpusconv" in parts:
        i = len(parts) - 1 - parts[::-1].index("corpusconv")
        return Path(*parts[i + 1:]).with_suffix("").as_posix().replace("/", ".")
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            i = parts.index(marker)
            return parts[i + 1].split(".")[0] if i + 1 < len(parts) else "?"
    return "?"


def stage_of(func: str, path: str) -> str | None:
    """The stage of a frame; a nested function or comprehension ('f.<locals>.<genexpr>') and a
    method ('RuleSet.match') count as the functions named in their qualified name."""
    mod = module_of(path)
    names = set(func.split("."))
    for m, funcs, stage in STAGES:
        if mod == m and (funcs is None or names & funcs):
            return stage
    return None


def attribute(raw: str) -> tuple[collections.Counter, collections.Counter, int]:
    """(samples per stage, self samples per function, total) from py-spy's raw output."""
    stages: collections.Counter = collections.Counter()
    funcs: collections.Counter = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_FRAME.match(f) for f in stack.split(";")]
        frames = [m for m in frames if m]
        if (not any(module_of(m["file"]) == "batch" and m["func"].endswith("process") for m in frames)
                or any(m["func"] == "warm_up" for m in frames)):
            continue  # start-up, first-call imports and schema loading: not the per-document step
        total += n
        stage = "other"
        for m in reversed(frames):
            got = stage_of(m["func"], m["file"])
            if got is not None:
                stage = got
                break
        stages[stage] += n
        if frames:
            top = frames[-1]
            funcs[f"{module_of(top['file'])}.{top['func']}"] += n
    return stages, funcs, total


def warm_up(batch, job, fmt: str, rules) -> None:
    """One document first, for the schemas and lazy imports (left out of the samples)."""
    batch.process(job, fmt, rules)


def child(paths: list[str], fmt: str, root: str) -> int:
    """The profiled process: every document of ``paths`` through ``batch.process``."""
    sys.path.insert(0, root)
    from corpusconv import batch
    from corpusconv.reading import expand_inputs
    from corpusconv.rules import default_rules

    rules = default_rules()
    per_path = []
    for p in paths:
        jobs = expand_inputs([p])
        size = sum(os.path.getsize(j.path) for j in jobs if j.path)
        warm_up(batch, jobs[0], fmt, rules)
        t0 = time.process_time()
        for j in jobs:
            batch.process(j, fmt, rules)
        per_path.append((p, len(jobs), size, time.process_time() - t0))
    print(f"  corpusconv from {Path(batch.__file__).parent}")
    for p, n, size, cpu in per_path:
        print(f"  {p}: {n} documents, {size / 1e6:.2f} MB, {cpu:.2f} CPU-s = {size / 1e6 / cpu:.2f} MB "
              f"and {n / cpu:.0f} documents per CPU-s ({fmt})", flush=True)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--format", default="jsonl", choices=("jsonl", "tei"))
    ap.add_argument("--rate", type=int, default=400, help="py-spy samples per second")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--cprofile", action="store_true", help="cProfile's top functions instead of py-spy")
    ap.add_argument("--root", default=str(REPO),
                    help="directory holding the corpusconv package to profile (default: this tree; e.g. "
                         "an extracted 'git archive REF corpusconv schemas')")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.paths, args.format, args.root)
    me = [sys.executable, str(Path(__file__).resolve()), "--child", "--format", args.format, "--root", args.root,
          *args.paths]
    if args.cprofile:
        import cProfile
        import pstats
        prof = cProfile.Profile()
        prof.runcall(child, args.paths, args.format, args.root)
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)
        return 0
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("profile_stages: py-spy not found (pip install py-spy), or use --cprofile")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "raw.txt")
        subprocess.run([spy, "record", "--format", "raw", "--full-filenames", "-r", str(args.rate), "-o",
                        str(out), "--", *me], check=True, stderr=subprocess.DEVNULL)
        raw = out.read_text()
    stages, funcs, total = attribute(raw)
    if not total:
        raise SystemExit("profile_stages: no samples in batch.process")
    print(f"\nself time by stage ({total} samples at {args.rate}/s in batch.process, format {args.format})")
    print("| stage (self time) | share |\n|---|---|")
    for stage, n in stages.most_common():
        print(f"| {stage} | {100 * n / total:.1f} % |")
    print(f"\ntop {args.top} functions by self samples")
    for f, n in funcs.most_common(args.top):
        print(f"  {100 * n / total:5.1f} %  {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
