"""Stage 3: segmentation — the one place that knows how a dump tool lays a page out.

People dump web pages to text with whatever tool they have, and each lays blocks out its
own way: resiliparse and inscriptis print one paragraph per line; lynx, w3m and
html2text hard-wrap paragraphs at a fixed width (lynx indents the body and outdents
headings, w3m indents blockquotes, html2text writes Markdown); bullets change glyph with
nesting depth.  From the text alone this stage detects the page's :class:`Layout` and
rebuilds the logical :class:`~corpusconv.units.Unit` s that every later stage reads:

* **paragraphs**: a line continues the previous one when it starts at the same text
  column and its first word would not have fitted on the previous line (greedy wrapping
  breaks a line only when the next word does not fit, so a shorter line ended for a
  reason: a paragraph end, a ``<br>``, a heading);
* **headings** (``#`` and setext underlines in Markdown; lines outdented from an indented
  body), **list items** with their marker, number and nesting, **quotations** (``>``
  prefixes), **horizontal rules** and **table rows** (preformatted blocks are not
  recognised yet: a code listing's lines join like a paragraph's where they wrap);
* renderer markup that is not text (image and form-control placeholders, Markdown link
  syntax) is cut, each cut recorded as a removal with its rule
  (:mod:`corpusconv.markup`).

Every non-blank physical line belongs to exactly one unit or to one recorded removal.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from . import markup
from .dates import is_dateline
from .model import Removal
from .units import TextPredicate, Unit, blank_unit, build_tree

LAYOUTS = ("auto", "lines", "wrapped", "markdown")
TAB_WIDTH = 4
# Tab stops as wide as a terminal's: a page whose indentation has a tab followed by at
# least TAB_WIDTH spaces was laid out with them (``unexpand`` and editors with 8-column
# tabs leave up to seven spaces after a tab; with 4-column tabs there would be another tab).
WIDE_TAB_WIDTH = 8

# Bullets renderers emit.  '*', '-', '+', 'o' and '#' only count when indented (or in
# Markdown), because at the margin they are as likely to be prose ("- and then").
_BULLET = re.compile(r"^([•◦▪‣○■□►➢·])\s*(\S.*)$|^([☆★●◆◇▸▹❖➤])\s+(\S.*)$")
_ASCII_BULLET = re.compile(r"^([*+\-o#])\s+(\S.*)$")
_MD_BULLET = re.compile(r"^([*+\-])\s+(\S.*)$")
_NUMBER = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
# Longer numbers ("1003. Jane says:") only when indented: at the margin "2012. That year"
# is prose.
_LONG_NUMBER = re.compile(r"^(\d{4,6})[.)]\s+(\S.*)$")
_NUMBER_ALONE = re.compile(r"^(\d{1,3})[.)]$")
SECTION_BREAK = re.compile(r"^\s*(?:[*•·~#=_\-–—━─═]\s*){3,}$|^\s*(?:§|⁂|❧|\*\s\*\s\*)\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)(?:\s+#+)?$")
_MD_QUOTE = re.compile(r"^(?:>[ \t]?)+")
_SETEXT = re.compile(r"^(?:=+|-+)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")

# --- layout detection --------------------------------------------------------------------
# A wrapping renderer fills lines up to a fixed width: the width is where line lengths
# stop (a high percentile, so a stray wide line does not move it), and a page is wrapped
# when that width is an ordinary terminal width and many lines come close to it.
WRAP_BAND = 3                # lengths within this many columns of the width…
WRAP_BAND_SHARE = 0.015      # …on at least this share of the lines
WRAP_MAX_WIDE_SHARE = 0.03   # more lines wider than WRAP_MAX_WIDTH: not wrapped…
WRAP_BAND_OVER_WIDE = 2      # …unless the band holds this many times as many lines
COLUMN_MIN_LINES = 20        # lines at one indentation that tell its own width
COLUMN_PERCENTILE = 0.99
COLUMN_MAX_NARROWER = 6
WRAP_MIN_WIDTH = 60
WRAP_MAX_WIDTH = 100
LONG_TOKEN = 30              # a token this long (a URL) may overflow the width
FULL_SLACK = 8               # a line this close to the width is "full"
WRAP_MIN_FULL_LINES = 3
WRAP_MIN_FULL_SHARE = 0.05   # of the multi-word lines directly followed by another line
# Markdown: link or image syntax ("[text](url)") several times, or several '#' headings
# beside bold text or a link.  (A '#' or '>' opening a line alone proves nothing: lynx
# prints "#Site - RSS" for a feed link and wraps "Menu > Item" paths.)
MARKDOWN_LAYOUT_MIN_LINKS = 3
MARKDOWN_MIN_HEADINGS = 2
_MD_LINK = re.compile(r"\]\([^)\s]*\)")
# Lines outdented from an indented body are headings (lynx, elinks).
OUTDENTED_HEADING_MAX_WORDS = 20
OUTDENT_HEADING_LEVEL = 2
BODY_MIN_WORDS = 4           # lines this long tell the body's indentation


@dataclass(frozen=True)
class Layout:
    """What segmentation detected about a page (shown by ``explain``, kept in provenance)."""

    kind: str                 # "lines" | "wrapped" | "markdown"
    width: int | None         # wrap width, for wrapped and Markdown pages
    body_indent: int          # the indentation of most prose lines
    bullets: tuple[str, ...]  # bullet glyphs, outermost first
    forced: bool = False      # chosen by the user (--layout), not detected
    # Some renderers wrap text at different widths by its indentation (lynx keeps a wider
    # right margin for the indented body than for headings): the width per column where
    # enough lines show it.
    widths: tuple[tuple[int, int], ...] = ()

    def width_at(self, indent: int) -> int | None:
        for col, w in self.widths:
            if col == indent:
                return w
        return self.width

    def describe(self) -> str:
        """``wrapped at 74, body indent 3, bullets * + o``."""
        head = {"lines": "one line per block", "wrapped": f"wrapped at {self.width}",
                "markdown": f"markdown, wrapped at {self.width}" if self.width else "markdown"}[self.kind]
        parts = [head, f"body indent {self.body_indent}"]
        if self.bullets:
            parts.append("bullets " + " ".join(self.bullets))
        if self.forced:
            parts.append("(forced)")
        return ", ".join(parts)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "width": self.width, "body_indent": self.body_indent,
                "bullets": list(self.bullets), "forced": self.forced}


def describe_layout(d: dict | None) -> str:
    """:meth:`Layout.describe` of a layout as provenance records it (``Layout.as_dict``)."""
    if not d:
        return "unknown"
    return Layout(d["kind"], d["width"], d["body_indent"], tuple(d["bullets"]), d["forced"]).describe()


@dataclass(slots=True)
class _Phys:
    """One non-blank physical line, parsed."""

    no: int
    raw: str
    text: str        # without indentation, quote prefix and heading marker
    indent: int      # of ``text``, after any quote prefix
    length: int      # displayed length of the whole line
    marker: str | None = None
    number: int | None = None
    body: str = ""
    body_col: int = 0
    glyph: str = ""
    quote: int = 0
    heading: int = 0
    rule: bool = False
    row: bool = False
    br: bool = False  # ends with a Markdown hard break (two spaces)


def _indent_width(raw: str, tab: int = TAB_WIDTH) -> int:
    lead = len(raw) - len(raw.lstrip(" \u00a0\t"))
    if "\t" not in raw[:lead]:
        return lead
    width = 0
    for ch in raw[:lead]:
        width = width + tab - width % tab if ch == "\t" else width + 1
    return width


_WIDE_TAB = re.compile(r"^[ \u00a0\t]*\t {%d}" % TAB_WIDTH)


def tab_width(raw_lines: list[str]) -> int:
    r"""The width of the page's tab stops: WIDE_TAB_WIDTH where some line's indentation has
    a tab followed by at least TAB_WIDTH spaces, else TAB_WIDTH.

    >>> tab_width(["\tReply", "\t\tA reply"]), tab_width(["\t    A reply at column 12"])
    (4, 8)
    """
    for raw in raw_lines:
        if "\t" in raw and _WIDE_TAB.match(raw):
            return WIDE_TAB_WIDTH
    return TAB_WIDTH


def _marker(p: _Phys, text: str, markdown: bool) -> None:
    """Set the list marker of ``p`` (bullet or number) from ``text``, if it has one."""
    indented = p.indent > 0
    m = _BULLET.match(text)
    if m is None and (indented or markdown):
        m = (_MD_BULLET if markdown else _ASCII_BULLET).match(text)
    if m is not None:
        p.marker, p.glyph, p.body = "bullet", m.group(1) or m.group(3), m.group(2) or m.group(4)
    else:
        m = _NUMBER.match(text) or (_LONG_NUMBER.match(text) if indented else None)
        if m is not None and is_dateline(text):
            m = None  # "16. March, 2023 at 16:59" is a date, not item 16
        if m is not None:
            p.marker, p.number, p.body = "number", int(m.group(1)), m.group(2)
        elif indented and _NUMBER_ALONE.match(text):
            p.marker, p.number, p.body = "number", int(text[:-1]), ""
    if p.marker is not None:
        p.body_col = p.indent + len(text) - len(p.body) if p.body else p.indent + len(text) + 1


def _parse(no: int, raw: str, markdown: bool, tab: int = TAB_WIDTH) -> _Phys:
    line = raw.rstrip()
    indent = _indent_width(line, tab)
    text = line.strip()
    p = _Phys(no, raw, text, indent, indent + len(text), body=text, body_col=indent)
    if markdown:
        p.br = raw.endswith("  ")
        m = _MD_QUOTE.match(text)
        if m is not None:
            p.quote = m.group(0).count(">")
            rest = text[m.end():]
            p.indent = indent + m.end() + len(rest) - len(rest.lstrip())
            text = p.text = p.body = rest.strip()
            p.body_col = p.indent
            if not text:
                return p
        h = _MD_HEADING.match(text)
        if h is not None:
            p.heading, p.text, p.body = len(h.group(1)), h.group(2), h.group(2)
            return p
        if "|" in text and (text.startswith("|") or text.count(" | ") >= 1):
            p.row = True
    if SECTION_BREAK.match(text):
        p.rule = True
        return p
    first = text[0]
    # Most lines start with a letter and so cannot be a list item (the one letter bullet,
    # an indented "o ", excepted): skip the marker patterns.
    if not first.isalpha() or (first == "o" and indent > 0 and text[1:2] == " "):
        _marker(p, text, markdown)
    return p


def _wrap_width(phys: list[_Phys]) -> tuple[int | None, int, int]:
    """(width, full lines, candidate lines): the wrap width, or None for unwrapped text.

    The width is the longest line length, up to an ordinary terminal width, that many
    lines reach (a dense band of lengths just below it); a few wider lines (a table, a
    preformatted block) do not move it, but many make the page unwrapped."""
    lengths: list[int] = []
    for p in phys:
        toks = p.text.split()
        # List items are left unwrapped by some converters (html2text): paragraphs tell.
        if p.marker is None and len(toks) >= 2 and max(map(len, toks)) <= LONG_TOKEN:
            lengths.append(p.length)
    n = len(lengths)
    if n < WRAP_MIN_FULL_LINES:
        return None, 0, n
    hist = Counter(lengths)
    need = max(WRAP_MIN_FULL_LINES, WRAP_BAND_SHARE * n)
    width = next((w for w in range(WRAP_MAX_WIDTH, WRAP_MIN_WIDTH - 1, -1)
                  if sum(hist[x] for x in range(w - WRAP_BAND + 1, w + 1)) >= need), None)
    if width is None:
        return None, 0, n
    # Wider lines: a few are tables or lines a converter left unwrapped; many are the
    # paragraphs of a page printed one per line.
    wide = sum(1 for x in lengths if x > WRAP_MAX_WIDTH)
    band = sum(hist[x] for x in range(width - WRAP_BAND + 1, width + 1))
    if wide > WRAP_MAX_WIDE_SHARE * n and band < WRAP_BAND_OVER_WIDE * wide:
        return None, 0, n
    width = max(x for x in range(width - WRAP_BAND + 1, width + 1) if hist[x])
    # Lines followed directly by another line are where wrapping shows.
    followed = [a.length for a, b in zip(phys, phys[1:]) if b.no == a.no + 1 and len(a.text.split()) >= 2]
    full = sum(1 for x in followed if width - FULL_SLACK <= x <= width + FULL_SLACK)
    if full < WRAP_MIN_FULL_LINES or full < WRAP_MIN_FULL_SHARE * len(followed):
        return None, full, len(followed)
    return width, full, len(followed)


def _column_widths(phys: list[_Phys], width: int) -> tuple[tuple[int, int], ...]:
    """Per indentation, the width its lines wrap at, where enough lines show it and it
    is a little narrower than the page's width."""
    per: dict[int, list[int]] = {}
    for p in phys:
        toks = p.text.split()
        if len(toks) >= 2 and max(map(len, toks)) <= LONG_TOKEN and p.length <= width:
            per.setdefault(p.indent, []).append(p.length)
    out = []
    for col, lengths in sorted(per.items()):
        if len(lengths) >= COLUMN_MIN_LINES:
            lengths.sort()
            w = lengths[int(COLUMN_PERCENTILE * (len(lengths) - 1))]
            if width - COLUMN_MAX_NARROWER <= w < width:
                out.append((col, w))
    return tuple(out)


