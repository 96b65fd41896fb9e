"""Corpus-level boilerplate: lines that recur across many documents become reviewable rules.

Like CCNet's paragraph hashes, but explainable, position-aware and per site:

* each document contributes each distinct normalised line once (document frequency),
  together with where it stood (the page's head or tail edge, or its middle);
* a line is a candidate when enough documents print it *and* it looks like chrome: short,
  or printed at the page edges in most documents.  A long sentence shared by two posts
  in their middles (a famous quotation) is not a candidate;
* a document whose URL is known (a WARC record, a JSON Lines document with a url) is
  counted for its site (host): such lines become rules with a ``site`` field that
  ``convert --rules`` applies to that site's pages only, and a line recurring on two
  sites becomes two rules, never one global one;
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
from typing import Any, Iterable

from .containers import expand_documents
from .decoding import decode_bytes
from .errors import CorpusconvError
from .reading import read_job
from .rules import normalise
from .sites import site_of

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
    """The reducible state: per-line counts and the number of documents seen.

    ``lines`` counts the documents of no known site; ``sites`` holds one such table per
    site (documents whose URL names their host), so that a line recurring within one
    site becomes that site's rule and a line recurring on two sites two rules.
    ``docs`` counts every document.
    """

    docs: int = 0
    lines: dict[str, LineCount] = field(default_factory=dict)
    pruned: int = 0
    sites: dict[str, "Counts"] = field(default_factory=dict)

    def keys(self) -> int:
        return len(self.lines) + sum(len(c.lines) for c in self.sites.values())

    def site_free_docs(self) -> int:
        return self.docs - sum(c.docs for c in self.sites.values())

    def prune(self, max_keys: int = MAX_KEYS) -> None:
        """Past ``max_keys`` lines (over all sites), drop those seen in one document."""
        if self.keys() <= max_keys:
            return
        for table in [self] + list(self.sites.values()):
            before = len(table.lines)
            table.lines = {k: v for k, v in table.lines.items() if v.df > 1}
            self.pruned += before - len(table.lines)


def count_lines(raw_lines: Iterable[str], site: str | None = None) -> Counts:
    """Map step: the distinct normalised lines of one document and whether each is at an
    edge, counted for ``site`` when the document's site is known."""
    if site is not None:
        return Counts(docs=1, sites={site: count_lines(raw_lines)})
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


def _add_lines(into: dict[str, LineCount], lines: dict[str, LineCount]) -> None:
    for key, cnt in lines.items():
        got = into.get(key)
        if got is None:
            into[key] = LineCount(cnt.df, cnt.edge, cnt.example)
        else:
            got.add(cnt)


def merge(a: Counts, b: Counts, max_keys: int = MAX_KEYS) -> Counts:
    """Reduce step: add ``b`` into ``a`` (returns ``a``); associative and commutative."""
    a.docs += b.docs
    a.pruned += b.pruned
    _add_lines(a.lines, b.lines)
    for site, cb in b.sites.items():
        ca = a.sites.get(site)
        if ca is None:
            ca = a.sites[site] = Counts()
        ca.docs += cb.docs
        _add_lines(ca.lines, cb.lines)
    a.prune(max_keys)
    return a


def _qualifying(lines: dict[str, LineCount], docs: int, min_df: int, min_share: float,
                site: str | None) -> list[dict]:
    need = max(min_df, int(min_share * docs + 0.999))
    out: list[dict[str, Any]] = []
    for key, c in lines.items():
        if c.df < need:
            continue
        words = len(key.split())
        if words > SHORT_WORDS and c.edge < MIN_EDGE_SHARE * c.df:
            continue
        # A site's rule id includes the site: the same line on two sites is two rules.
        seed = key if site is None else f"{site}\0{key}"
        rid = "learned." + hashlib.sha1(seed.encode()).hexdigest()[:10]
        out.append({"id": rid, "category": "corpus-repeat", "text": key, "df": c.df, "docs": docs,
                    "edge_share": round(c.edge / c.df, 2), "example": c.example, "site": site})
    out.sort(key=lambda r: (-r["df"], r["text"]))
    return out


def candidates(counts: Counts, min_df: int = MIN_DF, min_share: float = MIN_DF_SHARE) -> list[dict]:
    """Rule entries for the lines that qualify, most frequent first (ties by text): first
    those of documents of no known site, then each site's (sites in name order), each
    judged against the documents of its own site."""
    out = _qualifying(counts.lines, counts.site_free_docs(), min_df, min_share, None)
    for site in sorted(counts.sites):
        c = counts.sites[site]
        out += _qualifying(c.lines, c.docs, min_df, min_share, site)
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
        site = e.get("site")
        of = f"{e.get('docs', docs)} documents" + (f" of {site}" if site else "")
        why = f"in {e['df']} of {of}, at a page edge in {int(e['edge_share'] * 100)} % of them"
        body += [
            "[[rule]]",
            f"id = {_toml_str(e['id'])}",
            f"category = {_toml_str(e['category'])}",
            f"text = {_toml_str(e['text'])}",
        ] + ([f"site = {_toml_str(site)}"] if site else []) + [
            f"df = {e['df']}",
            f"description = {_toml_str(why)}",
            f"# example: {e['example'][:120]}",
            "",
        ]
    return "\n".join(head + body)


def learn_jobs(jobs, on_error=None, *, fields=None, by_site: bool = True) -> Counts:
    """Count lines over input jobs (``reading.Job``), one document in memory at a time.

    Containers (WARC/WET, JSON Lines) are streamed document by document (``fields`` names
    the JSON Lines fields).  With ``by_site``, a document whose URL is known is counted
    for its site.  ``on_error(source, message)`` is called for a document that cannot be
    read or decoded; counting goes on with the others.
    """
    total = Counts()
    for job in expand_documents(jobs, fields):
        counted = count_document(job, by_site)
        if isinstance(counted, str):
            if on_error is not None:
                on_error(job.source, counted)
            continue
        if counted is not None:
            merge(total, counted)
    return total


def count_document(job, by_site: bool = True) -> Counts | str | None:
    """One document's counts, the reason it cannot be read, or None (a container record
    that holds no page)."""
    if job.skip is not None:
        return None
    try:
        lines = decode_bytes(read_job(job)).lines
    except (CorpusconvError, OSError) as exc:
        msg = " ".join(str(exc).split())
        return f"{job.where}: {msg}" if job.where else msg
    return count_lines(lines, site_of(job.url) if by_site else None)
