"""What a comment looks like: section headings, header lines, and comments from list items.

Renderers print a comment section as a list: top-level comments are items (``1.`` or
``•``), replies are items nested deeper.  A list is taken as a thread on evidence that
real comment sections share and article lists do not (:func:`thread_evidence`):
per-comment header lines (``Steph says:``, ``Anonymous said...``, ``On May 4, 2012 at
10:25 am Steph said:``; :func:`parse_header_line`), per-comment action links (``Reply``,
``Report comment``), a comment-section heading just before the list (``12 Comments``,
``3 thoughts on “…”``; :func:`is_comment_heading`), or, with no such furniture, a list of
long prose items that closes the page.  :func:`build_thread` turns such a list into
comments (author, date, text, depth, parent); :func:`build_flat_thread` reads comments
printed as plain lines.  Where on the page the threads are is :mod:`corpusconv.threads`'s
business.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from .dates import TIME_RE, date_and_time_span, is_dateline
from .units import Item, Unit
from .model import Comment, Removal
from .rules import Rule, default_rules, lower_matches_like_ignorecase, normalise

#: Whether a unit is comment furniture (Reply, Report, a rating): the rule, or None.
IsAction = Callable[[Unit], "Rule | None"]
#: Whether a unit closes the comment section (a comment form, the site footer).
IsEnd = Callable[[Unit], bool]

# A list item with fewer words than this (over all its lines) is not comment-like prose.
MIN_COMMENT_WORDS = 12
# Evidence needed to call a list a comment thread (see thread_evidence).
THREAD_EVIDENCE = 3
MAX_AUTHOR_WORDS = 6
MAX_AUTHOR_CHARS = 60

# Verbs that end a comment header line: "Steph says:", "Anonymous said...".
_SAID = r"(?:says|said|wrote|writes|commented|replied|responded)"
_SAYS = re.compile(
    r"^(?:(?P<pre>.*?)\s*(?:/|\||·|-|–|—|,)?\s*)?(?P<author>[^\s].{0,59}?)\s+"
    + _SAID + r"\s*(?:\.\.\.|…|:|,)?(?P<post>\s.*)?$", re.I)
_ON_SAID = re.compile(r"^on\s+.{6,80}\s" + _SAID + r"\s*[:.…]*$", re.I)
_SAID_WORD = re.compile(r"\b" + _SAID + r"\b")
_SAID_TAIL = re.compile(r"\s+" + _SAID + r"\s*[:.…]*$", re.I)
_COUNT = r"(?:\d+|no|one|two|three|four|five|six|seven|eight|nine|ten)"
_HEADING = re.compile(
    # "Comments", "12 Comments", "Comments (87)", "3 thoughts on “X”", "45 Responses to “X”"
    r"^(?:" + _COUNT + r"\s+)?(?:comments?|responses?|replies|thoughts?|reactions?|discussions?)"
    r"(?:\s*\(\d+\)|\s+(?:on|to|about|for|so far)\b.{0,120}|\s+and\s+\d+\s+repl(?:y|ies))?\s*:?$"
    r"|^(?:leave a (?:comment|reply)|join the (?:conversation|discussion)|what do you think\??)$"
    r"|^" + _COUNT + r"\s*(?:comments?|responses?|replies|thoughts?)\b.{0,120}$"
    r"|^(?:post|leave|add) a (?:comment|reply)\W+\d+\s+(?:comments?|responses?)\b.{0,60}$", re.I)
_ACTION_TAIL = re.compile(r"^[\[(]?(?:#\d*|permalink|reply|link|edit|quote|report)(?:\W+(?:permalink|reply|link|edit|quote|report))*\W*$", re.I)
# A line that is only a name: "broper", "Jane Doe" (the date follows on the next line).
_NAME_ONLY = re.compile(r"^[\w.@'’-]+(?:\s[\w.@'’-]+){0,3}$")
# Separators and joining words between an author and a date in a header line.
_SEP_EDGE = re.compile(r"^[\s/|·,:–—-]+|(?:[\s/|·,:–—-]|\b(?:on|at|posted|by)\b)+$", re.I)
_PINGBACK = re.compile(r"\b(?:pingback|trackback)\b", re.I)


# A comment-section heading ("45 Responses to “A post title of some length”") is at most
# this long; a longer line is a sentence about comments.
COMMENT_HEADING_MAX_WORDS = 25


_HEADING_WORD_LIST = ("comment", "respons", "repl", "thought", "reaction", "discussion", "conversation",
                      "what do you think")
_HEADING_WORDS = re.compile("|".join(_HEADING_WORD_LIST), re.I)


def _has_heading_word(text: str) -> bool:
    # Substring tests on the lower-cased line are several times faster than the regex;
    # the regex decides only where re.I and str.lower would disagree.
    low = text.lower()
    for w in _HEADING_WORD_LIST:
        if w in low:
            return True
    return not lower_matches_like_ignorecase(text) and _HEADING_WORDS.search(text) is not None


# Punctuation around a heading's words: "Comments:", "Comments »", "» Comments".
_HEADING_DECORATION = ":»›→ "


@lru_cache(maxsize=65536)
def is_comment_heading(text: str) -> bool:
    """A comment-section heading: '12 Comments', 'Comments (87)', '3 thoughts on “X”'.

    >>> [is_comment_heading(t) for t in ("12 Comments", "Comments (87)", "3 thoughts on “A Post”",
    ...                                  "Leave a Reply", "45 Responses to “X”")]
    [True, True, True, True, True]
    >>> is_comment_heading("Comments»"), is_comment_heading("3 Comments:")
    (True, True)
    >>> is_comment_heading("Comments are welcome"), is_comment_heading("Home")
    (False, False)
    >>> is_comment_heading("Comments on the economy were made by many people in the week before the vote.")
    False
    """
    if not _has_heading_word(text):  # cheap gate: most lines have none of the words
        return False
    t = text.strip().strip(_HEADING_DECORATION).strip()
    if len(t.split()) > COMMENT_HEADING_MAX_WORDS or (t.endswith(".") and not t.endswith("...")):
        return False
    return bool(_HEADING.match(t))


@dataclass(frozen=True)
class Header:
    """What a comment's header line says: its author and/or date (frozen: parsed lines
    are cached and shared)."""

    author: str | None = None
    date: str | None = None


# The comment's number printed before its author: "1. Jane", "1\\. Jane" (Markdown), "#12 Jane".
_PRINTED_NUMBER = re.compile(r"^(?:#\d{1,4}|\d{1,4}\\?[.)])\s+")


def _clean_author(s: str) -> str | None:
    """The author's name from the part of a header line that holds it, or None.

    >>> _clean_author("Posted by: Jane Roe |"), _clean_author("1\\\\. SK"), _clean_author("Reply")
    ('Jane Roe', 'SK', None)
    """
    s = _PRINTED_NUMBER.sub("", s.strip()).strip(":|/·-–—,").strip()
    s = re.sub(r"^(?:by|from|posted by|comment by|reply by|written by)\s*:?\s+", "", s, flags=re.I)
    if not s or len(s) > MAX_AUTHOR_CHARS or len(s.split()) > MAX_AUTHOR_WORDS:
        return None
    if s.lower() in ("reply", "log in", "delete", "permalink", "said", "says"):
        return None
    return s


# --- header line forms ------------------------------------------------------------------
# Each parser reads one form of header line.  It answers a Header, None (not this form:
# try the next one), or NOT_A_HEADER (the line has this form's shape but is comment text:
# stop).  parse_header_line tries them in order.

class _Verdict(Enum):
    NOT_A_HEADER = "not a header"


NOT_A_HEADER = _Verdict.NOT_A_HEADER
Parsed = Header | None | _Verdict

HEADER_MAX_CHARS = 160
# Words after "Jane says:" (with no date among them) that make it the comment's own text.
SAYS_TEXT_MIN_WORDS = 7
# Words after a date that make "Name date words…" a sentence rather than a header.
DATE_TEXT_MIN_WORDS = 4
# A last word this short ending in "." is an initial ("JoAnn C."), not a sentence end.
INITIAL_MAX_CHARS = 2
_REPLY_SUFFIX = " reply:"


def _reply_form(t: str) -> Parsed:
    """The post's author answering inside a comment.

    >>> _reply_form("Everywhereist Reply:")
    Header(author='Everywhereist', date=None)
    >>> _reply_form("Permalink Reply:")
    <_Verdict.NOT_A_HEADER: 'not a header'>
    >>> _reply_form("Steph says:") is None
    True
    """
    if not t.lower().endswith(_REPLY_SUFFIX):
        return None
    author = _clean_author(t[: -len(_REPLY_SUFFIX)])
    return Header(author, None) if author else NOT_A_HEADER


def _on_said_form(t: str) -> Parsed:
    """A date first, the author and the verb after it.

    >>> _on_said_form("On September 4, 2012 at 10:25 am Steph said:")
    Header(author='Steph', date='2012-09-04')
    >>> _on_said_form("On the other hand, Steph said:") is None
    True
    """
    low = t.lower()
    if not low.startswith("on ") or _SAID_WORD.search(low) is None or not _ON_SAID.match(t):
        return None
    found = date_and_time_span(t)
    if found:
        iso, (s, e) = found
        author = _clean_author(_SAID_TAIL.sub("", t[e:]))
        if author:
            return Header(author, iso or t[s:e].strip())
    return None


def _says_form(t: str) -> Parsed:
    """The author and a verb, with a date before or after them.

    >>> _says_form("Steph says: September 4, 2012 at 10:25 am")
    Header(author='Steph', date='2012-09-04')
    >>> _says_form("09. Jul, 2012 / Courtney says:")
    Header(author='Courtney', date='2012-07-09')
    >>> _says_form("Anonymous said...")
    Header(author='Anonymous', date=None)
    >>> _says_form("Jane says: I think this is a very good idea for everyone")
    <_Verdict.NOT_A_HEADER: 'not a header'>
    """
    if _SAID_WORD.search(t.lower()) is None:
        return None
    m = _SAYS.match(t)
    if not m:
        return None
    pre, author, post = m.group("pre") or "", m.group("author"), (m.group("post") or "").strip()
    date = None
    for part in (pre, post, author):
        found = date_and_time_span(part) if part else None
        if found:
            iso, (s, e) = found
            date = iso or part[s:e].strip()
            if part is author:
                author = _SEP_EDGE.sub("", _SEP_EDGE.sub("", author[:s]) + " " + author[e:].strip())
            break
    if post and not date and len(post.split()) >= SAYS_TEXT_MIN_WORDS:
        return NOT_A_HEADER
    name = _clean_author(author)
    return Header(name, date) if name else None


def _dateline_form(t: str) -> Parsed:
    """A line that is only a date.

    >>> _dateline_form("September 4, 2012 at 10:25 am")
    Header(author=None, date='2012-09-04')
    >>> _dateline_form("Steph") is None
    True
    """
    if not is_dateline(t):
        return None
    d = date_and_time_span(t)
    return Header(None, (d[0] or t[d[1][0]:d[1][1]]) if d else t)


def _dated_name_form(t: str) -> Parsed:
    """A name and a date, in either order, with or without a separator.

    >>> _dated_name_form("Heather on October 23rd, 2012 1:37 pm")
    Header(author='Heather', date='2012-10-23')
    >>> _dated_name_form("Karl Fisch10/28/12 6:13 PM")
    Header(author='Karl Fisch', date='10/28/12 6:13 PM')
    >>> _dated_name_form("Smart Company Software09-07-2012")
    Header(author='Smart Company Software', date='09-07-2012')
    >>> _dated_name_form("May 4, 2012 - Jane")
    Header(author='Jane', date='2012-05-04')
    >>> _dated_name_form("Alan Wexelblat August 2nd, 2012 at 1:47 pm | Permalink")
    Header(author='Alan Wexelblat', date='2012-08-02')
    >>> _dated_name_form("Sabrina at October 11, 2012 7:45 AM [#]")  # a bracketed permalink
    Header(author='Sabrina', date='2012-10-11')
    >>> _dated_name_form("Posted 10/18/2012 at 2:57 pm | Permalink")
    Header(author=None, date='10/18/2012 at 2:57 pm')
    >>> _dated_name_form("I agree. May 4, 2012") is None
    True
    """
    found = date_and_time_span(t)
    if not found:
        return None
    iso, (s, e) = found
    before, after = _SEP_EDGE.sub("", t[:s]), _SEP_EDGE.sub("", t[e:])
    if before and after and len(after.split()) >= DATE_TEXT_MIN_WORDS:
        return None
    if after and _ACTION_TAIL.match(after):
        after = ""  # "Jane Doe May 4, 2012 at 1:47 pm | Permalink"
        if not before:  # "Posted May 4, 2012 at 1:47 pm | Permalink": the date alone
            return Header(None, iso or t[s:e].strip())
    name = before or after
    author = _clean_author(name) if name and not (before and after) else None
    if author and not _ends_sentence(name):
        return Header(author, iso or t[s:e].strip())
    return None


_HEADER_FORMS = (_reply_form, _on_said_form, _says_form, _dateline_form, _dated_name_form)


@lru_cache(maxsize=65536)
def parse_header_line(text: str) -> Header | None:
    """Author and/or date from one comment header line, or None if it is not one.

    >>> parse_header_line("  Posted by: Jane Roe | 09/21/2012 at 09:38 PM")
    Header(author='Jane Roe', date='09/21/2012 at 09:38 PM')
    >>> parse_header_line("The senator says the bill will pass next week after a long debate.") is None
    True
    """
    t = text.strip()
    if not t or len(t) > HEADER_MAX_CHARS:
        return None
    for form in _HEADER_FORMS:
        h = form(t)
        if h is NOT_A_HEADER:
            return None
        if isinstance(h, Header):
            return h
    return None


_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+$")


def _ends_sentence(name: str) -> bool:
    """'JoAnn C.' and 'B.R.' end with initials, 'I agree.' with a sentence.

    >>> _ends_sentence("JoAnn C."), _ends_sentence("B.R."), _ends_sentence("I agree."), _ends_sentence("Wow!")
    (False, False, True, True)
    """
    last = name.split()[-1]
    return name.endswith(("!", "?")) or (name.endswith(".") and len(last) > INITIAL_MAX_CHARS
                                         and not _INITIALS.match(last))


def _item_words(item: Item) -> int:
    return sum(ln.words for ln in item.lines)


_ITEM_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*$")
_EXCERPT_END = re.compile(r"(?:\.\.\.|…)\s*(?:\[?(?:more|read more)\]?)?$", re.I)
# Without any comment furniture, a closing list counts as comments only if its items
# read as prose: sentences, not headlines.
PROSE_ITEM_WORDS = 15


def _most(count: int, n: int) -> bool:
    """At least half of ``n`` (and at least one).

    >>> _most(2, 4), _most(1, 3), _most(0, 1), _most(1, 1)
    (True, False, False, True)
    """
    return count >= max(1, n / 2)


def _half_down(n: int) -> int:
    """Half of ``n`` items, rounded down, but at least one: how many must show a trait
    for "most items" to have it (one header in a three-item list is enough).

    >>> [_half_down(n) for n in (1, 2, 3, 4, 5)]
    [1, 1, 1, 2, 2]
    """
    return max(1, n // 2)


def _half_up(n: int) -> int:
    """Half of ``n`` items, rounded up, but at least one.

    >>> [_half_up(n) for n in (1, 2, 3, 4, 5)]
    [1, 1, 2, 2, 3]
    """
    return max(1, (n + 1) // 2)


def _prose_items(items: list[Item]) -> bool:
    sentence = sum(1 for it in items if any(_ITEM_SENTENCE_END.search(ln.text) for ln in it.lines)
                   and len({ln.norm for ln in it.lines}) == len(it.lines))
    words = sum(_item_words(it) for it in items) / max(1, len(items))
    return _most(sentence, len(items)) and words >= PROSE_ITEM_WORDS


# Evidence weights (see thread_evidence).
HEADING_EVIDENCE = 3         # a comment-section heading just before the list
HEADER_EVIDENCE = 3          # most items open with a header line
ACTION_EVIDENCE = 3          # most items hold a per-comment action link
SHORT_ITEMS_PENALTY = 4      # most items too short for comments
NESTED_EVIDENCE = 1          # nested items (replies) beside long items
CLOSING_PROSE_EVIDENCE = 3   # a list of prose items that closes the page
TRUNCATED_PENALTY = 4        # most items cut off with an ellipsis
# A comment's header takes at most its first two non-blank lines ("Jane" / "May 4, 2012").
HEADER_MAX_LINES = 2


def thread_evidence(items: list[Item], heading_before: bool, closes_page: bool,
                    is_action: IsAction) -> int:
    """Score how much a run of sibling list items looks like a comment thread."""
    score = HEADING_EVIDENCE if heading_before else 0
    headers = actions = long_items = 0
    for it in items:
        first = [ln for ln in it.lines if not ln.blank][:HEADER_MAX_LINES]
        if any(opens_with_header(ln.body) for ln in first):
            headers += 1
        if any((r := is_action(ln)) is not None and r.category == "comment-action" for ln in it.all_lines()):
            actions += 1  # per-comment links (Reply, Report); not counts like "12 Comments"
        if _item_words(it) >= MIN_COMMENT_WORDS:
            long_items += 1
    n = len(items)
    if headers >= _half_down(n):
        score += HEADER_EVIDENCE
    if actions >= _half_down(n):
        score += ACTION_EVIDENCE
    # Short comments ("Great post!") still make a thread where each carries both a header
    # and an action link: article and widget lists show neither.
    if long_items < _half_up(n) and not (headers >= _half_down(n) and actions >= _half_down(n)):
        score -= SHORT_ITEMS_PENALTY
    if any(c for it in items for c in it.children) and long_items:
        score += NESTED_EVIDENCE
    if closes_page and long_items == n and _prose_items(items):
        score += CLOSING_PROSE_EVIDENCE
    # "Recent comments" widgets show excerpts cut off with an ellipsis.
    truncated = sum(1 for it in items if it.all_lines() and _EXCERPT_END.search(it.all_lines()[-1].text))
    if _most(truncated, n):
        score -= TRUNCATED_PENALTY
    return score


@dataclass
class ThreadResult:
    comments: list[Comment]
    removals: list[Removal]
    owned: set[int]


def _text_of(ln: Unit) -> str:
    return ln.body if ln.marker else ln.text


# A header on the comment's first line, before its text, ends within this many characters.
PREFIX_MAX_CHARS = 120
_PREFIX_GAP = re.compile(r"[\s|·:,–—-]*")


@lru_cache(maxsize=65536)
def header_prefix(text: str) -> tuple[Header, int] | None:
    """A header printed on one line with the start of the comment's text: the header, and
    where the text starts.  Only a name, then a date with a clock time, count: a date
    alone opens many sentences.

    >>> header_prefix("Barry Joseph September 27th, 2012 at 11:01 pm danah, That was brilliant.")
    (Header(author='Barry Joseph', date='2012-09-27'), 46)
    >>> header_prefix("Yesterday, October 1st, 2012, we went to the shop.") is None
    True
    >>> header_prefix("Heather on October 23rd, 2012 1:37 pm") is None  # a whole header line
    True
    """
    if parse_header_line(text) is not None:
        return None
    found = date_and_time_span(text[:PREFIX_MAX_CHARS])
    if not found:
        return None
    iso, (s, e) = found
    name = _SEP_EDGE.sub("", text[:s])
    if (not text[e:].strip() or not TIME_RE.search(text[s:e]) or not name or not _NAME_ONLY.match(name)
            or _ends_sentence(name)):
        return None
    author = _clean_author(name)
    if author is None:
        return None
    gap = _PREFIX_GAP.match(text, e)
    return Header(author, iso or text[s:e].strip()), gap.end() if gap is not None else e


def is_action_line(text: str) -> bool:
    """Whether a line is a per-comment action link by the bundled rules ("Reply",
    "ReplyDelete", "Report comment"): where a comment printed at a list's margin ends.

    >>> is_action_line("Reply"), is_action_line("Report comment"), is_action_line("I will reply to all of you soon.")
    (True, True, False)
    """
    r = default_rules().match(normalise(text), "comments")
    return r is not None and r.category == "comment-action" and r.action == "drop"


def opens_with_header(text: str) -> bool:
    """A header line, or a header printed before the comment's text on one line."""
    return parse_header_line(text) is not None or header_prefix(text) is not None


