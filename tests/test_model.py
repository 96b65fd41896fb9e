"""The fitted article decision: model files, their evaluation, the fit, the bundled model.

Conversion evaluates a model file's trees in plain Python (:mod:`corpusconv.trees`, as
generated code); these tests pin that this gives LightGBM's own predictions, that walking
the arrays and the generated code agree bit for bit, that a fit is deterministic, and that
the model shipped in the package is the one conversion uses by default.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusconv import classify, convert_text, fitting, titles, trees
from corpusconv.errors import CorpusconvError

from conftest import SHARED, shared_path

REALWEB = SHARED / "realweb"


# --------------------------------------------------------------------------- trees


def _random_tree(rng: random.Random, n_features: int, depth: int) -> dict:
    """A random flat tree in the model file's layout (children < 0 are leaves)."""
    flat: dict[str, list] = {"feature": [], "threshold": [], "left": [], "right": [], "value": [], "leaf": []}

    def grow(d: int) -> int:
        if d == 0 or rng.random() < 0.25:
            flat["leaf"].append(rng.uniform(-2, 2))
            return ~(len(flat["leaf"]) - 1)
        k = len(flat["feature"])
        flat["feature"].append(rng.randrange(n_features))
        flat["threshold"].append(rng.choice([0.0, 0.5, 1.0, rng.uniform(-3, 3)]))
        flat["value"].append(rng.uniform(-1, 1))
        flat["left"].append(0)
        flat["right"].append(0)
        flat["left"][k] = grow(d - 1)
        flat["right"][k] = grow(d - 1)
        return k

    grow(depth)
    return flat


def _random_models(seed: int, n_features: int = 6) -> trees.Models:
    rng = random.Random(seed)
    member = trees.ensemble_doc([f"f{i}" for i in range(n_features)],
                                [_random_tree(rng, n_features, 4) for _ in range(rng.randint(1, 12))],
                                rng.uniform(-1, 1), 0.5, {})
    return trees.parse(trees.dumps({"article": member}, {}), "test")


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), xs=st.lists(st.lists(st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.5, 7.0]),
                                                         min_size=6, max_size=6), min_size=1, max_size=8))
def test_generated_code_equals_walking_the_trees_bit_for_bit(seed, xs):
    ens = _random_models(seed).members["article"]
    for x in xs:
        assert ens.score(x) == ens.score_walking(x)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), x=st.lists(st.floats(-5, 5), min_size=6, max_size=6))
def test_explanation_accounts_for_the_whole_score(seed, x):
    # Saabas: each tree's root value plus the changes along the path is the tree's output.
    ens = _random_models(seed).members["article"]
    roots = sum(t.value[0] if t.feature else t.leaf[0] for t in ens.trees)
    deltas = sum(d for t in ens.trees for _, d in t.path(x))
    assert ens.base + roots + deltas == pytest.approx(ens.score(x), abs=1e-9)
    named = ens.explain(x, top=3)
    assert len(named) <= 3 and all(name in ens.features for name, _ in named)


