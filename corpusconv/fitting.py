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
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import classify, goldlabels, titles, trees
from .decoding import decode_bytes
from .errors import CorpusconvError
from .rules import default_rules
from .structure import Analysis, analyse, segment_page

ARTICLE_LABELS = ("title", "article", "quote")
# LightGBM settings (named, so a refit is reproducible and reviewable).
N_TREES = 120
NUM_LEAVES = 15
LEARNING_RATE = 0.08
MIN_CHILD_SAMPLES = 40
FEATURE_FRACTION = 0.8
THRESHOLD = 0.5
SEED = 7


@dataclass
class Rows:
    x: list[list[float]]
    y: list[int]
    w: list[float]


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


def article_rows(a: Analysis, labels: list) -> Rows:
    """Features, labels and weights of one labelled page's candidate units."""
    feats = classify.page_features(a.context())
    rows = Rows([], [], [])
    for u in a.candidates():
        y = unit_label(u.lines, labels)
        if y is None:
            continue
        rows.x.append(feats[u.no])
        rows.y.append(y)
        rows.w.append(1.0 + math.sqrt(u.words))
    return rows


def page_rows(text_path: str, gold: dict) -> dict[str, Rows]:
    """The rows of one labelled page for every fitted decision, by member name (one
    analysis of the page serves them all)."""
    lines = decode_bytes(Path(text_path).read_bytes()).lines
    labels = goldlabels.label_lines(lines, gold)
    a = analyse(segment_page(lines).units, default_rules())
    return {"article": article_rows(a, labels), "title": title_rows(a, gold)}


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the package's code and data: cached rows are valid only for it."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for f in sorted(list(root.glob("*.py")) + list(root.glob("data/*.toml"))):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _rows_doc(rows: dict[str, Rows]) -> dict:
    return {name: {"x": r.x, "y": r.y, "w": r.w} for name, r in rows.items()}