@dataclass(frozen=True)
class ItemHeader:
    """A comment item's header: the units it takes, and the characters it takes from the
    start of the next unit's text (a header printed on the text's first line)."""

    header: Header
    lines: int = 0
    cut: int = 0

    @property
    def headed(self) -> bool:
        return self.lines > 0 or self.cut > 0


def item_header(own: list[Unit], is_action: IsAction) -> ItemHeader:
    """The author/date header at the top of a comment item, and how much of it it takes."""
    if (len(own) >= 2 and _NAME_ONLY.match(_text_of(own[0]))
            and parse_header_line(_text_of(own[0])) is None):
        h2 = parse_header_line(own[1].text)
        if h2 is not None and h2.date:
            # "Jane Doe" on one line, "May 4, 2012 at 1:37 pm" (or the name again with the
            # date, "Jane DoeMay 4, 2012": a name link above the dated byline) on the next.
            name = _clean_author(_text_of(own[0]))
            if h2.author is None or (name and h2.author.casefold() == name.casefold()):
                return ItemHeader(Header(name, h2.date), 2)
    author = date = None
    idx = 0
    while idx < min(HEADER_MAX_LINES, len(own)):
        ln = own[idx]
        h = parse_header_line(_text_of(ln))
        if h is None or is_action(ln) or (h.author and author):
            break
        author = author or h.author
        date = date or h.date
        idx += 1
        if author and date:  # a second line only completes the first
            break
    if idx == 0 and own and is_action(own[0]) is None:
        prefix = header_prefix(_text_of(own[0]))
        if prefix is not None:
            return ItemHeader(prefix[0], 0, prefix[1])
    return ItemHeader(Header(author, date), idx)


