"""Stage 3a: per-line features and the list-item tree.

Renderers (lynx, w3m, resiliparse, inscriptis) print lists as indented ``•`` or ``1.``
items whose continuation lines are indented further than the marker; nested lists (and
so reply threads) are indented further still.  This module recovers that tree from
indentation alone, so later stages can reason about "a list of long items after the
article" (a comment thread) versus "a list of one-word items at the top" (navigation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import is_dateline
from .rules import normalise

TAB_WIDTH = 4
# Bullets that renderers emit; '*', '-', '+' and 'o' only count when indented, because at
# the margin they are as likely to be prose ("- and then", "* * *").
_BULLET = re.compile(r"^([•◦▪‣○■□►➢·])\s*(\S.*)$")
_ASCII_BULLET = re.compile(r"^([*+\-o])\s+(\S.*)$")
_NUMBER = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
# Longer numbers ("1003. Jane says:") only when indented: at the margin "2012. That year"
# is prose.
_LONG_NUMBER = re.compile(r"^(\d{4,6})[.)]\s+(\S.*)$")
_NUMBER_ALONE = re.compile(r"^(\d{1,3})[.)]$")
_WORD = re.compile(r"\w+")
SECTION_BREAK = re.compile(r"^\s*(?:[*•·~#=_\-–—]\s*){3,}$|^\s*(?:§|⁂|❧|\*\s\*\s\*)\s*$")


@dataclass
class Line:
    """One input line and the features every later stage uses."""

    no: int
    raw: str
    text: str
    indent: int
    marker: str | None = None  # "bullet" | "number" | None
    number: int | None = None
    body: str = ""
    words: int = 0
    norm: str = ""
    item: "Item | None" = field(default=None, repr=False)
    blank: bool = False  # no text (a field, not a property: every pass asks)


@dataclass
class Item:
    """A list item: its marker line, its own continuation lines, its nested items."""

    marker_line: Line
    indent: int
    parent: "Item | None" = None
    prev: "Item | None" = None  # previous sibling, if any
    lines: list[Line] = field(default_factory=list)
    children: list["Item"] = field(default_factory=list)
    _all: list[Line] | None = field(default=None, repr=False, compare=False)

    @property
    def depth(self) -> int:
        d, p = 0, self.parent
        while p is not None:
            d, p = d + 1, p.parent
        return d

    def all_lines(self) -> list[Line]:
        """This item's lines and every descendant's, in page order (iterative: threads can
        nest thousands of levels deep).  Computed once: the tree is fixed after
        :func:`build_lines`, and thread detection asks for it many times."""
        if self._all is not None:
            return self._all
        out: list[Line] = []
        stack = [self]
        while stack:
            item = stack.pop()
            out.extend(item.lines)
            stack.extend(item.children)
        out.sort(key=lambda ln: ln.no)
        self._all = out
        return out


def _indent_width(raw: str) -> int:
    lead = len(raw) - len(raw.lstrip(" \u00a0"))
    if lead == len(raw) or raw[lead] != "\t":
        return lead  # no tab in the indentation: the usual case, without a Python loop
    width = 0
    for ch in raw:
        if ch == " " or ch == "\u00a0":
            width += 1
        elif ch == "\t":
            width += TAB_WIDTH - width % TAB_WIDTH
        else:
            break
    return width


def make_line(no: int, raw: str) -> Line:
    text = raw.strip()
    # The indentation's width without a call when it holds no tab (nearly every line).
    lead = len(raw) - len(raw.lstrip(" \u00a0"))
    indent = lead if lead == len(raw) or raw[lead] != "\t" else _indent_width(raw)
    if not text:
        return Line(no, raw, text, indent, blank=True)
    ln = Line(no, raw, text, indent, body=text)
    # Most lines start with a letter and so can be neither a list item nor a section break
    # (the one letter bullet, an indented "o ", excepted): skip the marker patterns.
    plain = bool(text) and text[0].isalpha() and not (text[0] == "o" and indent > 0 and text[1:2] == " ")
    if text and not plain and not SECTION_BREAK.match(text):
        m = _BULLET.match(text) or (_ASCII_BULLET.match(text) if indent > 0 else None)
        if m:
            ln.marker, ln.body = "bullet", m.group(2)
        else:
            m = _NUMBER.match(text) or (_LONG_NUMBER.match(text) if indent > 0 else None)
            if m and is_dateline(text):
                m = None  # "16. March, 2023 at 16:59" is a date, not item 16
            if m:
                ln.marker, ln.number, ln.body = "number", int(m.group(1)), m.group(2)
            elif _NUMBER_ALONE.match(text) and indent > 0:
                ln.marker, ln.number, ln.body = "number", int(text[:-1]), ""
    ln.words = len(_WORD.findall(ln.body))
    ln.norm = normalise(text)
    return ln


# A list item keeps unmarked lines that follow a blank line only if it reads like the
# start of a comment or of a paragraph; a one-word navigation item does not, however far
# the rest of the page happens to be indented.
ITEM_PROSE_WORDS = 8


def _keeps_paragraphs(item: Item, is_header, next_line: "Line") -> bool:
    if sum(ln.words for ln in item.lines) >= ITEM_PROSE_WORDS:
        return True
    if is_header is not None and (any(is_header(ln.body) for ln in item.lines[:2])
                                  or (len(item.lines) == 1 and is_header(next_line.text))):
        return True  # "Jane says:", or "Jane" then "May 4, 2012 at 1:37 pm"
    # "  2. Hi Monica" then a blank line then the comment: trust a long previous sibling.
    prev = item.prev
    return prev is not None and sum(ln.words for ln in prev.lines) >= ITEM_PROSE_WORDS


def build_lines(raw_lines: list[str], is_header=None) -> list[Line]:
    """Features for every line, and each line's owning list item (``Line.item``).

    ``is_header(text)`` tells whether a marker line is a comment header ("Jane says:"),
    after which the comment text may follow a blank line.
    """
    lines = [make_line(i, raw) for i, raw in enumerate(raw_lines, 1)]
    stack: list[Item] = []
    last_root: Item | None = None
    prev_no = 0
    for ln in lines:
        if ln.blank:
            continue
        after_blank = ln.no > prev_no + 1
        prev_no = ln.no
        # A line is inside an open item when it is indented further than the item's marker.
        while stack and ln.indent <= stack[-1].indent:
            stack.pop()
        while (stack and ln.marker is None and after_blank
               and not _keeps_paragraphs(stack[-1], is_header, ln)):
            stack.pop()
        if ln.marker is not None:
            parent = stack[-1] if stack else None
            siblings = parent.children if parent is not None else None
            prev = (siblings[-1] if siblings else None) if parent is not None else last_root
            item = Item(marker_line=ln, indent=ln.indent, parent=parent, prev=prev)
            if parent is not None:
                parent.children.append(item)
            else:
                last_root = item
            item.lines.append(ln)
            ln.item = item
            stack.append(item)
        elif stack:
            stack[-1].lines.append(ln)
            ln.item = stack[-1]
    return lines
