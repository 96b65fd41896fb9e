#!/usr/bin/env python3
"""Generate a realistic benchmark corpus of rendered pages from the example inputs.

Sources (read in place, never copied into the repository): ``../shared/seeds/*.txt``,
``../shared/realweb/pages/*.txt`` and ``examples/input/**/*.txt`` when present; with
``--renderings all`` (or a list such as ``pages,pages-lynx``) the dev pages are read in
each of the chosen renderings (``pages/`` resiliparse, ``pages-lynx/``, ``pages-w3m/``,
``pages-html2text/``, ``pages-inscriptis/``), interleaved page by page, so that any prefix
of the corpus mixes them.  A page only borrows paragraphs and threads from pages of its
own rendering (the seeds and examples count as ``pages/``: one paragraph per line), so a
lynx page stays a lynx page.  Each
generated page starts from one source page and is mutated so that no two outputs are
byte-identical and the converter cannot get away with caching whole pages:

* prose paragraphs (blocks between blank lines with >= 10 words) are shuffled among
  themselves, and some are replaced by prose paragraphs borrowed from other pages;
* list items (comment threads, navigation) are dropped, duplicated and reordered in
  small runs, and occasionally a comment thread borrowed from another page is appended;
* capitalised names are substituted consistently within a page, last digits of numbers are re-drawn
  (dates, counts, comment numbers change), and a few words per paragraph are swapped.

The page skeleton (header navigation, title, dateline, footer) stays where it was, so
the article/comment structure the converter looks for is preserved.  Deterministic for
a given ``--seed`` and source set.

Usage::

    python bench/make_corpus.py --size 50MB --out /tmp/corpus50 [--seed 1]
    python bench/make_corpus.py --size 1GB --out /tmp/corpus1g
    python bench/make_corpus.py --size 15MB --out /tmp/mixed15 --renderings all   # all five renderings

Output: ``OUT/dNNNN/pNNNNNNN.txt``, 1000 pages per directory.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared"
PER_DIR = 1000
#: The dev set's renderings (sub-directories of ``realweb/``), the default one first.
RENDERINGS = ("pages", "pages-lynx", "pages-w3m", "pages-html2text", "pages-inscriptis")

NAMES = ("Alice Moreno", "Bram", "Chioma", "Dmitri K.", "Eleanor", "Farid", "Greta Olsen", "Hiroshi",
         "Ines", "Jamal", "Kasia", "Luis", "Maren Holt", "Nkechi", "Oskar", "Priya", "Quentin",
         "Rosa", "Sven", "Tamar", "Ulla", "Viktor", "Wen", "Xavier", "Yusuf", "Zofia", "Anonymous",
         "mike_t", "J. Ramirez", "Dr. Patel", "sunnydays", "Old Timer")
_MARKER = re.compile(r"^\s*(?:[•◦▪‣○■□►➢·*+\-o]|\d{1,3}[.)])\s")
_CAP = re.compile(r"\b[A-Z][a-z]{2,}\b")
_DIGITS = re.compile(r"\d(?!\d)")  # last digit of a number: years stay plausible
_WORDS_RE = re.compile(r"\w+")


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*", text, re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (e.g. 50MB, 1GB, 200k)")
    unit = m.group(2).lower().rstrip("b").rstrip("i")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[unit]
    return int(float(m.group(1)) * mult)


def source_files(shared: Path, examples: Path,
                 renderings: tuple[str, ...] = RENDERINGS[:1]) -> list[tuple[str, Path]]:
    """(rendering, path) of every source page.  One rendering: seeds, dev pages, examples
    (the historical order, so corpora of earlier runs are reproduced); several: the seeds,
    then each dev page in every chosen rendering in turn, then the examples."""
    realweb = shared / "realweb"
    files = [(RENDERINGS[0], p) for p in sorted((shared / "seeds").glob("*.txt"))]
    names = sorted(p.name for p in (realweb / renderings[0]).glob("*.txt"))
    files += [(r, realweb / r / name) for name in names for r in renderings
              if (realweb / r / name).is_file()]
    if examples.is_dir():
        files += [(RENDERINGS[0], p) for p in sorted(examples.rglob("*.txt"))]
    return files


def parse_renderings(text: str) -> tuple[str, ...]:
    chosen = RENDERINGS if text == "all" else tuple(r for r in text.split(",") if r)
    unknown = [r for r in chosen if r not in RENDERINGS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown rendering(s) {', '.join(unknown) or text!r}; "
                                         f"choose from all, {', '.join(RENDERINGS)}")
    return chosen


def blocks_of(text: str) -> list[list[str]]:
    """Lines grouped into blocks separated by blank lines (blank lines are kept as [''])."""
    out: list[list[str]] = []
    cur: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            cur.append(line)
        else:
            if cur:
                out.append(cur)
                cur = []
            out.append([""])
    if cur:
        out.append(cur)
    return out


def is_prose(block: list[str]) -> bool:
    return (block != [""] and not _MARKER.match(block[0]) and not block[0].startswith(" ")
            and sum(len(_WORDS_RE.findall(ln)) for ln in block) >= 10)


def is_item(block: list[str]) -> bool:
    return block != [""] and bool(_MARKER.match(block[0]))


class Pool:
    """Prose paragraphs and list-item runs from all sources, for borrowing."""

    def __init__(self, pages: list[list[list[str]]]):
        self.prose = [b for p in pages for b in p if is_prose(b)]
        self.threads: list[list[list[str]]] = []
        for p in pages:
            run: list[list[str]] = []
            for b in p:
                if is_item(b) and sum(len(_WORDS_RE.findall(ln)) for ln in b) >= 12:
                    run.append(b)
                elif b != [""] and run:
                    if len(run) >= 3:
                        self.threads.append(run)
                    run = []
            if len(run) >= 3:
                self.threads.append(run)


def mutate_words(line: str, rnd: random.Random) -> str:
    words = line.split(" ")
    if len(words) > 6 and rnd.random() < 0.5:
        i = rnd.randrange(1, len(words) - 2)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def make_page(src: list[list[str]], pool: Pool, rnd: random.Random) -> str:
    blocks = [list(b) for b in src]
    # 1. shuffle prose paragraphs among their own slots; borrow some from other pages.
    slots = [i for i, b in enumerate(blocks) if is_prose(b)]
    if len(slots) > 2:
        # keep the first prose slot (often the lede next to the title) in place
        moving = slots[1:]
        picked = [blocks[i] for i in moving]
        rnd.shuffle(picked)
        for i, b in zip(moving, picked):
            blocks[i] = b
    for i in slots:
        if pool.prose and rnd.random() < 0.25:
            blocks[i] = list(rnd.choice(pool.prose))
    # 2. list items: drop, duplicate, swap neighbours.
    out: list[list[str]] = []
    for b in blocks:
        if is_item(b):
            r = rnd.random()
            if r < 0.08:
                continue
            out.append(b)
            if r > 0.94:
                out.append([""])
                out.append(list(b))
        else:
            out.append(b)
    item_idx = [i for i, b in enumerate(out) if is_item(b)]
    for _ in range(len(item_idx) // 6):
        k = rnd.randrange(len(item_idx) - 1)
        a, c = item_idx[k], item_idx[k + 1]
        out[a], out[c] = out[c], out[a]
    # 3. sometimes a borrowed comment thread at the end of the page.
    if pool.threads and rnd.random() < 0.15:
        out.append([""])
        out.append(["Comments"])
        out.append([""])
        for b in rnd.choice(pool.threads):
            out.append(list(b))
            out.append([""])
    # 4. names and numbers.
    text = "\n".join("\n".join(b) for b in out)
    caps = sorted(set(_CAP.findall(text)))
    rnd.shuffle(caps)
    subst = {w: rnd.choice(NAMES).split()[0] for w in caps[: max(1, len(caps) // 5)]}
    if subst:
        text = re.sub(r"\b(" + "|".join(map(re.escape, subst)) + r")\b", lambda m: subst[m.group(1)], text)
    text = _DIGITS.sub(lambda m: str(rnd.randrange(10)) if rnd.random() < 0.3 else m.group(0), text)
    # 5. a few word swaps so that even identical paragraphs differ.
    lines = [mutate_words(ln, rnd) if len(ln) > 60 and rnd.random() < 0.3 else ln
             for ln in text.split("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=parse_size, required=True, help="total size, e.g. 50MB or 1GB")
    ap.add_argument("--out", type=Path, required=True, help="output directory (created)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="path of ../shared")
    ap.add_argument("--examples", type=Path, default=REPO / "examples" / "input")
    ap.add_argument("--renderings", type=parse_renderings, default=RENDERINGS[:1],
                    help="dev-set renderings to draw from: 'all' or a comma-separated list of "
                         f"{', '.join(RENDERINGS)} (default: pages)")
    args = ap.parse_args(argv)

    files = source_files(args.shared, args.examples, args.renderings)
    if not files:
        print(f"make_corpus: no source pages under {args.shared}", file=sys.stderr)
        return 2
    texts, kinds = [], []
    for kind, f in files:
        raw = f.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
        texts.append(blocks_of(raw))
        kinds.append(kind)
    # Borrowing stays within a rendering (one rendering: one pool of every page, as before).
    pools = {k: Pool([t for t, kk in zip(texts, kinds) if kk == k]) for k in dict.fromkeys(kinds)}
    args.out.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(args.seed)
    total = n = 0
    t0 = time.perf_counter()
    while total < args.size:
        page_rnd = random.Random(rnd.getrandbits(64))
        src = n % len(texts) if n < len(texts) else page_rnd.randrange(len(texts))
        text = make_page(texts[src], pools[kinds[src]], page_rnd)
        data = text.encode("utf-8")
        d = args.out / f"d{n // PER_DIR:04d}"
        if n % PER_DIR == 0:
            d.mkdir(exist_ok=True)
        (d / f"p{n:07d}.txt").write_bytes(data)
        total += len(data)
        n += 1
    dt = time.perf_counter() - t0
    print(f"make_corpus: {n} pages, {total / 1e6:.1f} MB in {args.out} ({dt:.1f} s, "
          f"{len(files)} sources, renderings {','.join(args.renderings)}, seed {args.seed})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