# Share of top-level comments with a header line above which nested lists without one are
# taken as lists inside the comment, not replies.
HEADED_THREAD_SHARE = 0.5
HEADER_EVIDENCE_TEXT = "comment header: author/date"


def _section_end(items: list[Item], is_end: IsEnd | None) -> int | None:
    """The first unit of the items that closes the comment section, if any."""
    if is_end is None:
        return None
    for ln in sorted((ln for it in items for ln in it.all_lines()), key=lambda ln: ln.no):
        if not ln.blank and is_end(ln):
            return ln.no
    return None


class _ThreadBuilder:
    """Comments from the items of one thread, with the removals they make and the units
    they own (see :func:`build_thread`)."""

    def __init__(self, is_action: IsAction, header_rule: str, cut_at: int | None, next_id: int):
        self.is_action, self.header_rule, self.cut_at, self.next_id = is_action, header_rule, cut_at, next_id
        self.comments: list[Comment] = []
        self.removals: list[Removal] = []
        self.owned: set[int] = set()
        self.headed_thread = False

    def _kept(self, lines: list[Unit]) -> list[Unit]:
        return [ln for ln in lines if not ln.blank and (self.cut_at is None or ln.no < self.cut_at)]

    def own_lines(self, item: Item) -> list[Unit]:
        return self._kept(item.lines)

    def _header_removals(self, lines: list[Unit]) -> None:
        self.removals.extend(Removal(self.header_rule, "metadata", ln.no, ln.text, HEADER_EVIDENCE_TEXT)
                             for ln in lines)

    def _body_and_replies(self, item: Item, body: list[Unit]) -> tuple[list[Unit], list[Item]]:
        """In a thread whose comments carry headers, a nested list without one is a list
        the commenter wrote: its lines join the body; the other nested items are replies."""
        if not self.headed_thread:
            return body, item.children
        inline = [c for c in item.children if not item_header(self.own_lines(c), self.is_action).headed]
        replies = [c for c in item.children if c not in inline]
        for c in inline:
            extra = self._kept(c.all_lines())
            body = sorted(body + extra, key=lambda ln: ln.no)
            self.owned.update(ln.no for ln in extra)
        return body, replies

    def add_item(self, item: Item, parent: Comment | None, depth: int) -> tuple[Comment | None, list[Item]]:
        """The item's comment (None if it has no text) and the replies to read under it."""
        own = self.own_lines(item)
        ih = item_header(own, self.is_action)
        idx = ih.lines
        body, replies = self._body_and_replies(item, own[idx:])
        self._header_removals(own[:idx])
        cut = (own[0].no, ih.cut) if ih.cut else None
        if cut is not None:
            self.removals.append(Removal(self.header_rule, "metadata", own[0].no, _text_of(own[0])[:ih.cut].strip(),
                                         HEADER_EVIDENCE_TEXT, partial=True))
        self.owned.update(ln.no for ln in own)
        if not own:
            return None, []
        comment = None
        # "Jane Reply:" / "Jane says:" after a comment's Reply link, at the same indentation:
        # some themes print replies inside their parent's list item.
        for k, (seg_header, seg_lines, seg_header_lines) in enumerate(_split_inline_replies(body, self.is_action)):
            self._header_removals(seg_header_lines)
            first = k == 0
            made = _make_comment(seg_lines, ih.header if first else seg_header, self.is_action, self.removals,
                                 f"c{self.next_id + len(self.comments)}",
                                 parent if first else (comment or parent),
                                 depth if first else (depth + 1 if comment else depth),
                                 item.marker_line.number if first else None,
                                 own[0].no if first else None, cut)
            if made is not None:
                self.comments.append(made)
                if first:
                    comment = made
        return comment, [c for c in replies if self.cut_at is None or c.marker_line.no < self.cut_at]