def _body_indent(phys: list[_Phys]) -> int:
    """The usual indentation of prose outside lists (list content is indented under its
    marker, and comment threads can outweigh the article)."""
    counts: Counter[int] = Counter()
    open_markers: list[int] = []
    for p in phys:
        while open_markers and p.indent <= open_markers[-1]:
            open_markers.pop()
        if p.marker is not None:
            open_markers.append(p.indent)
        elif not open_markers and len(p.text.split()) >= BODY_MIN_WORDS:
            counts[p.indent] += 1
    return counts.most_common(1)[0][0] if counts else 0


def _bullets(phys: list[_Phys]) -> tuple[str, ...]:
    """Bullet glyphs in the order of their indentation (outermost first)."""
    first: dict[str, int] = {}
    for p in phys:
        if p.marker == "bullet" and p.glyph not in first:
            first[p.glyph] = p.indent
    return tuple(sorted(first, key=lambda g: (first[g], g)))


def _looks_markdown(raw_lines: list[str]) -> bool:
    links = headings = 0
    emphasis = False
    for raw in raw_lines:
        if "](" in raw:
            links += len(_MD_LINK.findall(raw))
            if links >= MARKDOWN_LAYOUT_MIN_LINKS:
                return True
        if raw.startswith("#") and _MD_HEADING.match(raw):
            headings += 1
        emphasis = emphasis or "**" in raw
    return headings >= MARKDOWN_MIN_HEADINGS and (emphasis or links > 0)


