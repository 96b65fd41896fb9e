#!/usr/bin/env python3
"""Fast site-grouped cross-validation of the article decision alone, over kept page contexts.

    python bench/unit_cv.py [--contexts DIR] [--folds 5] [--jobs 2] [--set NAME=VALUE ...]

``bench/crossval.py`` measures the whole engine (fit, convert, the set's scorer) and takes
~13 minutes; this measures only the fitted article decision in a minute or two, to compare
features and fitting settings before paying for the real figure.  Every page of every
rendering is analysed once (:func:`corpusconv.structure.analyse`) and its article-decision
context (:class:`corpusconv.classify.Context`, its candidates and their gold labels) kept
in ``--contexts``, keyed by the page, its gold and the code the analysis depends on
(:func:`realweb.analysis_digest`: changed code is analysed afresh); the feature vectors are
computed from the kept contexts on every run, so a change to :mod:`corpusconv.classify`'s
features needs no re-analysis.

Then for each site-grouped fold (:func:`corpusconv.goldlabels.site_folds`, as
``crossval.py``), both passes are fitted on the other folds' pages exactly as
``corpusconv fit`` fits them (:func:`corpusconv.fitting.fit_article`) and the held-out
candidates decided as conversion decides them (probability >= the threshold).  Printed
per rendering: the candidates' word-weighted article F1 per page (``unit-F1``: the
article's words among the candidates only; words the rules or threads already claimed
are not counted), pooled and as fold mean ± std, with the all-in figure (fitted and
scored on every page) and the gap.  ``--set`` overrides a fitting constant of
:mod:`corpusconv.fitting` for the run (``--set NUM_LEAVES=7``); ``--train-share 0.5`` fits
each fold on half of its training sites (the same held-out pages: a learning curve, which
says whether more labelled sites would still raise the held-out figure).  Report the real figures
from ``crossval.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, pstdev

from realweb import DEFAULT_SET, analysis_digest, kept_once, renderings

from corpusconv import classify, fitting, goldlabels, trees
from corpusconv.goldlabels import load_golds, site_folds

MAX_JOBS = 2   # the machine is shared


@dataclass
class Kept:
    """One labelled page's article-decision input, as kept on disk."""

    ctx: classify.Context
    cands: list[int]            # candidate unit numbers, in page order
    y: list[int | None]
    words: list[int]


def _keep(args: tuple[str, dict, str]) -> str:
    """Analyse one page and pickle its article-decision input into the folder (once)."""
    from corpusconv.decoding import decode_bytes
    from corpusconv.rules import default_rules
    from corpusconv.structure import analyse, segment_page

    path, gold, folder = args
    data = Path(path).read_bytes()
    key = hashlib.sha256(data + repr(sorted(gold.items())).encode() + analysis_digest().encode()).hexdigest()[:24]

    def make() -> Kept:
        lines = decode_bytes(data).lines
        labels = goldlabels.label_lines(lines, gold)
        a = analyse(segment_page(lines).units, default_rules())
        cands = a.candidates()
        return Kept(a.context(), [u.no for u in cands], [fitting.unit_label(u.lines, labels) for u in cands],
                    [u.words for u in cands])
    return kept_once(folder, key, make)


def _rows(args: tuple[str, str]) -> fitting.PageRows:
    f, site = args
    kept: Kept = pickle.loads(Path(f).read_bytes())
    feats = classify.page_features(kept.ctx, set(kept.cands))
    return fitting.PageRows([feats[no] for no in kept.cands], kept.y, kept.words, site)


def page_rows(pages: list[tuple[str, dict]], folder: str, jobs: int) -> list[fitting.PageRows]:
    sites = [goldlabels.site_of(g, Path(p).stem) for p, g in pages]
    with ProcessPoolExecutor(jobs) as pool:
        files = list(pool.map(_keep, [(p, g, folder) for p, g in pages], chunksize=8))
        return list(pool.map(_rows, list(zip(files, sites)), chunksize=8))


def probabilities(models: trees.Models, pg: fitting.PageRows) -> list[float]:
    """Conversion's probabilities for one page's candidates (both passes)."""
    first, second = models.members["article"], models.members["article-context"]
    p = [first.probability(x) for x in pg.x]
    rows = [x + c for x, c in zip(pg.x, classify.context_features(p))]
    return [second.probability(x) for x in rows]


def _models(members: dict[str, dict]) -> trees.Models:
    return trees.parse(trees.dumps(members, {}), "cross-validation")