def build_thread(items: list[Item], next_id: int, is_action: IsAction, header_rule: str = "comment.header",
                 is_end: IsEnd | None = None) -> ThreadResult:
    """Turn a run of top-level list items (and their nested items) into comments.

    Iterative (no recursion), so a thread nested hundreds of levels deep is fine.
    ``is_end(line)`` marks a line that closes the comment section (a comment form, a
    footer, a widget heading): it and everything after it are left to the page, because
    renderers often indent the rest of the page under the last comment.
    """
    cut_at = _section_end(items, is_end)
    if cut_at is not None:
        items = [it for it in items if it.marker_line.no < cut_at]
    b = _ThreadBuilder(is_action, header_rule, cut_at, next_id)
    headed = sum(1 for it in items if item_header(b.own_lines(it), is_action).headed)
    b.headed_thread = headed >= HEADED_THREAD_SHARE * len(items)
    stack: list[tuple[Item, Comment | None, int]] = [(it, None, 0) for it in reversed(items)]
    while stack:
        item, parent, depth = stack.pop()
        comment, replies = b.add_item(item, parent, depth)
        for child in reversed(replies):
            stack.append((child, comment or parent, depth + 1 if comment else depth))
    return ThreadResult(b.comments, b.removals, b.owned)


def _split_inline_replies(body: list[Unit], is_action: IsAction) -> list[tuple[Header, list[Unit], list[Unit]]]:
    """Split a comment's lines where a header line follows an action link (an inline reply).

    Returns (header, lines, header lines) per segment; the first segment's header is the
    item's own (already parsed by the caller) and comes back empty.
    """
    segments: list[tuple[Header, list[Unit], list[Unit]]] = [(Header(), [], [])]
    prev_action = False
    k = 0
    while k < len(body):
        ln = body[k]
        if prev_action and is_action(ln) is None:
            ih = item_header(body[k:], is_action)
            h, taken = ih.header, ih.lines
            if taken and h.author:
                segments.append((h, [], body[k:k + taken]))
                k += taken
                prev_action = False
                continue
        segments[-1][1].append(ln)
        prev_action = is_action(ln) is not None
        k += 1
    return segments


