"""Boilerplate rules as data.

The built-in rules live in ``corpusconv/data/rules.toml``; users add or override rules
with ``convert --rules FILE`` (same format; ``corpusconv learn`` writes such files).  One
entry per rule::

    [[rule]]
    id = "comment.report"          # stable id, recorded with every removal
    category = "comment-action"    # family, shown in summaries and in TEI <back>
    pattern = '^report (this )?comment$'   # regex over the *normalised* line
    # optional:
    action = "drop"                # or "keep": a user rule that protects a line
    zone = "any"                   # any | head | tail | comments: where on the page it applies
    whole = true                   # pattern must match the whole normalised line (default)
    max_words = 0                  # only lines with at most this many words (0 = no limit)
    text = "..."                   # instead of pattern: an exact normalised line (learned rules)
    df = 12                        # learned rules: document frequency, for review
    site = "example.com"           # only for pages of this site (URL host, no "www."):
                                   # `learn` writes such rules from crawls with URLs

A line is *normalised* before matching: list markers and surrounding punctuation are
removed, runs of white space folded, letters lower-cased.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable

from . import pagescan
from .errors import CorpusconvError
from .sites import site_of

ZONES = ("any", "head", "tail", "comments")
ACTIONS = ("drop", "keep")

_MARKER = re.compile(r"^\s*(?:[•·*\-–—+▪◦‣►»>|]+|\(?\d{1,4}[.)]|\[\d{1,4}\])\s+")
_EDGE_PUNCT = " \t.:;,!?|·•-–—\"'“”‘’"
_WRAPPED = re.compile(r"^[(\[{](.*)[)\]}]$")


def normalise(line: str) -> str:
    """The form rules match against: no list marker, folded space, lower case, trimmed.

    >>> [normalise(s) for s in ("  * Reply", "  3. Leave   a REPLY ", "Share this:", "Like  Loading...")]
    ['reply', 'leave a reply', 'share this', 'like loading']

    Brackets go only when they wrap the whole line:

    >>> normalise("[Reply]"), normalise("(continue reading)"), normalise("[1] Home (new)")
    ('reply', 'continue reading', 'home (new)')

    A line that is only punctuation keeps it (an empty form would match every rule):

    >>> normalise("..."), normalise("()")
    ('...', '()')
    """
    # A line starting with a letter has no list marker (most lines: skip the regex).
    s = line if line[:1].isalpha() else _MARKER.sub("", line, count=1)
    s = " ".join(s.split()).lower()  # str.split and the regex \s agree on what is space
    if s[:1] in "([{" and s[-1:] in ")]}":
        m = _WRAPPED.match(s)  # "[Reply]", "(continue reading)": brackets only when they wrap it all
        if m and m.group(1).strip():
            s = m.group(1).strip()
    return s.strip(_EDGE_PUNCT) or s


# The non-ASCII letters that re.I folds to ASCII ones where str.lower does not (long s,
# dotless i, dotted capital I, Kelvin sign).
_FOLDS_TO_ASCII = ("\u017f", "\u0131", "\u0130", "\u212a")


def lower_matches_like_ignorecase(text: str) -> bool:
    """True when substring tests on ``text.lower()`` find exactly what a ``re.I`` pattern of
    ASCII letters would (the fast path of several cheap gates before regexes).

    >>> lower_matches_like_ignorecase("Reply"), lower_matches_like_ignorecase("Café")
    (True, True)
    >>> lower_matches_like_ignorecase("ſeptember 4")  # re.I folds the long s to "s"
    False
    """
    return text.isascii() or not any(c in text for c in _FOLDS_TO_ASCII)


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    action: str = "drop"
    zone: str = "any"
    pattern: str | None = None
    text: str | None = None
    whole: bool = True
    max_words: int = 0
    df: int | None = None
    description: str = ""
    wall: bool = False  # the article cannot run across this line (a widget heading)
    origin: str = "builtin"
    compiled: re.Pattern | None = field(default=None, compare=False, repr=False)
    #: Applies only to pages of this site (see :meth:`RuleSet.for_site`); None: to all.
    site: str | None = None

    def matches(self, norm: str) -> bool:
        if self.max_words and norm.count(" ") + 1 > self.max_words:
            return False
        if self.text is not None:
            return norm == self.text
        assert self.compiled is not None
        m = self.compiled.fullmatch(norm) if self.whole else self.compiled.search(norm)
        return m is not None


# --- literal prefilter ------------------------------------------------------------------
# Patterns such as '.*\b(comment policy|moderation queue|...)\b.*' cost a backtracking scan
# of the whole line per rule, and most lines match none of them.  From the parsed pattern
# we derive *needles*: literal strings of which every match must contain one.  A few
# *keys* -- substrings (of at least MIN_KEY characters, or a shorter needle of non-ASCII
# characters such as '»') such that every needle contains
# one -- are then looked for with ``in``; a line containing no key cannot contain a
# needle, so the rule cannot match and its regex is not run.  The analysis is
# conservative: anything it does not understand (classes, flags, back-references,
# look-arounds, optional parts) yields no needles and so no prefilter.

MIN_KEY = 4
MAX_KEY = 12
_MAX_SET = 64

try:  # the stdlib's regex parser (private, but stable in 3.11-3.13); no prefilter without it
    from re import _constants as _sre_c, _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _sre_c = _sre_parse = None


def _seq_info(items) -> tuple[set | None, set | None]:
    """(exact, needles) of a parsed sequence: the finite set of strings it matches (or
    None), and strings one of which every match contains (or None)."""
    cur: set | None = {""}
    exact_ok = True
    cands = []
    for op, av in items:
        e, r = _node_info(op, av)
        if e is not None and cur is not None and len(cur) * len(e) <= _MAX_SET:
            cur = {a + b for a in cur for b in e}
            continue
        exact_ok = False
        if cur is not None:
            cands.append(cur)
        if e is not None:
            cur = e
        else:
            if r is not None:
                cands.append(r)
            cur = {""}
    if cur is not None:
        cands.append(cur)
    good = [c for c in cands if "" not in c]
    needles = max(good, key=lambda c: (min(map(len, c)), -len(c))) if good else None
    return (cur if exact_ok else None), needles


def _node_info(op, av) -> tuple[set | None, set | None]:
    c = _sre_c
    if op is c.LITERAL:
        return {chr(av)}, {chr(av)}
    if op is c.AT:  # ^ $ \b: zero width
        return {""}, None
    if op is c.IN and av and all(o is c.LITERAL for o, _ in av):  # [ab], or (a|b) parsed so
        chars = {chr(v) for _, v in av}
        return chars, chars
    if op is c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return None, None
        return _seq_info(sub)
    if op is c.BRANCH:
        exacts, needles = [], []
        for branch in av[1]:
            e, r = _seq_info(branch)
            exacts.append(e)
            needles.append(r if r is not None else (e if e is not None and "" not in e else None))
        known = [x for x in exacts if x is not None]
        e = (set().union(*known) if len(known) == len(exacts) and sum(map(len, known)) <= _MAX_SET
             else None)
        found = [x for x in needles if x is not None]
        r = set().union(*found) if len(found) == len(needles) else None
        return e, r
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        e, r = _seq_info(sub)
        if lo == 0:
            return (e | {""} if e is not None and hi == 1 else None), None
        if lo == hi == 1:
            return e, r
        return None, (r if r is not None else (e if e is not None and "" not in e else None))
    return None, None  # classes, any-char, look-arounds, back-references: unknown


def _analyse(pattern: str, analysis):
    """``analysis`` of the parsed pattern, or None where the analysis cannot be trusted: no
    parser, case-insensitive or verbose flags, or unexpected parser internals (then the
    caller uses no shortcut: never a wrong answer)."""
    if _sre_parse is None:
        return None
    try:
        parsed = _sre_parse.parse(pattern, 0)
        if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
            return None
        return analysis(parsed.data)
    except Exception:
        return None


def pattern_needles(pattern: str) -> frozenset[str] | None:
    """Literal strings one of which every match of ``pattern`` contains, or ``None``."""
    got = _analyse(pattern, _seq_info)
    if got is None:
        return None
    exact, needles = got
    if exact is not None and "" not in exact:
        needles = exact
    return frozenset(needles) if needles else None


#: Stands for "any decimal digit" in a first-character set (a ``\\d`` in the pattern).
DIGIT = "\\d"
_MAX_RANGE = 256


def _class_chars(av) -> set | None:
    r"""The characters of a parsed class ``[...]`` (``DIGIT`` for ``\d``), or None."""
    c = _sre_c
    out: set = set()
    for o, v in av:
        if o is c.LITERAL:
            out.add(chr(v))
        elif o is c.RANGE and v[1] - v[0] < _MAX_RANGE:
            out.update(chr(x) for x in range(v[0], v[1] + 1))
        elif o is c.CATEGORY and v is c.CATEGORY_DIGIT:
            out.add(DIGIT)
        else:
            return None  # negated classes, \w, \s, large ranges
    return out


def _first_chars(items) -> tuple[set | None, bool]:
    """(chars, nullable) of a parsed sequence: the characters a non-empty match can start
    with (None: unknown or too many), and whether the sequence can match the empty string."""
    c = _sre_c
    out: set = set()
    for op, av in items:
        if op is c.AT:  # ^ $ \b: zero width, look at what follows
            continue
        if op is c.LITERAL:
            return out | {chr(av)}, False
        if op is c.IN:
            chars = _class_chars(av)
            return (None if chars is None else out | chars), False
        if op is c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return None, False
            first, nullable = _first_chars(sub)
        elif op is c.BRANCH:
            first, nullable = set(), False
            for branch in av[1]:
                f, n = _first_chars(branch)
                if f is None:
                    return None, False
                first |= f
                nullable = nullable or n
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            lo, _hi, sub = av
            first, nullable = _first_chars(sub)
            nullable = nullable or lo == 0
        else:
            return None, False  # any-char, classes, categories, look-arounds: unknown
        if first is None:
            return None, False
        out |= first
        if not nullable:
            return out, False
    return out, True


def pattern_first_chars(pattern: str) -> frozenset[str] | None:
    """The characters every non-empty whole-line match of ``pattern`` starts with, or
    ``None`` when that cannot be told (the pattern then has to be tried on every line)."""
    got = _analyse(pattern, _first_chars)
    if got is None:
        return None
    first, nullable = got
    return None if first is None or nullable else frozenset(first)


def prefilter_keys(rule: Rule) -> tuple[str, ...] | None:
    """Keys for an expensive (unanchored) pattern rule, or None for no prefilter.

    Greedy cover: repeatedly take the substring contained in most of the needles not yet
    covered (longer first on ties, then alphabetical, so the choice is deterministic).
    """
    p = rule.pattern
    if p is None:
        return None
    if rule.whole and not p.startswith((".*", "(.*", "(?:.*")) and pattern_first_chars(p) is not None:
        return None  # the first-character table rules it out on most lines: cheap already
    needles = pattern_needles(p)
    if not needles or any(len(n) < MIN_KEY and n.isascii() for n in needles):
        return None
    uncovered = set(needles)
    keys: list[str] = []
    while uncovered:
        # A needle shorter than MIN_KEY is its own key: only non-ASCII ones get here ('»'),
        # as rare in running text as a longer ASCII key.
        cands = {n[i:i + k] for n in uncovered for k in range(min(MIN_KEY, len(n)), min(MAX_KEY, len(n)) + 1)
                 for i in range(len(n) - k + 1)}
        best = max(cands, key=lambda c: (sum(1 for n in uncovered if c in n), len(c), c))
        keys.append(best)
        uncovered = {n for n in uncovered if best not in n}
    return tuple(keys)


class _Table:
    """A zone's pattern rules in order, as (index, matcher, max_words, keys) rows, and per
    first character of a line the rows that can match it: a whole-line pattern whose
    matches all start with one of a few characters ('(reply|report|…)') is not tried on a
    line starting with another (most lines start with a letter that rules out most rules)."""

    def __init__(self, rows: tuple):
        self.rows = rows
        self.by_char: dict[str, tuple] = {}

    def starting_with(self, ch: str) -> tuple:
        got = self.by_char.get(ch)
        if got is None:
            digit = ch.isdigit()  # a superset of what \d matches: never too few rules
            got = tuple(row[:4] for row in self.rows
                        if row[4] is None or ch in row[4] or (digit and DIGIT in row[4]))
            if len(self.by_char) < MAX_DISPATCH_CHARS:
                self.by_char[ch] = got
        return got


#: Distinct first characters whose candidate rules are kept (bounded: scripts are many).
MAX_DISPATCH_CHARS = 4096


#: Normalised lines whose zone-"any" result is memoised per rule set (then the memo is
#: emptied): pages repeat their lines across zones ("comments" is asked for lines already
#: classified) and sites repeat boilerplate across pages.  Two memos (zone "any", the
#: other zones), ~6 MB each at most.
MATCH_CACHE_SIZE = 32_768


@dataclass
class RuleSet:
    """An ordered set of rules: user rules first (they win), then built-in ones.

    Treat a rule set as immutable once built (``build_ruleset``): :meth:`match` derives
    per-zone tables and a memo from ``rules`` on first use.
    """

    rules: list[Rule]
    digest: str
    exact: dict[str, Rule] = field(default_factory=dict)
    # Derived, not part of the value: per-zone tables and the memo (see match()).
    _any: "_Table | None" = field(default=None, init=False, repr=False, compare=False)
    _zoned: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _zmemo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _scan: tuple | None = field(default=None, init=False, repr=False, compare=False)  # see match_page
    # Derived: the site-free rules and a view per site (see for_site()).
    _views: "tuple[RuleSet, dict[str, RuleSet]] | None" = field(default=None, init=False, repr=False,
                                                               compare=False)

    def __getstate__(self) -> dict:
        # Pickled to worker processes: ship the rules, not the derived tables and memo.
        state = dict(self.__dict__)
        state.update(_any=None, _zoned={}, _memo={}, _zmemo={}, _scan=None, _views=None)
        return state

    def for_site(self, site: str | None) -> "RuleSet":
        """The rules that apply to a page of ``site`` (``None``: a page of no known site).

        Rules without a ``site`` apply to every page; a site's own rules only to its
        pages, and they are tried first (they are the more specific).  Views are built
        once per rule set and site; a rule set without site rules is its own view.
        """
        views = self._views
        if views is None:
            views = self._views = _site_views(self)
        base, by_site = views
        if site is None:
            return base
        return by_site.get(site, base)

    def _table(self, keep: Callable[[Rule], bool]) -> "_Table":
        return _Table(tuple((i, r.compiled.fullmatch if r.whole else r.compiled.search, r.max_words,
                             prefilter_keys(r),
                             pattern_first_chars(r.pattern) if r.whole and r.pattern is not None else None)
                            for i, r in enumerate(self.rules)
                            if r.text is None and r.site is None and keep(r) and r.compiled is not None))

    def _first_in(self, table: "_Table", norm: str, stop: int) -> int:
        """Index of the first rule of ``table`` (below ``stop``) matching ``norm``, else ``stop``."""
        n_words = norm.count(" ") + 1
        for i, fn, max_words, keys in table.starting_with(norm[:1]):
            if i >= stop:
                break
            if max_words and n_words > max_words:
                continue
            if keys is not None:
                for key in keys:
                    if key in norm:
                        break
                else:
                    continue  # contains none of the literals every match needs
            if fn(norm) is not None:
                return i
        return stop

    def _first_any(self, norm: str) -> int:
        """Index of the first zone-"any" pattern rule matching ``norm``; len(rules) if none."""
        table = self._any
        if table is None:
            table = self._any = self._table(lambda r: r.zone == "any")
        return self._first_in(table, norm, len(self.rules))

    def match(self, norm: str, zone: str = "any") -> Rule | None:
        """The first rule matching the normalised line in this zone, or ``None``.

        Exact-text rules are looked up first; then pattern rules in order, a rule
        applying when its zone is ``"any"`` or ``zone``.  The zone-"any" answer for a
        line is memoised, so asking again for another zone only tries that zone's rules
        that come before it (and that answer is memoised per zone too).
        """
        hit = self.exact.get(norm)
        if hit is not None and hit.zone in ("any", zone):
            return hit
        memo = self._memo
        first = memo.get(norm)
        if first is None:
            first = self._first_any(norm)
            if len(memo) >= MATCH_CACHE_SIZE:
                memo.clear()
            memo[norm] = first
        if zone != "any":
            table = self._zoned.get(zone)
            if table is None:
                table = self._zoned[zone] = self._table(lambda r: r.zone == zone)
            if table.rows:
                key = (zone, norm)
                zmemo = self._zmemo
                got = zmemo.get(key)
                if got is None:
                    got = self._first_in(table, norm, first)
                    if len(zmemo) >= MATCH_CACHE_SIZE:
                        zmemo.clear()
                    zmemo[key] = got
                first = got
        return self.rules[first] if first < len(self.rules) else None

    # --- rules answered once per page (issue 13) ---------------------------------------
    def match_page(self, norms: list[str]) -> "PageMatches":
        """Every line's first matching rule, for one page's normalised lines at once.

        ``match_page(norms).first(i, zone)`` is ``match(norms[i], zone)``.  With the
        optional Hyperscan wheel every pattern rule is scanned over the page in one pass
        (``pagescan.py``) and only the rules it proposes for a line are tried with
        ``re``; without it, or for a page it cannot scan, each answer is ``match``'s.
        """
        if self._scan is None:
            key = tuple((i, r.pattern, r.whole) for i, r in enumerate(self.rules)
                        if r.text is None and r.compiled is not None and r.pattern is not None)
            self._scan = (pagescan.database(key),)
        db = self._scan[0]
        proposed = db.candidates(norms) if db is not None else None
        return PageMatches(self, norms, proposed, db.everywhere if db is not None else ())

    def extended(self, other: "RuleSet") -> "RuleSet":
        """``other``'s rules take precedence over this set's."""
        return build_ruleset(other.rules + self.rules)


class PageMatches:
    """The answers of :meth:`RuleSet.match` for the lines of one page (see ``match_page``).

    ``proposed`` maps a line to the rule indices, in rule order, that the page scan found
    possible (a superset of those that match; lines without any are absent, and the
    ``everywhere`` rules, which the scan cannot judge, are possible on every line), or is
    None to ask :meth:`RuleSet.match` line by line.  Each proposal is confirmed with the
    rule's own compiled pattern, with the same precedence as ``match``.
    """

    def __init__(self, rules: RuleSet, norms: list[str], proposed: dict[int, tuple[int, ...]] | None,
                 everywhere: tuple[int, ...] = ()):
        self.rules, self.norms, self.proposed, self.everywhere = rules, norms, proposed, everywhere
        self._memo: dict[tuple[int, str], Rule | None] = {}
        self._index: dict[str, int] | None = None

    def match(self, norm: str, zone: str = "any") -> Rule | None:
        """``rules.match(norm, zone)``, answered from the page scan when ``norm`` is one of
        the page's lines (the answer depends on the text alone, not on which line)."""
        if self._index is None:
            self._index = {}
            for k, n in enumerate(self.norms):
                self._index.setdefault(n, k)
        i = self._index.get(norm)
        return self.rules.match(norm, zone) if i is None else self.first(i, zone)

    def first(self, i: int, zone: str = "any") -> Rule | None:
        """The first rule matching line ``i`` in ``zone``: ``rules.match(norms[i], zone)``."""
        norm = self.norms[i]
        if self.proposed is None:
            return self.rules.match(norm, zone)
        hit = self.rules.exact.get(norm)
        if hit is not None and hit.zone in ("any", zone):
            return hit
        cands = self.proposed.get(i, self.everywhere)
        if not cands:
            return None
        key = (i, zone)
        try:
            return self._memo[key]
        except KeyError:
            pass
        got = self._confirm(norm, zone, cands)
        self._memo[key] = got
        return got

    def _confirm(self, norm: str, zone: str, cands: tuple[int, ...]) -> Rule | None:
        rules = self.rules.rules
        n_words = norm.count(" ") + 1
        for idx in cands:
            r = rules[idx]
            if r.zone != "any" and r.zone != zone:
                continue
            if r.max_words and n_words > r.max_words:
                continue
            assert r.compiled is not None
            if (r.compiled.fullmatch(norm) if r.whole else r.compiled.search(norm)) is not None:
                return r
        return None


