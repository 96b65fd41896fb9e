"""The article's title: candidates → features → pick; then the post header around it.

The post's headline is one of the heading-like units printed near the start of the
article or in the page header above it.  The search runs in three steps:

1. :func:`candidates` lists them generously: every heading-like unit from well above the
   article's first unit to a few units into it (the share of pages whose gold title is
   among them bounds what any pick can reach; ``bench/title_cv.py`` prints it);
2. :func:`facts` / :func:`feature_rows` say what the page shows about each one: beside a
   dateline or byline; quoted by other lines (share texts, "3 thoughts on “X”", a
   "Title - Site Name" line); printed again; named by the site footer (the site's name);
   a control label, a caption, a person's name, a line wrapping another heading; the
   layout's own marks (a Markdown ``#``, a heading level, an outdented line); position
   (distance to the article start, rank among the candidates); shape; how many of its
   words the article uses;
3. the pick: with a fitted ``"title"`` ensemble (:mod:`corpusconv.trees`, fitted by
   :mod:`corpusconv.fitting`), the candidate the model rates highest if its probability
   clears the ensemble's threshold, with the model's strongest features as evidence;
   without one, the hand-set score (:func:`hand_score`: the engine's rules before the
   model), so ``--model none`` still gives titles.

:func:`post_header` then finds the dateline and byline beside the chosen title.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from os.path import commonprefix
from typing import Mapping

from . import comments, markup
from .article import ASCII_DIGITS, ASCII_UPPER, PROSE_MIN_WORDS, deleted, is_heading_like, is_title_case
from .dates import date_and_time_span, is_dateline
from .rules import Rule, lower_matches_like_ignorecase, pattern_needles
from .trees import Ensemble
from .units import Item, Unit

# --------------------------------------------------------------------------------------
# Page-wide evidence
# --------------------------------------------------------------------------------------
MENTION_MAX_WORDS = 25        # longer lines are prose, which does not quote a title
SITE_FOOTER_CATEGORY = "site-footer"
SITE_NAME_MIN_CHARS = 6       # shorter candidates ("Home") are inside many lines by chance
# "Title - Site Name", "Title | Site": a line printing the title with the site's name.
SITE_SUFFIX_SEPARATORS = ("-", "|", "–", "—", "::", "«", "»", "·")
_SUFFIX_TRIM = " ?!.,;'\"’”)]"


@dataclass(frozen=True)
class Quoting:
    """How the page's other short lines print a candidate's text."""

    lines: int = 0       # lines holding it (not equal to it)
    with_site: int = 0   # "X - Site Name", "X | Site": the page's <title>-like line
    at_end: int = 0      # "Share: X", "Comments on X", "3 thoughts on “X”"


@dataclass
class Lookups:
    """What the whole page says about a line's text (built once per page)."""

    repeated: Counter[str]
    footer: tuple[str, ...]             # normalised site-footer lines
    quoting: tuple[str, ...]            # normalised short lines outside the footer
    quoting_count: Counter[str]
    quoting_text: str                   # the same, one per line, for a fast first test
    comment_headings: tuple[str, ...]
    unusable: frozenset[int]            # unit nos claimed by a phrase rule or a thread
    _quotes: dict[str, Quoting] = field(default_factory=dict, repr=False)

    def usable(self, u: Unit) -> bool:
        return u.no not in self.unusable

    def repeats(self, u: Unit) -> int:
        """Other lines identical to ``u`` (the title is often printed twice)."""
        return self.repeated[u.norm] - 1

    def quotes(self, norm: str) -> Quoting:
        """The other short lines that hold ``norm`` (share texts, comment headings, ...)."""
        if len(norm) < SITE_NAME_MIN_CHARS:
            return Quoting()
        got = self._quotes.get(norm)
        if got is None:
            got = self._quotes[norm] = self._count_quotes(norm)
        return got

    def _count_quotes(self, norm: str) -> Quoting:
        # Most candidates are quoted nowhere: one count over the joined lines says so.
        if self.quoting_text.count(norm) <= self.quoting_count[norm]:
            return Quoting()
        lines = with_site = at_end = 0
        for t in self.quoting:
            if norm not in t or t == norm:
                continue
            lines += 1
            if t.startswith(norm) and t[len(norm):].lstrip(_SUFFIX_TRIM).startswith(SITE_SUFFIX_SEPARATORS):
                with_site += 1
            elif t.endswith(norm) or t.rstrip(_SUFFIX_TRIM).endswith(norm):
                at_end += 1
        return Quoting(lines, with_site, at_end)

    def mentions(self, u: Unit) -> int:
        """Other short lines quoting ``u``'s text (comment headings, "Leave a reply to …")."""
        return self.quotes(u.norm).lines

    def named_by_comments(self, u: Unit) -> bool:
        """'38 comments to X', '3 thoughts on “X”': the comment section names the post."""
        return len(u.norm) >= SITE_NAME_MIN_CHARS and any(u.norm in h and h != u.norm
                                                          for h in self.comment_headings)

    def in_footer(self, u: Unit) -> bool:
        """The site footer names it ("© 2012 X", "X is proudly powered by …"): the site's name."""
        return len(u.norm) >= SITE_NAME_MIN_CHARS and any(u.norm in t for t in self.footer)


