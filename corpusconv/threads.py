"""Where a page's comment threads are: which lists are threads, and plain-line threads.

:mod:`corpusconv.comments` knows what a comment looks like (a heading, a header line, an
item's author and text); this module finds the threads on a page:

1. the runs of sibling list items (:func:`sibling_runs`), scored with
   :func:`comments.thread_evidence`; a run with enough evidence is a thread, minus
   headless widgets at its edges (:func:`trim_headless_edges`), unless most of the page's
   prose is still to come after it (:data:`LEADS_PROSE_RATIO`);
2. with no list thread, a comment heading after the article followed by plain lines in
   header/text order (:func:`flat_thread`).

:func:`find_comments` is the one entry point the structure stage calls.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from itertools import accumulate

from . import article, comments
from .comments import ThreadResult
from .rules import Rule
from .units import Item, Unit

# Removed-line categories that may stand inside a comment (its furniture, not its text).
ACTION_CATEGORIES = {"comment-action", "share-widget", "comment-policy", "comment-heading", "comment-form", "rating"}
# Removed-line categories that close a comment section (what follows is page again).
END_OF_COMMENTS = {"comment-form", "site-footer", "cookie-notice", "appeal"}
# Lines before a list searched for a comment-section heading ("12 Comments").
HEADING_LOOKBACK = 3
# Comment headings after the article tried as the start of a plain-line thread.
FLAT_HEADING_TRIES = 5
# Comments follow the article: a list with this many times more sentence prose after it
# than before it (and at least LEADS_MIN_WORDS of it) sits above the article (an author
# box, a column of story cards, the article's own paragraphs in a list) and is not the
# page's comment thread.  On the dev set (five renderings) none of the 411 lists that hold
# mostly comments has more than 2.5 times the prose after it; of the 33 lists that are not
# comments and precede the article's text, 18 are over 3.
LEADS_PROSE_RATIO = 3
LEADS_MIN_WORDS = 100

#: Answers a phrase-rule lookup: ``match(normalised text, zone)``.
RuleMatch = Callable[[str, str], "Rule | None"]


class Furniture:
    """Which units are comment furniture (Reply, Report, a rating, a form label) and which
    close a comment section, from the page's first-pass rule decisions.

    Answers are kept by unit number: thread detection asks about the same units again for
    every enclosing run."""

    def __init__(self, dropped: Mapping[int, Rule], match: RuleMatch):
        self.dropped, self._match = dropped, match
        self._actions: dict[int, Rule | None] = {}

    def action(self, ln: Unit) -> Rule | None:
        """The rule if ``ln`` is comment furniture."""
        try:
            return self._actions[ln.no]
        except KeyError:
            pass
        r = self.dropped.get(ln.no) or self._match(ln.norm, "comments")
        if r is None or r.action != "drop" or r.category not in ACTION_CATEGORIES:
            r = None
        self._actions[ln.no] = r
        return r

    def ends(self, ln: Unit) -> bool:
        """Whether ``ln`` closes the comment section (a comment form, the site footer)."""
        r = self.dropped.get(ln.no)
        return r is not None and r.category in END_OF_COMMENTS and r.action == "drop"


def sibling_runs(nonblank: list[Unit], dropped: Mapping[int, Rule]) -> list[list[Item]]:
    """Runs of consecutive sibling list items (at any depth) not interrupted by their
    parent's own content (for top-level items: by top-level content)."""
    runs: list[list[Item]] = []
    open_runs: dict[int, list[Item]] = {}  # id(parent item) or 0 -> current run
    for ln in nonblank:
        if ln.item is not None and ln.item.marker_line is ln:
            key = id(ln.item.parent) if ln.item.parent is not None else 0
            run = open_runs.get(key)
            # A change from bullets to numbers (or back) starts another list.
            if run is None or run[-1].marker_line.marker != ln.marker:
                run = open_runs[key] = []
                runs.append(run)
            run.append(ln.item)
        elif ln.no not in dropped or (ln.item is None and comments.is_comment_heading(ln.text)):
            # Content of item P (or top-level content, or a comment-section heading)
            # closes the run of P's children.
            open_runs.pop(id(ln.item) if ln.item is not None else 0, None)
    return runs


def trim_headless_edges(run: list[Item], is_action: comments.IsAction) -> list[Item]:
    """In a thread whose comments carry headers, a first or last item without one is a
    widget that happens to sit in the same list ("Follow us", "Subscribe")."""
    def headed(it: Item) -> bool:
        return comments.item_header([ln for ln in it.lines if not ln.blank], is_action).headed

    marks = [headed(it) for it in run]
    if sum(marks) < comments.HEADED_THREAD_SHARE * len(run):
        return run
    lo, hi = 0, len(run)
    while lo < hi and not marks[lo]:
        lo += 1
    while hi > lo and not marks[hi - 1]:
        hi -= 1
    return run[lo:hi]


