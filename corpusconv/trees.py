"""Fitted tree ensembles, read from a data file and evaluated in plain Python.

The fitting script (:mod:`corpusconv.fitting`, with LightGBM) writes a model file (JSON,
beside ``rules.toml``) holding one ensemble per fitted decision, by name (``"article"``:
which units are the article; further decisions add members); conversion needs no
compiled code.  Each tree is four flat arrays
over its split nodes (feature index, threshold, left and right child, where a child
``< 0`` is leaf ``~child``) plus the leaf values and the value every split node would
predict on its own (for explanations).  A sample goes left when its feature is ``<=`` the
threshold, as in LightGBM.

:meth:`Ensemble.explain` attributes a prediction to the features along each tree's path
(each split is credited with the change in predicted value it causes: Saabas's method),
which is how a fitted decision names its strongest features.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable
from importlib import resources
from pathlib import Path

from .errors import CorpusconvError

FORMAT = "corpusconv-model/1"


@dataclass(frozen=True)
class Tree:
    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]       # per split node: its own prediction (for explanations)
    leaf: tuple[float, ...]

    def predict(self, x: list[float]) -> float:
        if not self.feature:
            return self.leaf[0]
        node = 0
        feature, threshold, left, right = self.feature, self.threshold, self.left, self.right
        while node >= 0:
            node = left[node] if x[feature[node]] <= threshold[node] else right[node]
        return self.leaf[~node]

    def path(self, x: list[float]) -> list[tuple[int, float]]:
        """(feature, change in value) for each split on the sample's path."""
        out: list[tuple[int, float]] = []
        if not self.feature:
            return out
        node = 0
        while node >= 0:
            f = self.feature[node]
            nxt = self.left[node] if x[f] <= self.threshold[node] else self.right[node]
            after = self.leaf[~nxt] if nxt < 0 else self.value[nxt]
            out.append((f, after - self.value[node]))
            node = nxt
        return out


def _expression(tree: Tree, node: int = 0) -> str:
    """The tree as one nested conditional expression over the locals ``f<index>``
    (numbers only)."""
    if not tree.feature:
        return repr(tree.leaf[0])
    if node < 0:
        return repr(tree.leaf[~node])
    return (f"({_expression(tree, tree.left[node])} if f{int(tree.feature[node])} <= {tree.threshold[node]!r} "
            f"else {_expression(tree, tree.right[node])})")


def compile_trees(trees: tuple[Tree, ...], base: float) -> "Callable[[list[float]], float]":
    """``x -> base + sum of the trees' outputs`` as generated Python: one function whose
    body is a conditional expression per tree, several times faster than walking the
    arrays.  The features the trees split on are read from ``x`` once, into locals (a
    sample passes several hundred splits, most on the same few dozen features; a local
    is cheaper to read than a list item).  It is built from the model's numbers only
    (indices and floats through ``int``/``repr``), so a model file cannot inject code;
    the sum is taken in tree order, so the result equals :meth:`Tree.predict` summed,
    bit for bit."""
    used = sorted({int(f) for t in trees for f in t.feature})
    lines = ["def score(x):"] + [f"    f{i} = x[{i}]" for i in used] + [f"    s = {float(base)!r}"]
    lines += [f"    s += {_expression(t)}" for t in trees]
    lines.append("    return s")
    namespace: dict = {}
    exec(compile("\n".join(lines), "<corpusconv model>", "exec"), namespace)  # noqa: S102 - numbers only
    return namespace["score"]


