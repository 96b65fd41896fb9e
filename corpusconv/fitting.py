"""Fit the article decision (:mod:`corpusconv.classify`) on labelled pages.

Labelled pages are rendered pages (``NAME.txt``, any dump tool) with a gold file
(``NAME.json`` in the format :mod:`corpusconv.goldlabels` documents: at least the title
and the article's paragraphs).  For every page the conversion runs as usual up to the
article decision (:func:`corpusconv.structure.analyse`), so the features fitted on are
exactly those conversion computes; each candidate unit is labelled from the gold
alignment of its physical lines (article, title or quotation: 1; anything else: 0) and
weighted by its length, since the article's words are what the scores count.

The fit (LightGBM, an optional dependency: ``pip install 'corpusconv[fit]'``) is
deterministic: one thread, fixed seeds, pages in sorted order, so the same pages give the
same model file, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import classify, goldlabels, trees
from .decoding import decode_bytes
from .errors import CorpusconvError
from .rules import default_rules
from .structure import analyse, segment_page

ARTICLE_LABELS = ("title", "article", "quote")
# LightGBM settings (named, so a refit is reproducible and reviewable).
N_TREES = 120
NUM_LEAVES = 15
LEARNING_RATE = 0.08
MIN_CHILD_SAMPLES = 40
FEATURE_FRACTION = 0.8
THRESHOLD = 0.5
SEED = 7
FIT_THREADS = 2           # fixed, so that a refit gives the same file on any machine
INNER_FOLDS = 5           # site-grouped folds for the second pass's first-pass verdicts
PAGE_WEIGHT = 200.0       # each page's units weigh this much in all


@dataclass
class PageRows:
    """One labelled page's candidate units, in page order: features, labels (None: a unit
    without words, not fitted on but part of its neighbours' context), word counts, and
    the page's site (cross-validation groups)."""

    x: list[list[float]]
    y: list[int | None]
    words: list[int]
    site: str = ""

    def weights(self) -> list[float]:
        """Per labelled unit: its share of the page's (square-rooted) words.  Every page
        weighs the same, as in the scores (means over pages), and within a page longer
        units weigh more, as their words count more there."""
        raw = [1.0 + math.sqrt(w) for w, y in zip(self.words, self.y) if y is not None]
        total = sum(raw) or 1.0
        return [PAGE_WEIGHT * r / total for r in raw]


def unit_label(u_lines: tuple[int, ...], labels: list) -> int | None:
    """1 when most of the unit's words are article text, 0 otherwise, None if it has no words."""
    art = total = 0
    for n in u_lines:
        lab = labels[n - 1]
        if lab is None:
            continue
        total += lab.tokens
        if lab.label in ARTICLE_LABELS:
            art += lab.tokens
    if total == 0:
        return None
    return 1 if art * 2 >= total else 0


def page_rows(text_path: str, gold: dict) -> PageRows:
    """Features, labels and word counts of one labelled page's candidate units."""
    lines = decode_bytes(Path(text_path).read_bytes()).lines
    labels = goldlabels.label_lines(lines, gold)
    a = analyse(segment_page(lines).units, default_rules())
    feats = classify.page_features(a.context())
    cands = a.candidates()
    return PageRows([feats[u.no] for u in cands], [unit_label(u.lines, labels) for u in cands],
                    [u.words for u in cands], goldlabels.site_of(gold, Path(text_path).stem))


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the package's code and data: cached rows are valid only for it."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for f in sorted(list(root.glob("*.py")) + list(root.glob("data/*.toml"))):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _cached_rows(args: tuple[str, dict, str | None]) -> PageRows:
    path, gold, cache = args
    if cache is None:
        return page_rows(path, gold)
    key = hashlib.sha256(Path(path).read_bytes() + json.dumps(gold, sort_keys=True).encode()
                         + code_digest().encode()).hexdigest()[:24]
    f = Path(cache) / f"{key}.json"
    try:
        return PageRows(**json.loads(f.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    rows = page_rows(path, gold)
    try:
        Path(cache).mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"x": rows.x, "y": rows.y, "words": rows.words, "site": rows.site}),
                       encoding="utf-8")
        os.replace(tmp, f)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return rows


def collect(pages: list[tuple[str, dict]], jobs: int = 1, cache: str | None = None) -> list[PageRows]:
    """Rows of many pages, in the given order (parallel over pages, same result).

    ``cache`` is a folder of per-page rows keyed by the page, its gold and the package's
    code (:func:`code_digest`), so cross-validation extracts each page's features once."""
    args = [(f, g, cache) for f, g in pages]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            return list(pool.map(_cached_rows, args, chunksize=8))
    return [_cached_rows(a) for a in args]


def labelled_pages(gold_dir: str, page_dirs: list[str], only: set[str] | None = None) -> list[tuple[str, dict]]:
    """(page file, gold) for every page of ``page_dirs`` that has a gold file, sorted."""
    golds = goldlabels.load_golds(gold_dir)
    out = []
    for d in page_dirs:
        for name in sorted(golds):
            if only is not None and name not in only:
                continue
            f = os.path.join(d, name + ".txt")
            if os.path.exists(f):
                out.append((f, golds[name]))
    if not out:
        raise CorpusconvError(f"no labelled pages: no NAME.txt in {', '.join(page_dirs)} has a NAME.json in {gold_dir}")
    return out