@dataclass
class _SiteView(RuleSet):
    """A site's rules (exact lines and a few patterns) in front of the site-free rules."""

    base: RuleSet | None = None
    site_exact: dict = field(default_factory=dict)
    site_patterns: tuple = ()

    def match(self, norm: str, zone: str = "any") -> Rule | None:
        assert self.base is not None
        return self._site_rule(norm, zone) or self.base.match(norm, zone)

    def for_site(self, site: str | None) -> RuleSet:
        assert self.base is not None
        return self.base.for_site(site)

    def _site_rule(self, norm: str, zone: str) -> Rule | None:
        hit = self.site_exact.get(norm)
        if hit is not None and hit.zone in ("any", zone):
            return hit
        for r in self.site_patterns:
            if r.zone in ("any", zone) and r.matches(norm):
                return r
        return None

    def match_page(self, norms: list[str]) -> "PageMatches":
        """The site-free rules' page scan, with this site's rules asked first."""
        assert self.base is not None
        return _SitePageMatches(self, norms, self.base.match_page(norms))


class _SitePageMatches(PageMatches):
    """A site view's answers for one page: its own rules first, then the base scan's."""

    def __init__(self, view: "_SiteView", norms: list[str], base: PageMatches):
        super().__init__(view, norms, None)
        self.view, self.base = view, base

    def first(self, i: int, zone: str = "any") -> Rule | None:
        return self.view._site_rule(self.norms[i], zone) or self.base.first(i, zone)