@dataclass(frozen=True)
class Ensemble:
    """A binary classifier: ``sigmoid(base + sum of tree outputs)``."""

    features: tuple[str, ...]
    trees: tuple[Tree, ...]
    base: float
    threshold: float
    meta: dict
    digest: str
    _score: "Callable[[list[float]], float] | None" = field(default=None, compare=False, repr=False)

    def score(self, x: list[float]) -> float:
        """The raw score (log-odds)."""
        fn = self._score
        if fn is None:
            fn = compile_trees(self.trees, self.base)
            object.__setattr__(self, "_score", fn)
        return fn(x)

    def score_walking(self, x: list[float]) -> float:
        """:meth:`score` by walking each tree's arrays (the reference the tests compare)."""
        total = self.base
        for t in self.trees:
            total += t.predict(x)
        return total

    def probability(self, x: list[float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.score(x)))

    def explain(self, x: list[float], top: int = 3) -> list[tuple[str, float]]:
        """The ``top`` features that moved this prediction most, with their log-odds share."""
        total: dict[int, float] = {}
        for t in self.trees:
            for f, delta in t.path(x):
                total[f] = total.get(f, 0.0) + delta
        ranked = sorted(total.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:top]
        return [(self.features[f], round(v, 2)) for f, v in ranked]


@dataclass(frozen=True)
class Models:
    """The fitted decisions of one model file, by name; ``digest`` identifies the file
    (recorded in each document's provenance)."""

    members: dict[str, Ensemble]
    digest: str

    def get(self, name: str) -> Ensemble | None:
        return self.members.get(name)


def _tree(entry: dict) -> Tree:
    # Indices as ints and values as floats: the generated code (compile_trees) prints them.
    return Tree(tuple(int(v) for v in entry["feature"]), tuple(float(v) for v in entry["threshold"]),
                tuple(int(v) for v in entry["left"]), tuple(int(v) for v in entry["right"]),
                tuple(float(v) for v in entry["value"]), tuple(float(v) for v in entry["leaf"]))


def _ensemble(doc: dict, digest: str) -> Ensemble:
    return Ensemble(tuple(doc["features"]), tuple(_tree(t) for t in doc["trees"]), float(doc["base"]),
                    float(doc["threshold"]), dict(doc.get("meta", {})), digest)


def parse(data: str, origin: str) -> Models:
    try:
        doc = json.loads(data)
        if doc.get("format") != FORMAT:
            raise CorpusconvError(f"{origin}: not a corpusconv model (format {doc.get('format')!r})")
        digest = "sha256:" + hashlib.sha256(data.encode()).hexdigest()[:16]
        return Models({name: _ensemble(m, digest) for name, m in doc["models"].items()}, digest)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorpusconvError(f"{origin}: not a valid model file ({exc})") from None


def ensemble_doc(features: list[str], trees: list[dict], base: float, threshold: float, meta: dict) -> dict:
    """One member of a model file."""
    return {"features": features, "base": base, "threshold": threshold, "meta": meta, "trees": trees}


def dumps(models: dict[str, dict], meta: dict) -> str:
    """The model file's text (stable: the same models give the same bytes)."""
    doc = {"format": FORMAT, "meta": meta, "models": models}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n"


def load(path: str | Path) -> Models:
    p = Path(path)
    try:
        data = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CorpusconvError(f"{p}: cannot read model file ({exc.strerror or exc})") from None
    return parse(data, str(p))


#: The article model shipped with the package (``corpusconv/data/``).
ARTICLE_MODEL = "article-model.json"
#: A model spec: ``"default"`` (the bundled model, if the package has one), ``None`` (no
#: model: the hand-written article region decides), a path, or a loaded ensemble.
DEFAULT = "default"
ModelSpec = Models | str | Path | None


def resolve(spec: "ModelSpec") -> Models | None:
    """The models a spec names (files are parsed once per process)."""
    if spec is None or isinstance(spec, Models):
        return spec
    if spec == DEFAULT:
        return bundled(ARTICLE_MODEL)
    return _load_cached(str(Path(spec)))


@lru_cache(maxsize=8)
def _load_cached(path: str) -> Models:
    return load(path)


@lru_cache(maxsize=4)
def bundled(name: str) -> Models | None:
    """A model shipped with the package (``corpusconv/data/NAME``), or None if absent."""
    ref = resources.files("corpusconv").joinpath(f"data/{name}")
    if not ref.is_file():
        return None
    return parse(ref.read_text(encoding="utf-8"), f"built-in model {name}")
