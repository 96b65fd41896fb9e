"""The fitted article decision: which units outside the comment threads are the article.

The hand-written context stage (:mod:`corpusconv.structure`) proposes an article region
(the run of units with the most prose) and knows a great deal about every unit: its rule
hits, its layout, whether it sits in a link list or a teaser list, its body-text score.
Those facts, the unit's own shape and its neighbours' shape are the features of a small
tree ensemble fitted on the development set's gold labels (:mod:`corpusconv.fitting`,
measured by site-grouped cross-validation in ``bench/crossval.py``).  The ensemble says,
for every unit that no phrase rule, thread or field has already claimed, whether it
belongs to the article; its strongest features are the decision's evidence.

Features are computed once per page, in one pass over its units; :data:`FEATURES` names
them in the order of the vector.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import accumulate

from . import article
from .dates import is_dateline
from .rules import Rule
from .titles import find_byline
from .units import Unit

# Rule categories grouped by what they say about a neighbourhood.
_CATEGORY_GROUPS = {
    "comment-action": "comment", "comment-form": "comment", "comment-heading": "comment",
    "comment-policy": "comment", "rating": "comment",
    "share-widget": "widget", "appeal": "widget", "cookie-notice": "widget", "advertisement": "widget",
    "site-footer": "footer", "navigation": "nav", "link-remnant": "nav",
    "metadata": "meta", "caption-credit": "meta", "image-remnant": "meta",
}
_GROUPS = ("comment", "widget", "footer", "nav", "meta")
_KINDS = ("paragraph", "heading", "item", "quote", "row", "rule")

FEATURES: tuple[str, ...] = (
    "words", "log_words", "chars_per_word", "sentence_end", "title_case", "ends_colon", "code",
    "upper_share", "digit_share", "punct_share", "links_per_word",
    *(f"kind_{k}" for k in _KINDS), "heading_level", "quote_depth", "number_marker", "list_depth",
    "gap_before", "gap_after", "dateline", "repeats",
    "engine_score", "in_region", "region_distance", "after_region", "link_block", "teaser",
    "run_strength", "run_share",
    "position", "words_before_share", "after_thread",
    "prev_words", "next_words", "prev_sentence", "next_sentence", "prev_dropped", "next_dropped",
    "prev2_words", "next2_words",
    "window3_log_words", "window3_prose", "window10_prose", "window5_dropped",
    *(f"window5_{g}" for g in _GROUPS), "page_prose_units", "page_log_words",
    "prose_before", "prose_after", "window10_log_prose_words", "siblings", "sibling_words", "sibling_sentences",
    "short_word_share", "capital_share", "glued_share", "title_offset", "before_title",
    "window8_bylines", "window8_datelines",
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}
PROSE_WORDS = 10          # a unit this long that ends like a sentence is prose
REGION_DISTANCE_CAP = 50
PROSE_DISTANCE_CAP = 20
SHORT_WORD = 3            # tokens this short are mostly function words
TITLE_OFFSET_CAP = 30
# A story card's byline or date stamp: a short line.  An article has one byline and one
# date; a stream of teasers has one per card.  On the dev set (three renderings, gold
# labels) 0.1 % of article words have two or more such lines within WINDOW_STAMPS units,
# against 3.9 % of boilerplate and 1.9 % of other non-article words (datelines: 0.1 %
# against 4.0 % and 4.9 %).
STAMP_MAX_WORDS = 12
WINDOW_STAMPS = 8


@dataclass
class Context:
    """What the context stage knows about a page, as the features read it."""

    units: list[Unit]                 # the page's non-blank units, in order
    dropped: dict[int, Rule]          # unit no -> phrase rule that removed it
    in_thread: set[int]
    region: set[int]                  # the hand-written article region (unit nos)
    scores: dict[int, float]          # unit no -> body-text score
    runs: dict[int, float]            # unit no -> score of the best run of units through it
    link_lines: set[int]
    teaser_lines: set[int]
    title: int | None = None          # unit no of the title, if one was found


_UPPER = re.compile(r"[A-Z]")
_DIGIT = re.compile(r"[0-9]")
_PUNCT_CHARS = "|»«›‹>/:•·–—-()[]{}©®™#@"
_DROP_PUNCT = str.maketrans("", "", _PUNCT_CHARS)   # counted as what deleting them removes: one pass, not 25
_GLUED = re.compile(r"[a-z][A-Z]")
# The punctuation as bytes, for ASCII text (most units; see article.deleted).
_PUNCT_BYTES = bytes(ch for ch in _PUNCT_CHARS.encode("utf-8") if ch < 128)


# The kind_* one-hot features by kind, and the zeros of a unit that is no list item: shared
# lists, which vectors copy (``*``) and never change.
_KIND_FLAGS = {kind: [float(kind == k) for k in _KINDS] for kind in _KINDS}
_NO_KIND = [0.0] * len(_KINDS)
_NO_SIBLINGS = [0.0, 0.0, 0.0]


def _char_counts(text: str) -> tuple[int, int, int]:
    """How many ASCII capitals, digits and punctuation characters (``_PUNCT_CHARS``) the text has."""
    if text.isascii():
        b = text.encode("ascii")
        return (article.deleted(b, article.ASCII_UPPER), article.deleted(b, article.ASCII_DIGITS),
                article.deleted(b, _PUNCT_BYTES))
    return len(_UPPER.findall(text)), len(_DIGIT.findall(text)), len(text) - len(text.translate(_DROP_PUNCT))


def _shape(u: Unit, sentence: bool) -> list[float]:
    """The unit's own shape: length, punctuation, capitals, digits, link syntax, tokens."""
    text = u.text
    n = max(1, len(text))
    words = u.words
    upper, digits, punct = _char_counts(text)
    return [
        float(words), math.log1p(words), len(text) / max(1, words),
        1.0 if sentence else 0.0, 1.0 if article.is_title_case(text) else 0.0, 1.0 if text.endswith(":") else 0.0,
        1.0 if article.is_code(text) else 0.0, upper / n, digits / n, punct / n,
        u.links / max(1, words),
    ]


