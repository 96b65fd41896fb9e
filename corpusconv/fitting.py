"""Fit the article decision (:mod:`corpusconv.classify`) and the title decision
(:mod:`corpusconv.titles`) on labelled pages.

Labelled pages are rendered pages (``NAME.txt``, any dump tool) with a gold file
(``NAME.json`` in the format :mod:`corpusconv.goldlabels` documents: at least the title
and the article's paragraphs).  For every page the conversion runs as usual up to the
article decision (:func:`corpusconv.structure.analyse`), so the features fitted on are
exactly those conversion computes; each candidate unit is labelled from the gold
alignment of its physical lines (article, title or quotation: 1; anything else: 0) and
weighted by its length, since the article's words are what the scores count.  The same
analysis gives the title decision's rows: one per title candidate
(:func:`corpusconv.titles.candidates`), 1 where its text is the gold title as the dev
set's scorer compares titles (:func:`title_key`); the candidates of a page are ranked
against each other (LightGBM's LambdaRank, one query per page).

The fit (LightGBM, an optional dependency: ``pip install 'corpusconv[fit]'``) is
deterministic: one thread, fixed seeds, pages in sorted order, so the same pages give the
same model file, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import classify, goldlabels, titles, trees
from .decoding import decode_bytes
from .errors import CorpusconvError
from .rules import default_rules
from .structure import analyse, segment_page

ARTICLE_LABELS = ("title", "article", "quote")
# LightGBM settings (named, so a refit is reproducible and reviewable).
N_TREES = 240
NUM_LEAVES = 15
LEARNING_RATE = 0.08
MIN_CHILD_SAMPLES = 40
FEATURE_FRACTION = 0.8
THRESHOLD = 0.5
SEED = 7
# Extremely randomised splits (each split's threshold drawn at random, the best of those
# kept): the trees cannot carve a threshold to fit one site's units exactly, which is what
# made the held-out sites score ~0.06 below the fitted ones.  Site-grouped folds
# (bench/unit_cv.py): fold mean of the article units' F1 0.899 -> 0.909 with 240 trees,
# better on all five renderings; the whole engine's art-F1 on the folds (bench/crossval.py)
# +0.003 to +0.008.  120 randomised trees were not enough (0.901); bagging (0.897) and
# larger leaves (at least 200 rows: 0.902, 500: 0.899) did not help.
EXTRA_TREES = True
FIT_THREADS = 2           # fixed, so that a refit gives the same file on any machine
INNER_FOLDS = 5           # site-grouped folds for the second pass's first-pass verdicts
PAGE_WEIGHT = 200.0       # each page's units weigh this much in all


@dataclass
class TitleRows:
    """One labelled page's title candidates, in page order: features (in the order of
    :data:`corpusconv.titles.FEATURES`), labels (1: the gold title), and whether the
    hand-set pick names the gold title (the baseline the fitted pick is compared with)."""

    x: list[list[float]] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    hand_right: bool = False


@dataclass
class PageRows:
    """One labelled page's candidate units, in page order: features, labels (None: a unit
    without words, not fitted on but part of its neighbours' context), word counts, and
    the page's site (cross-validation groups); and the page's title candidates."""

    x: list[list[float]]
    y: list[int | None]
    words: list[int]
    site: str = ""
    title: TitleRows = field(default_factory=TitleRows)

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


_LOOSE = re.compile(r"[\W_]+")


def title_key(text: str | None) -> str:
    """A title as the dev set's scorer compares it: NFKC, lower case, no spaces or punctuation.

    >>> title_key("The Title: A “Story”!") == title_key("the title a story")
    True
    >>> title_key(None)
    ''
    """
    return _LOOSE.sub("", unicodedata.normalize("NFKC", text or "").lower())


def title_rows(search: titles.Search | None, gold: dict) -> TitleRows:
    """One row per title candidate of a page's title search (:attr:`Analysis.title`): 1
    where its text is the gold title."""
    gold_key = title_key(gold.get("title"))
    if search is None:
        return TitleRows()
    cands = titles.candidates(search)
    hand = titles.pick(search, None).title
    return TitleRows(titles.feature_rows(search, cands),
                     [int(bool(gold_key) and title_key(c.unit.text) == gold_key) for c in cands],
                     bool(gold_key) and hand is not None and title_key(hand.unit.text) == gold_key)


def page_rows(text_path: str, gold: dict) -> PageRows:
    """Features, labels and word counts of one labelled page's candidate units (and its
    title candidates: one analysis of the page serves both decisions)."""
    lines = decode_bytes(Path(text_path).read_bytes()).lines
    labels = goldlabels.label_lines(lines, gold)
    a = analyse(segment_page(lines).units, default_rules())
    feats = classify.page_features(a.context())
    cands = a.candidates()
    return PageRows([feats[u.no] for u in cands], [unit_label(u.lines, labels) for u in cands],
                    [u.words for u in cands], goldlabels.site_of(gold, Path(text_path).stem),
                    title_rows(a.title, gold))


def _rows_doc(rows: PageRows) -> dict:
    t = rows.title
    return {"x": rows.x, "y": rows.y, "words": rows.words, "site": rows.site,
            "title": {"x": t.x, "y": t.y, "hand_right": t.hand_right}}


def _rows_from_doc(doc: dict) -> PageRows:
    return PageRows(**dict(doc, title=TitleRows(**doc["title"])))


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
        return _rows_from_doc(json.loads(f.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        pass
    rows = page_rows(path, gold)
    try:
        Path(cache).mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_rows_doc(rows)), encoding="utf-8")
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
                extra_trees=EXTRA_TREES, num_threads=FIT_THREADS, deterministic=True, force_row_wise=True,
                verbose=-1)


def _train(xs: list[list[float]], ys: list[int], ws: list[float], names: list[str]):
    """A LightGBM booster on the given rows (deterministic)."""
    lightgbm, np = _lightgbm()
    if len(set(ys)) < 2:
        raise CorpusconvError("fitting needs both article and non-article units in the labelled pages")
    data = lightgbm.Dataset(np.asarray(xs, dtype=np.float64), label=np.asarray(ys), weight=np.asarray(ws),
                            feature_name=names, params={"verbose": -1})
    return lightgbm.train(_params(), data, num_boost_round=N_TREES)


def _labelled(pages: list[PageRows], extra: list[list[list[float]]] | None = None
              ) -> tuple[list[list[float]], list[int], list[float]]:
    """(x, y, w) of the labelled units of ``pages`` (with per-page extra features)."""
    xs: list[list[float]] = []
    ys: list[int] = []
    ws: list[float] = []
    for i, pg in enumerate(pages):
        w = iter(pg.weights())
        for k, (x, y) in enumerate(zip(pg.x, pg.y)):
            if y is not None:
                xs.append(x + extra[i][k] if extra is not None else x)
                ys.append(y)
                ws.append(next(w))
    return xs, ys, ws


def _flat_trees(booster) -> list[dict]:
    """The booster's trees as flat arrays (see :mod:`corpusconv.trees`)."""
    out_trees = []
    for t in booster.dump_model()["tree_info"]:
        flat: dict[str, list] = {"feature": [], "threshold": [], "left": [], "right": [], "value": [], "leaf": []}
        _flatten(t["tree_structure"], flat)
        out_trees.append(flat)
    return out_trees


