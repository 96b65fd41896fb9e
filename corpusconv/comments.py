"""Comment threads: which lists are threads, and each comment's author, date, text, depth.

Renderers print a comment section as a list: top-level comments are items (``1.`` or
``•``), replies are items nested deeper.  A list is taken as a thread on evidence that
real comment sections share and article lists do not: per-comment header lines
(``Steph says:``, ``Anonymous said...``, ``On May 4, 2012 at 10:25 am Steph said:``),
per-comment action links (``Reply``, ``Report comment``), a comment-section heading just
before the list (``12 Comments``, ``3 thoughts on “…”``), or, with no such furniture, a
list of long prose items that closes the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .dates import date_and_time_span, is_dateline
from .units import Item, Unit
from .model import Comment, Removal
from .rules import Rule, lower_matches_like_ignorecase

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
_ACTION_TAIL = re.compile(r"^(?:#\d*|permalink|reply|link|edit|quote|report)(?:\W+(?:permalink|reply|link|edit|quote|report))*\W*$", re.I)
# A line that is only a name: "broper", "Jane Doe" (the date follows on the next line).
_NAME_ONLY = re.compile(r"^[\w.@'’-]+(?:\s[\w.@'’-]+){0,3}$")
# Separators and joining words between an author and a date in a header line.
_SEP_EDGE = re.compile(r"^[\s/|·,:–—-]+|(?:[\s/|·,:–—-]|\b(?:on|at|posted|by)\b)+$", re.I)
_PINGBACK = re.compile(r"\b(?:pingback|trackback)\b", re.I)


HEADING_MAX_WORDS = 25


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


@lru_cache(maxsize=65536)
def is_comment_heading(text: str) -> bool:
    """A comment-section heading: '12 Comments', 'Comments (87)', '3 thoughts on “X”'."""
    if not _has_heading_word(text):  # cheap gate: most lines have none of the words
        return False
    t = text.strip().strip(":").strip()
    if len(t.split()) > HEADING_MAX_WORDS or (t.endswith(".") and not t.endswith("...")):
        return False
    return bool(_HEADING.match(t))


@dataclass
class Header:
    author: str | None = None
    date: str | None = None
    lines: list[int] = field(default_factory=list)


def _clean_author(s: str) -> str | None:
    s = s.strip().strip(":|/·-–—,").strip()
    s = re.sub(r"^(?:by|from|posted by|comment by|reply by|written by)\s*:?\s+", "", s, flags=re.I)
    if not s or len(s) > MAX_AUTHOR_CHARS or len(s.split()) > MAX_AUTHOR_WORDS:
        return None
    if s.lower() in ("reply", "log in", "delete", "permalink", "said", "says"):
        return None
    return s


@lru_cache(maxsize=65536)
def parse_header_line(text: str) -> Header | None:
    """Author and/or date from one comment header line, or None if it is not one."""
    t = text.strip()
    if not t or len(t) > 160:
        return None
    low = t.lower()
    if low.endswith(" reply:"):  # "Everywhereist Reply:" (the author answering inline)
        author = _clean_author(t[: -len(" reply:")])
        return Header(author, None) if author else None
    said = _SAID_WORD.search(low) is not None  # cheap gate before the backtracking patterns
    m = _ON_SAID.match(t) if said and low.startswith("on ") else None
    if m:
        found = date_and_time_span(t)
        if found:
            iso, (s, e) = found
            author = _clean_author(_SAID_TAIL.sub("", t[e:]))
            if author:
                return Header(author, iso or t[s:e].strip())
    m = _SAYS.match(t) if said else None
    if m:
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
        if post and not date and len(post.split()) > 6:
            return None
        author = _clean_author(author)
        if author:
            return Header(author, date)
    if is_dateline(t):
        d = date_and_time_span(t)
        return Header(None, (d[0] or t[d[1][0]:d[1][1]]) if d else t)
    found = date_and_time_span(t)
    if found:
        iso, (s, e) = found
        before, after = _SEP_EDGE.sub("", t[:s]), _SEP_EDGE.sub("", t[e:])
        # "Karl Fisch10/28/12 6:13 PM", "Jane | May 4, 2012", "May 4, 2012 - Jane"
        name = before or after
        if before and after and len(after.split()) > 3:
            return None
        if before and after and _ACTION_TAIL.match(after):
            after = ""  # "Jane Doe May 4, 2012 at 1:47 pm | Permalink"
        if name and not (before and after) and _clean_author(name) and not _ends_sentence(name):
            return Header(_clean_author(name), iso or t[s:e].strip())
    return None


def _ends_sentence(name: str) -> bool:
    """'JoAnn C.' ends with an initial, 'I agree.' with a sentence."""
    last = name.split()[-1]
    return name.endswith(("!", "?")) or (name.endswith(".") and len(last) > 2)


def _item_words(item: Item) -> int:
    return sum(ln.words for ln in item.lines)


_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*$")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)\s*(?:\[?(?:more|read more)\]?)?$", re.I)
# Without any comment furniture, a closing list counts as comments only if its items
# read as prose: sentences, not headlines.
PROSE_ITEM_WORDS = 15


def _prose_items(items: list[Item]) -> bool:
    sentence = sum(1 for it in items if any(_SENTENCE_END.search(ln.text) for ln in it.lines)
                   and len({ln.norm for ln in it.lines}) == len(it.lines))
    words = sum(_item_words(it) for it in items) / max(1, len(items))
    return sentence * 2 >= len(items) and words >= PROSE_ITEM_WORDS


def thread_evidence(items: list[Item], heading_before: bool, closes_page: bool,
                    is_action) -> int:
    """Score how much a run of sibling list items looks like a comment thread."""
    score = 3 if heading_before else 0
    headers = actions = long_items = 0
    for it in items:
        first = [ln for ln in it.lines if not ln.blank][:2]
        if any(parse_header_line(ln.body) for ln in first):
            headers += 1
        if any((r := is_action(ln)) is not None and r.category == "comment-action" for ln in it.all_lines()):
            actions += 1  # per-comment links (Reply, Report); not counts like "12 Comments"
        if _item_words(it) >= MIN_COMMENT_WORDS:
            long_items += 1
    n = len(items)
    if headers >= max(1, n // 2):
        score += 3
    if actions >= max(1, n // 2):
        score += 3
    if long_items < max(1, (n + 1) // 2):
        score -= 4
    if any(c for it in items for c in it.children) and long_items:
        score += 1
    if closes_page and long_items == n and _prose_items(items):
        score += 3
    # "Recent comments" widgets show excerpts cut off with an ellipsis.
    truncated = sum(1 for it in items if it.all_lines() and _TRUNCATED.search(it.all_lines()[-1].text))
    if truncated * 2 >= n:
        score -= 4
    return score


@dataclass
class ThreadResult:
    comments: list[Comment]
    removals: list[Removal]
    owned: set[int]


def _text_of(ln: Unit) -> str:
    return ln.body if ln.marker else ln.text


def item_header(own: list[Unit], is_action) -> tuple[Header, int]:
    """The author/date header at the top of a comment item, and how many lines it takes."""
    header = Header()
    if (len(own) >= 2 and _NAME_ONLY.match(_text_of(own[0]))
            and parse_header_line(_text_of(own[0])) is None):
        h2 = parse_header_line(own[1].text)
        if h2 is not None and h2.author is None and h2.date:
            # "Jane Doe" on one line, "May 4, 2012 at 1:37 pm" on the next.
            header.author, header.date = _clean_author(_text_of(own[0])), h2.date
            header.lines += [own[0].no, own[1].no]
            return header, 2
    idx = 0
    while idx < min(2, len(own)):
        ln = own[idx]
        h = parse_header_line(_text_of(ln))
        if h is None or is_action(ln) or (h.author and header.author):
            break
        header.author = header.author or h.author
        header.date = header.date or h.date
        header.lines.append(ln.no)
        idx += 1
        if header.author and header.date:  # a second line only completes the first
            break
    return header, idx


# Share of top-level comments with a header line above which nested lists without one are
# taken as lists inside the comment, not replies.
HEADED_THREAD_SHARE = 0.5


def build_thread(items: list[Item], next_id: int, is_action, header_rule: str = "comment.header",
                 is_end=None) -> ThreadResult:
    """Turn a run of top-level list items (and their nested items) into comments.

    Iterative (no recursion), so a thread nested hundreds of levels deep is fine.
    ``is_end(line)`` marks a line that closes the comment section (a comment form, a
    footer, a widget heading): it and everything after it are left to the page, because
    renderers often indent the rest of the page under the last comment.
    """
    cut_at = None
    if is_end is not None:
        for ln in sorted((ln for it in items for ln in it.all_lines()), key=lambda ln: ln.no):
            if not ln.blank and is_end(ln):
                cut_at = ln.no
                break
    if cut_at is not None:
        items = [it for it in items if it.marker_line.no < cut_at]
    comments: list[Comment] = []
    removals: list[Removal] = []
    owned: set[int] = set()

    def own_lines(item: Item) -> list[Unit]:
        return [ln for ln in item.lines if not ln.blank and (cut_at is None or ln.no < cut_at)]

    headed = sum(1 for it in items if item_header(own_lines(it), is_action)[1] > 0)
    headed_thread = headed >= HEADED_THREAD_SHARE * len(items)

    stack: list[tuple[Item, Comment | None, int]] = [(it, None, 0) for it in reversed(items)]
    while stack:
        item, parent, depth = stack.pop()
        own = own_lines(item)
        header, idx = item_header(own, is_action)
        body = own[idx:]
        replies = item.children
        if headed_thread:
            # In a thread whose comments carry headers, a nested list without one is a
            # list the commenter wrote.
            inline = [c for c in item.children if item_header(own_lines(c), is_action)[1] == 0]
            replies = [c for c in item.children if c not in inline]
            for c in inline:
                extra = [ln for ln in c.all_lines() if not ln.blank and (cut_at is None or ln.no < cut_at)]
                body = sorted(body + extra, key=lambda ln: ln.no)
                owned.update(ln.no for ln in extra)
        for ln in own[:idx]:
            removals.append(Removal(header_rule, "metadata", ln.no, ln.text, "comment header: author/date"))
        owned.update(ln.no for ln in own)
        if not own:
            continue
        comment = None
        # "Jane Reply:" / "Jane says:" after a comment's Reply link, at the same indentation:
        # some themes print replies inside their parent's list item.
        for k, (seg_header, seg_lines, seg_header_lines) in enumerate(_split_inline_replies(body, is_action)):
            for ln in seg_header_lines:
                removals.append(Removal(header_rule, "metadata", ln.no, ln.text, "comment header: author/date"))
            made = _make_comment(seg_lines, header if k == 0 else seg_header, is_action, removals,
                                 f"c{next_id + len(comments)}",
                                 (parent if k == 0 else (comment or parent)),
                                 depth if k == 0 else (depth + 1 if comment else depth),
                                 item.marker_line.number if k == 0 else None,
                                 own[0].no if k == 0 else None)
            if made is not None:
                comments.append(made)
                if k == 0:
                    comment = made
        for child in reversed([c for c in replies if cut_at is None or c.marker_line.no < cut_at]):
            stack.append((child, comment or parent, depth + 1 if comment else depth))
    return ThreadResult(comments, removals, owned)


def _split_inline_replies(body: list[Unit], is_action) -> list[tuple[Header, list[Unit], list[Unit]]]:
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
            h, taken = item_header(body[k:], is_action)
            if taken and h.author:
                segments.append((h, [], body[k:k + taken]))
                k += taken
                prev_action = False
                continue
        segments[-1][1].append(ln)
        prev_action = is_action(ln) is not None
        k += 1
    return segments


def _make_comment(lines: list[Unit], header: Header, is_action, removals: list[Removal], cid: str,
                  parent: Comment | None, depth: int, n: int | None, first_no: int | None) -> Comment | None:
    """A Comment from its body lines (action links become removals), or None if no text."""
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
    paragraphs = _paragraphs(content)
    first = first_no if first_no is not None else min(ln.no for ln in lines)
    return Comment(
        id=cid, parent=parent.id if parent else None, depth=depth, n=n, author=header.author,
        date=header.date, paragraphs=paragraphs, lines=(first, max(ln.no for ln in lines)),
        source_lines=tuple(ln.no for ln in content), kind=_kind(paragraphs))


def _paragraphs(content: list[Unit]) -> list[str]:
    """A comment's text lines as paragraphs: a gap (blank lines, a removed action line, a
    reply) ends a paragraph; hard-wrapped lines are joined."""
    paragraphs: list[str] = []
    cur: list[str] = []
    prev_no = None
    for ln in content:
        if prev_no is not None and ln.no > prev_no + 1:
            paragraphs.append(" ".join(cur))
            cur = []
        cur.append(_text_of(ln))
        prev_no = ln.no
    paragraphs.append(" ".join(cur))
    return paragraphs


def _kind(paragraphs: list[str]) -> str:
    """'pingback' for a short automatic trackback notice, else 'comment'."""
    text = " ".join(paragraphs)
    return "pingback" if _PINGBACK.search(text[:200]) and len(text.split()) < 60 else "comment"


# Footer-style headers print the author after the comment text (TypePad, Movable Type).
_FOOTER_HEADER = re.compile(r"^(?:posted by|written by|comment by|by)\b", re.I)
_NUMBER_LINE = re.compile(r"^#?\d{1,4}\.?$")
FLAT_MIN_HEADERS = 2


def build_flat_thread(lines: list[Unit], next_id: int, is_action, is_end) -> ThreadResult | None:
    """Comments printed as plain lines: header, text, header, text... (or text, footer).

    ``lines`` are the non-blank top-level lines after the article; ``is_end(line)`` says
    a line closes the comment section (a comment form, a footer).
    """
    headers = []
    for k, ln in enumerate(lines):
        if is_end(ln):
            lines = lines[:k]
            break
        h = parse_header_line(ln.text)
        if h is not None and (h.author or h.date) and not is_action(ln):
            headers.append((k, h))
    if len(headers) < FLAT_MIN_HEADERS:
        return None
    footer_style = sum(1 for k, _ in headers if _FOOTER_HEADER.match(lines[k].text)) > len(headers) / 2
    bounds = []
    if footer_style:
        prev = -1
        for k, h in headers:
            bounds.append((prev + 1, k - 1, h, k))
            prev = k
    else:
        for i, (k, h) in enumerate(headers):
            end = headers[i + 1][0] - 1 if i + 1 < len(headers) else len(lines) - 1
            bounds.append((k + 1, end, h, k))
    comments_out: list[Comment] = []
    removals: list[Removal] = []
    owned: set[int] = set()
    # Themes that number only top-level comments print replies without a number: when
    # some headers are preceded by a number line and others are not, the others are replies
    # to the last numbered comment.
    numbers = {}
    for _, _, _, hk in bounds:
        if hk > 0 and _NUMBER_LINE.match(lines[hk - 1].text):
            numbers[hk] = int(lines[hk - 1].text.strip("#. "))
    numbered = len(numbers) >= FLAT_MIN_HEADERS and len(numbers) < len(bounds)
    last_top: Comment | None = None
    for start, end, h, hk in bounds:
        body = lines[start:end + 1]
        text_lines = []
        for ln in body:
            rule = is_action(ln)
            if rule is not None:
                removals.append(Removal(rule.id, rule.category, ln.no, ln.text, "comment action link"))
            elif _NUMBER_LINE.match(ln.text):
                removals.append(Removal("comment.number", "metadata", ln.no, ln.text, "printed comment number"))
            else:
                text_lines.append(ln)
            owned.add(ln.no)
        hl = lines[hk]
        # Some templates print the author's name on a line of its own above the text too.
        if text_lines and h.author and text_lines[0].text.strip().lower() == h.author.lower():
            echo = text_lines.pop(0)
            removals.append(Removal("comment.author-echo", "metadata", echo.no, echo.text,
                                    "the comment author's name printed above the text"))
        removals.append(Removal("comment.header", "metadata", hl.no, hl.text, "comment header: author/date"))
        owned.add(hl.no)
        if not text_lines:
            # Blogger's classic layout prints "Jane said..." above the text and the date
            # below it: a date-only line closes the comment before it.
            if h.author is None and h.date and comments_out and comments_out[-1].date is None:
                comments_out[-1].date = h.date
            continue
        paragraphs = _paragraphs(text_lines)
        first = min(hl.no, text_lines[0].no)
        last = max(hl.no, text_lines[-1].no)
        reply = numbered and hk not in numbers and last_top is not None
        comment = Comment(
            id=f"c{next_id + len(comments_out)}", parent=last_top.id if reply else None,
            depth=1 if reply else 0, n=numbers.get(hk), author=h.author,
            date=h.date, paragraphs=paragraphs, lines=(first, last),
            source_lines=tuple(ln.no for ln in text_lines), kind=_kind(paragraphs))
        comments_out.append(comment)
        if not reply:
            last_top = comment
    return ThreadResult(comments_out, removals, owned)