def _token_shape(text: str) -> list[float]:
    """(short-word share, capitalised share, glued share) of the unit's tokens: prose is
    full of short function words; menus are capitalised; renderers glue adjacent links
    ("ThisBlogThis!Share") into tokens with a capital inside."""
    toks = text.split()
    if not toks:
        return [0.0, 0.0, 0.0]
    n = len(toks)
    short = sum(1 for t in toks if len(t) <= SHORT_WORD)
    caps = sum(1 for t in toks if t[:1].isupper())
    return [short / n, caps / n, min(1.0, len(_GLUED.findall(text)) / n)]


class _Windows:
    """Means of a per-unit value over the units around each unit (itself excluded),
    from prefix sums: O(1) a query, or one pass for every unit of the page."""

    def __init__(self, values: list[float]):
        self.values = values
        self.prefix = list(accumulate(values, initial=0.0))   # the same left-to-right sums

    def mean(self, k: int, radius: int) -> float:
        lo, hi = max(0, k - radius), min(len(self.values), k + radius + 1)
        return (self.prefix[hi] - self.prefix[lo] - self.values[k]) / max(1, hi - lo - 1)

    def means(self, reach: _Reach) -> list[float]:
        """:meth:`mean` of every unit (the same arithmetic, without a call per unit)."""
        prefix = self.prefix
        return [(prefix[hi] - prefix[lo] - v) / others
                for lo, hi, v, others in zip(reach.lo, reach.hi, self.values, reach.others)]

    def totals(self, reach: _Reach) -> list[float]:
        """The sums over the same windows (the unit itself excluded)."""
        prefix = self.prefix
        return [prefix[hi] - prefix[lo] - v for lo, hi, v in zip(reach.lo, reach.hi, self.values)]


