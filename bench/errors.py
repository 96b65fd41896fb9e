#!/usr/bin/env python3
"""Error analysis: where the engine's line decisions and the gold line labels disagree.

    python bench/errors.py pages-lynx                      # convert the rendering here
    python bench/errors.py pages-lynx --pages dragnet-R829 aeb-058445
    python bench/errors.py pages-lynx --records lynx.jsonl # read a convert output instead
    python bench/errors.py pages --explain-cmd '{cc} explain {page} --json --model m.json'

Every physical line gets its gold label (``corpusconv.goldlabels.label_lines``) and the
engine's decision: by default from ``corpusconv explain`` run in-process (one decision
per line: the block, comment or removal rule that owns it); with ``--records`` from a
JSON Lines output (``boilerplate[]`` lines are exact, ``comments[].lines`` and
``blocks[].lines`` spans fill in the rest, in that order); with ``--explain-cmd`` from a
command printing ``explain --json`` for one page.  Words are the gold word tokens the
labeler aligned on each line, so a wrapped paragraph counts once per word, not per line.

Tables, each sorted by words and cut at ``--top`` rows:

1. gold article words lost (not in the engine's article or title), by the rule that took
   them (``→ comment`` when a comment took them), with the pages that lose most;
2. words kept in the article that the gold calls boilerplate or nothing (other), by page
   region (relative to the gold article and comments) and the block type they became;
3. comment words put in the article, and article words put in comments, by block type
   and comment depth;
4. gold comment words not in any comment, by the rule that took them.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path
from typing import Iterable

from realweb import DEFAULT_SET, REPO, read_lines, table

from corpusconv.goldlabels import LineLabel, label_lines, load_golds, tokens, visible_lines

MAX_JOBS = 2  # the machine is shared
TOP_PAGES = 3
# Lines the engine consumed as the record's title count as article text (the scorer
# reads the title as part of the article).
TITLE_RULES = ("meta.title",)


@dataclass(frozen=True)
class Decision:
    """The engine's decision about one line."""

    owner: str            # "article" | "title" | "comment" | "removed" | "none"
    what: str             # block type, "depth N" for a comment, or the removal rule
    category: str = ""