def _site_views(rules: RuleSet) -> "tuple[RuleSet, dict[str, RuleSet]]":
    """(the site-free rule set, a view per site named by a rule) of ``rules``."""
    if all(r.site is None for r in rules.rules):
        return rules, {}
    base = build_ruleset([r for r in rules.rules if r.site is None])
    base.digest = rules.digest  # provenance names the rules file, whatever view applied
    exact: dict[str, dict[str, Rule]] = {}
    patterns: dict[str, list[Rule]] = {}
    for r in rules.rules:
        if r.site is None:
            continue
        if r.text is not None:
            exact.setdefault(r.site, {}).setdefault(r.text, r)
        else:
            patterns.setdefault(r.site, []).append(r)
    views: dict[str, RuleSet] = {}
    for site in sorted(set(exact) | set(patterns)):
        view = _SiteView(rules=base.rules, digest=rules.digest, exact=base.exact, base=base,
                         site_exact=exact.get(site, {}), site_patterns=tuple(patterns.get(site, ())))
        view._views = (base, {})
        views[site] = view
    base._views = (base, views)
    return base, views


def _rule_from_entry(entry: dict, origin: str) -> Rule:
    where = f"{origin}: rule {entry.get('id', '?')!r}"
    rid = entry.get("id")
    cat = entry.get("category")
    if not isinstance(rid, str) or not rid or not isinstance(cat, str) or not cat:
        raise CorpusconvError(f"{where}: every rule needs a string 'id' and 'category'")
    action = entry.get("action", "drop")
    zone = entry.get("zone", "any")
    if action not in ACTIONS:
        raise CorpusconvError(f"{where}: action must be one of {', '.join(ACTIONS)}")
    if zone not in ZONES:
        raise CorpusconvError(f"{where}: zone must be one of {', '.join(ZONES)}")
    pattern, text = entry.get("pattern"), entry.get("text")
    if (pattern is None) == (text is None):
        raise CorpusconvError(f"{where}: give exactly one of 'pattern' or 'text'")
    compiled = None
    if pattern is not None:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise CorpusconvError(f"{where}: bad pattern ({exc})") from None
    else:
        text = normalise(str(text))
    return Rule(id=rid, category=cat, action=action, zone=zone, pattern=pattern, text=text,
                whole=bool(entry.get("whole", True)), max_words=int(entry.get("max_words", 0)),
                df=entry.get("df"), description=str(entry.get("description", "")), origin=origin,
                wall=bool(entry.get("wall", False)),
                compiled=compiled, site=_site_entry(entry, where))