def _make_comment(lines: list[Unit], header: Header, is_action: IsAction, removals: list[Removal], cid: str,
                  parent: Comment | None, depth: int, n: int | None, first_no: int | None,
                  cut: tuple[int, int] | None = None) -> Comment | None:
    """A Comment from its body lines (action links become removals), or None if no text.
    ``cut`` (unit number, characters) is a header printed before the text of that unit."""
    content: list[Unit] = []
    for ln in lines:
        rule = is_action(ln)
        if rule is not None:
            removals.append(Removal(rule.id, rule.category, ln.no, ln.text,
                                    "comment action link inside a comment"))
        else:
            content.append(ln)
    if not content:
        return None
    paragraphs = _paragraphs(content, cut)
    first = first_no if first_no is not None else min(ln.no for ln in lines)
    return Comment(
        id=cid, parent=parent.id if parent else None, depth=depth, n=n, author=header.author,
        date=header.date, paragraphs=paragraphs, lines=(first, max(ln.no for ln in lines)),
        source_lines=tuple(ln.no for ln in content), kind=_kind(paragraphs))


def _paragraphs(content: list[Unit], cut: tuple[int, int] | None = None,
                suffix: tuple[int, int] | None = None) -> list[str]:
    """A comment's text lines as paragraphs: a gap (blank lines, a removed action line, a
    reply) ends a paragraph; hard-wrapped lines are joined.  ``cut``: see _make_comment;
    ``suffix`` (unit number, characters): a header printed after the text of that unit."""
    paragraphs: list[str] = []
    cur: list[str] = []
    prev_no = None
    for ln in content:
        if prev_no is not None and ln.no > prev_no + 1:
            paragraphs.append(" ".join(cur))
            cur = []
        text = _text_of(ln)
        if suffix is not None and ln.no == suffix[0]:
            text = text[:suffix[1]].rstrip()
        cur.append(text[cut[1]:] if cut is not None and ln.no == cut[0] else text)
        prev_no = ln.no
    paragraphs.append(" ".join(cur))
    return paragraphs


