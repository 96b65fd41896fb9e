#!/usr/bin/env python3
"""Site-grouped cross-validation on the realweb dev set, one command.

For each rendering (default: every ``pages*`` folder of the set) and each of the ``k``
folds of ``corpusconv.goldlabels.site_folds`` (all pages of a site in one fold):

1. fit on the pages of the other folds (``--fit-cmd``; skipped with ``--no-fit``),
2. convert the held-out fold's pages (``--convert-cmd``),
3. score them with the set's ``score.py`` (one scorer run over all folds' records: the
   folds are disjoint).

Then prints, per rendering, the all-in row (fitted on all pages, scored on all), one row
per fold, the fold mean, std and min–max, all-in minus fold mean, and the held-out scores
pooled over all pages (each page scored once, by the model that did not see it), for
art-F1, leak, cmt-in-art, title, cmt-match, depth, parent, quote-R and ``lost`` (share of
pages with >= 100 gold article words whose art-R < 0.5, as ``all_renderings.py`` does).

    python bench/crossval.py --no-fit                            # today's engine, no model
    python bench/crossval.py --no-fit --renderings pages pages-lynx
    python bench/crossval.py --fit-cmd '{cc} fit --gold {gold} --pages {pages} --only {only} -o {model}' \\
        --convert-cmd '{cc} convert {inputs} -f jsonl -o {out} --force -q --jobs {jobs} --model {model}'

Command templates are split like a shell line, then each ``{name}`` is filled in:

  {cc}        the corpusconv command (``--cc``)          {jobs}     convert processes (<= 2)
  {gold}      the gold folder                            {set}      the dev set folder
  {pages}     this rendering's folder                    {rendering} its name (pages-lynx)
  {all_pages} every rendering's folder (one argument each; a fit that names it runs once
              per fold and its model serves every rendering)
  {only}      a file naming the training pages, one per line

In the fit command, {set}, {gold}, {pages} and {all_pages} are folders that hold only the
training pages (symlinks into the set), so a fit cannot read a held-out page even if it
ignores {only}.
  {held_out}  a file naming the pages to convert, one per line
  {inputs}    the page files to convert (one argument each)
  {model}     the model file the fit writes and the convert reads
  {out}       the JSON Lines file the convert must write
  {fold}      the fold number, or ``all``

With ``--no-fit`` the engine has no model, so its output for a page does not depend on
the other pages: each rendering is converted once and the folds are read from that one
output (all-in = fold mean up to how the folds weigh pages; the spread still shows how
much the figure depends on which sites are scored).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from realweb import COLUMNS, DEFAULT_SET, REPO, article_words, diff, fmt, renderings, score, spread, summarise, table

from corpusconv.goldlabels import load_golds, site_folds, site_of

MAX_JOBS = 2  # the machine is shared
DEFAULT_FIT = "{cc} fit --gold {gold} --pages {pages} --only {only} -o {model}"
DEFAULT_CONVERT = "{cc} convert {inputs} --format jsonl -o {out} --force -q --jobs {jobs}"
MODEL_CONVERT = DEFAULT_CONVERT + " --model {model}"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class StepFailed(Exception):
    """A fit or convert command failed (the message is one line)."""


def expand(template: str, values: dict[str, str | list[str]]) -> list[str]:
    """Split ``template`` like a shell line and fill in ``{name}``s; an argument that is a
    single placeholder for a list becomes one argument per item."""
    out: list[str] = []
    for arg in shlex.split(template):
        names = _PLACEHOLDER.findall(arg)
        unknown = [n for n in names if n not in values]
        if unknown:
            raise SystemExit(f"crossval: unknown placeholder {{{unknown[0]}}} in {template!r}")
        whole = _PLACEHOLDER.fullmatch(arg)
        if whole and isinstance(values[whole.group(1)], list):
            out.extend(values[whole.group(1)])
            continue
        out.append(_PLACEHOLDER.sub(lambda m: _flat(values[m.group(1)]), arg))
    return out


def _flat(value: str | list[str]) -> str:
    return " ".join(value) if isinstance(value, list) else value


def run_step(what: str, cmd: list[str]) -> float:
    """Run one command; return its wall time or raise StepFailed with its last stderr line."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in (0, 1):  # 1: some inputs failed (they score as empty output)
        tail = (r.stderr or r.stdout).strip().splitlines()
        raise StepFailed(f"{what} failed (exit {r.returncode}): {tail[-1] if tail else shlex.join(cmd)}")
    return time.perf_counter() - t0