def test_model_file_round_trip_and_bad_files(tmp_path):
    models = _random_models(3)
    doc = json.loads(trees.dumps({"article": trees.ensemble_doc(
        list(models.members["article"].features),
        [{"feature": list(t.feature), "threshold": list(t.threshold), "left": list(t.left),
          "right": list(t.right), "value": list(t.value), "leaf": list(t.leaf)} for t in models.members["article"].trees],
        models.members["article"].base, 0.5, {})}, {}))
    again = trees.parse(json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n", "again")
    assert again.members["article"].trees == models.members["article"].trees
    assert again.digest == models.digest  # same bytes, same digest
    for bad in ("{", '{"format": "other"}', '{"format": "corpusconv-model/1"}', "[]"):
        with pytest.raises(CorpusconvError):
            trees.parse(bad, "bad")
    with pytest.raises(CorpusconvError):
        trees.load(tmp_path / "missing.json")


def test_a_model_file_cannot_put_code_into_the_generated_scorer():
    # The generated code prints the split features' indices: one that is not an integer
    # (here, code that would run when the trees are compiled) makes the file invalid.
    evil = {"feature": ['0]*0+len(str(open("/nonexistent")))*0+x[0'], "threshold": [0.5], "left": [-1],
            "right": [-2], "value": [0.0], "leaf": [1.0, 2.0]}
    with pytest.raises(CorpusconvError, match="not a valid model file"):
        trees.parse(trees.dumps({"article": trees.ensemble_doc(["a"], [evil], 0.0, 0.5, {})}, {}), "evil")


# --------------------------------------------------------------------------- fitting

def _synthetic_pages(n_pages: int = 30, seed: int = 1) -> list[fitting.PageRows]:
    """Pages of units whose label depends on two of the features (with noise), from six sites."""
    rng = random.Random(seed)
    n = len(classify.FEATURES)
    pages = []
    for p in range(n_pages):
        xs, ys, words = [], [], []
        for _ in range(rng.randint(8, 25)):
            x = [float(rng.randint(0, 3)) if rng.random() < 0.5 else rng.uniform(0, 40) for _ in range(n)]
            y = int(x[0] + 0.3 * x[1] + rng.gauss(0, 2) > 14)
            xs.append(x)
            ys.append(y if rng.random() > 0.05 else None)
            words.append(rng.randint(1, 80))
        pages.append(fitting.PageRows(xs, ys, words, site=f"site{p % 6}"))
    return pages


def test_fitted_trees_give_lightgbms_own_predictions():
    pages = _synthetic_pages()
    names = list(classify.FEATURES)
    xs, ys, ws = fitting._labelled(pages)
    booster = fitting._train(xs, ys, ws, names)
    member = fitting._member(booster, names, {})
    ens = trees.parse(trees.dumps({"article": member}, {}), "fitted").members["article"]
    raw = booster.predict(np.asarray(xs[:300], dtype=np.float64), raw_score=True)
    for x, want in zip(xs[:300], raw):
        assert ens.score(x) == pytest.approx(float(want), abs=1e-9)
        assert ens.score_walking(x) == ens.score(x)


def test_fit_is_deterministic_and_has_both_passes():
    pages = _synthetic_pages()
    a = trees.dumps(fitting.fit_article(pages), {"pages": len(pages)})
    b = trees.dumps(fitting.fit_article(_synthetic_pages()), {"pages": len(pages)})
    assert a == b
    models = trees.parse(a, "fit")
    assert set(models.members) == {"article", "article-context"}
    assert models.members["article-context"].features == classify.FEATURES + classify.CONTEXT_FEATURES


def test_fit_needs_both_labels():
    pages = [fitting.PageRows([[0.0] * len(classify.FEATURES)] * 3, [1, 1, 1], [5, 5, 5], "s")]
    with pytest.raises(CorpusconvError, match="both"):
        fitting.fit_article(pages)


def test_fit_command_on_labelled_pages_is_reproducible(tmp_path):
    """``corpusconv fit`` on a few real labelled pages writes the same file twice, and
    conversion with it records its digest."""
    from typer.testing import CliRunner

    from corpusconv.cli import app

    gold = shared_path(REALWEB / "gold")
    names = sorted(p.stem for p in gold.glob("*.json"))[:12]
    only = tmp_path / "only.txt"
    only.write_text("\n".join(names) + "\n")
    outs = []
    for i in range(2):
        out = tmp_path / f"m{i}.json"
        r = CliRunner().invoke(app, ["fit", str(REALWEB / "pages"), "--gold", str(gold), "--only", str(only),
                                     "-o", str(out)])
        assert r.exit_code == 0, r.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    meta = json.loads(outs[0])["meta"]
    assert meta["pages"] == len(names)
    doc = convert_text((REALWEB / "pages" / f"{names[0]}.txt").read_text(encoding="utf-8"), "p.txt",
                       model=str(tmp_path / "m0.json"))
    assert doc.provenance.model_digest == trees.load(tmp_path / "m0.json").digest


# --------------------------------------------------------------------------- the bundled model


def test_the_package_ships_a_model_fitted_on_every_rendering():
    models = trees.bundled(trees.ARTICLE_MODEL)
    assert models is not None, "corpusconv/data/article-model.json is missing"
    assert set(models.members) == {"article", "article-context", "title"}
    assert models.members["title"].features == titles.FEATURES
    assert models.members["article"].features == classify.FEATURES
    assert models.members["article-context"].features == classify.FEATURES + classify.CONTEXT_FEATURES
    meta = json.loads((trees.resources.files("corpusconv") / "data" / trees.ARTICLE_MODEL).read_text())["meta"]
    assert meta["renderings"] == 5 and meta["pages"] >= 200


def test_conversion_uses_the_bundled_model_unless_told_not_to():
    text = "A title\n\nA first paragraph of the article, long enough to be prose.\n\nAbout | Contact\n"
    fitted = convert_text(text, "p.txt")
    assert fitted.provenance.model_digest == trees.bundled(trees.ARTICLE_MODEL).digest
    plain = convert_text(text, "p.txt", model=None)
    assert plain.provenance.model_digest is None