def _cached_rows(args: tuple[str, dict, str | None]) -> dict[str, Rows]:
    path, gold, cache = args
    if cache is None:
        return page_rows(path, gold)
    key = hashlib.sha256(Path(path).read_bytes() + json.dumps(gold, sort_keys=True).encode()
                         + code_digest().encode()).hexdigest()[:24]
    f = Path(cache) / f"{key}.json"
    try:
        return {name: Rows(**r) for name, r in json.loads(f.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, TypeError, AttributeError):
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


def collect_pages(pages: list[tuple[str, dict]], jobs: int = 1, cache: str | None = None) -> list[dict[str, Rows]]:
    """The rows of every page, in the given order (parallel over pages, same result).

    ``cache`` is a folder of per-page rows keyed by the page, its gold and the package's
    code (:func:`code_digest`), so cross-validation extracts each page's features once."""
    args = [(f, g, cache) for f, g in pages]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            return list(pool.map(_cached_rows, args, chunksize=8))
    return [_cached_rows(a) for a in args]


def merge(parts: list[dict[str, Rows]], name: str) -> Rows:
    """One member's rows of many pages, concatenated."""
    out = Rows([], [], [])
    for r in parts:
        out.x.extend(r[name].x)
        out.y.extend(r[name].y)
        out.w.extend(r[name].w)
    return out


def collect(pages: list[tuple[str, dict]], jobs: int = 1, cache: str | None = None) -> Rows:
    """The article rows of many pages (see :func:`collect_pages`)."""
    return merge(collect_pages(pages, jobs, cache), "article")


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


def _train(rows: Rows, features: tuple[str, ...], params: dict, rounds: int, groups: list[int] | None = None):
    """A LightGBM booster (deterministic: one thread, fixed seed, row-wise histograms);
    ``groups``: for a ranking objective, the number of consecutive rows of each query."""
    try:
        import lightgbm
        import numpy as np
    except ImportError:
        raise CorpusconvError("fitting needs LightGBM: pip install 'corpusconv[fit]'") from None
    params = dict(params, num_threads=1, deterministic=True, force_row_wise=True, verbose=-1)
    data = lightgbm.Dataset(np.asarray(rows.x, dtype=np.float64), label=np.asarray(rows.y),
                            weight=None if groups else np.asarray(rows.w), group=groups,
                            feature_name=list(features), params={"verbose": -1})
    return lightgbm.train(params, data, num_boost_round=rounds)


def _flat_trees(booster) -> list[dict]:
    out_trees = []
    for t in booster.dump_model()["tree_info"]:
        flat: dict[str, list] = {"feature": [], "threshold": [], "left": [], "right": [], "value": [], "leaf": []}
        _flatten(t["tree_structure"], flat)
        out_trees.append(flat)
    return out_trees


def _data_digest(rows: Rows) -> str:
    return "sha256:" + hashlib.sha256(repr((rows.x, rows.y, rows.w)).encode()).hexdigest()[:16]


def fit(rows: Rows, meta: dict) -> dict:
    """Fit the article ensemble (a model file member, see :func:`trees.ensemble_doc`)."""
    if len(set(rows.y)) < 2:
        raise CorpusconvError("fitting needs both article and non-article units in the labelled pages")
    params = dict(objective="binary", num_leaves=NUM_LEAVES, learning_rate=LEARNING_RATE,
                  min_data_in_leaf=MIN_CHILD_SAMPLES, feature_fraction=FEATURE_FRACTION, seed=SEED)
    booster = _train(rows, classify.FEATURES, params, N_TREES)
    meta = dict(meta, units=len(rows.y), article_units=sum(rows.y), data_digest=_data_digest(rows),
                params=dict(params, deterministic=True, force_row_wise=True), trees=N_TREES)
    return trees.ensemble_doc(list(classify.FEATURES), _flat_trees(booster), 0.0, THRESHOLD, meta)


# ======================================================================================
# The title decision (corpusconv.titles): one row per title candidate of a page
# ======================================================================================
TITLE_N_TREES = 150
TITLE_NUM_LEAVES = 15
TITLE_LEARNING_RATE = 0.05
TITLE_MIN_CHILD_SAMPLES = 20
TITLE_FEATURE_FRACTION = 0.8
# The candidates of a page are ranked against each other (LambdaRank, one query per
# page): what makes a heading the title is how it compares with the page's other headings.
TITLE_PARAMS = dict(objective="lambdarank", num_leaves=TITLE_NUM_LEAVES, learning_rate=TITLE_LEARNING_RATE,
                    min_data_in_leaf=TITLE_MIN_CHILD_SAMPLES, feature_fraction=TITLE_FEATURE_FRACTION, seed=SEED)
# The pick takes the best candidate if sigmoid(its score) is at least this.  A null title
# scores as wrong as a wrong one wherever the page has a title, so the threshold only
# keeps the pick from naming the weakest candidate of a page that has no headline at all
# (chosen on the site-grouped folds of bench/title_cv.py).
TITLE_THRESHOLD = 0.05
_LOOSE = re.compile(r"[\W_]+")


def title_key(text: str | None) -> str:
    """A title as the dev set's scorer compares it: NFKC, lower case, no spaces or punctuation.

    >>> title_key("The Title: A “Story”!") == title_key("the title a story")
    True
    """
    return _LOOSE.sub("", unicodedata.normalize("NFKC", text or "").lower())


def title_rows(a: Analysis, gold: dict) -> Rows:
    """One row per title candidate of an analysed page: 1 where its text is the gold title."""
    search, gold_key = a.title, title_key(gold.get("title"))
    if search is None:
        return Rows([], [], [])
    cands = titles.candidates(search)
    x = titles.feature_rows(search, cands)
    y = [int(bool(gold_key) and title_key(c.unit.text) == gold_key) for c in cands]
    return Rows(x, y, [1.0] * len(cands))


def title_booster(parts: list[Rows]):
    """The fitted LightGBM booster of the title decision (``parts``: each page's rows)."""
    parts = [p for p in parts if p.y]
    rows = Rows([x for p in parts for x in p.x], [y for p in parts for y in p.y], [w for p in parts for w in p.w])
    if len(set(rows.y)) < 2:
        raise CorpusconvError("fitting the title needs pages whose gold title is among the candidates")
    return _train(rows, titles.FEATURES, TITLE_PARAMS, TITLE_N_TREES, groups=[len(p.y) for p in parts]), rows


def fit_title(parts: list[Rows], meta: dict) -> dict:
    """Fit the title ensemble (the ``"title"`` member of a model file) on each page's rows."""
    booster, rows = title_booster(parts)
    meta = dict(meta, candidates=len(rows.y), title_candidates=sum(rows.y), data_digest=_data_digest(rows),
                params=dict(TITLE_PARAMS, deterministic=True, force_row_wise=True), trees=TITLE_N_TREES)
    return trees.ensemble_doc(list(titles.FEATURES), _flat_trees(booster), 0.0, TITLE_THRESHOLD, meta)


# ======================================================================================
def fit_pages(gold_dir: str, page_dirs: list[str], only: set[str] | None = None, jobs: int = 1,
              cache: str | None = None) -> str:
    """The model file text: every decision fitted on the labelled pages."""
    pages = labelled_pages(gold_dir, page_dirs, only)
    parts = collect_pages(pages, jobs, cache)
    names = sorted({Path(f).stem for f, _ in pages})
    meta = {"pages": len(names), "renderings": len(page_dirs), "page_files": len(pages)}
    return trees.dumps({"article": fit(merge(parts, "article"), {}),
                        "title": fit_title([p["title"] for p in parts], {})}, meta)