class Runner:
    """Fits and conversions for one run, with their files under ``work``."""

    def __init__(self, args: argparse.Namespace, work: Path, golds: dict[str, dict]):
        self.args, self.work, self.golds = args, work, golds
        self.fit_cmd = None if args.no_fit else (args.fit_cmd or DEFAULT_FIT)
        self.convert_cmd = args.convert_cmd or (DEFAULT_CONVERT if args.no_fit else MODEL_CONVERT)
        self.shared_fit = self.fit_cmd is not None and "{all_pages}" in self.fit_cmd
        self.models: dict[tuple[str, str], Path] = {}
        self.seconds = {"fit": 0.0, "convert": 0.0, "score": 0.0}

    def values(self, rendering: str, fold: str, names: list[str]) -> dict[str, str | list[str]]:
        set_dir = self.args.set
        tag = f"{rendering}-{fold}"
        held = self.work / f"held-{tag}.txt"
        held.write_text("".join(n + "\n" for n in names), encoding="utf-8")
        return {"cc": shlex.split(self.args.cc), "gold": str(set_dir / "gold"), "set": str(set_dir),
                "pages": str(set_dir / rendering), "rendering": rendering, "fold": fold,
                "all_pages": [str(set_dir / r) for r in self.args.renderings],
                "inputs": [str(set_dir / rendering / f"{n}.txt") for n in names], "held_out": str(held),
                "out": str(self.work / f"out-{tag}.jsonl"), "jobs": str(self.args.jobs),
                "only": str(self.work / f"only-{fold}.txt"), "model": ""}

    def train_set(self, fold: str, train: list[str]) -> Path:
        """A dev set folder holding only the training pages (symlinks to the shared files:
        gold/ and every rendering), so that a fit cannot read a held-out page."""
        root = self.work / f"train-{fold}"
        if root.exists():
            shutil.rmtree(root)  # left by an earlier run into the same --work (other folds)
        for sub, ext in [("gold", ".json")] + [(r, ".txt") for r in self.args.renderings]:
            (root / sub).mkdir(parents=True)
            for n in train:
                (root / sub / f"{n}{ext}").symlink_to((self.args.set / sub / f"{n}{ext}").resolve())
        return root

    def model(self, rendering: str, fold: str, train: list[str], values: dict) -> str:
        """The model for (rendering, fold), fitted on ``train`` on first use."""
        if self.fit_cmd is None:
            return ""
        key = ("shared" if self.shared_fit else rendering, fold)
        if key not in self.models:
            path = self.work / f"model-{key[0]}-{fold}.json"
            Path(values["only"]).write_text("".join(n + "\n" for n in train), encoding="utf-8")
            root = self.train_set(fold, train)
            fit_values = dict(values, model=str(path), set=str(root), gold=str(root / "gold"),
                              pages=str(root / rendering), all_pages=[str(root / r) for r in self.args.renderings])
            self.seconds["fit"] += run_step(f"fit ({key[0]}, fold {fold})", expand(self.fit_cmd, fit_values))
            self.models[key] = path
        return str(self.models[key])

    def convert(self, rendering: str, fold: str, train: list[str], held: list[str]) -> Path:
        values = self.values(rendering, fold, held)
        values["model"] = self.model(rendering, fold, train, values)
        self.seconds["convert"] += run_step(f"convert ({rendering}, fold {fold})", expand(self.convert_cmd, values))
        out = Path(str(values["out"]))
        if not out.exists():
            raise StepFailed(f"convert ({rendering}, fold {fold}) wrote no {out.name}")
        return out

    def score(self, rendering: str, pred: Path) -> dict[str, dict]:
        t0 = time.perf_counter()
        try:
            return score(self.args.set, rendering, pred, only_predicted=True)
        finally:
            self.seconds["score"] += time.perf_counter() - t0


def crossval(runner: Runner, rendering: str, folds: dict[str, int], k: int) -> dict:
    """All-in and per-fold per-page metrics of one rendering."""
    names = sorted(folds)
    all_out = runner.convert(rendering, "all", names, names)
    all_in = runner.score(rendering, all_out)
    if runner.fit_cmd is None:
        fold_pages = all_in  # no model: a page's output does not depend on the other pages
    else:
        merged = runner.work / f"folds-{rendering}.jsonl"
        with merged.open("w", encoding="utf-8") as f:
            for fold in range(k):
                held = [n for n in names if folds[n] == fold]
                train = [n for n in names if folds[n] != fold]
                f.write(runner.convert(rendering, str(fold), train, held).read_text(encoding="utf-8"))
        fold_pages = runner.score(rendering, merged)
    return {"all_in": all_in, "folds": fold_pages}


