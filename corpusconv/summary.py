"""End-of-run totals: accumulated from outcomes, rendered as a table on stderr.

Kept apart from the CLI so that library callers (and a distributed engine) can total a
batch the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from .batch import Outcome

#: Rules listed individually in the summary; the rest are folded into one row.
TOP_RULES = 12


@dataclass
class Totals:
    documents: int = 0
    failed: int = 0
    skipped: int = 0
    blocks: int = 0
    comments: int = 0
    quotes: int = 0
    removals: Counter = field(default_factory=Counter)
    #: Container records that are no documents, by why (``warcinfo record``: 3).
    records_skipped: Counter = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        if outcome.skipped:
            self.records_skipped[outcome.skipped] += 1
            return
        if not outcome.ok:
            self.failed += 1
            return
        count_document(self, outcome)


def count_document(totals, outcome: Outcome) -> None:
    """Add one converted document's figures to anything with the Totals counters
    (:class:`Totals`, or a distributed run's picklable partial result)."""
    totals.documents += 1
    s = outcome.stats
    totals.blocks += s.blocks
    totals.comments += s.comments
    totals.quotes += s.quotes
    totals.removals.update(dict(s.removals))


def failure_lines(failures) -> list[str]:
    """Every failure again, after the summary (a long run's error lines scrolled away):
    a heading, then ``  SOURCE: REASON`` per (source, reason), control characters escaped."""
    if not failures:
        return []
    out = [f"corpusconv: {len(failures)} input(s) failed:"]
    out += [f"  {one_line(source)}: {one_line(reason)}" for source, reason in failures]
    return out


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(s: str) -> str:
    """``s`` with control characters escaped (``\\n``), so a diagnostic stays one line
    even for file names containing newlines."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], s)


def table(t: Totals) -> Table:
    """The summary as a rich table (rules sorted by count, then id, for stable output)."""
    tab = Table(title="corpusconv summary", show_header=True, header_style="bold")
    tab.add_column("what")
    tab.add_column("count", justify="right")
    for label, n in (("documents written", t.documents), ("failed", t.failed),
                     ("skipped (exist)", t.skipped), ("article blocks", t.blocks),
                     ("quotes", t.quotes), ("comments", t.comments),
                     ("boilerplate lines", sum(t.removals.values()))):
        tab.add_row(label, str(n))
    if t.records_skipped:  # container records that hold no page (WARC warcinfo, ...)
        tab.add_row("records skipped (no page)", str(sum(t.records_skipped.values())))
        for why, n in sorted(t.records_skipped.items()):
            tab.add_row(f"  {why}", str(n))
    ranked = sorted(t.removals.items(), key=lambda kv: (-kv[1], kv[0]))
    for rule, n in ranked[:TOP_RULES]:
        tab.add_row(f"  removed by {rule}", str(n))
    rest = ranked[TOP_RULES:]
    if rest:
        tab.add_row(f"  removed by {len(rest)} other rules", str(sum(n for _, n in rest)))
    return tab


def render(t: Totals, console: Console) -> None:
    console.print(table(t))