def page_lookups(nonblank: list[Unit], dropped: Mapping[int, Rule], in_thread: set[int]) -> Lookups:
    def footer(u: Unit) -> bool:
        r = dropped.get(u.no)
        return r is not None and r.category == SITE_FOOTER_CATEGORY

    quoting = tuple(u.norm for u in nonblank if u.words <= MENTION_MAX_WORDS and not footer(u))
    return Lookups(
        repeated=Counter(u.norm for u in nonblank),
        footer=tuple(u.norm for u in nonblank if footer(u)),
        quoting=quoting, quoting_count=Counter(quoting), quoting_text="\n".join(quoting),
        comment_headings=tuple(u.norm for u in nonblank
                               if u.words <= MENTION_MAX_WORDS and comments.is_comment_heading(u.text)),
        unusable=frozenset(dropped) | frozenset(in_thread))


# --------------------------------------------------------------------------------------
# Predicates
# --------------------------------------------------------------------------------------
_BYLINE = re.compile(r"^(?:by|posted by|written by|words by|author:?|story by)\s+(?P<name>[^\d|•·,]{2,60}?)"
                     r"(?:\s*(?:[|•·,]|\bon\b|\bin\b|\d).*)?$", re.I)
_BY_INSIDE = re.compile(r"\b[Bb][Yy]\s+(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})")
_PERSON_NAME = re.compile(r"^[A-Z][a-z]+(?: [A-Z]\.?)?(?: [A-Z][a-z'’-]+){1,2}$")
_CAPTION = re.compile(r"\b(?:photo|image|picture|credit|getty|afp|reuters|shutterstock|illustration)\b", re.I)
# Short headings that start with a command are controls and calls to action, not titles.
_UI_VERB = re.compile(r"(?:view|print|download|share|read|click|subscribe|follow|sign|log|register|join|get|see|"
                      r"buy|shop|watch|listen|save|email|send|skip|jump|back|go|load|show|hide|open|close|copy|"
                      r"add|leave|post|submit|search|explore|discover|learn|find|try|start|continue|return)\b", re.I)
UI_LABEL_MAX_WORDS = 5
_NOT_TITLE_CHARS = re.compile(r"[«»]|:$|^\W*$")
# Titles may ask or exclaim; a line ending like a statement is body text.
_STATEMENT_END = re.compile(r"[.:;][\"”’)\]]*$")
_DASH_SEPARATOR = re.compile(r"\s[-–—|:]\s")
_TOKEN = re.compile(r"\w{3,}")