def detect_layout(raw_lines: list[str], forced: str = "auto") -> tuple[Layout, list[_Phys]]:
    """The page's layout and its parsed non-blank physical lines."""
    if forced not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    markdown = _looks_markdown(raw_lines) if forced == "auto" else forced == "markdown"
    tab = tab_width(raw_lines)
    phys = [_parse(no, raw, markdown, tab) for no, raw in enumerate(raw_lines, 1) if raw.strip()]
    width, _full, _cands = _wrap_width(phys)
    if forced in ("wrapped", "markdown") and width is None:
        width = max((p.length for p in phys), default=0) or None
    if forced == "lines":
        width = None
    kind = "markdown" if markdown else ("wrapped" if width is not None else "lines")
    body = _body_indent(phys)
    if kind == "wrapped" and body > 0:
        # Lists are indented at least as far as the body; a numbered line left of it is a
        # heading that starts with a number ("1. Sabrina Spellman"), not an item.
        for p in phys:
            if p.marker == "number" and p.indent < body:
                p.marker, p.number, p.body, p.body_col = None, None, p.text, p.indent
    widths = _column_widths(phys, width) if width is not None else ()
    return Layout(kind, width, body, _bullets(phys), forced != "auto", widths), phys


# --- units --------------------------------------------------------------------------------


