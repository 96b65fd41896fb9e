"""bench/crossval.py: command templates and the training set a fit step sees."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import pytest

from conftest import REPO

BENCH = REPO / "bench"


@pytest.fixture(scope="module")
def crossval():
    if str(BENCH) not in sys.path:  # crossval imports its sibling realweb.py
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_crossval", BENCH / "crossval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_templates_expand_lists_into_arguments(crossval):
    values = {"cc": ["python", "-m", "corpusconv"], "inputs": ["a b.txt", "c.txt"], "out": "o.jsonl", "jobs": "2"}
    got = crossval.expand("{cc} convert {inputs} -o {out} --jobs={jobs}", values)
    assert got == ["python", "-m", "corpusconv", "convert", "a b.txt", "c.txt", "-o", "o.jsonl", "--jobs=2"]
    with pytest.raises(SystemExit, match="unknown placeholder {modle}"):
        crossval.expand("{cc} convert --model {modle}", values)


def test_a_fit_sees_only_the_training_pages(crossval, tmp_path: Path):
    set_dir = tmp_path / "set"
    for sub, ext in (("gold", ".json"), ("pages", ".txt"), ("pages-lynx", ".txt")):
        (set_dir / sub).mkdir(parents=True)
        for name in ("p1", "p2", "p3"):
            (set_dir / sub / f"{name}{ext}").write_text("{}" if ext == ".json" else "text", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    args = argparse.Namespace(set=set_dir, renderings=["pages", "pages-lynx"], no_fit=False, cc="cc", jobs=1,
                              fit_cmd=f"{sys.executable} -c pass {{all_pages}} {{only}} {{model}}",
                              convert_cmd=None)
    runner = crossval.Runner(args, work, {})
    root = runner.train_set("0", ["p1", "p3"])
    for sub in ("gold", "pages", "pages-lynx"):
        assert sorted(p.stem for p in (root / sub).iterdir()) == ["p1", "p3"]
    assert (root / "pages" / "p1.txt").resolve() == (set_dir / "pages" / "p1.txt").resolve()
    assert runner.train_set("0", ["p2"]) == root and sorted(p.stem for p in (root / "gold").iterdir()) == ["p2"]
    model = runner.model("pages", "1", ["p2", "p3"], runner.values("pages", "1", ["p1"]))
    assert runner.shared_fit and model.endswith("model-shared-1.json")
    assert (work / "only-1.txt").read_text(encoding="utf-8") == "p2\np3\n"
    assert (work / "held-pages-1.txt").read_text(encoding="utf-8") == "p1\n"