def _needles(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The literals one of which every match of a lower-case ``re.I`` pattern holds, read
    from the pattern itself (the rules' prefilter analysis), so the gate cannot drift from it."""
    found = pattern_needles(pattern.pattern)
    assert found is not None and all(w == w.lower() for w in found), pattern.pattern
    return tuple(sorted(found))


def _may_hold(text: str, words: tuple[str, ...]) -> bool:
    """Whether a ``re.I`` pattern that needs one of ``words`` (lower-case ASCII) can match
    ``text``: a few substring tests, cheaper than the scan that most lines fail.

    >>> _may_hold("Share on Facebook", ("facebook",)), _may_hold("Home", ("facebook",))
    (True, False)
    >>> _may_hold("ſhare", ("share",))   # re.I folds the long s: only the pattern can tell
    True
    """
    if not lower_matches_like_ignorecase(text):
        return True   # re.I folds a letter here that str.lower does not: ask the pattern
    low = text.lower()
    return any(w in low for w in words)


_CAPTION_WORDS = _needles(_CAPTION)


def find_byline(text: str) -> str | None:
    """The author named by a byline ("By Jane Doe", "May 4, 2012 by Jane Doe"), or None.

    >>> find_byline("Posted by Jane Doe on May 4, 2012")
    'Jane Doe'
    >>> find_byline("November 10, 2012 By George Ambler 1 Comment")
    'George Ambler'
    >>> find_byline("Stand by me") is None
    True
    """
    m = _BYLINE.match(text.strip())
    if m:
        return m.group("name").strip()
    found = date_and_time_span(text)
    if found:
        rest = text[:found[1][0]] + " " + text[found[1][1]:]
        m = _BY_INSIDE.search(rest)
        if m:
            return m.group("name").strip()
    return None


def is_ui_label(u: Unit) -> bool:
    """A short line starting with a command ("View PDF/Print Mode", "Download Free Trial")."""
    return u.words <= UI_LABEL_MAX_WORDS and _UI_VERB.match(u.text) is not None


def _ends_period(text: str) -> bool:
    return text.endswith(".") and not text.endswith("...")


# --------------------------------------------------------------------------------------
# The search: the units around the article start, and what the page says about each
# --------------------------------------------------------------------------------------
# The hand-set search window, in non-blank units above / into the article.
TITLE_LOOKBACK = 20
TITLE_LOOKAHEAD = 6
TITLE_INSIDE_REACH = 2        # a title may be one of the article run's first units
TITLE_SKIP_REMOVED = 3        # removed units (image names, credits) looked past below a title
WRAPPED_MIN_CHARS = 15        # a heading this long, quoted at the end of another line
# The candidates of the fitted pick reach further up: the article run often begins
# below a standfirst, a photo and its caption, a byline block, a share bar.
CANDIDATE_LOOKBACK = 120
# ... and further down: the run may begin at a sidebar text or a teaser above the post.
CANDIDATE_LOOKAHEAD = 40
CANDIDATE_MAX_WORDS = 30


@dataclass(frozen=True)
class Candidate:
    """A unit that may be the title: ``seq[k]``, or a Markdown heading that the renderer
    wrapped joined with its continuation (``parts`` are the seq units it stands for)."""

    k: int
    unit: Unit
    parts: tuple[Unit, ...]

    @property
    def last(self) -> int:
        """Index in seq of the candidate's last unit."""
        return self.k + len(self.parts) - 1

    @property
    def joined(self) -> bool:
        return len(self.parts) > 1


@dataclass(frozen=True)
class LongLines:
    """The long normalised lines of a stretch of the page, by their last characters."""

    by_tail: dict[str, list[str]]

    def wrap(self, norm: str) -> bool:
        """``norm`` is longer than one of the lines and ends with it ("Share All sharing
        options for: X" wraps X)."""
        return any(len(norm) > len(o) and norm.endswith(o) for o in self.by_tail.get(norm[-_PREFIX_KEY:], ()))


@dataclass
class Search:
    """The page as the title search sees it (with indexes over it, built on first use)."""

    seq: list[Unit]          # non-blank units outside the comments (a thread stands as one)
    start: int               # index in seq of the article's first unit
    end: int                 # ... and of its last
    look: Lookups
    scores: list[float] = field(default_factory=list)   # body-text score per seq index
    link_lines: set[int] = field(default_factory=set)   # unit nos in link blocks / teaser lists
    _dateline: dict[int, bool] = field(default_factory=dict, repr=False)
    _dated: dict[int, bool] = field(default_factory=dict, repr=False)

    def single(self, k: int) -> Candidate:
        return Candidate(k, self.seq[k], (self.seq[k],))

    def dateline(self, k: int) -> bool:
        """``seq[k]`` is a dateline (asked of each unit by many candidates: computed once)."""
        got = self._dateline.get(k)
        if got is None:
            got = self._dateline[k] = is_dateline(self.seq[k].text)
        return got

    def dated(self, k: int) -> bool:
        """``seq[k]`` is a dateline or a byline."""
        got = self._dated.get(k)
        if got is None:
            got = self._dated[k] = self.dateline(k) or bool(find_byline(self.seq[k].text))
        return got

    @cached_property
    def openings(self) -> dict[str, list[int]]:
        """The seq indices (ascending) of the lines at least ``_PREFIX_KEY`` long, by their
        first ``_PREFIX_KEY`` characters."""
        out: dict[str, list[int]] = {}
        for k, u in enumerate(self.seq):
            if len(u.norm) >= _PREFIX_KEY:
                out.setdefault(u.norm[:_PREFIX_KEY], []).append(k)
        return out

    def opening_like(self, norm: str, lo: int, hi: int) -> list[int]:
        """The seq indices in ``[lo, hi)`` whose lines open with the same ``_PREFIX_KEY``
        characters as ``norm`` (none if it is shorter), ascending."""
        ks = self.openings.get(norm[:_PREFIX_KEY], []) if len(norm) >= _PREFIX_KEY else []
        return ks[bisect_left(ks, lo):bisect_left(ks, hi)]

    @cached_property
    def chrome_above(self) -> list[int]:
        """For each seq index, the nearest index above it holding a list item or a removed
        unit (-1: none)."""
        out, last = [], -1
        for k, u in enumerate(self.seq):
            out.append(last)
            if u.item is not None or not self.look.usable(u):
                last = k
        return out

    def next_kept(self, k: int) -> int | None:
        """The next unit after ``k`` that stays on the page (an image file name or a caption
        credit between a title and its first paragraph is removed)."""
        seq, unusable = self.seq, self.look.unusable
        for j in range(k + 1, min(len(seq), k + 1 + TITLE_SKIP_REMOVED)):
            if seq[j].no not in unusable:
                return j
        return None

    def near_date(self, c: Candidate, reach: int = 1) -> bool:
        """A dateline or byline within ``reach`` units above or below the candidate."""
        for j in range(max(0, c.k - reach), c.k):
            if self.dated(j):
                return True
        last = c.last
        for j in range(last + 1, min(len(self.seq), last + reach + 1)):
            if self.dated(j):
                return True
        return False

    def nearby(self, lo: int, hi: int) -> LongLines:
        """The lines of ``seq[lo:hi]`` long enough to be wrapped by another line."""
        by_tail: dict[str, list[str]] = {}
        for j in range(max(0, lo), min(len(self.seq), hi)):
            norm = self.seq[j].norm
            if len(norm) >= WRAPPED_MIN_CHARS:
                by_tail.setdefault(norm[-_PREFIX_KEY:], []).append(norm)
        return LongLines(by_tail)


@dataclass(frozen=True)
class Facts:
    """What the page shows about one candidate (the hand-set score and the features read it)."""

    near_date: bool          # a dateline or byline directly above or below
    inside: bool             # at or below the article's first unit
    opens_article: bool      # one of the article's first units, a heading above a paragraph
    capital: bool            # starts like a heading (see article.is_heading_like)
    excluded: bool           # « », a trailing colon, no letters, or a byline itself
    byline: bool             # a byline itself ("By Jane Doe")
    short_pipe: bool         # "Home | About | Contact"
    person: bool             # "Jason Cipriani": beside a dateline, a byline
    mentions: int
    repeats: int
    caption: bool
    in_footer: bool
    wrapper: bool            # "Share All sharing options for: X": X is the title
    ui_label: bool
    adjacent: bool           # directly above the article, or above its dateline


PIPE_TITLE_MIN_WORDS = 6      # long titles do carry "| subtitle"


def facts(s: Search, c: Candidate, nearby: LongLines) -> Facts:
    """What the page says about candidate ``c``; ``nearby``: the long lines around it."""
    u, seq, start, k = c.unit, s.seq, s.start, c.k
    nxt = s.next_kept(c.last)
    byline = bool(find_byline(u.text))
    opens_article = (start <= k <= start + TITLE_INSIDE_REACH and nxt is not None
                     and not _STATEMENT_END.search(u.text.rstrip("…"))
                     and seq[nxt].words >= PROSE_MIN_WORDS)
    return Facts(
        near_date=s.near_date(c), inside=k >= start, opens_article=opens_article,
        capital=is_heading_like(u),
        excluded=byline or _NOT_TITLE_CHARS.search(u.text) is not None, byline=byline,
        short_pipe="|" in u.text and u.words < PIPE_TITLE_MIN_WORDS,
        person=_PERSON_NAME.match(u.text) is not None,
        mentions=s.look.mentions(u), repeats=s.look.repeats(u),
        caption=_may_hold(u.text, _CAPTION_WORDS) and _CAPTION.search(u.text) is not None,
        in_footer=s.look.in_footer(u),
        wrapper=nearby.wrap(u.norm), ui_label=is_ui_label(u),
        adjacent=c.last + 1 < len(seq) and (c.last + 1 == start or s.dateline(c.last + 1)))


# --------------------------------------------------------------------------------------
# The hand-set score (no model)
# --------------------------------------------------------------------------------------
NEAR_DATE_BONUS = 3
PERSON_NEAR_DATE_PENALTY = 4
SHORT_TITLE_WORDS = 2         # "Mozilla", "Tone Deaf": site and section names
SHORT_TITLE_PENALTY = 2
MENTION_BONUS = 3             # per other line quoting the candidate (share text, "12 comments on X")
MENTION_BONUS_CAP = 6
SHORT_MENTION_BONUS = 2
SHORT_MENTION_BONUS_CAP = 4
TITLE_REPEAT_MIN_WORDS = 4    # blog and section names repeat too, but are short
REPEAT_BONUS = 1.5
REPEAT_CAP = 2
CAPTION_PENALTY = 3
SITE_NAME_PENALTY = 4
WRAPPER_PENALTY = 4
UI_LABEL_PENALTY = 3
HEADLINE_WORDS = (3, 15)      # a headline's usual length
HEADLINE_BONUS = 1
PERIOD_PENALTY = 1.5
WORD_BONUS, WORD_BONUS_CAP = 0.25, 10
TITLE_CASE_BONUS = 1
TITLE_DISTANCE_COST = 0.15    # per non-blank unit between a candidate and the article
ADJACENT_BONUS = 1.5


def hand_admits(f: Facts) -> bool:
    """Whether the hand-set score considers a heading-like unit at all."""
    # Inside the article only on evidence: a dateline/byline beside it, or the article's
    # very first unit reading as a heading above a paragraph (long news titles score as
    # prose).
    if f.inside and not (f.near_date or f.opens_article):
        return False
    # A title in lower case only where the position itself says "title".
    if not (f.opens_article or (f.near_date and f.inside)) and not f.capital:
        return False
    return not (f.excluded or f.short_pipe)


def hand_score(u: Unit, f: Facts, distance: int) -> float:
    """The hand-set evidence sum for an admitted candidate ``distance`` units from the article."""
    score = 1.0
    score += NEAR_DATE_BONUS if f.near_date else 0
    if f.near_date and f.person:
        score -= PERSON_NEAR_DATE_PENALTY  # "Jason Cipriani" above "November 18, 2019": a byline
    # Share texts and comment headings quote a post's title; site and section names
    # ("Business", "Tone Deaf") are quoted too, but are short.
    if u.words > SHORT_TITLE_WORDS:
        score += min(MENTION_BONUS_CAP, MENTION_BONUS * f.mentions)
    else:
        score += min(SHORT_MENTION_BONUS_CAP, SHORT_MENTION_BONUS * f.mentions)
    # The title is often printed twice (breadcrumb, heading, share text); menus repeat
    # too, but as list items, which are not candidates.
    if u.words >= TITLE_REPEAT_MIN_WORDS:
        score += REPEAT_BONUS * min(REPEAT_CAP, f.repeats)
    if u.words <= SHORT_TITLE_WORDS:
        score -= SHORT_TITLE_PENALTY
    score -= CAPTION_PENALTY if f.caption else 0
    if f.in_footer:
        score -= SITE_NAME_PENALTY
    if f.wrapper:
        score -= WRAPPER_PENALTY
    if f.ui_label:
        score -= UI_LABEL_PENALTY  # "View PDF/Print Mode", "Download Free Trial": a control
    score += HEADLINE_BONUS if HEADLINE_WORDS[0] <= u.words <= HEADLINE_WORDS[1] else 0
    score -= PERIOD_PENALTY if _ends_period(u.text) else 0
    score += WORD_BONUS * min(u.words, WORD_BONUS_CAP)
    score += TITLE_CASE_BONUS if is_title_case(u.text) else 0
    score -= TITLE_DISTANCE_COST * distance
    if f.adjacent:
        score += ADJACENT_BONUS
    return score


def _hand_terms(f: Facts) -> str:
    """The hand-set score's evidence, for ``explain``."""
    named = [("beside a dateline or byline", f.near_date), ("directly above the article", f.adjacent),
             (f"quoted by {f.mentions} other line(s)", f.mentions > 0),
             (f"printed {f.repeats + 1} times", f.repeats > 0), ("opens the article", f.opens_article)]
    return ", ".join(text for text, on in named if on) or "the best heading near the article start"


def hand_pick(s: Search) -> tuple[int, float, Facts] | None:
    """The best-scoring admitted candidate of the hand-set window: (index, score, facts)."""
    lo = max(0, s.start - TITLE_LOOKBACK)
    hi = min(len(s.seq), s.start + TITLE_LOOKAHEAD)
    nearby = s.nearby(lo, hi)
    best: tuple[int, float, Facts] | None = None
    for k in range(lo, hi):
        u = s.seq[k]
        if not s.look.usable(u) or u.item is not None or not is_heading_like(u, any_case=True):
            continue
        f = facts(s, s.single(k), nearby)
        if not hand_admits(f):
            continue
        score = hand_score(u, f, abs(s.start - k))
        if score > (best[1] if best is not None else 0.0):
            best = (k, score, f)
    return best


# The chosen heading may be a shortened echo of the title printed further up (an image's
# alt text "The Doobie Brothers", a section heading "How to Grow X: What You Need"): a
# longer heading above that starts with the same words is the title.
TITLE_FAMILY_LOOKBACK = 40
TITLE_FAMILY_MIN_PREFIX = 15
TITLE_FAMILY_PREFIX_SHARE = 0.6
# Lines that share a long opening (a fuller title and its shortened echo, a teaser cut
# short: _family, _fuller_elsewhere) or a long ending (a line wrapping a heading:
# LongLines) agree on this many characters there; Search buckets the page's lines by
# them, so that a candidate looks up the few lines that can match instead of scanning.
_PREFIX_KEY = min(TITLE_FAMILY_MIN_PREFIX, WRAPPED_MIN_CHARS)


def _is_site_line(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` plus a site suffix ("Title - Site Name")."""
    return longer.startswith(shorter) and longer[len(shorter):].lstrip(_SUFFIX_TRIM).startswith(SITE_SUFFIX_SEPARATORS)


def _family(longer: str, shorter: str) -> bool:
    """``shorter`` is a shortened echo of ``longer`` (they share most of a long prefix)."""
    shared = len(commonprefix([longer, shorter]))
    return shared >= TITLE_FAMILY_MIN_PREFIX and shared >= TITLE_FAMILY_PREFIX_SHARE * len(shorter)


def full_title_above(s: Search, best: int, cand: Unit | None = None) -> int:
    """The index of a fuller heading above ``s.seq[best]`` (or ``cand``, standing at
    ``best``) that it echoes, else ``best``."""
    cand = cand or s.seq[best]
    lo = max(0, min(best, s.start) - TITLE_FAMILY_LOOKBACK)
    # A heading of the family shares a long opening with the candidate (_family): only
    # the lines opening like it can be one.
    for k in reversed(s.opening_like(cand.norm, lo, best)):
        u = s.seq[k]
        if (len(u.norm) <= len(cand.norm) or u.item is not None or not s.look.usable(u)
                or not is_heading_like(u)):
            continue
        if len(commonprefix([u.norm, cand.norm])) == len(cand.norm) and _is_site_line(u.norm, cand.norm):
            continue  # "Title - Site Name": the page's <title> line, not a fuller title
        if _family(u.norm, cand.norm):
            return k
    return best


# --------------------------------------------------------------------------------------
# Candidates (the fitted pick)
# --------------------------------------------------------------------------------------
_MARKDOWN = markup.Profile(markdown=True)


def _wrapped_heading(s: Search, k: int) -> Candidate | None:
    """A Markdown ``#`` heading joined with the unit right after it: Markdown converters
    wrap a long heading onto the next line (and a link in it with it), which Markdown
    itself would read as a heading and a paragraph."""
    u = s.seq[k]
    if u.kind != "heading" or not u.raw.lstrip().startswith("#") or k + 1 >= len(s.seq):
        return None
    v = s.seq[k + 1]
    if v.no != u.no + 1 or v.kind != "paragraph" or v.marker is not None or not s.look.usable(v):
        return None
    text = " ".join(markup.clean_inline(u.text + " " + v.text, _MARKDOWN).text.split())
    if not text:
        return None
    joined = Unit(u.no, u.lines + v.lines, u.raw, text, u.indent, kind=u.kind, level=u.level,
                  links=u.links + v.links)
    return Candidate(k, joined, (u, v))


def _admissible(c: Candidate) -> bool:
    return c.unit.words <= CANDIDATE_MAX_WORDS and is_heading_like(c.unit, any_case=True)


def candidates(s: Search) -> list[Candidate]:
    """The units (and wrapped headings) that may be the title, in page order."""
    lo = max(0, s.start - CANDIDATE_LOOKBACK)
    hi = min(len(s.seq), s.start + CANDIDATE_LOOKAHEAD)
    out = []
    for k in range(lo, hi):
        if not s.look.usable(s.seq[k]):
            continue
        for c in (s.single(k), _wrapped_heading(s, k)):
            if c is not None and _admissible(c):
                out.append(c)
    return out


# --------------------------------------------------------------------------------------
# Features, in groups (names beside the values that fill them)
# --------------------------------------------------------------------------------------
OFFSET_CAP = 150
NO_HAND_SCORE = -20.0
MAX_SIBLINGS = 50
_SOCIAL = re.compile(r"\b(?:facebook|twitter|linkedin|pinterest|reddit|whatsapp|e-?mail|google|tumblr|instagram)\b",
                     re.I)
_SOCIAL_WORDS = _needles(_SOCIAL)
_CREDIT_END = re.compile(r"[(\[][^()\[\]]{2,40}[)\]]$")   # "… (onmeth.com)", "… [File: Reuters]"
# Breadcrumbs and menus flattened onto one line: "Home » Travel » Musings", "News / World".
_CRUMB_SEPARATOR = re.compile(r"\s[»›>/|·•]\s")
_BULLET_START = re.compile(r"^\W{0,2}[•*·▪‣◦-]\s")
# "106 Comments", "3 thoughts on": a post's counters, printed beside titles but not one.
_COUNTER = re.compile(r"\b\d+\s+(?:comments?|responses?|replies|thoughts|shares|views|likes)\b", re.I)
_OPENING_QUOTES, _CLOSING_QUOTES = "“\"'‘«", "”\"'’»"

SHAPE = ("words", "log_chars", "title_case", "capital", "ends_period", "ends_question", "ends_colon",
         "has_separator", "has_pipe", "upper_share", "digit_share", "person", "caption", "ui_label",
         "byline", "excluded", "date_inside", "quote_start", "quoted_whole", "social_words", "credit_end",
         "crumb_separators", "bullet_start", "counter")


def _shape(u: Unit, f: Facts) -> list[float]:
    text = u.text
    n = max(1, len(text))
    bare = text.rstrip(".…")
    upper_share, digit_share = _upper_digit_shares(text, n)
    return [float(u.words), math.log1p(len(text)), float(is_title_case(text)), float(f.capital),
            float(_ends_period(text)), float(text.rstrip(_CLOSING_QUOTES + ")").endswith(("?", "!"))),
            float(text.endswith(":")), float(_DASH_SEPARATOR.search(text) is not None), float("|" in text),
            upper_share, digit_share, float(f.person),
            float(f.caption), float(f.ui_label), float(f.byline), float(f.excluded),
            float(date_and_time_span(text) is not None), float(text[:1] in _OPENING_QUOTES),
            float(text[:1] in _OPENING_QUOTES and bare[-1:] in _CLOSING_QUOTES),
            float(len(_SOCIAL.findall(text)) if _may_hold(text, _SOCIAL_WORDS) else 0),
            float(_CREDIT_END.search(text) is not None),
            float(len(_CRUMB_SEPARATOR.findall(text))), float(_BULLET_START.match(u.raw.lstrip()) is not None),
            float(digit_share > 0 and _COUNTER.search(text) is not None)]   # \d: a str.isdigit character


def _upper_digit_shares(text: str, n: int) -> tuple[float, float]:
    """The shares (of ``n``) of the text's upper-case characters and digits (str.isupper,
    str.isdigit); in ASCII text those are A-Z and 0-9, counted by deleting bytes instead
    of a call a character."""
    if text.isascii():
        b = text.encode("ascii")
        upper, digits = deleted(b, ASCII_UPPER), deleted(b, ASCII_DIGITS)
        return upper / n, digits / n
    return sum(map(str.isupper, text)) / n, sum(map(str.isdigit, text)) / n


LAYOUT = ("kind_heading", "level", "markdown_heading", "joined", "first_line_chars", "indent_vs_body",
          "gap_before", "gap_after", "links", "physical_lines", "level_is_page_top", "same_level_headings",
          "in_item", "item_marker", "item_depth", "item_siblings")


def _layout(s: Search, c: Candidate, pf: _PageFacts) -> list[float]:
    u = c.unit
    next_u = s.seq[c.last + 1] if c.last + 1 < len(s.seq) else None
    return [float(u.kind == "heading"), float(u.level), float(u.raw.lstrip().startswith("#")), float(c.joined),
            float(len(u.raw.strip())), float(u.indent - pf.body_indent), float(u.gap_before),
            float(next_u is not None and next_u.gap_before), float(u.links), float(len(u.lines)),
            float(u.kind == "heading" and u.level == pf.top_level),
            float(pf.level_counts[u.level] if u.kind == "heading" else 0),
            float(u.item is not None), float(u.marker is not None),
            float(u.item.depth + 1) if u.item is not None else 0.0, float(_siblings(u))]


def _siblings(u: Unit) -> int:
    """How many items the unit's list has at its level (menus are long lists)."""
    item = u.item
    if item is None:
        return 0
    if item.parent is not None:
        return len(item.parent.children)
    n = 0
    it: Item | None = item
    while it is not None and n < MAX_SIBLINGS:
        n, it = n + 1, it.prev
    return n


POSITION = ("offset", "distance", "inside", "adjacent", "opens_article", "rank_above", "rank_from_top",
            "first_candidate", "page_position", "heading_rank", "candidates", "offset_from_hand")


def _position(s: Search, c: Candidate, f: Facts, pf: _PageFacts, ranks: tuple[int, int, int]) -> list[float]:
    k = c.k
    rank_above, rank_from_top, count = ranks
    from_hand = k - pf.hand[0] if pf.hand is not None else OFFSET_CAP
    return [_capped(k - s.start), float(min(OFFSET_CAP, abs(k - s.start))), float(f.inside), float(f.adjacent),
            float(f.opens_article), float(rank_above), float(rank_from_top), float(rank_from_top == 0),
            k / max(1, len(s.seq) - 1), float(pf.heading_ranks.get(k, -1)), float(count), _capped(from_hand)]


def _capped(offset: int) -> float:
    """A signed offset within ±OFFSET_CAP (far is far: beyond it, distance tells nothing).

    >>> _capped(-400), _capped(7)
    (-150.0, 7.0)
    """
    return float(max(-OFFSET_CAP, min(OFFSET_CAP, offset)))


CONTEXT = ("near_date", "date_within_2", "prev_dropped", "next_dropped", "next_words", "next_prose",
           "prev_heading", "next_heading", "engine_score", "link_block", "prev_item", "since_chrome",
           "dateline_offset")
NEAR_CAP = 20


def _since_chrome(s: Search, k: int) -> float:
    """Units between the candidate and the list item or removed unit nearest above it (the
    title tends to follow the navigation directly), capped."""
    j = s.chrome_above[k]
    return float(k - 1 - j) if j >= 0 and k - 1 - j < NEAR_CAP else float(NEAR_CAP)


def _dateline_offset(c: Candidate, datelines: list[int]) -> float:
    """Signed distance to the nearest dateline (below: positive, and first on a tie),
    capped; ``datelines``: the seq indices of those within reach of the candidates."""
    i = bisect_right(datelines, c.last)
    below = datelines[i] - c.last if i < len(datelines) else NEAR_CAP + 1
    i = bisect_left(datelines, c.k)
    above = c.k - datelines[i - 1] if i > 0 else NEAR_CAP + 1
    if min(below, above) > NEAR_CAP:
        return float(NEAR_CAP + 1)
    return float(below) if below <= above else float(-above)


def _datelines_near(s: Search, cands: list[Candidate]) -> list[int]:
    """The seq indices of the datelines within NEAR_CAP units of the candidates, ascending."""
    lo = max(0, cands[0].k - NEAR_CAP)
    hi = min(len(s.seq), max(c.last for c in cands) + NEAR_CAP + 1)
    return [j for j in range(lo, hi) if s.dateline(j)]


def _context(s: Search, c: Candidate, f: Facts, pf: _PageFacts) -> list[float]:
    seq, k = s.seq, c.k
    prev_u = seq[k - 1] if k else None
    next_u = seq[c.last + 1] if c.last + 1 < len(seq) else None
    nxt = s.next_kept(c.last)
    return [float(f.near_date), float(s.near_date(c, 2)),
            float(prev_u is not None and not s.look.usable(prev_u)),
            float(next_u is not None and not s.look.usable(next_u)),
            float(seq[nxt].words) if nxt is not None else 0.0,
            float(nxt is not None and seq[nxt].words >= PROSE_MIN_WORDS),
            float(prev_u is not None and prev_u.kind == "heading"),
            float(next_u is not None and next_u.kind == "heading"),
            s.scores[k] if k < len(s.scores) else 0.0, float(c.unit.no in s.link_lines),
            float(prev_u is not None and prev_u.item is not None), _since_chrome(s, k),
            _dateline_offset(c, pf.datelines)]


EVIDENCE = ("mentions", "quoted_with_site", "quoted_at_end", "named_by_comments", "repeats", "in_footer",
            "wrapper", "echo_above", "echo_below", "article_overlap", "hand_score", "hand_pick", "truncated",
            "fuller_elsewhere")
_ELLIPSIS = ("…", "...")


def _fuller_elsewhere(s: Search, c: Candidate) -> bool:
    """A line of the page starts with this candidate's text and goes on (a teaser cut
    short with "…", a heading shortened as an image caption)."""
    norm = c.unit.norm.rstrip(".… ")
    if len(norm) < WRAPPED_MIN_CHARS:
        return False
    return any(s.seq[j].norm.startswith(norm) and len(s.seq[j].norm) > len(norm) + 1
               for j in s.opening_like(norm, 0, len(s.seq)))


def _evidence(s: Search, c: Candidate, f: Facts, pf: _PageFacts) -> list[float]:
    u, k = c.unit, c.k
    quoting = s.look.quotes(u.norm)
    hand = NO_HAND_SCORE
    if not c.joined and hand_admits(f) and abs(s.start - k) <= TITLE_LOOKBACK:
        hand = hand_score(u, f, abs(s.start - k))
    return [float(f.mentions), float(quoting.with_site), float(quoting.at_end), float(s.look.named_by_comments(u)),
            float(f.repeats), float(f.in_footer), float(f.wrapper),
            float(_fuller_above(s, c) is not None), float(_echoed_below(s, c)),
            _overlap(u, pf.article, f.inside), hand, float(pf.hand is not None and pf.hand[0] == k and not c.joined),
            float(u.text.endswith(_ELLIPSIS)), float(_fuller_elsewhere(s, c))]


# Ranks among the page's candidates (0: the highest value), of these features.
RANKED = ("article_overlap", "hand_score", "words")
FEATURES: tuple[str, ...] = (SHAPE + LAYOUT + POSITION + CONTEXT + EVIDENCE
                             + tuple(f"{name}_rank" for name in RANKED))
_RANKED_INDEX = tuple(FEATURES.index(name) for name in RANKED)


def _article_tokens(s: Search) -> Counter[str]:
    # One scan of the joined lines finds the same tokens as one a line (a token is made
    # of word characters, and none spans the newline).
    text = "\n".join(u.text for u in s.seq[s.start:s.end + 1])
    return Counter(map(str.lower, _TOKEN.findall(text)))


def _overlap(u: Unit, article: Counter[str], inside: bool) -> float:
    """Share of the unit's words that the article uses too (a teaser headline or a site
    name shares few words with the post; the post's own title shares many)."""
    toks = [t.lower() for t in _TOKEN.findall(u.text)]
    if not toks:
        return 0.0
    if not inside:   # its own words are not the article's: only which words it has matters
        own = dict.fromkeys(toks)
        return sum(1 for t in own if article.get(t, 0) > 0) / len(own)
    counts = Counter(toks)
    return sum(1 for t, n in counts.items() if article.get(t, 0) - n > 0) / len(counts)


@dataclass
class _PageFacts:
    """Page-level values the per-candidate features are relative to."""

    body_indent: int
    top_level: int                  # the smallest heading level on the page (0: none marked)
    level_counts: Counter[int]
    heading_ranks: dict[int, int]   # seq index -> rank among the page's marked headings
    article: Counter[str]
    hand: tuple[int, float, Facts] | None
    datelines: list[int]            # seq indices of the datelines near the candidates


def _page_facts(s: Search, cands: list[Candidate]) -> _PageFacts:
    indents = sorted(u.indent for u in s.seq if u.words >= PROSE_MIN_WORDS) or [0]
    marked = [k for k, u in enumerate(s.seq) if u.kind == "heading"]
    levels = Counter(s.seq[k].level for k in marked)
    return _PageFacts(indents[len(indents) // 2], min(levels) if levels else 0, levels,
                      {k: r for r, k in enumerate(marked)}, _article_tokens(s), hand_pick(s),
                      _datelines_near(s, cands))


def _fuller_above(s: Search, c: Candidate) -> int | None:
    """A fuller heading above the candidate that it echoes (see full_title_above)."""
    k = full_title_above(s, c.k, c.unit)
    return None if k == c.k else k


def _echoed_below(s: Search, c: Candidate) -> bool:
    """A shorter heading below shares most of this one's opening words (the title, then an
    image alt text or a section heading that shortens it)."""
    norm = c.unit.norm
    hi = min(len(s.seq), max(c.last, s.start) + TITLE_LOOKAHEAD)
    return any(len(s.seq[j].norm) < len(norm) and _family(norm, s.seq[j].norm)
               for j in s.opening_like(norm, c.last + 1, hi))


def _ranks(values: list[float]) -> list[float]:
    """Each value's rank, highest first (ties share the better rank).

    >>> _ranks([2.0, 5.0, 2.0, -1.0])
    [1.0, 0.0, 1.0, 2.0]
    """
    order = sorted(set(values), reverse=True)
    at = {v: r for r, v in enumerate(order)}
    return [float(at[v]) for v in values]


def feature_rows(s: Search, cands: list[Candidate]) -> list[list[float]]:
    """The feature vector of every candidate (in the order of :data:`FEATURES`)."""
    if not cands:
        return []
    pf = _page_facts(s, cands)
    nearby = s.nearby(cands[0].k - TITLE_LOOKBACK, cands[-1].last + TITLE_LOOKAHEAD)
    above = {k: r for r, k in enumerate(sorted({c.k for c in cands if c.k < s.start}, reverse=True))}
    rows = []
    for r, c in enumerate(cands):
        f = facts(s, c, nearby)
        rank_above = above.get(c.k, -1)
        rows.append([*_shape(c.unit, f), *_layout(s, c, pf), *_position(s, c, f, pf, (rank_above, r, len(cands))),
                     *_context(s, c, f, pf), *_evidence(s, c, f, pf)])
    for i in _RANKED_INDEX:
        for row, rank in zip(rows, _ranks([row[i] for row in rows])):
            row.append(rank)
    return rows


# --------------------------------------------------------------------------------------
# The pick
# --------------------------------------------------------------------------------------
EVIDENCE_FEATURES = 3


@dataclass(frozen=True)
class Choice:
    """The chosen title and why."""

    title: Candidate | None
    evidence: str = ""
    probability: float | None = None


def _hand_choice(s: Search) -> Choice:
    best = hand_pick(s)
    if best is None:
        return Choice(None)
    k = full_title_above(s, best[0])
    why = _hand_terms(best[2]) if k == best[0] else "a fuller heading above the best one, which echoes it"
    return Choice(s.single(k), f"hand-set score {best[1]:.1f}: {why}")


def model_evidence(model: Ensemble, p: float, x: list[float] | None) -> str:
    """The fitted pick's reason: its probability and, when explaining (``x`` given: a
    second walk of the trees), the features that moved it most.

    >>> from corpusconv.trees import Ensemble
    >>> model_evidence(Ensemble(("offset",), (), 0.0, 0.05, {}, ""), 0.912, None)
    'title model: p(title) 0.91'
    """
    if x is None:
        return f"title model: p(title) {p:.2f}"
    top = ", ".join(f"{name} {v:+.2f}" for name, v in model.explain(x, EVIDENCE_FEATURES))
    return f"title model: p(title) {p:.2f}; strongest: {top or 'none'}"


def pick(s: Search, model: Ensemble | None, explain: bool = False) -> Choice:
    """The title: the fitted model's best candidate (if its probability clears the
    model's threshold), or the hand-set score's when there is no model."""
    if model is None:
        return _hand_choice(s)
    cands = candidates(s)
    rows = feature_rows(s, cands)
    if not rows:
        return Choice(None)
    probs = [model.probability(x) for x in rows]
    # Ties (the same heading printed twice) go to the one nearest the article start.
    best = max(range(len(cands)), key=lambda i: (probs[i], -abs(cands[i].k - s.start), -i))
    if probs[best] < model.threshold:
        return Choice(None, probability=probs[best])
    return Choice(cands[best], model_evidence(model, probs[best], rows[best] if explain else None), probs[best])


# --------------------------------------------------------------------------------------
# The post header around the title
# --------------------------------------------------------------------------------------
HEADER_REACH = 3              # units below / above the title searched for its dateline and byline
BYLINE_MAX_WORDS = 12


@dataclass
class PostHeader:
    title: Unit | None
    date_line: Unit | None
    byline: Unit | None
    author: str | None
    evidence: str = ""
    title_parts: tuple[Unit, ...] = ()   # the page's units the title stands for


def post_header(seq: list[Unit], choice: Choice) -> PostHeader:
    """The chosen title with the dateline and byline beside it (below first, then above)."""
    c = choice.title
    if c is None:
        return PostHeader(None, None, None, None)
    date_line = byline = None
    author = None
    below = range(c.last + 1, min(len(seq), c.last + 1 + HEADER_REACH))
    for j in list(below) + list(range(max(0, c.k - HEADER_REACH), c.k)):
        t = seq[j].text
        if date_line is None and date_and_time_span(t) and (is_dateline(t) or find_byline(t)):
            date_line = seq[j]
            author = author or find_byline(t)
            if author:
                byline = None
        elif byline is None and author is None and find_byline(t) and seq[j].words <= BYLINE_MAX_WORDS:
            byline, author = seq[j], find_byline(t)
    return PostHeader(c.unit, date_line, byline, author, choice.evidence, c.parts)


def find_title(s: Search, model: Ensemble | None = None, explain: bool = False) -> PostHeader:
    """The title and post header of the page (see the module docstring)."""
    return post_header(s.seq, pick(s, model, explain))