def _site_entry(entry: dict, where: str) -> str | None:
    site = entry.get("site")
    if site is None:
        return None
    if not isinstance(site, str) or not site.strip():
        raise CorpusconvError(f"{where}: 'site' must be a host name such as \"example.com\"")
    return site_of("//" + site.strip()) or site.strip().lower()


def build_ruleset(rules: list[Rule]) -> RuleSet:
    h = hashlib.sha256()
    exact: dict[str, Rule] = {}
    for r in rules:
        # The site enters the digest only when set, so rule sets without site rules keep
        # the digests they always had.
        site = "" if r.site is None else f"\0{r.site}"
        h.update(f"{r.id}\0{r.category}\0{r.action}\0{r.zone}\0{r.pattern}\0{r.text}\0"
                 f"{r.whole}\0{r.max_words}\0{r.wall}{site}\n".encode())
        if r.text is not None and r.site is None:
            exact.setdefault(r.text, r)
    return RuleSet(rules=rules, digest="sha256:" + h.hexdigest()[:16], exact=exact)


def parse_rules(data: str, origin: str) -> list[Rule]:
    try:
        doc = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise CorpusconvError(f"{origin}: not valid TOML ({exc})") from None
    entries = doc.get("rule", [])
    if not isinstance(entries, list):
        raise CorpusconvError(f"{origin}: expected [[rule]] tables")
    return [_rule_from_entry(e, origin) for e in entries]


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The built-in rules bundled with the package (parsed once per process)."""
    data = resources.files("corpusconv").joinpath("data/rules.toml").read_text(encoding="utf-8")
    return build_ruleset(parse_rules(data, "built-in rules"))


def load_rules(path: str | Path, *, base: RuleSet | None = None) -> RuleSet:
    """Load a user rules file; its rules take precedence over ``base`` (default: built-ins)."""
    p = Path(path)
    try:
        data = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CorpusconvError(f"{p}: cannot read rules file ({exc.strerror or exc})") from None
    user = build_ruleset(parse_rules(data, str(p)))
    return (base or default_rules()).extended(user)
