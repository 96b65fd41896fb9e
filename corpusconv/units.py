"""The logical units of a page, and the list-item tree over them.

A :class:`Unit` is what every stage after segmentation reasons about: a paragraph (its
hard-wrapped physical lines joined), a heading, a list item's line, a quotation line, a
horizontal rule, a table row or a preformatted block.  It keeps the physical lines it came
from, so that every decision maps back to the input, and it carries the facts later passes
read (word count, normalised text, layout kind, list marker, owning list item), computed
once.

Units are numbered so that adjacency can be read from the numbers: ``no`` advances by one
from a unit to the next when nothing separates them, and by two across a gap (a blank line
in the input, or a layout break such as an image line), so ``b.no == a.no + 1`` means "b
follows a directly".  The numbers past each gap belong to *blank* placeholder units, which
is how the stages see paragraph separation without knowing the renderer's conventions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .dates import TIME_RE, is_dateline
from .rules import Rule, normalise

_WORD = re.compile(r"\w+")

#: Kinds of unit the segmentation stage emits (``Unit.kind``).
UNIT_KINDS = ("paragraph", "heading", "item", "quote", "rule", "row", "pre", "blank")


@dataclass(eq=False)
class Unit:
    """One logical unit of the page (see the module docstring for ``no``).

    ``lines`` are the 1-based physical input lines the unit was built from, ``text`` its
    text with wrapped lines joined and renderer markup cut (``"\\n"`` kept inside
    preformatted units), ``indent`` the indentation of its first line (for a list item:
    of its marker), ``nest`` the indentation that decides list membership (the same,
    except where the layout puts an item's content at the margin), ``level`` a heading's
    level (0: not marked as a heading), ``quote`` the depth of blockquote marking.

    ``words`` and ``norm`` are computed from the text once:

    >>> u = Unit(3, (3,), "  • Reply to Jane", "Reply to Jane", 2, kind="item", marker="bullet")
    >>> u.words, u.norm
    (3, 'reply to jane')
    >>> Unit(5, (5, 6), "Don't   stop", "Don't   stop", 0).words  # \\w+ runs: don, t, stop
    3
    """

    no: int
    lines: tuple[int, ...]
    raw: str
    text: str
    indent: int
    kind: str = "paragraph"
    marker: str | None = None  # "bullet" | "number" | None
    number: int | None = None
    body: str = ""
    words: int = 0
    norm: str = ""
    item: "Item | None" = field(default=None, repr=False)
    blank: bool = False
    gap_before: bool = False
    level: int = 0
    quote: int = 0
    nest: int = 0
    glyph: str = ""  # the bullet character, for the layout summary
    links: int = 0   # Markdown links whose syntax was cut (their text stays)

    def __post_init__(self) -> None:
        if not self.blank:
            if not self.body:
                self.body = self.text
            self.words = len(_WORD.findall(self.body))
            self.norm = normalise(self.text)


def blank_unit(no: int) -> Unit:
    """The placeholder for the gap numbered ``no``.

    >>> gap = blank_unit(4)
    >>> gap.blank, gap.kind, gap.lines, gap.words, gap.norm
    (True, 'blank', (), 0, '')
    """
    return Unit(no, (), "", "", 0, kind="blank", blank=True)


@dataclass(eq=False)
class Item:
    """A list item: its marker unit, its own continuation units, its nested items."""

    marker_line: Unit
    indent: int
    parent: "Item | None" = None
    prev: "Item | None" = None  # previous sibling, if any
    lines: list[Unit] = field(default_factory=list)
    children: list["Item"] = field(default_factory=list)
    _all: list[Unit] | None = field(default=None, repr=False, compare=False)

    @property
    def depth(self) -> int:
        d, p = 0, self.parent
        while p is not None:
            d, p = d + 1, p.parent
        return d

    def all_lines(self) -> list[Unit]:
        """This item's units and every descendant's, in page order (iterative: threads can
        nest thousands of levels deep).  Computed once: the tree is fixed after
        segmentation, and thread detection asks for it many times."""
        if self._all is not None:
            return self._all
        out: list[Unit] = []
        stack = [self]
        while stack:
            item = stack.pop()
            out.extend(item.lines)
            stack.extend(item.children)
        out.sort(key=lambda u: u.no)
        self._all = out
        return out


# The questions the structuring stages pass each other about the page's lines (the
# structure stage knows the page as a whole; article, comments and segment ask it).
#: Is this line X?  (usable as a title, named by the site footer, the end of the comments)
LinePredicate = Callable[[Unit], bool]
#: How many of something does this line have?  (lines that repeat or quote it)
LineCount = Callable[[Unit], int]
#: The rule this line matches, if any (a comment action such as "Reply").
LineRule = Callable[[Unit], "Rule | None"]
#: Is this text X?  (a comment header such as "Jane says:")
TextPredicate = Callable[[str], bool]
#: Is the line at this position of the sequence X?  (a line the article may not extend over)
PositionPredicate = Callable[[int], bool]


# A list item keeps unmarked units that follow a gap only if it reads like the start of
# a comment or of a paragraph; a one-word navigation item does not, however far the rest
# of the page happens to be indented.
ITEM_PROSE_WORDS = 8


def _dated_below(text: str, is_header) -> bool:
    """A comment's date printed below its author's item: a header line, but not a bare
    calendar date, which is how posts are dated ("Monday, October 29, 2012" after a
    one-word menu item); comments are stamped with the clock time too."""
    return is_header(text) and (TIME_RE.search(text) is not None or not is_dateline(text))


def _keeps_paragraphs(item: Item, is_header, next_unit: Unit) -> bool:
    if sum(u.words for u in item.lines) >= ITEM_PROSE_WORDS:
        return True
    if is_header is not None and (any(is_header(u.body) for u in item.lines[:2])
                                  or (len(item.lines) == 1 and _dated_below(next_unit.text, is_header))):
        return True  # "Jane says:", or "Jane" then "May 4, 2012 at 1:37 pm"
    # "  2. Hi Monica" then a gap then the comment: trust a long previous sibling.
    prev = item.prev
    return prev is not None and sum(u.words for u in prev.lines) >= ITEM_PROSE_WORDS


def build_tree(units: list[Unit], is_header: TextPredicate | None = None) -> None:
    """Set each unit's owning list item (``Unit.item``) from markers and nesting.

    A unit is inside an open item when its ``nest`` is deeper than the item's marker.
    ``is_header(text)`` tells whether a marker unit is a comment header ("Jane says:"),
    after which the comment text may follow a gap.

    >>> def item(no, text, nest, marker="number"):
    ...     return Unit(no, (no,), text, text, nest, kind="item", marker=marker, nest=nest)
    >>> units = [item(1, "First", 2), item(2, "A reply", 4, "bullet"), item(3, "Second", 2)]
    >>> build_tree(units)
    >>> [(u.text, u.item.depth) for u in units]
    [('First', 0), ('A reply', 1), ('Second', 0)]
    >>> [u.text for u in units[0].item.all_lines()], units[2].item.prev is units[0].item
    (['First', 'A reply'], True)
    """
    stack: list[Item] = []
    last_root: Item | None = None
    for u in units:
        if u.blank:
            continue
        while stack and u.nest <= stack[-1].indent:
            stack.pop()
        # A unit the layout nests deeper than it is printed (a Markdown item's further
        # blocks, see segment._adopt_followers) was already judged to belong to its item.
        adopted = u.nest > u.indent
        while (stack and u.marker is None and u.gap_before and not adopted
               and not _keeps_paragraphs(stack[-1], is_header, u)):
            stack.pop()
        if u.marker is not None:
            parent = stack[-1] if stack else None
            siblings = parent.children if parent is not None else None
            prev = (siblings[-1] if siblings else None) if parent is not None else last_root
            item = Item(marker_line=u, indent=u.nest, parent=parent, prev=prev)
            if parent is not None:
                parent.children.append(item)
            else:
                last_root = item
            item.lines.append(u)
            u.item = item
            stack.append(item)
        elif stack:
            stack[-1].lines.append(u)
            u.item = stack[-1]
