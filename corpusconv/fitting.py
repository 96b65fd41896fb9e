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


def page_rows(text_path: str, gold: dict) -> Rows:
    """Features, labels and weights of one labelled page's candidate units."""
    lines = decode_bytes(Path(text_path).read_bytes()).lines
    labels = goldlabels.label_lines(lines, gold)
    a = analyse(segment_page(lines).units, default_rules())
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


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the package's code and data: cached rows are valid only for it."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for f in sorted(list(root.glob("*.py")) + list(root.glob("data/*.toml"))):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _cached_rows(args: tuple[str, dict, str | None]) -> Rows:
    path, gold, cache = args
    if cache is None:
        return page_rows(path, gold)
    key = hashlib.sha256(Path(path).read_bytes() + json.dumps(gold, sort_keys=True).encode()
                         + code_digest().encode()).hexdigest()[:24]
    f = Path(cache) / f"{key}.json"
    try:
        return Rows(**json.loads(f.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    rows = page_rows(path, gold)
    try:
        Path(cache).mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"x": rows.x, "y": rows.y, "w": rows.w}), encoding="utf-8")
        os.replace(tmp, f)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return rows


def collect(pages: list[tuple[str, dict]], jobs: int = 1, cache: str | None = None) -> Rows:
    """Rows of many pages, in the given order (parallel over pages, same result).

    ``cache`` is a folder of per-page rows keyed by the page, its gold and the package's
    code (:func:`code_digest`), so cross-validation extracts each page's features once."""
    out = Rows([], [], [])
    args = [(f, g, cache) for f, g in pages]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            parts = list(pool.map(_cached_rows, args, chunksize=8))
    else:
        parts = [_cached_rows(a) for a in args]
    for r in parts:
        out.x.extend(r.x)
        out.y.extend(r.y)
        out.w.extend(r.w)
    return out


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


def fit(rows: Rows, meta: dict) -> dict:
    """Fit the article ensemble (a model file member, see :func:`trees.ensemble_doc`)."""
    try:
        import lightgbm
        import numpy as np
    except ImportError:
        raise CorpusconvError("fitting needs LightGBM: pip install 'corpusconv[fit]'") from None
    if len(set(rows.y)) < 2:
        raise CorpusconvError("fitting needs both article and non-article units in the labelled pages")
    params = dict(objective="binary", num_leaves=NUM_LEAVES, learning_rate=LEARNING_RATE,
                  min_data_in_leaf=MIN_CHILD_SAMPLES, feature_fraction=FEATURE_FRACTION, seed=SEED,
                  num_threads=1, deterministic=True, force_row_wise=True, verbose=-1)
    data = lightgbm.Dataset(np.asarray(rows.x, dtype=np.float64), label=np.asarray(rows.y),
                            weight=np.asarray(rows.w), feature_name=list(classify.FEATURES),
                            params={"verbose": -1})
    booster = lightgbm.train(params, data, num_boost_round=N_TREES)
    dump = booster.dump_model()
    out_trees = []
    for t in dump["tree_info"]:
        flat: dict[str, list] = {"feature": [], "threshold": [], "left": [], "right": [], "value": [], "leaf": []}
        _flatten(t["tree_structure"], flat)
        out_trees.append(flat)
    digest = hashlib.sha256(repr((rows.x, rows.y, rows.w)).encode()).hexdigest()[:16]
    meta = dict(meta, units=len(rows.y), article_units=sum(rows.y), data_digest="sha256:" + digest,
                params={k: v for k, v in params.items() if k not in ("num_threads", "verbose")},
                trees=N_TREES)
    return trees.ensemble_doc(list(classify.FEATURES), out_trees, 0.0, THRESHOLD, meta)


def fit_pages(gold_dir: str, page_dirs: list[str], only: set[str] | None = None, jobs: int = 1,
              cache: str | None = None) -> str:
    pages = labelled_pages(gold_dir, page_dirs, only)
    rows = collect(pages, jobs, cache)
    names = sorted({Path(f).stem for f, _ in pages})
    meta = {"pages": len(names), "renderings": len(page_dirs), "page_files": len(pages)}
    return trees.dumps({"article": fit(rows, {})}, meta)
