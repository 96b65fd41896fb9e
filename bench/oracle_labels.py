#!/usr/bin/env python3
"""Oracle check of the gold line labels (``corpusconv.goldlabels``).

For each rendering of the realweb dev set, every page is labelled line by line from its
gold, and a record is built from the labels alone (article = the lines labelled
title / article / quote, comments = the lines labelled comment, grouped by gold comment;
see ``goldlabels.oracle_record``).  The records are scored with the set's ``score.py
--pages RENDERING``: a labeler that finds every gold part on its lines scores close to
1.0 (0 for leak and cmt-in-art); what it misses shows here.

    python bench/oracle_labels.py                       # every rendering
    python bench/oracle_labels.py --renderings pages-lynx --per-page 10
    python bench/oracle_labels.py --keep /tmp/oracle    # keep the records (RENDERING.jsonl)

Also prints how the non-blank lines of each rendering are labelled, and the time taken.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

from realweb import (COLUMNS, DEFAULT_SET, article_words, fmt, read_lines, renderings, score, summarise,
                     table)

from corpusconv.goldlabels import LABELS, label_lines, load_golds, oracle_record

MAX_JOBS = 2  # the machine is shared


def _label_page(task: tuple[Path, str, dict]) -> tuple[str, dict, Counter]:
    path, name, gold = task
    lines = read_lines(path)
    labels = label_lines(lines, gold)
    counts = Counter(lab.label for lab in labels if lab is not None)
    return name, oracle_record(name, lines, labels, gold), counts


def oracle(set_dir: Path, rendering: str, golds: dict[str, dict], jobs: int, out: Path) -> Counter:
    """Write the oracle records of one rendering to ``out``; return the label counts."""
    tasks = [(set_dir / rendering / f"{n}.txt", n, g) for n, g in golds.items()]
    with Pool(jobs) as pool:
        results = pool.map(_label_page, tasks, chunksize=4)
    counts: Counter = Counter()
    with out.open("w", encoding="utf-8") as f:
        for _, rec, c in results:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            counts.update(c)
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="the dev set folder (default: ../shared/realweb)")
    ap.add_argument("--renderings", nargs="+", help="rendering folders (default: every pages*)")
    ap.add_argument("--jobs", type=int, default=MAX_JOBS, help=f"labelling processes (at most {MAX_JOBS})")
    ap.add_argument("--keep", type=Path, help="write the oracle records to DIR/RENDERING.jsonl")
    ap.add_argument("--per-page", type=int, default=0, metavar="N", help="list the N pages with the lowest art-F1")
    args = ap.parse_args()
    if not (args.set / "gold").is_dir():
        print(f"oracle_labels: no gold/ under {args.set}", file=sys.stderr)
        return 2
    golds = load_golds(args.set / "gold")
    words = article_words(golds)
    jobs = max(1, min(args.jobs, MAX_JOBS))
    rows, label_rows, worst = [], [], []
    with tempfile.TemporaryDirectory(prefix="cv-oracle-") as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for rendering in args.renderings or renderings(args.set):
            t0 = time.perf_counter()
            out = out_dir / f"{rendering}.jsonl"
            counts = oracle(args.set, rendering, golds, jobs, out)
            took = time.perf_counter() - t0
            per_page = score(args.set, rendering, out)
            s = summarise(per_page, golds, words)
            rows.append([rendering, str(len(per_page))] + [fmt(s[c]) for c, _ in COLUMNS] + [f"{took:.1f}"])
            total = sum(counts.values())
            label_rows.append([rendering, str(total)] + [f"{counts[lab] / total:.3f}" for lab in LABELS])
            worst += [(m["art_f1"], rendering, n, m) for n, m in per_page.items()]
    print(table(["rendering", "pages"] + [c for c, _ in COLUMNS] + ["label s"], rows))
    print("\nShare of the non-blank lines by label:\n")
    print(table(["rendering", "lines"] + list(LABELS), label_rows))
    if args.per_page:
        print(f"\nLowest art-F1 ({args.per_page}):\n")
        worst.sort(key=lambda w: (w[0], w[1], w[2]))
        print(table(["rendering", "page", "art-P", "art-R", "art-F1", "title", "cmt-match"],
                    [[r, n, fmt(m.get("art_p")), fmt(m.get("art_r")), fmt(m.get("art_f1")), fmt(m.get("title")),
                      fmt(m.get("cmt_match"))] for _, r, n, m in worst[:args.per_page]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