def _member(booster, names: list[str], meta: dict) -> dict:
    """An article model file member from a booster."""
    meta = dict(meta, params={k: v for k, v in _params().items() if k != "verbose"}, trees=N_TREES)
    return trees.ensemble_doc(names, _flat_trees(booster), 0.0, THRESHOLD, meta)


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


# --------------------------------------------------------------------------------------
# The title decision: the page's candidates ranked against each other
# --------------------------------------------------------------------------------------
TITLE_N_TREES = 150
TITLE_NUM_LEAVES = 15
TITLE_LEARNING_RATE = 0.05
TITLE_MIN_CHILD_SAMPLES = 20
TITLE_FEATURE_FRACTION = 0.8
# The pick takes the best candidate if sigmoid(its score) is at least this.  A missing
# title scores as wrong as a wrong one wherever the page has a title, so the threshold
# only keeps the pick from naming the weakest candidate of a page without a headline
# (checked on the site-grouped folds of bench/title_cv.py).
TITLE_THRESHOLD = 0.05


def _title_params() -> dict:
    # LambdaRank, one query per page: what makes a heading the title is how it compares
    # with the page's other headings, not how it compares with other pages' headings.
    return dict(objective="lambdarank", num_leaves=TITLE_NUM_LEAVES, learning_rate=TITLE_LEARNING_RATE,
                min_data_in_leaf=TITLE_MIN_CHILD_SAMPLES, feature_fraction=TITLE_FEATURE_FRACTION, seed=SEED,
                num_threads=FIT_THREADS, deterministic=True, force_row_wise=True, verbose=-1)


def title_booster(pages: list[TitleRows]):
    """The title decision's LightGBM ranker, fitted on the pages whose gold title is
    among the candidates (a page without one teaches the ranking nothing)."""
    lightgbm, np = _lightgbm()
    used = [p for p in pages if any(p.y)]
    if not used:
        raise CorpusconvError("fitting the title needs pages whose gold title is among the title candidates")
    xs = [x for p in used for x in p.x]
    data = lightgbm.Dataset(np.asarray(xs, dtype=np.float64), label=np.asarray([y for p in used for y in p.y]),
                            group=[len(p.y) for p in used], feature_name=list(titles.FEATURES),
                            params={"verbose": -1})
    return lightgbm.train(_title_params(), data, num_boost_round=TITLE_N_TREES)


def fit_title(pages: list[TitleRows]) -> dict:
    """The ``"title"`` member of a model file, fitted on each page's title candidates."""
    digest = hashlib.sha256(repr([(p.x, p.y) for p in pages]).encode()).hexdigest()[:16]
    meta = {"pages": sum(1 for p in pages if any(p.y)), "candidates": sum(len(p.y) for p in pages),
            "data_digest": "sha256:" + digest, "trees": TITLE_N_TREES,
            "params": {k: v for k, v in _title_params().items() if k != "verbose"}}
    return trees.ensemble_doc(list(titles.FEATURES), _flat_trees(title_booster(pages)), 0.0, TITLE_THRESHOLD, meta)


def fit_pages(gold_dir: str, page_dirs: list[str], only: set[str] | None = None, jobs: int = 1,
              cache: str | None = None) -> str:
    """The model file text: the article members and the title member, fitted on the
    labelled pages."""
    pages = labelled_pages(gold_dir, page_dirs, only)
    rows = collect(pages, jobs, cache)
    names = sorted({Path(f).stem for f, _ in pages})
    meta = {"pages": len(names), "renderings": len(page_dirs), "page_files": len(pages)}
    return trees.dumps(dict(fit_article(rows), title=fit_title([r.title for r in rows])), meta)