class _Reach:
    """The index span ``[lo, hi)`` of the units within ``radius`` of each of ``n`` units and
    how many others it holds (at least 1), as :meth:`_Windows.mean` bounds them: shared
    by the page's windows of one radius (conditionals, not min/max calls: a page-long
    list per radius)."""

    def __init__(self, n: int, radius: int) -> None:
        self.lo = [k - radius if k > radius else 0 for k in range(n)]
        self.hi = [k + radius + 1 if k + radius + 1 < n else n for k in range(n)]
        self.others = [hi - lo - 1 if hi - lo - 1 > 1 else 1 for lo, hi in zip(self.lo, self.hi)]


def _sibling_stats(units: list[Unit], sentence: dict[int, bool]) -> dict[int, list[float]]:
    """For every list item (by ``id``), (count, mean words, sentence share) of the items
    of its own list: its parent's children, or for top-level items the run linked by
    ``prev``; computed once per list."""
    members: dict[int, list] = {}   # list key -> its items, in page order
    key_of: dict[int, int] = {}     # id(item) -> list key
    for u in units:
        item = u.item
        if item is None or id(item) in key_of:
            continue
        if item.parent is not None:
            key = id(item.parent)
        elif item.prev is not None and id(item.prev) in key_of:  # seen: it comes first
            key = key_of[id(item.prev)]
        else:
            key = id(item)
        key_of[id(item)] = key
        members.setdefault(key, []).append(item)
    stats: dict[int, list[float]] = {}
    for key, items in members.items():
        words = [sum(v.words for v in m.lines) for m in items]
        sent = sum(1 for m in items if any(sentence.get(v.no, False) for v in m.lines))
        stats[key] = [float(len(items)), sum(words) / len(items), sent / len(items)]
    return {item_id: stats[key] for item_id, key in key_of.items()}


def page_features(ctx: Context, wanted: set[int] | None = None) -> dict[int, list[float]]:
    """The feature vector of every unit not inside a thread (or of the ``wanted`` ones),
    by unit number; every per-unit fact is computed once, windows from prefix sums."""
    facts = _PageFacts(ctx)
    out: dict[int, list[float]] = {}
    before = 0.0
    for k, u in enumerate(ctx.units):
        before += facts.words[k]
        if u.no in ctx.in_thread or (wanted is not None and u.no not in wanted):
            continue
        out[u.no] = facts.vector(k, before)
    return out