def _flatten(node: dict, tree: dict) -> int:
    """Append ``node`` (LightGBM's nested dump) to the flat arrays; return its index."""
    if "leaf_index" in node or "split_index" not in node:
        tree["leaf"].append(float(node.get("leaf_value", 0.0)))
        return ~(len(tree["leaf"]) - 1)
    k = len(tree["feature"])
    tree["feature"].append(int(node["split_feature"]))
    tree["threshold"].append(float(node["threshold"]))
    tree["value"].append(float(node["internal_value"]))
    tree["left"].append(0)
    tree["right"].append(0)
    tree["left"][k] = _flatten(node["left_child"], tree)
    tree["right"][k] = _flatten(node["right_child"], tree)
    return k


def _lightgbm():
    try:
        import lightgbm
        import numpy as np
    except ImportError:
        raise CorpusconvError("fitting needs LightGBM: pip install 'corpusconv[fit]'") from None
    return lightgbm, np


def _params() -> dict:
    return dict(objective="binary", num_leaves=NUM_LEAVES, learning_rate=LEARNING_RATE,
                min_data_in_leaf=MIN_CHILD_SAMPLES, feature_fraction=FEATURE_FRACTION, seed=SEED,
                num_threads=FIT_THREADS, deterministic=True, force_row_wise=True, verbose=-1)


def _train(xs: list[list[float]], ys: list[int], ws: list[float], names: list[str]):
    """A LightGBM booster on the given rows (deterministic)."""
    lightgbm, np = _lightgbm()
    if len(set(ys)) < 2:
        raise CorpusconvError("fitting needs both article and non-article units in the labelled pages")
    data = lightgbm.Dataset(np.asarray(xs, dtype=np.float64), label=np.asarray(ys), weight=np.asarray(ws),
                            feature_name=names, params={"verbose": -1})
    return lightgbm.train(_params(), data, num_boost_round=N_TREES)


def _labelled(pages: list[PageRows], extra: list[list[list[float]]] | None = None):
    """(x, y, w) of the labelled units of ``pages`` (with per-page extra features)."""
    xs, ys, ws = [], [], []
    for i, pg in enumerate(pages):
        w = iter(pg.weights())
        for k, (x, y) in enumerate(zip(pg.x, pg.y)):
            if y is not None:
                xs.append(x + extra[i][k] if extra is not None else x)
                ys.append(y)
                ws.append(next(w))
    return xs, ys, ws


def _member(booster, names: list[str], meta: dict) -> dict:
    """A model file member from a booster (flat trees, see :mod:`corpusconv.trees`)."""
    out_trees = []
    for t in booster.dump_model()["tree_info"]:
        flat: dict[str, list] = {"feature": [], "threshold": [], "left": [], "right": [], "value": [], "leaf": []}
        _flatten(t["tree_structure"], flat)
        out_trees.append(flat)
    meta = dict(meta, params={k: v for k, v in _params().items() if k != "verbose"}, trees=N_TREES)
    return trees.ensemble_doc(names, out_trees, 0.0, THRESHOLD, meta)


def _out_of_fold(pages: list[PageRows]) -> list[list[float]]:
    """First-pass probabilities of every candidate, each from a model fitted without its
    page's site (what the second pass sees at conversion: the verdicts of a model that
    never saw the page)."""
    _, np = _lightgbm()
    groups = sorted({pg.site for pg in pages})
    fold = {site: i % INNER_FOLDS for i, site in enumerate(groups)}
    out: list[list[float]] = [[] for _ in pages]
    names = list(classify.FEATURES)
    for f in range(INNER_FOLDS):
        train = [pg for pg in pages if fold[pg.site] != f]
        held = [i for i, pg in enumerate(pages) if fold[pg.site] == f and pg.x]
        if not held or not train:
            continue
        booster = _train(*_labelled(train), names)
        for i in held:
            out[i] = [float(v) for v in booster.predict(np.asarray(pages[i].x, dtype=np.float64))]
    return out


def fit_article(pages: list[PageRows]) -> dict[str, dict]:
    """The article decision's two members: ``"article"`` (unit features) and
    ``"article-context"`` (those plus the first pass's verdicts around each unit)."""
    names = list(classify.FEATURES)
    xs, ys, ws = _labelled(pages)
    digest = "sha256:" + hashlib.sha256(repr((xs, ys, ws)).encode()).hexdigest()[:16]
    meta = {"units": len(ys), "article_units": sum(ys), "data_digest": digest}
    first = _member(_train(xs, ys, ws, names), names, meta)
    oof = _out_of_fold(pages)
    context = [classify.context_features(p) for p in oof]
    names2 = names + list(classify.CONTEXT_FEATURES)
    second = _member(_train(*_labelled(pages, context), names2), names2, dict(meta, inner_folds=INNER_FOLDS))
    return {"article": first, "article-context": second}


def fit_pages(gold_dir: str, page_dirs: list[str], only: set[str] | None = None, jobs: int = 1,
              cache: str | None = None) -> str:
    pages = labelled_pages(gold_dir, page_dirs, only)
    rows = collect(pages, jobs, cache)
    names = sorted({Path(f).stem for f, _ in pages})
    meta = {"pages": len(names), "renderings": len(page_dirs), "page_files": len(pages)}
    return trees.dumps(fit_article(rows), meta)
