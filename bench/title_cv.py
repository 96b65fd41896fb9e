#!/usr/bin/env python3
"""Fast site-grouped cross-validation of the title decision alone, over cached rows.

    python bench/title_cv.py [--cache DIR] [--folds 5] [--jobs 2] [--threshold T ...]

Every page of every rendering is analysed once (``corpusconv.fitting.collect``, with the
same per-page cache as ``corpusconv fit --cache``); then, for each site-grouped fold
(:func:`corpusconv.goldlabels.site_folds`), the title ranker is fitted on the other
folds' pages (all renderings) exactly as ``corpusconv fit`` fits it, and the held-out
pages' titles are picked as conversion picks them (best candidate, if its probability
clears the threshold).  Printed per rendering, over the pages with a gold title: the
candidate recall (share whose gold title is among the candidates: the ceiling of any
fitted pick), the hand-set pick's accuracy on the same pages, and the fitted pick's
held-out accuracy pooled over the folds and as fold mean ± std, for each threshold.

This is for iterating on candidates and features in a minute; it scores the title as
the set's scorer does (``fitting.title_key``), on the engine's hand-set article run.
``--searches DIR`` keeps each page's title search (the page as the title decision sees
it) instead of its rows, so that a change to the candidates or features re-runs only
them; it is valid only while the code up to the title search is unchanged (empty the
folder otherwise).  Report figures from a run without it.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean, pstdev

import numpy as np

from realweb import DEFAULT_SET, analysis_digest, kept_once, renderings

from corpusconv import fitting, titles
from corpusconv.goldlabels import load_golds, site_folds

_OFFSET = titles.FEATURES.index("offset")
MAX_JOBS = 2   # the machine is shared


def _search(args: tuple[str, str]) -> str:
    """Analyse one page and pickle its title search into the folder (once)."""
    from corpusconv.decoding import decode_bytes
    from corpusconv.rules import default_rules
    from corpusconv.structure import analyse, segment_page

    path, folder = args
    data = Path(path).read_bytes()
    return kept_once(folder, hashlib.sha256(data + analysis_digest().encode()).hexdigest()[:24],
                     lambda: analyse(segment_page(decode_bytes(data).lines).units, default_rules()).title)


def _title_part(args: tuple[str, dict]) -> fitting.PageRows:
    f, gold = args
    return fitting.PageRows([], [], [], "", fitting.title_rows(pickle.loads(Path(f).read_bytes()), gold))


def rows_from_searches(pages: list[tuple[str, dict]], folder: str, jobs: int) -> list[fitting.PageRows]:
    """Title rows of every page from the kept title searches (see the module docstring)."""
    with ProcessPoolExecutor(jobs) as pool:
        files = list(pool.map(_search, [(p, folder) for p, _ in pages], chunksize=8))
        return list(pool.map(_title_part, [(f, g) for f, (_, g) in zip(files, pages)], chunksize=8))


def best_candidate(model, rows: fitting.TitleRows) -> tuple[int, float] | None:
    """The pick over one page's candidate rows (as titles.pick breaks ties): (index, p)."""
    if not rows.y:
        return None
    # as trees.Ensemble.probability: the logistic of the raw score
    probs = list(1.0 / (1.0 + np.exp(-model.predict(np.asarray(rows.x, dtype=np.float64)))))
    best = max(range(len(probs)), key=lambda i: (probs[i], -abs(rows.x[i][_OFFSET]), -i))
    return best, probs[best]


