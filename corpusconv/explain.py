"""``corpusconv explain``: every input line with the decision taken about it.

A debugging view for users and rule writers: which element a line became (article
block, quote, dialogue turn, comment and its depth), or which rule removed it, with that
rule's category and evidence.  Built only from the Document, so it shows exactly what the
serialisers wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from . import segment
from .model import Document


@dataclass(frozen=True)
class LineDecision:
    line: int
    text: str
    kind: str          # "blank" | "block" | "comment" | "removed"
    element: str       # e.g. "paragraph", "quote", "comment c3 (depth 1)", rule id
    category: str = ""
    evidence: str = ""

    def as_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "kind": self.kind, "element": self.element,
                "category": self.category, "evidence": self.evidence}


def explain(doc: Document) -> list[LineDecision]:
    """One decision per input line, in line order."""
    owner: dict[int, LineDecision] = {}
    for i, b in enumerate(doc.blocks):
        label = b.type
        if b.speaker:
            label += f" ({b.speaker})"
        if b.attribution:
            label += f" (— {b.attribution})"
        for n in b.source_lines:
            owner[n] = LineDecision(n, "", "block", f"{label} #{i + 1}")
    for c in doc.comments:
        label = f"comment {c.id} depth {c.depth}" + (f" reply to {c.parent}" if c.parent else "")
        if c.author:
            label += f" by {c.author}"
        for n in c.source_lines:
            owner[n] = LineDecision(n, "", "comment", label)
    partial: dict[int, list[str]] = {}
    for r in doc.removals:
        if r.partial:
            partial.setdefault(r.line, []).append(f"{r.rule} cut {r.text!r}")
            continue
        owner[r.line] = LineDecision(r.line, "", "removed", r.rule, r.category, r.evidence)
    out = []
    for no, text in enumerate(doc.lines, 1):
        d = owner.get(no)
        if d is None:
            out.append(LineDecision(no, text, "blank", ""))
            continue
        evidence = "; ".join(filter(None, [d.evidence] + partial.get(no, [])))
        out.append(LineDecision(no, text, d.kind, d.element, d.category, evidence))
    return out


def describe_layout(doc: Document) -> str:
    """What segmentation detected, as ``explain`` prints it ("wrapped at 74, body indent 3, …")."""
    return segment.describe_layout(doc.provenance.layout)


def render_plain(decisions: list[LineDecision], width: int = 28) -> str:
    """Plain-text rendering: ``  12 | removed comment.report   | Report comment``."""
    rows = []
    for d in decisions:
        if d.kind == "blank":
            rows.append(f"{d.line:5d} |")
            continue
        tag = d.element if d.kind != "removed" else f"✗ {d.element}"
        rows.append(f"{d.line:5d} | {tag[:width]:<{width}} | {d.text.strip()}")
    return "\n".join(rows)


# Colours by decision kind for the terminal view (rich markup styles).
STYLES = {"block": "green", "comment": "cyan", "removed": "red", "blank": "dim"}


def render_rich(decisions: list[LineDecision], console: Console, width: int = 28) -> None:
    """Coloured rendering on a terminal (rich); same columns as :func:`render_plain`."""
    for d in decisions:
        line = Text(f"{d.line:5d} | ", style="dim")
        if d.kind != "blank":
            tag = d.element if d.kind != "removed" else f"✗ {d.element}"
            line.append(f"{tag[:width]:<{width}}", style=STYLES[d.kind])
            line.append(" | ", style="dim")
            line.append(d.text.strip(), style="dim" if d.kind == "removed" else "")
        console.print(line, soft_wrap=True, highlight=False, markup=False)