@dataclass
class _Draft:
    lines: list[_Phys]
    gap_before: bool
    col: int  # the column continuation lines start at

    @property
    def first(self) -> _Phys:
        return self.lines[0]


def _continues(d: _Draft, p: _Phys, layout: Layout) -> bool:
    """Whether ``p`` is a wrapped continuation of draft ``d``."""
    last = d.lines[-1]
    width = layout.width_at(last.indent)
    if width is None or p.no != last.no + 1 or last.br or not p.text or not last.text:
        return False
    # A dash or plus sign opening a line in the paragraph's own column, right after a full
    # line, is the text wrapped before a dash ("… supporters\n- RadioShack, …"): a list
    # item's marker stands left of the text column of the item before it.
    ascii_dash = p.marker == "bullet" and p.glyph in "-+" and layout.kind == "wrapped"
    if (p.marker and not ascii_dash) or p.heading or p.rule or p.row or last.rule or last.row or d.first.heading:
        return False
    if p.quote != last.quote or p.indent != d.col:
        return False
    return last.length + 1 + len(p.text.split(None, 1)[0]) > width


def _join(lines: list[_Phys]) -> tuple[str, list[int]]:
    """Wrapped lines joined (a space between them, none after a word broken at a hyphen),
    and the offset in the joined text where each line's text starts."""
    out = lines[0].body
    starts = [0]
    for p in lines[1:]:
        t = p.text
        if not t:
            starts.append(len(out))
            continue
        if not (out.endswith("-") and len(out) > 1 and out[-2].isalnum() and t[:1].isalnum()):
            out += " "
        starts.append(len(out))
        out += t
    return out, starts