# A pingback is a short automatic notice naming itself near its start.
PINGBACK_SCAN_CHARS = 200
PINGBACK_MAX_WORDS = 60


def _kind(paragraphs: list[str]) -> str:
    """'pingback' for a short automatic trackback notice, else 'comment'.

    >>> _kind(["Pingback: Ten things I learned this week | Some Blog"]), _kind(["Great post!"])
    ('pingback', 'comment')
    """
    text = " ".join(paragraphs)
    return "pingback" if _PINGBACK.search(text[:PINGBACK_SCAN_CHARS]) and len(text.split()) < PINGBACK_MAX_WORDS \
        else "comment"


# --- comments printed as plain lines ------------------------------------------------------
# Footer-style headers print the author after the comment text (TypePad, Movable Type).
_FOOTER_HEADER = re.compile(r"^(?:posted by|written by|comment by|by)\b", re.I)
_NUMBER_LINE = re.compile(r"^#?\d{1,4}\.?$")
FLAT_MIN_HEADERS = 2
# A header wrapped over two lines leaves at most this many words on the second one
# ("Posted by: Jane at November 8," / "2012 7:12 AM").
WRAPPED_HEADER_MAX_WORDS = 5
# (first body line, last body line, header, first header line, header lines, where the
# header starts in that line's text), as indices into the lines.  A header printed at the
# end of the comment's last line takes no line of its own (0 lines).
_Bounds = tuple[int, int, Header, int, int, int]
_FlatHeader = tuple[int, Header, int, int]  # (line index, header, lines it takes, start)
# A footer header run into the end of the comment's text (html2text joins the blocks):
# "… every day ... Posted by: kingsnake at November 8, 2012 7:22 AM".
_FOOTER_INLINE = re.compile(r"\b(?:posted by|written by|comment by)\b", re.I)