def find_threads(nonblank: list[Unit], dropped: Mapping[int, Rule], runs: list[list[Item]],
                 is_action: comments.IsAction) -> list[list[Item]]:
    """The runs of list items that are comment threads, outermost first."""
    threads: list[list[Item]] = []
    weak: list[list[Item]] = []
    claimed: set[int] = set()  # ids of items already inside a thread
    pos = {ln.no: k for k, ln in enumerate(nonblank)}
    # last_prose: the line number of the last prose line of the page (nothing after it
    # means a list "closes the page").
    last_prose = max((ln.no for ln in nonblank if ln.no not in dropped
                      and ln.words >= article.PROSE_MIN_WORDS), default=0)
    for run in runs:
        parent = run[0].parent
        if parent is not None and id(parent) in claimed:
            claimed.update(id(it) for it in run)
            continue
        first = pos[run[0].marker_line.no]
        before = [nonblank[k].text for k in range(max(0, first - HEADING_LOOKBACK), first)]
        heading = any(comments.is_comment_heading(t) for t in before)
        last_no = max(ln.no for ln in run[-1].all_lines())
        closes = last_prose <= last_no
        score = comments.thread_evidence(run, heading, closes, is_action)
        if score >= comments.THREAD_EVIDENCE:
            run = trim_headless_edges(run, is_action)
            strong = not closes or comments.thread_evidence(run, heading, False, is_action) >= comments.THREAD_EVIDENCE
            (threads if strong else weak).append(run)
            claimed.update(id(it) for it in run)
    leading = _leading_runs(threads + weak, nonblank, dropped)
    threads, weak = ([run for run in kept if id(run) not in leading] for kept in (threads, weak))
    # A list of long items that merely closes the page is a thread only on a page that
    # has no better-evidenced one (a sidebar "About me" list after the comments is not).
    return threads or weak


def _leading_runs(runs: list[list[Item]], nonblank: list[Unit], dropped: Mapping[int, Rule]) -> set[int]:
    """The ids of the runs with most of the page's sentence prose (outside all ``runs``)
    still to come (see :data:`LEADS_PROSE_RATIO`): one pass over the page, a bisect a run."""
    listed = {ln.no for run in runs for it in run for ln in it.all_lines()}
    prose = [ln for ln in nonblank if ln.no not in listed and ln.no not in dropped and article.is_sentence_prose(ln)]
    nos = [ln.no for ln in prose]
    upto = list(accumulate((ln.words for ln in prose), initial=0))  # upto[k]: words of prose[:k]
    leading = set()
    for run in runs:
        before = upto[bisect_left(nos, run[0].marker_line.no)]
        after = upto[-1] - upto[bisect_right(nos, max(ln.no for ln in run[-1].all_lines()))]
        if after >= LEADS_MIN_WORDS and after > LEADS_PROSE_RATIO * before:
            leading.add(id(run))
    return leading


def flat_thread(nonblank: list[Unit], dropped: Mapping[int, Rule], in_thread: set[int],
                is_action: comments.IsAction, next_id: int) -> ThreadResult | None:
    """Find a comment heading after prose and parse the plain lines below it as comments.

    The first heading under which at least two comment headers follow wins ("Recent
    comments" widgets and "Post a comment" forms come later on the page).
    """
    seen_prose = False
    starts = []
    for k, ln in enumerate(nonblank):
        if ln.words >= article.PROSE_MIN_WORDS:
            seen_prose = True
        elif seen_prose and ln.item is None and comments.is_comment_heading(ln.text):
            starts.append(k)

    def is_end(ln: Unit) -> bool:
        r = dropped.get(ln.no)
        return r is not None and r.category in END_OF_COMMENTS

    tried = starts[:FLAT_HEADING_TRIES]
    for i, start in enumerate(tried):
        tail = [ln for ln in nonblank[start + 1:] if ln.item is None and ln.no not in in_thread]
        found = comments.build_flat_thread(tail, next_id, is_action, is_end)
        if found is None or len(found.comments) < comments.FLAT_MIN_HEADERS:
            continue
        # "25 Comments" in the post's byline, then the thread's own "Comments" heading:
        # the thread starts under the last heading before its first header line.
        first_header = min(r.line for r in found.removals if r.rule == "comment.header")
        if i + 1 < len(tried) and nonblank[tried[i + 1]].no < first_header:
            continue
        return found
    return None


def find_comments(nonblank: list[Unit], dropped: Mapping[int, Rule], runs: list[list[Item]],
                  furniture: Furniture) -> ThreadResult:
    """The page's comments (lists first, then a plain-line thread), the removals they
    make, and the units they own."""
    found = ThreadResult([], [], set())
    for run in find_threads(nonblank, dropped, runs, furniture.action):
        t = comments.build_thread(run, len(found.comments) + 1, furniture.action, is_end=furniture.ends)
        found.comments.extend(t.comments)
        found.removals.extend(t.removals)
        found.owned.update(t.owned)
    # The plain lines under a comment heading can hold the real thread beside a list that
    # only happens to follow a heading (a sidebar item after the comment form): the
    # reading that explains more comments wins.
    flat = flat_thread(nonblank, dropped, set(), furniture.action, 1)
    if flat is not None and len(flat.comments) > len(found.comments):
        return flat
    return found