@dataclass
class Segmented:
    """What segmentation hands on: the units (with blank placeholders at the gaps, so that
    ``units[n - 1].no == n``), the removals it made itself, and the layout."""

    units: list[Unit]
    removals: list[Removal]
    layout: Layout
    physical: dict[int, str] = field(default_factory=dict)  # line number -> stripped text


def _drafts(phys: list[_Phys], layout: Layout) -> list[_Draft]:
    drafts: list[_Draft] = []
    prev_no = 0
    for p in phys:
        if drafts and _continues(drafts[-1], p, layout):
            if p.marker:  # a wrapped dash, not a bullet (see _continues)
                p.marker, p.glyph, p.body = None, "", p.text
            drafts[-1].lines.append(p)
        else:
            drafts.append(_Draft([p], p.no > prev_no + 1, p.body_col if p.marker else p.indent))
        prev_no = p.no
    return drafts


def _setext(drafts: list[_Draft], layout: Layout) -> list[_Draft]:
    """Markdown setext headings: a line underlined with '===' or '---' is a heading."""
    if layout.kind != "markdown":
        return drafts
    out: list[_Draft] = []
    for d in drafts:
        p = d.first
        if (out and len(d.lines) == 1 and not d.gap_before and _SETEXT.match(p.text)
                and not out[-1].first.heading and not out[-1].first.marker and len(out[-1].lines) <= 2):
            out[-1].lines.append(p)
            for q in out[-1].lines:
                q.heading = q.heading or (1 if p.text[0] == "=" else 2)
            p.text = p.body = ""
            continue
        out.append(d)
    return out