def footer_suffix(text: str) -> tuple[Header, int] | None:
    """A footer header (author and date) that ends a line of comment text, and where it
    starts.

    >>> footer_suffix("Sitting in traffic costs me 8 macromorts ... Posted by: kingsnake at November 8, 2012 7:22 AM")
    (Header(author='kingsnake', date='2012-11-08'), 45)
    >>> footer_suffix("Posted by: kingsnake at November 8, 2012 7:22 AM") is None  # a whole header line
    True
    >>> footer_suffix("The photo was posted by my sister on May 4, 2012 and we all saw it.") is None
    True
    """
    starts = [m.start() for m in _FOOTER_INLINE.finditer(text)]
    if not starts or not text[:starts[-1]].strip():
        return None
    h = parse_header_line(text[starts[-1]:])
    if h is None or not h.author or not h.date:
        return None
    return h, starts[-1]


_TIME_ONLY = re.compile(r"^(?:\d{1,2}[:.]\d\d(?::\d\d)?\s*)?(?:[ap]\.?m\.?)?$", re.I)


def wrapped_header(first: str, second: str) -> Header | None:
    """A header with an author and a date wrapped over two lines: the first line alone is
    no such header, or the second holds only the rest of its clock time.

    >>> wrapped_header("Posted by: Snarki, child of Loki at", "November 8, 2012 7:12 AM")
    Header(author='Snarki, child of Loki', date='2012-11-08')
    >>> wrapped_header("Posted by: kingsnake at November 8, 2012", "7:22 AM")
    Header(author='kingsnake', date='2012-11-08')
    >>> wrapped_header("Posted by: Andy at November 8, 2012 7:30", "AM")
    Header(author='Andy', date='2012-11-08')
    >>> wrapped_header("Posted by: Andy at November 8, 2012 7:30 AM", "Great post!") is None
    True
    >>> wrapped_header("Jane says:", "I agree with every word.") is None
    True
    """
    if len(second.split()) > WRAPPED_HEADER_MAX_WORDS:
        return None
    alone = parse_header_line(first)
    if alone is not None and alone.author and alone.date and not _TIME_ONLY.match(second.strip()):
        return None
    joined = parse_header_line(first + " " + second)
    if joined is None or not joined.author or not joined.date:
        return None
    return joined


def _flat_headers(lines: list[Unit], is_action: IsAction, is_end: IsEnd) -> tuple[list[Unit], list[_FlatHeader]]:
    """The lines up to the end of the comment section, and the header lines among them."""
    headers: list[_FlatHeader] = []
    skip = -1
    for k, ln in enumerate(lines):
        if is_end(ln):
            lines = lines[:k]
            break
        if k <= skip:
            continue
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        if nxt is not None and nxt.no == ln.no + 1 and not is_action(ln) and not is_end(nxt):
            wrapped = wrapped_header(ln.text, nxt.text)
            if wrapped is not None:
                headers.append((k, wrapped, 2, 0))
                skip = k + 1
                continue
        h = parse_header_line(ln.text)
        if h is not None and (h.author or h.date) and not is_action(ln):
            headers.append((k, h, 1, 0))
        elif h is None and not is_action(ln) and (tail := footer_suffix(ln.text)) is not None:
            headers.append((k, tail[0], 0, tail[1]))
    return lines, headers


