"""Corpus-level boilerplate: lines that recur across many documents become reviewable rules.

Like CCNet's paragraph hashes, but explainable and position-aware:

* each document contributes each distinct normalised line once (document frequency),
  together with where it stood (the page's head or tail edge, or its middle);
* a line is a candidate when enough documents print it *and* it looks like chrome: short,
  or printed at the page edges in most documents.  A long sentence shared by two posts
  in their middles (a famous quotation) is not a candidate;
* counting is a map-reduce (:func:`count_lines` per document, :func:`merge` to combine),
  so it runs on one machine or on a Dask bag alike, and memory is bounded: when the
  table grows past ``max_keys`` the lines seen in only one document are dropped (lossy
  counting), so a line's count can be under-estimated but never invented.

``corpusconv learn PATHS -o rules.toml`` writes the candidates as ``[[rule]]`` entries
with their document frequency for a person to review, then ``convert --rules`` uses them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable

from .rules import normalise

EDGE_SHARE = 0.2            # the first/last 20 % of a page's lines are its edges
MIN_DF = 3                  # a rule needs at least this many documents…
MIN_DF_SHARE = 0.05         # …and at least this share of the corpus
SHORT_WORDS = 12            # lines this short are chrome-like wherever they stand
MIN_EDGE_SHARE = 0.7        # a longer line must stand at an edge in this share of its pages
MAX_KEYS = 500_000          # bound on the counting table (see module docstring)
MIN_CHARS = 3


@dataclass
class LineCount:
    df: int = 0
    edge: int = 0
    example: str = ""

    def add(self, other: "LineCount") -> None:
        self.df += other.df
        self.edge += other.edge
        if not self.example:
            self.example = other.example


@dataclass
class Counts:
    """The reducible state: per-line counts and the number of documents seen."""

    docs: int = 0
    lines: dict[str, LineCount] = field(default_factory=dict)
    pruned: int = 0

    def prune(self, max_keys: int = MAX_KEYS) -> None:
        if len(self.lines) > max_keys:
            before = len(self.lines)
            self.lines = {k: v for k, v in self.lines.items() if v.df > 1}
            self.pruned += before - len(self.lines)


def count_lines(raw_lines: Iterable[str]) -> Counts:
    """Map step: the distinct normalised lines of one document and whether each is at an edge."""
    raw = list(raw_lines)
    n = len(raw)
    edge_lo, edge_hi = EDGE_SHARE * n, (1 - EDGE_SHARE) * n
    out = Counts(docs=1)
    for i, line in enumerate(raw):
        text = line.strip()
        if len(text) < MIN_CHARS:
            continue
        key = normalise(text)
        if len(key) < MIN_CHARS:
            continue
        at_edge = 1 if (i < edge_lo or i >= edge_hi) else 0
        got = out.lines.get(key)
        if got is None:
            out.lines[key] = LineCount(1, at_edge, text)
        elif at_edge and not got.edge:
            got.edge = 1
    return out


def merge(a: Counts, b: Counts, max_keys: int = MAX_KEYS) -> Counts:
    """Reduce step: add ``b`` into ``a`` (returns ``a``); associative and commutative."""
    a.docs += b.docs
    a.pruned += b.pruned
    for key, cnt in b.lines.items():
        got = a.lines.get(key)
        if got is None:
            a.lines[key] = LineCount(cnt.df, cnt.edge, cnt.example)
        else:
            got.add(cnt)
    a.prune(max_keys)
    return a


def candidates(counts: Counts, min_df: int = MIN_DF, min_share: float = MIN_DF_SHARE) -> list[dict]:
    """Rule entries for the lines that qualify, most frequent first (ties by text)."""
    need = max(min_df, int(min_share * counts.docs + 0.999))
    out = []
    for key, c in counts.lines.items():
        if c.df < need:
            continue
        words = len(key.split())
        if words > SHORT_WORDS and c.edge < MIN_EDGE_SHARE * c.df:
            continue
        rid = "learned." + hashlib.sha1(key.encode()).hexdigest()[:10]
        out.append({"id": rid, "category": "corpus-repeat", "text": key, "df": c.df,
                    "edge_share": round(c.edge / c.df, 2), "example": c.example})
    out.sort(key=lambda r: (-r["df"], r["text"]))
    return out


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def rules_toml(entries: list[dict], docs: int) -> str:
    """A reviewable rules file: one [[rule]] per candidate with its evidence."""
    head = [
        "# Boilerplate learned by `corpusconv learn` from lines that recur across documents.",
        f"# {docs} documents counted. Review before use: delete a rule to keep its line, or set",
        "# action = \"keep\" to protect a line that a built-in rule would drop.",
        "",
    ]
    body = []
    for e in entries:
        why = f"in {e['df']} of {docs} documents, at a page edge in {int(e['edge_share'] * 100)} % of them"
        body += [
            "[[rule]]",
            f"id = {_toml_str(e['id'])}",
            f"category = {_toml_str(e['category'])}",
            f"text = {_toml_str(e['text'])}",
            f"df = {e['df']}",
            f"description = {_toml_str(why)}",
            f"# example: {e['example'][:120]}",
            "",
        ]
    return "\n".join(head + body)


def learn_jobs(jobs, on_error=None) -> Counts:
    """Count lines over input jobs (``reading.Job``), one document in memory at a time.

    ``on_error(source, message)`` is called for an input that cannot be read or decoded;
    counting goes on with the others.
    """
    from .decoding import decode_bytes
    from .errors import CorpusconvError
    from .reading import read_job

    total = Counts()
    for job in jobs:
        try:
            lines = decode_bytes(read_job(job)).lines
        except (CorpusconvError, OSError) as exc:
            if on_error is not None:
                on_error(job.source, str(exc))
            continue
        merge(total, count_lines(lines))
    return total