def show_error(path: str, gold: dict, best: tuple[int, float] | None) -> None:
    """Print what was picked on a page where the pick is wrong, and where the gold title was."""
    from corpusconv.decoding import decode_bytes
    from corpusconv.rules import default_rules
    from corpusconv.structure import analyse, segment_page

    s = analyse(segment_page(decode_bytes(Path(path).read_bytes()).lines).units, default_rules()).title
    cands = titles.candidates(s) if s is not None else []
    key = fitting.title_key(gold.get("title"))
    at = [c.k - s.start for c in cands if s is not None and fitting.title_key(c.unit.text) == key]
    got = "no candidate"
    if best is not None and s is not None:
        got = f"{cands[best[0]].unit.text[:70]!r} (offset {cands[best[0]].k - s.start}, p={best[1]:.2f})"
    print(f"{Path(path).parent.name}/{Path(path).stem}\n    picked {got}\n"
          f"    gold   {gold.get('title', '')[:70]!r} at offsets {at[:4]}")


def held_out(parts: list[fitting.PageRows], keys: list[tuple[str, str]], folds: dict[str, int], k: int,
             thresholds: list[float]) -> dict[float, dict[tuple[str, str], tuple[bool, tuple[int, float] | None]]]:
    """Per threshold, per (rendering, page): whether the fold's held-out pick is right."""
    right: dict[float, dict] = {t: {} for t in thresholds}
    for fold in range(k):
        model = fitting.title_booster([p.title for key, p in zip(keys, parts) if folds[key[1]] != fold])
        for key, part in zip(keys, parts):
            if folds[key[1]] != fold:
                continue
            best = best_candidate(model, part.title)
            for t in thresholds:
                ok = best is not None and best[1] >= t and part.title.y[best[0]] == 1
                right[t][key] = (ok, best)
    return right


def _fold_cells(values: dict[tuple[str, str], bool], folds: dict[str, int], k: int) -> str:
    per_fold = [mean(float(v) for key, v in values.items() if folds[key[1]] == f) for f in range(k)]
    return f"{mean(map(float, values.values())):.3f} | {mean(per_fold):.3f} ± {pstdev(per_fold):.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET)
    ap.add_argument("--cache", default="/tmp/titlecache", help="per-page rows cache (shared with fit --cache)")
    ap.add_argument("--searches", default=None, metavar="DIR", help="keep title searches here (iterating only)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--threshold", type=float, nargs="+", default=[fitting.TITLE_THRESHOLD])
    ap.add_argument("--errors", nargs="*", default=[], metavar="RENDERING",
                    help="print the wrong picks of these renderings (slow: re-analyses those pages)")
    args = ap.parse_args(argv)
    golds = load_golds(args.set / "gold")
    rends = renderings(args.set)
    pages = fitting.labelled_pages(str(args.set / "gold"), [str(args.set / r) for r in rends])
    jobs = max(1, min(MAX_JOBS, args.jobs))
    if args.searches:
        parts = rows_from_searches(pages, args.searches, jobs)
    else:
        parts = fitting.collect(pages, jobs, args.cache)
    folds = site_folds(golds, args.folds)
    keys = [(Path(f).parent.name, Path(f).stem) for f, _ in pages]
    titled = {n for n, g in golds.items() if g.get("title")}
    right = held_out(parts, keys, folds, args.folds, args.threshold)
    print("| rendering | pages | cand-recall | hand-set pooled | folds | "
          + " | ".join(f"fitted@{t} pooled | folds" for t in args.threshold) + " |")
    print("|---|---|---|---|---|" + "---|---|" * len(args.threshold))
    for r in rends:
        mine = [(key, p) for key, p in zip(keys, parts) if key[0] == r and key[1] in titled]
        recall = mean(float(any(p.title.y)) for _, p in mine)
        hand = _fold_cells({key: p.title.hand_right for key, p in mine}, folds, args.folds)
        cells = [_fold_cells({key: right[t][key][0] for key, _ in mine}, folds, args.folds) for t in args.threshold]
        print(f"| {r} | {len(mine)} | {recall:.3f} | {hand} | " + " | ".join(cells) + " |")
    for i, key in enumerate(keys):
        if key[0] in args.errors and key[1] in titled and not right[args.threshold[0]][key][0]:
            show_error(pages[i][0], golds[key[1]], right[args.threshold[0]][key][1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
