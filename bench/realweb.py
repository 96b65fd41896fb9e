"""Shared pieces of the dev-set scripts (``oracle_labels.py``, ``crossval.py``, ``errors.py``).

The realweb dev set lives outside the repository (``../shared/realweb``); it is read by
path, never copied.  Scoring always goes through the set's own ``score.py``, so every
figure here is the scorer's.  ``lost`` is computed as ``all_renderings.py`` computes it.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from statistics import mean, pstdev
from typing import Callable, Iterable, Mapping

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(REPO))

from corpusconv.decoding import decode_bytes  # noqa: E402

DEFAULT_SET = REPO.parent / "shared" / "realweb"
# (column, key in score.py's per-page JSON); "lost" is computed here
COLUMNS = [("art-F1", "art_f1"), ("leak", "leak"), ("cmt-in-art", "cmt_in_art"), ("title", "title"),
           ("cmt-match", "cmt_match"), ("depth", "depth"), ("parent", "parent"), ("quote-R", "quote_r"),
           ("lost", "lost")]
# A page "lost" its article when it has at least this many gold article words and the
# prediction recalls less than LOST_RECALL of them (all_renderings.py's definition).
LOST_MIN_WORDS, LOST_RECALL = 100, 0.5
_WORD = re.compile(r"\w+")


def renderings(set_dir: Path) -> list[str]:
    """The rendering folders of the set (``pages``, ``pages-lynx``, ...)."""
    return sorted(p.name for p in set_dir.glob("pages*") if p.is_dir())


# The modules that read a page's analysis rather than make it: a change to them keeps the
# analyses valid (a feature experiment in classify.py needs no re-analysis).
AFTER_ANALYSIS = ("classify.py", "fitting.py", "trees.py")


@lru_cache(maxsize=1)
def analysis_digest() -> str:
    """A digest of the package code and data that a page's analysis depends on: part of the
    key of every kept analysis, so one made by other code is never read."""
    h = hashlib.sha256()
    root = REPO / "corpusconv"
    for f in sorted(list(root.glob("*.py")) + list(root.glob("data/*.toml"))):
        if f.name not in AFTER_ANALYSIS:
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def kept_once(folder: str, key: str, make: Callable[[], object]) -> str:
    """The path of ``folder/KEY.pickle``, written (atomically) from ``make()`` only if it
    is not there yet: the scripts' per-page analyses, made once across runs."""
    f = Path(folder) / f"{key}.pickle"
    if not f.exists():
        Path(folder).mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(make()))
        tmp.replace(f)
    return str(f)


def read_lines(path: Path) -> list[str]:
    """The page's lines exactly as corpusconv sees them (same decoding and line split)."""
    return decode_bytes(path.read_bytes()).lines


def article_words(golds: Mapping[str, dict]) -> dict[str, int]:
    return {k: sum(len(_WORD.findall(p)) for p in (g.get("article") or {}).get("paragraphs") or [])
            for k, g in golds.items()}


def score(set_dir: Path, rendering: str, pred: Path, only_predicted: bool = False) -> dict[str, dict]:
    """Per-page metrics of one prediction file, from the set's ``score.py --json``."""
    with tempfile.TemporaryDirectory(prefix="cv-score-") as tmp:
        out = Path(tmp) / "m.json"
        cmd = [sys.executable, str(set_dir / "score.py"), "--set", str(set_dir), "--pages", rendering,
               "--pred", str(pred), "--json", str(out)]
        if only_predicted:
            cmd.append("--only-predicted")
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0 or not out.exists():
            raise RuntimeError(f"score.py failed on {pred}: {(r.stderr or r.stdout).strip()[-300:]}")
        return next(iter(json.loads(out.read_text(encoding="utf-8")).values()))


def summarise(per_page: Mapping[str, dict], names: Iterable[str], words: Mapping[str, int]) -> dict[str, float | None]:
    """Means over ``names`` of each column (over the pages where a metric is defined)."""
    names = [n for n in names if n in per_page]
    out: dict[str, float | None] = {}
    for col, key in COLUMNS:
        if key == "lost":
            big = [n for n in names if words.get(n, 0) >= LOST_MIN_WORDS]
            out[col] = (sum(1 for n in big if (per_page[n].get("art_r") or 0) < LOST_RECALL) / len(big)
                        if big else None)
            continue
        vals = [per_page[n][key] for n in names if per_page[n].get(key) is not None]
        out[col] = mean(vals) if vals else None
    return out


def spread(rows: list[dict[str, float | None]]) -> dict[str, dict[str, float | None]]:
    """Mean, population std, min and max of each column over ``rows`` (e.g. folds)."""
    stats: dict[str, dict[str, float | None]] = {s: {} for s in ("mean", "std", "min", "max")}
    for col, _ in COLUMNS:
        vals = [v for v in (r.get(col) for r in rows) if v is not None]
        stats["mean"][col] = mean(vals) if vals else None
        stats["std"][col] = pstdev(vals) if vals else None
        stats["min"][col] = min(vals) if vals else None
        stats["max"][col] = max(vals) if vals else None
    return stats


def diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def fmt(v: float | None, signed: bool = False) -> str:
    if v is None:
        return "—"
    v = round(v, 3) or 0.0  # no "-0.000"
    return f"{v:+.3f}" if signed else f"{v:.3f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in rows])
