#!/usr/bin/env python3
"""Does conversion time grow linearly with the size of a comment thread?

Generates pages with a short article followed by

* a flat thread of N comments (``• Name says:`` / date / text / ``Reply``; bullets, since
  list numbers have at most 3 digits: ``1000.`` is not a list marker), and
* a reply chain D levels deep (each reply nested under the previous one),

converts each in-process, timing CPU seconds (``convert_text``, then JSON Lines + validation and TEI +
validation through ``batch.serialise``) and prints the time per comment.  Linear
behaviour shows as a flat time-per-comment column as N or D doubles; the ``x`` column is
the time ratio to the previous size (2.0 is linear, 4.0 quadratic).  A deep chain's input
grows quadratically with its depth (each level is indented further), so for it compare
the ``s/MB`` column (constant when linear in the input size).

Usage::

    python bench/scaling.py [--flat 1250,2500,5000,10000,20000] [--deep 62,125,250,500]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ARTICLE = """My Blog
Home
About

A Walk in the Hills
May 4, 2012

We set off early in the morning, before the sun had burned the mist off the valley, and walked for hours.
The path climbed steadily through old oak woods, then out onto the open ridge where the wind never stops.
By noon we had reached the cairn at the top and sat for a long while looking at the sea far to the west.

"""
NAMES = ["Alice", "Bob Smith", "Carol", "Dmitri", "Eve", "Farid", "Greta", "Hiro"]
TEXT = ("I really enjoyed reading this, thank you for writing it up so carefully; it reminds me of "
        "a walk I did years ago with my father, comment number {i}.")


def flat_page(n: int) -> str:
    out = [ARTICLE, f"{n} Comments\n"]
    for i in range(1, n + 1):
        out.append(f"  • {NAMES[i % len(NAMES)]} says:\n     May {1 + i % 28}, 2012 at 10:{i % 60:02d} am\n\n"
                   f"     {TEXT.format(i=i)}\n\n     Reply\n")
    return "\n".join(out)


def deep_page(depth: int) -> str:
    out = [ARTICLE, f"{depth} Comments\n"]
    for d in range(depth):
        pad = "  " * (d + 1)
        out.append(f"{pad}• {NAMES[d % len(NAMES)]} says:\n{pad}  May {1 + d % 28}, 2012 at 10:{d % 60:02d} am\n"
                   f"{pad}  {TEXT.format(i=d)}\n{pad}  Reply\n")
    return "\n".join(out)


def measure(text: str, name: str) -> dict:
    from corpusconv import convert_text
    from corpusconv.batch import serialise

    t0 = time.process_time()
    try:
        doc = convert_text(text, source=name)
    except Exception as exc:  # e.g. RecursionError on very deep threads: report it
        return {"error": f"{type(exc).__name__}: {str(exc)[:120]}", "convert": time.process_time() - t0}
    t1 = time.process_time()
    row = {"convert": t1 - t0, "comments": len(doc.comments), "depth": max((c.depth for c in doc.comments), default=0)}
    for fmt in ("jsonl", "tei"):
        t = time.process_time()
        try:
            serialise(doc, fmt)
            row[fmt] = time.process_time() - t
        except Exception as exc:  # report, don't stop: the point is to see where it breaks
            row[fmt] = None
            row[fmt + "_error"] = f"{type(exc).__name__}: {str(exc)[:120]}"
    return row


def run(kind: str, sizes: list[int], make) -> None:
    print(f"\n{kind}: size  input MB  comments  depth  convert s  (x prev)  s/MB  us/comment   jsonl+val s   tei+val s")
    prev = None
    for n in sizes:
        text = make(n)
        mb = len(text.encode()) / 1e6
        r = measure(text, f"{kind}-{n}.txt")
        if "error" in r:
            print(f"  {n:10d}  conversion failed after {r['convert']:.3f} s: {r['error']}", flush=True)
            continue
        ratio = f"{r['convert'] / prev:5.2f}" if prev else "    -"
        prev = r["convert"]
        per = 1e6 * r["convert"] / max(1, r["comments"])
        js = f"{r['jsonl']:10.3f}" if r["jsonl"] is not None else "     ERROR"
        tei = f"{r['tei']:10.3f}" if r["tei"] is not None else "     ERROR"
        print(f"  {n:10d} {mb:9.2f} {r['comments']:9d} {r['depth']:6d} {r['convert']:10.3f}  {ratio}  "
              f"{r['convert'] / mb:5.2f}  {per:10.0f}  {js}  {tei}",
              flush=True)
        for fmt in ("jsonl", "tei"):
            if r.get(fmt + "_error"):
                print(f"      {fmt}: {r[fmt + '_error']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flat", default="1250,2500,5000,10000,20000")
    ap.add_argument("--deep", default="62,125,250,500")
    args = ap.parse_args()
    from corpusconv.rules import default_rules

    default_rules()
    run("flat", [int(x) for x in args.flat.split(",") if x], flat_page)
    run("deep", [int(x) for x in args.deep.split(",") if x], deep_page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