def _kind(d: _Draft, layout: Layout) -> tuple[str, int]:
    """(kind, heading level) of a draft unit."""
    p = d.first
    if p.heading:
        return "heading", p.heading
    if p.rule:
        return "rule", 0
    if p.row:
        return "row", 0
    if p.marker:
        return "item", 0
    if p.quote:
        return "quote", 0
    return "paragraph", 0


# Markdown converters print a list item's first block on the marker line and the item's
# further blocks (a comment's author line, text and "Reply" link) unindented after it.
ADOPT_MIN_ITEMS = 2
ADOPT_MIN_SHARE = 0.5
# The last comment of a thread (or a thread's only one) owns the blocks after it up to its
# own action line ("Reply"), looked for among this many blocks.
ADOPT_ACTION_LOOKAHEAD = 12


def _adopt(m: Unit, followers: list[Unit]) -> None:
    for u in followers:
        u.nest = max(u.nest, m.nest + 1)


@dataclass
class _Region:
    """A list item's marker unit, the first unit nested inside it, and the blocks at the
    list's margin after it (before the next marker)."""

    marker: Unit
    inner: Unit | None = None
    followers: list[Unit] = field(default_factory=list)

    def opening(self) -> str:
        """The item's first line, with the line under it ("Jane" / "May 4, 2012 at 1:37 pm")."""
        return self.marker.body if self.inner is None else self.marker.body + " " + self.inner.body


def _sibling_lists(region: list[_Region]) -> list[list[int]]:
    """The region's items grouped into lists: siblings at one nesting depth with one kind
    of marker, across the items nested under them (replies)."""
    lists: list[list[int]] = []
    open_at: dict[int, list[int]] = {}  # nest -> the list open at that depth
    for i, r in enumerate(region):
        nest = r.marker.nest
        for deeper in [d for d in open_at if d > nest]:
            del open_at[deeper]
        run = open_at.get(nest)
        if run is None or region[run[-1]].marker.marker != r.marker.marker:
            run = open_at[nest] = []
            lists.append(run)
        run.append(i)
    return lists


def _through_action(followers: list[Unit], is_action: TextPredicate | None) -> int:
    """How many of ``followers`` a comment owns up to and with its action line ("Reply"),
    0 if none of the first ADOPT_ACTION_LOOKAHEAD is one."""
    if is_action is None:
        return 0
    for k, u in enumerate(followers[:ADOPT_ACTION_LOOKAHEAD]):
        if is_action(u.text):
            return k + 1
    return 0


def _adopt_headed(region: list[_Region], is_header: Callable[[str], bool] | None, markdown: bool,
                  is_action: TextPredicate | None = None) -> None:
    """Blocks after an item that opens with a comment header ("Jane May 4, 2012 at 1:37
    pm"), up to the next item of its list, are the comment's text printed at the list's
    margin (html2text; layout tables in inscriptis; some themes), where most of the list's
    items open so.  The list's last item takes no more blocks than a comment before it
    took (in Markdown: or than reach its own action line): the page goes on after the
    thread.  In Markdown a one-item list whose item opens with a header takes the blocks up
    to its action line (a thread of one comment).  Elsewhere a "Permalink" or "Edit" line
    under a one-item list is as likely the post's own furniture."""
    if is_header is None:
        return
    headed = [is_header(r.marker.body) or (r.inner is not None and is_header(r.opening())) for r in region]
    for run in _sibling_lists(region):
        heads = [i for i in run if headed[i]]
        if markdown and len(run) == 1 and heads:
            _adopt(region[run[0]].marker, region[run[0]].followers[:_through_action(region[run[0]].followers, is_action)])
            continue
        if len(heads) < max(ADOPT_MIN_ITEMS, ADOPT_MIN_SHARE * len(run)):
            continue
        # Markdown prints every item's further blocks at the margin; another list shows
        # that layout where most headed items are followed by such blocks.  Elsewhere only
        # blocks that open with a header of their own (a reply printed without its
        # marker) join the item before them, not the page after it.
        owners = sum(1 for i in heads if region[i].followers)
        layout = markdown or owners >= max(ADOPT_MIN_ITEMS, ADOPT_MIN_SHARE * len(heads))
        cap = 0
        for pos, i in enumerate(run):
            r = region[i]
            if not headed[i] or not (layout or (r.followers and is_header(r.followers[0].body))):
                continue
            if pos == len(run) - 1:
                _adopt(r.marker, r.followers[:max(cap, _through_action(r.followers, is_action) if markdown else 0)])
            elif r.followers and region[i + 1].marker.nest == r.marker.nest:
                _adopt(r.marker, r.followers)
                cap = max(cap, len(r.followers))