def page_f1(pg: fitting.PageRows, keep: list[bool]) -> float | None:
    """Word-weighted F1 of the kept candidates against the article candidates (None: a
    page whose candidates hold no article words and none kept)."""
    tp = sum(w for w, y, k in zip(pg.words, pg.y, keep) if k and y == 1)
    fp = sum(w for w, y, k in zip(pg.words, pg.y, keep) if k and y != 1)
    fn = sum(w for w, y, k in zip(pg.words, pg.y, keep) if not k and y == 1)
    if tp + fp + fn == 0:
        return None
    return 2 * tp / (2 * tp + fp + fn)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set-dir", type=Path, default=DEFAULT_SET)
    ap.add_argument("--contexts", default="/tmp/unitcv", help="kept page contexts (see the docstring)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-all-in", action="store_true", help="skip the all-in fit (faster)")
    ap.add_argument("--threshold", type=float, nargs="+", default=[fitting.THRESHOLD],
                    help="decide at these probabilities (one table each)")
    ap.add_argument("--train-share", type=float, default=1.0,
                    help="fit each fold on this share of its training sites (a learning curve)")
    ap.add_argument("--probs", type=Path, help="also keep the probabilities here (pickle: held-out, all-in)")
    ap.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="override a fitting constant")
    args = ap.parse_args(argv)
    for item in args.set:
        name, value = item.split("=", 1)
        kind = type(getattr(fitting, name))
        setattr(fitting, name, value.lower() in ("1", "true") if kind is bool else kind(value))
    golds = load_golds(args.set_dir / "gold")
    rends = renderings(args.set_dir)
    pages = fitting.labelled_pages(str(args.set_dir / "gold"), [str(args.set_dir / r) for r in rends])
    rows = page_rows(pages, args.contexts, max(1, min(MAX_JOBS, args.jobs)))
    folds = site_folds(golds, args.folds)
    keys = [(Path(f).parent.name, Path(f).stem) for f, _ in pages]
    held: dict[tuple[str, str], list[float]] = {}
    sites = {key[1]: r.site for key, r in zip(keys, rows)}
    for fold in range(args.folds):
        train = _share({sites[n] for n in folds if folds[n] != fold and n in sites}, args.train_share)
        model = _models(fitting.fit_article([r for key, r in zip(keys, rows) if folds[key[1]] != fold
                                             and sites[key[1]] in train]))
        for key, r in zip(keys, rows):
            if folds[key[1]] == fold:
                held[key] = probabilities(model, r)
    allin: dict[tuple[str, str], list[float]] = {}
    if not args.no_all_in:
        model = _models(fitting.fit_article(rows))
        allin = {key: probabilities(model, r) for key, r in zip(keys, rows)}
    if args.probs:
        args.probs.write_bytes(pickle.dumps({"held": held, "all_in": allin}))
    for t in args.threshold:
        print(f"\nthreshold {t}")
        table(rends, folds, args.folds, _f1s(held, rows, keys, t), _f1s(allin, rows, keys, t))
    return 0


def _share(sites: set[str], share: float) -> set[str]:
    """A deterministic ``share`` of the sites (by a hash of the name, so a smaller share
    is a subset of a larger one)."""
    if share >= 1.0:
        return sites
    order = sorted(sites, key=lambda s: hashlib.sha1(s.encode()).hexdigest())
    return set(order[:max(1, round(share * len(order)))])


def _f1s(probs: dict[tuple[str, str], list[float]], rows: list[fitting.PageRows], keys: list[tuple[str, str]],
         t: float) -> dict[tuple[str, str], float]:
    out = {}
    for key, r in zip(keys, rows):
        if key in probs:
            f1 = page_f1(r, [p >= t for p in probs[key]])
            if f1 is not None:
                out[key] = f1
    return out


def table(rends: list[str], folds: dict[str, int], k: int, held: dict[tuple[str, str], float],
          allin: dict[tuple[str, str], float]) -> None:
    print("| rendering | pages | unit-F1 all-in | pooled | fold mean ± std | gap |")
    print("|---|---|---|---|---|---|")
    means = []
    for rend in rends:
        mine = {key: v for key, v in held.items() if key[0] == rend}
        per_fold = [mean(v for key, v in mine.items() if folds[key[1]] == f) for f in range(k)]
        fm = mean(per_fold)
        means.append(fm)
        ai = mean(v for key, v in allin.items() if key[0] == rend) if allin else float("nan")
        print(f"| {rend} | {len(mine)} | {ai:.4f} | {mean(mine.values()):.4f} | {fm:.4f} ± {pstdev(per_fold):.4f} "
              f"| {ai - fm:+.4f} |")
    print(f"mean of fold means: {mean(means):.4f}")


if __name__ == "__main__":
    sys.exit(main())
