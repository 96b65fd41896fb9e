#!/usr/bin/env python3
"""Fast site-grouped cross-validation of the title decision alone, over cached rows.

    python bench/title_cv.py [--cache DIR] [--folds 5] [--jobs 2] [--threshold T ...]

Every page of every rendering is analysed once (``corpusconv.fitting.collect_pages``, with
the same per-page cache as ``corpusconv fit --cache``); then, for each site-grouped fold
(:func:`corpusconv.goldlabels.site_folds`), the title ensemble is fitted on the other
folds' pages (all renderings) exactly as ``corpusconv fit`` fits it and the held-out
pages' titles are picked as conversion picks them (best candidate, if its probability
clears the threshold).  Printed per rendering: the candidate recall (share of pages with
a gold title that is among the candidates: the ceiling of any pick), the held-out title
accuracy pooled over the folds and its fold mean ± std, for each threshold given.

This is for iterating on features and settings in a minute; the figures to report come
from ``bench/crossval.py``, which runs the whole engine and the set's own scorer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from statistics import mean, pstdev

import numpy as np

from realweb import DEFAULT_SET, renderings

from corpusconv import fitting, titles
from corpusconv.goldlabels import load_golds, site_folds

_OFFSET = titles.FEATURES.index("offset")


def best_candidate(model, rows: fitting.Rows) -> tuple[int, float] | None:
    """The pick over one page's candidate rows (as titles.pick breaks ties): (index, p)."""
    if not rows.y:
        return None
    # as trees.Ensemble.probability: the logistic of the raw score
    probs = list(1.0 / (1.0 + np.exp(-model.predict(np.asarray(rows.x, dtype=np.float64)))))
    best = max(range(len(probs)), key=lambda i: (probs[i], -abs(rows.x[i][_OFFSET]), -i))
    return best, probs[best]


def show_errors(path: str, gold: dict, best: tuple[int, float] | None) -> None:
    """Print what was picked on a page where the pick is wrong, and where the gold title was."""
    from corpusconv.decoding import decode_bytes
    from corpusconv.rules import default_rules
    from corpusconv.structure import analyse, segment_page

    a = analyse(segment_page(decode_bytes(Path(path).read_bytes()).lines).units, default_rules())
    s = a.title
    cands = titles.candidates(s) if s is not None else []
    key = fitting.title_key(gold.get("title"))
    at = [c.k - s.start for c in cands if fitting.title_key(c.unit.text) == key] if s is not None else []
    got = f"{cands[best[0]].unit.text[:70]!r} (offset {cands[best[0]].k - s.start}, p={best[1]:.2f})" \
        if best is not None and s is not None else "no candidate"
    print(f"{Path(path).stem}\n    picked {got}\n    gold   {gold.get('title', '')[:70]!r} at offsets {at[:4]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET)
    ap.add_argument("--cache", default="/tmp/fitcache-titles", help="per-page rows cache (shared with fit --cache)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--threshold", type=float, nargs="+", default=[fitting.TITLE_THRESHOLD])
    ap.add_argument("--errors", nargs="*", default=[], metavar="RENDERING",
                    help="print the wrong picks of these renderings (slow: re-analyses those pages)")
    args = ap.parse_args(argv)
    golds = load_golds(args.set / "gold")
    rends = renderings(args.set)
    pages = fitting.labelled_pages(str(args.set / "gold"), [str(args.set / r) for r in rends])
    parts = fitting.collect_pages(pages, max(1, min(2, args.jobs)), args.cache)
    folds = site_folds(golds, args.folds)
    keys = [(Path(f).parent.name, Path(f).stem) for f, _ in pages]
    titled = {n for n, g in golds.items() if g.get("title")}
    right: dict[float, dict[tuple[str, str], bool]] = {t: {} for t in args.threshold}
    for fold in range(args.folds):
        model, _ = fitting.title_booster([p["title"] for k, p in zip(keys, parts) if folds[k[1]] != fold])
        for key, part in zip(keys, parts):
            if folds[key[1]] == fold and key[1] in titled:
                best = best_candidate(model, part["title"])
                for t in args.threshold:
                    right[t][key] = best is not None and best[1] >= t and part["title"].y[best[0]] == 1
                if key[0] in args.errors and not right[args.threshold[0]][key]:
                    show_errors(pages[keys.index(key)][0], golds[key[1]], best)
    print("| rendering | cand-recall | " + " | ".join(f"title@{t} pooled | folds" for t in args.threshold) + " |")
    print("|---|---|" + "---|---|" * len(args.threshold))
    for r in rends:
        recall = mean(float(any(p["title"].y)) for k, p in zip(keys, parts) if k[0] == r and k[1] in titled)
        cells = []
        for t in args.threshold:
            got = {k: v for k, v in right[t].items() if k[0] == r}
            per_fold = [mean(float(v) for k, v in got.items() if folds[k[1]] == f) for f in range(args.folds)]
            cells.append(f"{mean(map(float, got.values())):.3f} | {mean(per_fold):.3f} ± {pstdev(per_fold):.3f}")
        print(f"| {r} | {recall:.3f} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