def _adopt_followers(units: list[Unit], is_header: Callable[[str], bool] | None = None,
                     markdown: bool = True, is_action: TextPredicate | None = None) -> None:
    """Nest blocks printed at a list's margin under the list item before them: in Markdown
    where a list shows that layout (several items followed by blocks of their own before
    the next marker), in any layout where the items open with comment headers."""
    region: list[_Region] = []

    def close() -> None:
        owners = [r for r in region if r.followers]
        if markdown and len(owners) >= ADOPT_MIN_ITEMS and len(owners) >= ADOPT_MIN_SHARE * len(region):
            cap = max(len(r.followers) for r in region[:-1]) if len(region) > 1 else 0
            for k, r in enumerate(region):
                _adopt(r.marker, r.followers[: cap if k == len(region) - 1 else None])
        else:
            _adopt_headed(region, is_header, markdown, is_action)
            # html2text prints a <blockquote> inside an <li> at the margin too.
            for r in region[:-1]:
                if markdown and r.followers and all(u.kind == "quote" for u in r.followers):
                    _adopt(r.marker, r.followers)
        region.clear()

    for u in units:
        if u.blank:
            continue
        if u.marker is not None:
            region.append(_Region(u))
        elif u.kind in ("heading", "rule") or not region:
            close()
        elif u.nest <= region[-1].marker.nest:
            region[-1].followers.append(u)
        elif region[-1].inner is None and not region[-1].followers:
            region[-1].inner = u
    close()


def _outdented_headings(units: list[Unit], layout: Layout) -> None:
    """A short unit printed left of an indented body, with body text right after it, is a
    heading (lynx and elinks outdent headings from a body indented a few columns)."""
    if layout.kind == "lines" or layout.body_indent == 0:
        return
    real = [u for u in units if not u.blank]
    for u, nxt in zip(real, real[1:]):
        if (u.kind == "paragraph" and u.indent < layout.body_indent and u.indent < nxt.indent
                and nxt.marker is None and u.words <= OUTDENTED_HEADING_MAX_WORDS):
            u.kind, u.level = "heading", OUTDENT_HEADING_LEVEL