@dataclass
class Tally:
    """Words per key, with the pages that contribute most."""

    words: Counter = field(default_factory=Counter)
    lines: Counter = field(default_factory=Counter)
    pages: dict = field(default_factory=lambda: defaultdict(Counter))

    def add(self, key: tuple, page: str, words: int) -> None:
        if words <= 0:
            return
        self.words[key] += words
        self.lines[key] += 1
        self.pages[key][page] += words

    def rows(self, top: int, total: int) -> list[list[str]]:
        out = []
        for key, words in sorted(self.words.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
            worst = ", ".join(f"{p} {n}" for p, n in sorted(self.pages[key].items(),
                                                             key=lambda kv: (-kv[1], kv[0]))[:TOP_PAGES])
            share = f"{100 * words / total:.1f}" if total else "—"
            out.append(list(key) + [str(words), share, str(self.lines[key]), str(len(self.pages[key])), worst])
        return out


# ------------------------------------------------------------------------------------
# Engine decisions
# ------------------------------------------------------------------------------------
def _is_title(text: str, title: str | None) -> bool:
    return bool(title) and tokens(text) == tokens(title or "")


def from_explain(rows: Iterable[dict], lines: list[str], title: str | None) -> list[Decision]:
    """Decisions from ``explain --json`` rows (one per non-blank line)."""
    out = [Decision("none", "")] * len(lines)
    for row in rows:
        no, kind, element = int(row["line"]) - 1, row.get("kind"), str(row.get("element") or "")
        if not 0 <= no < len(lines):
            continue
        if kind == "block":
            out[no] = Decision("article", element.split(" ")[0])
        elif kind == "comment":
            depth = element.split(" depth ")[1].split(" ")[0] if " depth " in element else "?"
            out[no] = Decision("comment", f"depth {depth}")
        elif kind == "removed":
            titled = element in TITLE_RULES or _is_title(lines[no], title)
            out[no] = Decision("title" if titled else "removed", element, str(row.get("category") or ""))
    return out


def from_record(rec: dict, lines: list[str]) -> list[Decision]:
    """Decisions from a JSON Lines record: removals are exact, spans fill in the rest."""
    out = [Decision("none", "")] * len(lines)

    def fill(first: int, last: int, d: Decision) -> None:
        for no in range(max(first, 1) - 1, min(last, len(lines))):
            if out[no].owner == "none" and lines[no].strip():
                out[no] = d

    for r in rec.get("boilerplate") or []:
        if not r.get("partial") and r.get("line"):
            no = int(r["line"]) - 1
            titled = r.get("rule") in TITLE_RULES or _is_title(lines[no], rec.get("title"))
            if 0 <= no < len(lines):
                out[no] = Decision("title" if titled else "removed", str(r.get("rule")), str(r.get("category") or ""))
    for c in rec.get("comments") or []:
        if c.get("lines"):
            fill(c["lines"][0], c["lines"][-1], Decision("comment", f"depth {c.get('depth')}"))
    for b in rec.get("blocks") or []:
        if b.get("lines"):
            fill(b["lines"][0], b["lines"][-1], Decision("article", str(b.get("type"))))
    return out


def explain_in_process(path: Path) -> list[Decision]:
    from corpusconv import convert_file
    from corpusconv.explain import explain

    doc = convert_file(path)
    return from_explain((d.as_dict() for d in explain(doc) if d.kind != "blank"), doc.lines, doc.title)


def explain_by_command(template: str, cc: str, path: Path, lines: list[str]) -> list[Decision]:
    cmd = [a for arg in shlex.split(template)
           for a in (shlex.split(cc) if arg == "{cc}" else [arg.replace("{page}", str(path))])]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{path.name}: explain command failed (exit {r.returncode})")
    rows = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    title = next((row["text"] for row in rows if row.get("element") in TITLE_RULES), None)
    return from_explain(rows, lines, title)


# ------------------------------------------------------------------------------------
# Comparing decisions with gold labels
# ------------------------------------------------------------------------------------
ARTICLE_PARTS = ("article", "quote")


def _regions(labels: list[LineLabel | None]):
    """A function naming the page region of a line, relative to the gold article and
    comments (the article's own first and last lines bound it)."""
    art = [no for no, lab in enumerate(labels) if lab and lab.label in ARTICLE_PARTS + ("title",)]
    com = [no for no, lab in enumerate(labels) if lab and lab.label == "comment"]

    def region(no: int) -> str:
        if art and no < art[0]:
            return "before article"
        if art and no <= art[-1]:
            return "inside article"
        if com and com[0] <= no <= com[-1]:
            return "inside comments"
        if com and no < com[0]:
            return "article → comments"
        return "after comments" if com else "after article"
    return region


def _words(lab: LineLabel) -> Counter[str]:
    got: Counter[str] = Counter()
    for label, _, n in lab.parts:
        got["article" if label in ARTICLE_PARTS else label] += n
    got["other"] = lab.tokens - sum(n for _, _, n in lab.parts)
    return got


def _taker(d: Decision) -> str:
    return {"comment": "→ comment", "article": "→ article", "none": "(no owner)"}.get(d.owner, d.what)


def compare(name: str, labels: list[LineLabel | None], decisions: list[Decision]) -> list[tuple]:
    """(table, key, words) events of one page; totals under table "total"."""
    region = _regions(labels)
    events: list[tuple[str, tuple[str, ...], int]] = []
    for no, lab in enumerate(labels):
        if lab is None or not lab.tokens:
            continue
        d, w = decisions[no], _words(lab)
        events += [("total", ("gold article",), w["article"]), ("total", ("gold comment",), w["comment"])]
        if d.owner not in ("article", "title"):
            events.append(("lost", (_taker(d), d.category or "—"), w["article"]))
        if d.owner == "article":
            events.append(("total", ("engine article",), lab.tokens))
            events += [("kept", (region(no), kind, d.what), w[kind]) for kind in ("boilerplate", "other")]
            events.append(("mixed", ("comment → article", d.what), w["comment"]))
        if d.owner == "comment":
            events.append(("mixed", ("article → comment", d.what), w["article"]))
        if d.owner not in ("comment", "article"):
            events.append(("cmt_lost", (_taker(d), d.category or "—"), w["comment"]))
    return [(t, k, n, name) for t, k, n in events if n > 0]


@dataclass(frozen=True)
class Job:
    name: str
    path: Path
    gold: dict
    record: dict | None
    explain_cmd: str | None
    cc: str


def analyse(job: Job) -> list[tuple]:
    lines = read_lines(job.path)
    labels = label_lines(lines, job.gold)
    if job.record is not None:
        decisions = from_record(job.record, lines)
    elif job.explain_cmd:
        decisions = explain_by_command(job.explain_cmd, job.cc, job.path, lines)
    else:
        decisions = explain_in_process(job.path)
    return compare(job.name, labels, decisions)


def load_records(path: Path) -> dict[str, dict]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out[str(rec.get("id") or Path(str(rec.get("source"))).stem)] = rec
    return out


TABLES = [
    ("lost", "Gold article words lost, by the rule that took them", ["taken by", "category"], "gold article"),
    ("kept", "Boilerplate / other words kept in the article, by page region", ["region", "gold", "became"],
     "engine article"),
    ("mixed", "Comment words in the article, article words in comments", ["direction", "became"], None),
    ("cmt_lost", "Gold comment words in no comment, by the rule that took them", ["taken by", "category"],
     "gold comment"),
]


def print_tables(events: list[tuple], top: int) -> None:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for t, key, n, page in events:
        tallies[t].add(key, page, n)
    totals = {k[0]: n for k, n in tallies["total"].words.items()}
    print(", ".join(f"{k}: {n} words" for k, n in sorted(totals.items())) + "\n")
    for t, title, head, base in TABLES:
        total = totals.get(base, 0) if base else totals.get("gold article", 0)
        lost = sum(tallies[t].words.values())
        print(f"### {title} ({lost} words, {100 * lost / total:.1f} % of {base or 'gold article'})\n"
              if total else f"### {title}\n")
        share = f"% of {base or 'gold article'}"
        print(table(head + ["words", share, "lines", "pages", f"top pages (words)"], tallies[t].rows(top, total)))
        print()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rendering", help="rendering folder of the set (pages, pages-lynx, ...)")
    ap.add_argument("--pages", nargs="+", metavar="NAME", help="only these pages (default: all)")
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="the dev set folder (default: ../shared/realweb)")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--records", type=Path, help="read the engine's decisions from this JSON Lines output")
    src.add_argument("--explain-cmd", help="command printing 'explain --json' for {page} ({cc}: --cc)")
    ap.add_argument("--cc", default=str(REPO / ".venv" / "bin" / "corpusconv"), help="the corpusconv command")
    ap.add_argument("--top", type=int, default=15, help="rows per table (default 15)")
    ap.add_argument("--jobs", type=int, default=MAX_JOBS, help=f"processes, at most {MAX_JOBS}")
    args = ap.parse_args()
    folder = args.set / args.rendering
    if not folder.is_dir() or not (args.set / "gold").is_dir():
        ap.error(f"no rendering {args.rendering!r} or no gold/ under {args.set}")
    golds = load_golds(args.set / "gold", args.pages)
    if args.pages and len(golds) != len(set(args.pages)):
        ap.error(f"no gold for: {', '.join(sorted(set(args.pages) - set(golds)))}")
    records = load_records(args.records) if args.records else {}
    jobs = [Job(n, folder / f"{n}.txt", g, records.get(n, {}) if args.records else None, args.explain_cmd, args.cc)
            for n, g in golds.items()]
    with Pool(max(1, min(args.jobs, MAX_JOBS))) as pool:
        events = [e for page in pool.map(analyse, jobs, chunksize=4) for e in page]
    print(f"{args.rendering}: {len(jobs)} pages, decisions from "
          f"{args.records or ('explain command' if args.explain_cmd else 'explain (in process)')}")
    print_tables(events, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
