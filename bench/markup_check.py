#!/usr/bin/env python3
"""What ``corpusconv.markup`` detects and cuts on the real-page dev set, per rendering.

Reads ``../shared/realweb/pages*/`` and the gold by path (nothing is copied) and prints,
for each rendering:

* how many pages ``detect`` flags as markdown / link numbers / forms / bracket images /
  with a trailing References list;
* gold article token recall of the raw page text and of the cleaned text, and the share
  of the raw-present gold tokens that survive cleaning (cleaning must not delete article
  words: tokens are the scorer's lower-cased ``\\w+``, compared as multisets, gold =
  ``article.paragraphs``);
* how many page tokens cleaning removes, and how many of them are not needed by the gold
  article (URLs, image names, markers);
* the cuts per rule, the units judged markup-only per rule, what markup is left in
  cleaned html2text text (``](``, ``![``, ``**``);
* speed: CPU time (``time.process_time``: the machine is shared) per unit and MB/s for
  ``clean_inline`` (which also answers ``markup_only``) and per page for ``detect``,
  against a baseline measured in the same run (``str.split`` of each unit).

The units here are an approximation of the segmentation stage's: runs of non-blank
lines, stripped and joined with one space (the markup patterns are local, so the figures
do not depend on the exact unit boundaries).

Also measures how often a Markdown image's alt text (3+ words) occurs in the gold
article text (the reason images are cut whole).

Usage::

    .venv/bin/python bench/markup_check.py [--shared ../shared/realweb] [--only lynx,w3m]
                                           [--losses N]   # print N lost-token examples
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpusconv import markup  # noqa: E402

RENDERINGS = [("resiliparse", "pages"), ("lynx", "pages-lynx"), ("w3m", "pages-w3m"),
              ("html2text", "pages-html2text"), ("inscriptis", "pages-inscriptis")]
TOKEN = re.compile(r"\w+")
ALT = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\(")


def units(lines: list[str]) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    for line in lines + [""]:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append(" ".join(cur))
            cur = []
    return out


def tokens(text: str) -> Counter[str]:
    return Counter(TOKEN.findall(text.lower()))


def overlap(a: Counter[str], b: Counter[str]) -> int:
    return sum(min(n, b[t]) for t, n in a.items())


class Stats:
    def __init__(self) -> None:
        self.pages = 0
        self.flags: Counter[str] = Counter()
        self.gold = self.gold_raw = self.gold_clean = 0
        self.raw_tokens = self.removed = self.removed_gold = 0
        self.cuts: Counter[str] = Counter()
        self.only: Counter[str] = Counter()
        self.left: Counter[str] = Counter()
        self.units = 0
        self.chars = 0
        self.t_clean = self.t_base = self.t_detect = 0.0
        self.worst: list[tuple[float, str]] = []
        self.lost: Counter[str] = Counter()


def page(path: Path, gold: dict, st: Stats) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    t0 = time.process_time()
    profile = markup.detect(lines)
    st.t_detect += time.process_time() - t0
    st.pages += 1
    for name in ("markdown", "link_numbers", "forms", "bracket_images"):
        st.flags[name] += bool(getattr(profile, name))
    st.flags["references"] += profile.references is not None
    us = units(lines)
    st.units += len(us)
    st.chars += sum(len(u) for u in us)
    t0 = time.process_time()
    for u in us:
        u.split()
    st.t_base += time.process_time() - t0
    kept: list[str] = []
    t0 = time.process_time()
    results = [markup.clean_inline(u, profile) for u in us]
    st.t_clean += time.process_time() - t0
    for cleaned in results:
        only = cleaned.whole
        for cut in cleaned.cuts:
            st.cuts[cut.rule] += 1
        if only:
            st.only[only] += 1
        else:
            kept.append(cleaned.text)
        if profile.markdown:
            for mark in ("](", "![", "**"):
                st.left[mark] += cleaned.text.count(mark)
    raw_text = "\n".join(us)
    clean_text = "\n".join(kept)
    g = tokens(" ".join(gold["article"]["paragraphs"]))
    raw, clean = tokens(raw_text), tokens(clean_text)
    in_raw, in_clean = overlap(g, raw), overlap(g, clean)
    st.gold += sum(g.values())
    st.gold_raw += in_raw
    st.gold_clean += in_clean
    if in_raw:
        st.worst.append((in_clean / in_raw, path.stem))
    for t, n in g.items():
        lost = min(n, raw[t]) - min(n, clean[t])
        if lost > 0:
            st.lost[t] += lost
    removed = sum((raw - clean).values())
    st.raw_tokens += sum(raw.values())
    st.removed += removed
    st.removed_gold += in_raw - in_clean


def alt_text_check(shared: Path) -> tuple[int, int]:
    total = found = 0
    for path in sorted((shared / "pages-html2text").glob("*.txt")):
        gold = json.loads((shared / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
        art = " ".join(TOKEN.findall(" ".join(gold["article"]["paragraphs"]).lower()))
        for m in ALT.finditer(path.read_text(encoding="utf-8")):
            words = TOKEN.findall(m.group(1).lower())
            if len(words) >= 3:
                total += 1
                found += f" {' '.join(words)} " in f" {art} "
    return total, found


def report(name: str, st: Stats, losses: int) -> None:
    pct = lambda a, b: f"{100 * a / b:.2f} %" if b else "n/a"  # noqa: E731
    print(f"\n== {name}: {st.pages} pages, {st.units} units")
    print("  detect: " + ", ".join(f"{k} {v}/{st.pages}" for k, v in st.flags.items()))
    print(f"  gold article tokens: {st.gold}; present in raw {pct(st.gold_raw, st.gold)}, "
          f"in cleaned {pct(st.gold_clean, st.gold)}; survival of raw-present "
          f"{pct(st.gold_clean, st.gold_raw)} ({st.gold_raw - st.gold_clean} lost)")
    worst = sorted(st.worst)[:3]
    print("  worst pages (survival): " + ", ".join(f"{p} {r:.4f}" for r, p in worst))
    print(f"  tokens removed: {st.removed} of {st.raw_tokens} ({pct(st.removed, st.raw_tokens)}); "
          f"not article {st.removed - st.removed_gold}, article {st.removed_gold}")
    print("  cuts: " + (", ".join(f"{r} {n}" for r, n in st.cuts.most_common()) or "none"))
    print("  markup-only units: " + (", ".join(f"{r} {n}" for r, n in st.only.most_common())
                                     or "none"))
    if st.left:
        print("  left in cleaned Markdown text: " + ", ".join(f"{k!r} {v}" for k, v in st.left.items()))
    if losses and st.lost:
        print("  lost gold tokens: " + ", ".join(f"{t} {n}" for t, n in st.lost.most_common(losses)))
    per_unit = 1e6 * st.t_clean / max(st.units, 1)
    base = 1e6 * st.t_base / max(st.units, 1)
    mb_s = st.chars / 1e6 / max(st.t_clean, 1e-9)
    print(f"  speed (CPU time): clean_inline {per_unit:.2f} µs/unit, {mb_s:.1f} MB/s of unit "
          f"text (str.split baseline {base:.2f} µs/unit, ratio {per_unit / base:.1f}x); "
          f"detect {1e3 * st.t_detect / max(st.pages, 1):.3f} ms/page")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "realweb")
    ap.add_argument("--only", default="", help="comma-separated rendering names")
    ap.add_argument("--losses", type=int, default=0)
    args = ap.parse_args()
    if not (args.shared / "gold").is_dir():
        print(f"markup_check: no dev set at {args.shared}", file=sys.stderr)
        return 2
    only = set(filter(None, args.only.split(",")))
    for name, folder in RENDERINGS:
        if only and name not in only:
            continue
        st = Stats()
        for path in sorted((args.shared / folder).glob("*.txt")):
            gold = json.loads((args.shared / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
            page(path, gold, st)
        report(name, st, args.losses)
    if not only or "html2text" in only:
        total, found = alt_text_check(args.shared)
        print(f"\nMarkdown image alt texts of 3+ words: {total}; found in the gold article "
              f"text: {found} ({100 * found / max(total, 1):.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