def report(rendering: str, result: dict, folds: dict[str, int], k: int, words: dict[str, int]) -> tuple[str, dict]:
    names = sorted(folds)
    all_in = summarise(result["all_in"], names, words)
    per_fold = [summarise(result["folds"], [n for n in names if folds[n] == f], words) for f in range(k)]
    stats = spread(per_fold)
    cols = [c for c, _ in COLUMNS]
    rows = [["all-in", str(len(names))] + [fmt(all_in[c]) for c in cols]]
    rows += [[f"fold {f}", str(sum(1 for n in names if folds[n] == f))] + [fmt(r[c]) for c in cols]
             for f, r in enumerate(per_fold)]
    rows.append(["fold mean", ""] + [fmt(stats["mean"][c]) for c in cols])
    rows.append(["fold std", ""] + [fmt(stats["std"][c]) for c in cols])
    rows.append(["fold min–max", ""] + [f"{fmt(stats['min'][c])}–{fmt(stats['max'][c])}" for c in cols])
    rows.append(["all-in − fold mean", ""] + [fmt(diff(all_in[c], stats["mean"][c]), signed=True) for c in cols])
    # every page scored once, as held out; unlike the fold mean it does not weigh a metric
    # defined on few pages (quote-R, cmt-in-art) by how they fall into folds
    pooled = summarise(result["folds"], names, words)
    rows.append(["held-out pooled", str(len(names))] + [fmt(pooled[c]) for c in cols])
    rows.append(["all-in − pooled", ""] + [fmt(diff(all_in[c], pooled[c]), signed=True) for c in cols])
    text = f"### {rendering}\n\n" + table(["", "pages"] + cols, rows)
    return text, {"all_in": all_in, "folds": per_fold, "pooled": pooled, **stats}


def summary(results: dict[str, dict]) -> str:
    """One row per rendering: art-F1 all-in, fold mean ± std, min–max, gap; other fold means."""
    cols = [c for c, _ in COLUMNS if c != "art-F1"]
    rows = []
    for rendering, r in results.items():
        gap = diff(r["all_in"]["art-F1"], r["mean"]["art-F1"])
        rows.append([rendering, fmt(r["all_in"]["art-F1"]), f"{fmt(r['mean']['art-F1'])} ± {fmt(r['std']['art-F1'])}",
                     f"{fmt(r['min']['art-F1'])}–{fmt(r['max']['art-F1'])}", fmt(gap, signed=True),
                     fmt(r["pooled"]["art-F1"])] + [fmt(r["mean"][c]) for c in cols])
    return table(["rendering", "art-F1 all-in", "art-F1 folds", "min–max", "all-in − folds", "art-F1 pooled"]
                 + [f"{c} (folds)" for c in cols], rows)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Templates and placeholders: see the module docstring (python -m pydoc).")
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="the dev set folder (default: ../shared/realweb)")
    ap.add_argument("--renderings", nargs="+", help="rendering folders (default: every pages*)")
    ap.add_argument("-k", "--folds", type=int, default=5, help="number of site-grouped folds (default 5)")
    ap.add_argument("--cc", default=str(REPO / ".venv" / "bin" / "corpusconv"),
                    help="the corpusconv command (default: this checkout's .venv/bin/corpusconv)")
    fit = ap.add_mutually_exclusive_group()
    fit.add_argument("--no-fit", action="store_true", help="no fit step: score the engine as it is")
    fit.add_argument("--fit-cmd", help=f"fit command template (default: {DEFAULT_FIT!r})")
    ap.add_argument("--convert-cmd", help=f"convert command template (default: {DEFAULT_CONVERT!r}, "
                    "plus ' --model {model}' when fitting)")
    ap.add_argument("--jobs", type=int, default=MAX_JOBS, help=f"convert processes, at most {MAX_JOBS}")
    ap.add_argument("--work", type=Path, help="keep models, outputs and name lists here (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="write the per-rendering figures (all-in, folds, stats) here")
    args = ap.parse_args(argv)
    args.jobs = max(1, min(args.jobs, MAX_JOBS))
    if not (args.set / "gold").is_dir():
        ap.error(f"no gold/ under {args.set}")
    args.renderings = args.renderings or renderings(args.set)
    missing = [r for r in args.renderings if not (args.set / r).is_dir()]
    if missing:
        ap.error(f"no rendering {missing[0]!r} under {args.set}")
    if args.folds < 2:
        ap.error("-k must be at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    golds = load_golds(args.set / "gold")
    folds, words = site_folds(golds, args.folds), article_words(golds)
    sizes = [sum(1 for f in folds.values() if f == i) for i in range(args.folds)]
    sites = [len({site_of(golds[n], n) for n in folds if folds[n] == i}) for i in range(args.folds)]
    print(f"{len(folds)} pages, {args.folds} site-grouped folds: pages {'/'.join(map(str, sizes))}, "
          f"sites {'/'.join(map(str, sites))}; {'no fit' if args.no_fit else 'fit per fold'}\n")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="cv-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        runner = Runner(args, work, golds)
        for rendering in args.renderings:
            try:
                result = crossval(runner, rendering, folds, args.folds)
            except (StepFailed, RuntimeError) as exc:
                print(f"crossval: {rendering}: {exc}", file=sys.stderr)
                return 1
            text, results[rendering] = report(rendering, result, folds, args.folds, words)
            print(text + "\n", flush=True)
    print("### Summary (fold columns are fold means)\n\n" + summary(results))
    print("\ntime: " + ", ".join(f"{k} {v:.0f} s" for k, v in runner.seconds.items()))
    if args.json:
        args.json.write_text(json.dumps({"folds": folds, "results": results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
