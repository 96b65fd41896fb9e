"""Stage 4-5: classify lines and structure them into article, quotes and comments.

(Provisional minimal version: every rule-matched line is removed, the rest become
paragraphs.  Replaced by the full classifier.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Block, Comment, Removal
from .rules import RuleSet, normalise


@dataclass
class StructureResult:
    title: str | None = None
    date: str | None = None
    author: str | None = None
    blocks: list[Block] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)


def structure_lines(lines: list[str], rules: RuleSet) -> StructureResult:
    res = StructureResult()
    para: list[int] = []

    def flush():
        if para:
            text = " ".join(lines[i - 1].strip() for i in para)
            res.blocks.append(Block("paragraph", text, (para[0], para[-1]), tuple(para)))
            para.clear()

    for no, line in enumerate(lines, 1):
        if not line.strip():
            flush()
            continue
        rule = rules.match(normalise(line))
        if rule is not None and rule.action == "drop":
            flush()
            res.removals.append(Removal(rule.id, rule.category, no, line.strip()))
            continue
        para.append(no)
    flush()
    return res
