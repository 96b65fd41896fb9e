#!/usr/bin/env python3
"""Instructions per document, working tree against a git ref: a figure load cannot disturb.

CPU-seconds on a shared machine move by ±15 % from run to run (cache and core sharing).
This counts the instructions (``valgrind --tool=cachegrind --cache-sim=no``, ~30× slower
than native) that ``batch.process`` (read, convert, serialise, validate) executes on ``--docs``
documents spread evenly over a corpus, for the ref (built as ``run.py --against`` does)
and for the working tree; start-up is measured with zero documents and subtracted.

Usage::

    python bench/instructions.py /tmp/mixed15 --against 9c8c0c3 [--docs 60] [--format jsonl|tei]
                                 [--model default|none]   # the working tree's article engine
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import build_ref  # noqa: E402

CHILD = r"""
import inspect, sys
from corpusconv import batch
from corpusconv.reading import expand_inputs
from corpusconv.rules import default_rules
fmt, n, root, model = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
# A ref from before the fitted model has no model argument: it runs its only engine.
kw = {} if "model" not in inspect.signature(batch.process).parameters else {"model": None if model == "none" else model}
jobs = expand_inputs([root])
rules = default_rules()
batch.process(jobs[0], fmt, rules, **kw)  # imports, schemas, rule tables, the model: start-up
step = max(1, (len(jobs) - 1) // n) if n else 1
for j in jobs[1::step][:n]:  # spread over the corpus
    batch.process(j, fmt, rules, **kw)
"""


def count(python: str, env: dict, fmt: str, n: int, corpus: Path, cwd: Path, model: str = "default") -> int:
    with tempfile.NamedTemporaryFile(dir=cwd, suffix=".cg") as out:
        subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out.name}",
                        python, "-c", CHILD, fmt, str(n), str(corpus), model],
                       check=True, capture_output=True, env=env, cwd=cwd)
        summary = re.search(r"^summary: (\d+)", Path(out.name).read_text(), re.M)
    if summary is None:
        raise SystemExit("instructions: no summary in cachegrind's output")
    return int(summary.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--against", required=True, metavar="REF")
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--format", default="jsonl", choices=("jsonl", "tei"))
    ap.add_argument("--model", default="default",
                    help="the article engine (the bundled fitted model, 'none': the hand region, or a model file)")
    args = ap.parse_args()
    corpus = args.corpus.resolve()
    with tempfile.TemporaryDirectory(prefix="corpusconv-instr-") as tmp:
        ref = build_ref(args.against, Path(tmp), fresh_deps=False)
        ref_python = str(Path(ref.cli[0]).with_name("python"))
        tree_env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        got = {}
        for label, python, env in ((ref.label, ref_python, ref.env), ("tree", sys.executable, tree_env)):
            start = count(python, env, args.format, 0, corpus, Path(tmp), args.model)
            total = count(python, env, args.format, args.docs, corpus, Path(tmp), args.model)
            got[label] = total - start
            print(f"  {label:10s} {args.docs} documents ({args.format}): {got[label] / 1e6:,.0f} M instructions "
                  f"({got[label] / args.docs / 1e6:.1f} M per document; start-up {start / 1e6:,.0f} M)", flush=True)
    a, b = got[ref.label], got["tree"]
    print(f"tree / {ref.label}: {b / a:.3f} of the instructions = {a / b:.2f}x fewer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