class _PageFacts:
    """The per-page and per-unit facts the feature vectors read, computed once a page."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        units = self.units = ctx.units
        n = self.n = len(units)
        self.sentence = {u.no: article.is_sentence(u.text) for u in units}
        words = self.words = [float(u.words) for u in units]
        prose = self.prose = [float(u.words >= PROSE_WORDS and self.sentence[u.no]) for u in units]
        self.dropped = [float(u.no in ctx.dropped) for u in units]
        groups = {g: [0.0] * n for g in _GROUPS}
        for k, u in enumerate(units):
            r = ctx.dropped.get(u.no)
            g = _CATEGORY_GROUPS.get(r.category) if r is not None else None
            if g is not None:
                groups[g][k] = 1.0
        self.win_log = _Windows([math.log1p(w) for w in words])
        self.win_prose, self.win_dropped = _Windows(prose), _Windows(self.dropped)
        self.win_groups = {g: _Windows(v) for g, v in groups.items()}
        self.win_prose_words = _Windows([w if p else 0.0 for w, p in zip(words, prose)])
        self.total_words = sum(words) or 1.0
        self.counts: dict[str, int] = {}
        for u in units:
            self.counts[u.norm] = self.counts.get(u.norm, 0) + 1
        region_ks = [k for k, u in enumerate(units) if u.no in ctx.region]
        self.lo = region_ks[0] if region_ks else None
        self.hi = region_ks[-1] if region_ks else None
        self.first_thread = next((k for k, u in enumerate(units) if u.no in ctx.in_thread), n)
        self.title_k = next((k for k, u in enumerate(units) if u.no == ctx.title), None)
        self.page_prose, self.page_log = float(sum(prose)), math.log1p(self.total_words)
        self.best_run = max([1.0, *ctx.runs.values()])
        self.siblings = _sibling_stats(units, self.sentence)
        self.last_prose, self.next_prose = [-1] * n, [n] * n  # nearest prose unit before / after each unit
        for k in range(1, n):
            self.last_prose[k] = k - 1 if prose[k - 1] else self.last_prose[k - 1]
        for k in range(n - 2, -1, -1):
            self.next_prose[k] = k + 1 if prose[k + 1] else self.next_prose[k + 1]
        # The features read from the units around each unit, as one tuple a unit: most units
        # are rated, and a pass over the page per feature costs less than the index
        # arithmetic and calls of each vector.
        self.gap_after = [float(k + 1 < n and units[k + 1].gap_before) for k in range(n)]
        dropped = self.dropped
        self.neighbours = list(zip(_shifted(words, 1), _shifted(words, -1), _shifted(prose, 1), _shifted(prose, -1),
                                   _shifted(dropped, 1), _shifted(dropped, -1), _shifted(words, 2),
                                   _shifted(words, -2)))
        r3, r5, r10 = _Reach(n, 3), _Reach(n, 5), _Reach(n, 10)
        self.windows = list(zip(self.win_log.means(r3), self.win_prose.means(r3), self.win_prose.means(r10),
                                self.win_dropped.means(r5), *(self.win_groups[g].means(r5) for g in _GROUPS)))
        # prose_before / prose_after (capped distances: no prose unit that side is the cap)
        # and window10_log_prose_words.
        cap = PROSE_DISTANCE_CAP
        self.prose_near = [(float(k - last if last >= 0 and k - last < cap else cap),
                            float(nxt - k if nxt < n and nxt - k < cap else cap), math.log1p(total))
                           for k, (last, nxt, total) in enumerate(zip(self.last_prose, self.next_prose,
                                                                      self.win_prose_words.totals(r10)))]
        # window8_bylines, window8_datelines: the short byline and date lines around a unit.
        self.dateline = [is_dateline(u.text) for u in units]
        short = [u.words <= STAMP_MAX_WORDS for u in units]
        bylines = [1.0 if s and find_byline(u.text) is not None else 0.0 for s, u in zip(short, units)]
        datelines = [1.0 if s and d else 0.0 for s, d in zip(short, self.dateline)]
        r8 = _Reach(n, WINDOW_STAMPS)
        self.stamps = list(zip(_Windows(bylines).totals(r8), _Windows(datelines).totals(r8)))

    def vector(self, k: int, before: float) -> list[float]:
        """The features of unit ``k`` (``before``: the words up to and including it), in
        one list display: the neighbourhood columns are precomputed per page."""
        ctx, n, u = self.ctx, self.n, self.units[k]
        no, item = u.no, u.item
        if self.lo is None or self.hi is None:
            dist, after = float(REGION_DISTANCE_CAP), 0.0
        else:
            dist = float(min(REGION_DISTANCE_CAP, max(0, self.lo - k, k - self.hi)))
            after = 1.0 if k > self.hi else 0.0
        if self.title_k is None:
            title = (float(-TITLE_OFFSET_CAP), 0.0)
        else:
            title = (float(max(-TITLE_OFFSET_CAP, min(TITLE_OFFSET_CAP, k - self.title_k))),
                     1.0 if k < self.title_k else 0.0)
        run = max(0.0, ctx.runs.get(no, 0.0))
        return [
            *_shape(u, self.sentence[no]), *_KIND_FLAGS.get(u.kind, _NO_KIND),
            float(u.level), float(u.quote), 1.0 if u.marker == "number" else 0.0,
            float(item.depth + 1) if item is not None else 0.0,
            float(u.gap_before), self.gap_after[k],
            1.0 if self.dateline[k] else 0.0, float(self.counts[u.norm] - 1),
            ctx.scores.get(no, 0.0), 1.0 if no in ctx.region else 0.0, dist, after,
            1.0 if no in ctx.link_lines else 0.0, 1.0 if no in ctx.teaser_lines else 0.0,
            math.log1p(run), run / self.best_run,
            k / max(1, n - 1), (before - self.words[k]) / self.total_words, 1.0 if k > self.first_thread else 0.0,
            *self.neighbours[k], *self.windows[k], self.page_prose, self.page_log, *self.prose_near[k],
            *(self.siblings.get(id(item), _NO_SIBLINGS) if item is not None else _NO_SIBLINGS),
            *_token_shape(u.text), *title, *self.stamps[k],
        ]


def _shifted(values: list[float], d: int) -> list[float]:
    """``values`` moved ``d`` places later (``d`` < 0: earlier), 0.0 where nothing moves in:
    the value of the unit ``d`` places before (after) each unit."""
    n = len(values)
    if d >= 0:
        return ([0.0] * d + values)[:n]
    return (values[-d:] + [0.0] * -d)[:n]


def runs_through(scores: list[float]) -> list[float]:
    """For each position, the largest sum of a contiguous run of ``scores`` containing it
    (the body-text score of the best stretch of page the unit belongs to: the article is
    usually the best, but a runner-up a wall away may be the real one).

    >>> runs_through([5.0, -1.0, 3.0, -20.0, 4.0])
    [7.0, 7.0, 7.0, -9.0, 4.0]
    """
    n = len(scores)
    ending, starting = [0.0] * n, [0.0] * n
    for k, s in enumerate(scores):
        ending[k] = s + max(0.0, ending[k - 1]) if k else s
    for k in range(n - 1, -1, -1):
        starting[k] = scores[k] + max(0.0, starting[k + 1]) if k + 1 < n else scores[k]
    return [ending[k] + starting[k] - scores[k] for k in range(n)]


# Second pass: the first pass's probabilities around each candidate (the article is
# mostly contiguous, so a unit's neighbours' verdicts are evidence about it), appended to
# its own features.
CONTEXT_FEATURES: tuple[str, ...] = (
    "p_self", "p_prev", "p_next", "p_prev2", "p_next2", "p_window3", "p_window10", "p_page_max", "p_page_share",
)


#: A candidate the first pass more likely than not puts in the article (``p_page_share``).
CONTEXT_ARTICLE_PROBABILITY = 0.5


def context_features(p: list[float]) -> list[list[float]]:
    """The second pass's extra features for a page's candidates (in page order), from
    their first-pass probabilities ``p``."""
    n = len(p)
    top = max(p, default=0.0)
    share = sum(1 for v in p if v >= CONTEXT_ARTICLE_PROBABILITY) / max(1, n)
    win = _Windows(p)
    return [[p[k], p[k - 1] if k else 0.0, p[k + 1] if k + 1 < n else 0.0,
             p[k - 2] if k > 1 else 0.0, p[k + 2] if k + 2 < n else 0.0,
             win.mean(k, 3), win.mean(k, 10), top, share] for k in range(n)]


def decide(models, ctx: Context, candidates: list[Unit]) -> dict[int, tuple[float, list[float]]]:
    """Each candidate's probability of being article text, and the feature vector that
    gave it (for its explanation), by unit number: the first pass (``models["article"]``)
    and, if the model file has one, the second (``"article-context"``)."""
    first = models.get("article")
    feats = page_features(ctx, {u.no for u in candidates})
    rows = [feats[u.no] for u in candidates]
    p = [first.probability(x) for x in rows]
    second = models.get("article-context")
    if second is not None:
        rows = [x + c for x, c in zip(rows, context_features(p))]
        p = [second.probability(x) for x in rows]
    return {u.no: (pu, x) for u, pu, x in zip(candidates, p, rows)}


def feature(x: list[float], name: str) -> float:
    return x[_INDEX[name]]