class _Builder:
    """Turns drafts into units, numbering them across gaps (see :mod:`corpusconv.units`)
    and recording what renderer markup it cuts."""

    def __init__(self, layout: Layout, profile: "markup.Profile",
                 is_header: Callable[[str], bool] | None = None):
        self.layout, self.profile, self.is_header = layout, profile, is_header
        self.units: list[Unit] = []
        self.removals: list[Removal] = []
        self.pending_marker: _Phys | None = None  # of an item whose first line was only markup
        self.gap = False  # markup removed since the last unit stands as a gap
        self.no = 0

    def _markup_removal(self, d: _Draft, rule: str) -> None:
        category, evidence = markup.MARKUP_RULES.get(rule, ("markup", "renderer markup, no text"))
        self.removals.extend(Removal(rule, category, q.no, q.raw.strip(), evidence) for q in d.lines)
        # The marker of an item whose first line is only markup (an avatar) passes to the
        # item's next line.
        if d.first.marker:
            self.pending_marker = d.first
        self.gap = True

    def _follows_avatar(self, pending: _Phys, text: str) -> bool:
        """A Markdown item whose first block was only markup (a comment's avatar) and whose
        further blocks follow at the margin: the marker passes to the next block where the
        list is numbered (a thread's comments) or the block is a comment header ("On May
        4, 2012, Jane said...").  A bulleted icon (a share bar) before the article does
        not take the article in."""
        if self.layout.kind != "markdown":
            return False
        return pending.marker == "number" or (self.is_header is not None and self.is_header(text))

    def add(self, d: _Draft) -> None:
        p = d.first
        text, starts = _join(d.lines)
        kind, level = _kind(d, self.layout)
        if not text:
            self._markup_removal(d, "markup.empty")
            return
        # A horizontal rule is a section break, not markup (lynx prints text fields and
        # rules alike as rows of '_').
        cleaned = markup.Cleaned(text, ()) if kind == "rule" else markup.clean_inline(text, self.profile)
        if cleaned.whole is not None or not cleaned.text.strip():
            self._markup_removal(d, cleaned.whole or (cleaned.cuts[0].rule if cleaned.cuts else "markup.empty"))
            return
        marker, number, indent, glyph = p.marker, p.number, p.indent, p.glyph
        pending = self.pending_marker
        if marker is None and pending is not None and (p.indent >= pending.indent
                                                       or self._follows_avatar(pending, cleaned.text)):
            marker, number, indent, glyph = pending.marker, pending.number, pending.indent, pending.glyph
            kind = "item" if kind == "paragraph" else kind
        shown = cleaned.text
        if p.marker is not None:
            shown = p.text[: len(p.text) - len(p.body)] + cleaned.text  # "1. " + the item's text
        gap_before = (d.gap_before or self.gap) and bool(self.units)
        self.pending_marker, self.gap = None, False
        self.no += 2 if gap_before else 1
        if gap_before:
            self.units.append(blank_unit(self.no - 1))
        self.units.append(Unit(self.no, tuple(q.no for q in d.lines), p.raw, shown, indent, kind=kind,
                               marker=marker, number=number, body=cleaned.text, gap_before=gap_before,
                               level=level, quote=p.quote, nest=indent, glyph=glyph,
                               links=sum(1 for c in cleaned.cuts if c.rule == markup.LINK and c.text[:1] == "]")))
        self.removals.extend(_cut_removal(c, d.lines, starts) for c in cleaned.cuts)


def segment(raw_lines: list[str], forced: str = "auto", is_header: TextPredicate | None = None,
            is_action: TextPredicate | None = None) -> Segmented:
    """Detect the layout of ``raw_lines`` (the decoded page) and build its units
    (``is_header``/``is_action``: whether a line is a comment header / action link)."""
    layout, phys = detect_layout(raw_lines, forced)
    profile = markup.detect(raw_lines)
    if forced == "markdown" and not profile.markdown:
        profile = replace(profile, markdown=True)
    builder = _Builder(layout, profile, is_header)
    if profile.references is not None:
        # The renderer's trailing list of link URLs (lynx, elinks): cut as a whole.
        cut = [p for p in phys if p.no > profile.references]
        phys = phys[: len(phys) - len(cut)]
        category, evidence = markup.MARKUP_RULES[markup.REFERENCES]
        builder.removals.extend(Removal(markup.REFERENCES, category, p.no, p.raw.strip(), evidence) for p in cut)
    for d in _setext(_drafts(phys, layout), layout):
        builder.add(d)
    units = builder.units
    _outdented_headings(units, layout)
    _adopt_followers(units, is_header, layout.kind == "markdown", is_action)
    build_tree(units, is_header)
    return Segmented(units, builder.removals, layout, {p.no: p.raw.strip() for p in phys})


def _cut_removal(c: "markup.Cut", lines: list[_Phys], starts: list[int]) -> Removal:
    """A partial removal for a markup cut, on the physical line where the cut starts."""
    k = max(i for i, s in enumerate(starts) if s <= c.start)
    category, evidence = markup.MARKUP_RULES.get(c.rule, ("markup", "renderer markup"))
    return Removal(c.rule, category, lines[k].no, c.text, evidence, partial=True)