def _flat_bounds(lines: list[Unit], headers: list[_FlatHeader]) -> list[_Bounds]:
    """Each comment's lines: after its header, or before it where headers are footers."""
    footer_style = sum(1 for k, _, _, cut in headers if _FOOTER_HEADER.match(lines[k].text[cut:])) > len(headers) / 2
    bounds: list[_Bounds] = []
    if footer_style:
        prev = -1
        for k, h, n, cut in headers:
            bounds.append((prev + 1, k - 1 if n else k, h, k, n, cut))
            prev = k + n - 1 if n else k
    else:
        headers = [fh for fh in headers if fh[2]]  # a header ending a text line is a footer
        for i, (k, h, n, cut) in enumerate(headers):
            end = headers[i + 1][0] - 1 if i + 1 < len(headers) else len(lines) - 1
            bounds.append((k + n, end, h, k, n, cut))
    return bounds


def _printed_numbers(lines: list[Unit], bounds: list[_Bounds]) -> dict[int, int]:
    """Header line index -> the comment number printed on the line above it."""
    numbers = {}
    for _, _, _, hk, _, _ in bounds:
        if hk > 0 and _NUMBER_LINE.match(lines[hk - 1].text):
            numbers[hk] = int(lines[hk - 1].text.strip("#. "))
    return numbers


def _flat_text(body: list[Unit], header: Header, is_action: IsAction, out: ThreadResult) -> list[Unit]:
    """A plain-line comment's text lines; its action links, number lines and an echo of
    the author's name become removals."""
    text_lines = []
    for ln in body:
        rule = is_action(ln)
        if rule is not None:
            out.removals.append(Removal(rule.id, rule.category, ln.no, ln.text, "comment action link"))
        elif _NUMBER_LINE.match(ln.text):
            out.removals.append(Removal("comment.number", "metadata", ln.no, ln.text, "printed comment number"))
        elif ln.kind == "rule":
            out.removals.append(Removal("comment.separator", "metadata", ln.no, ln.text,
                                        "horizontal rule between comments"))
        else:
            text_lines.append(ln)
        out.owned.add(ln.no)
    # Some templates print the author's name on a line of its own above the text too.
    if text_lines and header.author and text_lines[0].text.strip().lower() == header.author.lower():
        echo = text_lines.pop(0)
        out.removals.append(Removal("comment.author-echo", "metadata", echo.no, echo.text,
                                    "the comment author's name printed above the text"))
    return text_lines


def build_flat_thread(lines: list[Unit], next_id: int, is_action: IsAction, is_end: IsEnd) -> ThreadResult | None:
    """Comments printed as plain lines: header, text, header, text... (or text, footer).

    ``lines`` are the non-blank top-level lines after the article; ``is_end(line)`` says
    a line closes the comment section (a comment form, a footer).
    """
    lines, headers = _flat_headers(lines, is_action, is_end)
    if len(headers) < FLAT_MIN_HEADERS:
        return None
    bounds = _flat_bounds(lines, headers)
    out = ThreadResult([], [], set())
    # Themes that number only top-level comments print replies without a number: when
    # some headers are preceded by a number line and others are not, the others are replies
    # to the last numbered comment.
    numbers = _printed_numbers(lines, bounds)
    numbered = len(numbers) >= FLAT_MIN_HEADERS and len(numbers) < len(bounds)
    last_top: Comment | None = None
    for start, end, h, hk, n, cut in bounds:
        text_lines = _flat_text(lines[start:end + 1], h, is_action, out)
        hl = lines[hk]
        for ln in lines[hk:hk + n]:
            out.removals.append(Removal("comment.header", "metadata", ln.no, ln.text, HEADER_EVIDENCE_TEXT))
            out.owned.add(ln.no)
        if not n:
            out.removals.append(Removal("comment.header", "metadata", hl.no, hl.text[cut:], HEADER_EVIDENCE_TEXT,
                                        partial=True))
            out.owned.add(hl.no)
        if not text_lines:
            # Blogger's classic layout prints "Jane said..." above the text and the date
            # below it: a date-only line closes the comment before it.
            if h.author is None and h.date and out.comments and out.comments[-1].date is None:
                out.comments[-1].date = h.date
            continue
        paragraphs = _paragraphs(text_lines, suffix=(hl.no, cut) if not n else None)
        reply_to = last_top if numbered and hk not in numbers else None
        comment = Comment(
            id=f"c{next_id + len(out.comments)}", parent=reply_to.id if reply_to else None,
            depth=1 if reply_to else 0, n=numbers.get(hk), author=h.author,
            date=h.date, paragraphs=paragraphs,
            lines=(min(hl.no, text_lines[0].no), max(lines[hk + max(n, 1) - 1].no, text_lines[-1].no)),
            source_lines=tuple(ln.no for ln in text_lines), kind=_kind(paragraphs))
        out.comments.append(comment)
        if reply_to is None:
            last_top = comment
    return out
