"""ftfy's encoding repair, run only where it could change the text.

``ftfy.fix_encoding`` returns its input unchanged unless ``ftfy.badness.is_bad`` finds a
match of ftfy's ``BADNESS_RE`` in it (the first test of every fixing step, ftfy 6.x).  That
search is what costs: ~6 ms on a 30 KB page, nearly all of it spent trying the regex's
alternatives that start with ``[a-z]`` or ``\\s`` at every letter and space of clean text.

Every match of ``BADNESS_RE`` is short (at most :func:`gate`'s ``width`` characters) and
contains at least one *anchor*: from each alternative of the regex we take one character
class that all of its matches must use, and the anchors are the union of those classes.
So a cheap gate is exact: find the anchors (one character-class scan at C speed), search
``BADNESS_RE`` only in the windows of ``width - 1`` characters around each; no match there
means no match anywhere, and ftfy would return the text unchanged.  When there is one,
ftfy runs on the whole text as before, so the result is always ``ftfy.fix_encoding(text)``
(``tests/test_mojibake.py`` checks it on generated text and mojibake in ten codecs).

The anchors and the width are derived from ftfy's own regex when first needed (one
source of truth).  An ftfy whose regex the analysis does not understand, or another
major version, gets no gate: every text goes to ftfy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

import ftfy
from ftfy.badness import BADNESS_RE

try:  # the stdlib's regex parser (private, but stable in 3.11-3.13); no gate without it
    from re import _constants as _sre_c, _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _sre_c = _sre_parse = None

#: ftfy major version whose fix_encoding starts every step with ``is_bad`` (checked in tests).
FTFY_MAJOR = "6"
#: Longest match the window search supports; a longer one means the regex changed shape.
MAX_WIDTH = 32
# Where an alternative offers several classes every match must use, the anchor class is
# the one clean text contains least: characters that legitimate pages are full of (list
# bullets, curly quotes, table rules, guillemets) weigh more, so that they open fewer
# windows.  A choice among correct anchors: it changes the speed, never the answer.
_FREQUENT_IN_CLEAN_TEXT = {"\u2022": 100, "\u201c": 20, "\u201d": 20, "\u2018": 20, "\u2502": 10,
                           "\u00bb": 10, "\u00ab": 5, "\u00a9": 5, "\u00e9": 5}
_ASCII_WEIGHT = 1000


@dataclass(frozen=True)
class Gate:
    chars: frozenset[str]      # the anchor characters
    anchors: re.Pattern[str]   # one character class of them
    width: int                 # longest match of the regex
    search: Callable[[str, int, int], re.Match[str] | None]  # BADNESS_RE.search


def _class_chars(op, av) -> set[str] | None:
    """The characters one parsed item matches when it is a literal or a plain class."""
    c = _sre_c
    if op is c.LITERAL:
        return {chr(av)}
    if op is c.IN:
        out: set[str] = set()
        for o, v in av:
            if o is c.LITERAL:
                out.add(chr(v))
            elif o is c.RANGE and v[1] - v[0] < 0x1000:
                out.update(map(chr, range(v[0], v[1] + 1)))
            else:
                return None  # negated classes, \w, \s: not a finite set of our own
        return out
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1 and len(av[2].data) == 1:
        return _class_chars(*av[2].data[0])  # x+ or x{2,}: x is needed
    return None


def _weight(chars: AbstractSet[str]) -> int:
    return sum(_ASCII_WEIGHT if ch.isascii() else _FREQUENT_IN_CLEAN_TEXT.get(ch, 1) for ch in chars)


def anchors_of(pattern: re.Pattern[str]) -> tuple[frozenset[str], int] | None:
    """(anchor characters, longest match) of a regex of alternatives, or None when some
    alternative has no class every match of it needs, or matches may be long."""
    if _sre_parse is None:
        return None
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
        if parsed.state.flags & re.IGNORECASE:
            return None  # literal sets would miss their case variants
        items = parsed.data
        branches = items[0][1][1] if len(items) == 1 and items[0][0] is _sre_c.BRANCH else [items]
        anchors: set[str] = set()
        for branch in branches:
            needed = [s for s in (_class_chars(op, av) for op, av in branch) if s]
            if not needed:
                return None
            anchors |= min(needed, key=_weight)
        width = parsed.getwidth()[1]
    except Exception:  # unexpected parser internals: no gate, never a wrong answer
        return None
    return (frozenset(anchors), width) if 0 < width <= MAX_WIDTH else None


@lru_cache(maxsize=1)
def gate() -> Gate | None:
    """The gate for the installed ftfy (built once per process), or None for no gate."""
    if ftfy.__version__.split(".")[0] != FTFY_MAJOR:
        return None
    got = anchors_of(BADNESS_RE)
    if got is None:
        return None
    chars, width = got
    cls = re.compile("[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]")
    return Gate(chars, cls, width, BADNESS_RE.search)


@lru_cache(maxsize=8)
def _scanner(extra: str) -> re.Pattern[str]:
    """One character class: the anchors and the characters of the class body ``extra``."""
    g = gate()
    anchors = "".join(re.escape(ch) for ch in sorted(g.chars)) if g is not None else ""
    return re.compile(f"[{anchors}{extra}]")


def scan(text: str, extra: re.Pattern[str] | None = None) -> tuple[bool, bool]:
    """(:func:`may_change`, whether ``extra`` -- a one-character-class pattern -- occurs in
    ``text``; False without one): one pass over the text for both, as the decoder asks
    both of every page."""
    g = gate()
    if text.isascii() or g is None:  # ftfy leaves ASCII alone; no gate: ftfy decides
        return not text.isascii(), extra is not None and extra.search(text) is not None
    reach = g.width - 1
    search, chars = g.search, g.chars
    start = end = -1
    found = seen = False
    for m in _scanner(extra.pattern[1:-1] if extra is not None else "").finditer(text):
        at = m.start()
        if extra is not None and not seen and extra.match(text, at):
            seen = True
        if found:
            if seen or extra is None:
                break
            continue
        if text[at] not in chars:
            continue
        if at - reach > end:  # a new window: search the previous one first
            if end >= 0 and search(text, start, end) is not None:
                found = True
                continue
            start = max(0, at - reach)
        end = at + reach + 1
    if not found and end >= 0:
        found = search(text, start, end) is not None
    return found, seen


def may_change(text: str) -> bool:
    """False only when ``ftfy.fix_encoding(text)`` is certain to return ``text``."""
    return scan(text)[0]


def fix_encoding(text: str) -> str:
    """``ftfy.fix_encoding(text)``, without running ftfy where it cannot change anything."""
    if not may_change(text):
        return text
    return ftfy.fix_encoding(text)
