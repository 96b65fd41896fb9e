#!/usr/bin/env python3
"""How fast could the engine be if everything but its regular expressions cost nothing?

Converts a corpus once with every compiled pattern of the package (module-level patterns
and the rules' patterns) wrapped in a recorder, then replays the recorded calls alone, in
a tight loop, and prints the throughput that regex work by itself allows.  The rules are
data (regular expressions in ``rules.toml`` and users' rule files), so this is a ceiling
for any pure-Python engine that keeps them: no amount of tuning of the Python around the
calls can go past it.  Patterns compiled inside functions or used through ``re.match(str,
…)`` are not seen, so the figure is an upper bound on the ceiling.

Usage::

    python bench/make_corpus.py --size 5MB --out /tmp/c5
    python bench/regex_ceiling.py /tmp/c5 [--limit N]
"""

from __future__ import annotations

import argparse
import copy
import gc
import importlib
import pkgutil
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import corpusconv  # noqa: E402
from corpusconv.pipeline import convert_bytes  # noqa: E402
from corpusconv.reading import expand_inputs, read_job  # noqa: E402
from corpusconv.rules import build_ruleset, default_rules  # noqa: E402

#: The target throughput the ceiling is compared with (issue 5: 15 % of a ~100 MB/s floor).
TARGET_MB_S = 15.0
METHODS = ("match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split")


class _Recorder:
    """Stands in for a compiled pattern; records each matching call, then makes it."""

    __slots__ = ("pattern", "calls")

    def __init__(self, pattern: re.Pattern, calls: list):
        self.pattern, self.calls = pattern, calls

    def __getattr__(self, name):
        attr = getattr(self.pattern, name)
        if name not in METHODS:
            return attr
        calls = self.calls

        def call(*args, **kwargs):
            calls.append((attr, args, kwargs))
            return attr(*args, **kwargs)
        return call


def _spy_on_patterns(calls: list):
    """Wrap every module-level pattern of the package and a fresh rule set's patterns."""
    n = 0
    for info in pkgutil.iter_modules(corpusconv.__path__):
        mod = importlib.import_module(f"corpusconv.{info.name}")
        for name, value in list(vars(mod).items()):
            if isinstance(value, re.Pattern):
                setattr(mod, name, _Recorder(value, calls))
                n += 1
    # Copies of the rules (the cached default set stays as it is), fresh tables and memo.
    rules = build_ruleset([copy.copy(rule) for rule in default_rules().rules])
    for rule in rules.rules:
        if rule.compiled is not None:
            object.__setattr__(rule, "compiled", _Recorder(rule.compiled, calls))
            n += 1
    return rules, n


def _replay(calls: list) -> float:
    t0 = time.process_time()
    for fn, args, kwargs in calls:
        fn(*args, **kwargs)
    return time.process_time() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="a directory of pages (e.g. from bench/make_corpus.py)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N pages")
    args = ap.parse_args()
    jobs = expand_inputs([args.corpus])  # the CLI's own file discovery and reading
    if args.limit:
        jobs = jobs[: args.limit]
    if not jobs:
        ap.error(f"no input files under {args.corpus}")
    paths = [job.source for job in jobs]
    datas = [read_job(job) for job in jobs]
    mb = sum(map(len, datas)) / 1e6

    plain = default_rules()
    convert_bytes(datas[0], "warm-up", rules=plain)
    t0 = time.process_time()
    for path, data in zip(paths, datas):
        convert_bytes(data, path, rules=plain)
    engine = time.process_time() - t0

    calls: list = []
    rules, n_patterns = _spy_on_patterns(calls)
    for path, data in zip(paths, datas):
        convert_bytes(data, path, rules=rules)
    n_lines = sum(data.count(b"\n") + 1 for data in datas)

    gc.disable()
    regex = min(_replay(calls) for _ in range(3))
    # The loop itself (tuple unpacking, the call) with a no-op in place of the pattern.
    noop_calls = [((lambda *a, **k: None), a, k) for _, a, k in calls]
    loop = min(_replay(noop_calls) for _ in range(3))
    gc.enable()
    net = max(regex - loop, 1e-9)

    print(f"{len(paths)} pages, {mb:.2f} MB, {n_lines:,} lines; {n_patterns} patterns watched")
    print(f"engine (convert, no serialisation): {engine:.2f} CPU-s = {mb / engine:.2f} MB/s")
    print(f"regex calls: {len(calls):,} ({len(calls) / n_lines:.1f} per line; "
          + ", ".join(f"{k} {v:,}" for k, v in Counter(f.__name__ for f, _, _ in calls).most_common()) + ")")
    print(f"replayed alone: {regex:.3f} CPU-s = {mb / regex:.1f} MB/s; net of the replay loop "
          f"({loop:.3f} s): {net:.3f} CPU-s = {mb / net:.1f} MB/s")
    print(f"share of the engine's time in regex calls: {net / engine:.0%} (net) to {regex / engine:.0%}")
    print(f"budget for the whole conversion at {TARGET_MB_S:g} MB/s: {mb / TARGET_MB_S:.3f} CPU-s "
          f"({mb / TARGET_MB_S / n_lines * 1e6:.2f} µs per line); the regex calls alone need "
          f"{net / (mb / TARGET_MB_S):.1f}× that")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
