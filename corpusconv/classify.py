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
from dataclasses import dataclass

from . import article
from .dates import is_dateline
from .rules import Rule
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
    "position", "words_before_share", "after_thread",
    "prev_words", "next_words", "prev_sentence", "next_sentence", "prev_dropped", "next_dropped",
    "prev2_words", "next2_words",
    "window3_log_words", "window3_prose", "window10_prose", "window5_dropped",
    *(f"window5_{g}" for g in _GROUPS), "page_prose_units", "page_log_words",
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}
PROSE_WORDS = 10          # a unit this long that ends like a sentence is prose
REGION_DISTANCE_CAP = 50
_PUNCT = set("|»«›‹>/:•·–—-()[]{}©®™#@")


@dataclass
class Context:
    """What the context stage knows about a page, as the features read it."""

    units: list[Unit]                 # the page's non-blank units, in order
    dropped: dict[int, Rule]          # unit no -> phrase rule that removed it
    in_thread: set[int]
    region: set[int]                  # the hand-written article region (unit nos)
    scores: dict[int, float]          # unit no -> body-text score
    link_lines: set[int]
    teaser_lines: set[int]


def _shape(u: Unit) -> list[float]:
    text = u.text
    n = max(1, len(text))
    upper = sum(1 for ch in text if ch.isupper())
    digits = sum(1 for ch in text if ch.isdigit())
    punct = sum(1 for ch in text if ch in _PUNCT)
    words = u.words
    return [
        float(words), math.log1p(words), len(text) / max(1, words),
        float(article.is_sentence(text)), float(article.is_title_case(text)), float(text.endswith(":")),
        float(article.is_code(text)), upper / n, digits / n, punct / n, u.links / max(1, words),
    ]


def _prose(u: Unit) -> bool:
    return u.words >= PROSE_WORDS and article.is_sentence(u.text)


def _window(values: list[float], k: int, radius: int) -> float:
    lo, hi = max(0, k - radius), min(len(values), k + radius + 1)
    return (sum(values[lo:k]) + sum(values[k + 1:hi])) / max(1, hi - lo - 1)


def page_features(ctx: Context) -> dict[int, list[float]]:
    """The feature vector of every unit not inside a thread, by unit number."""
    units = ctx.units
    n = len(units)
    words = [float(u.words) for u in units]
    log_words = [math.log1p(w) for w in words]
    prose = [float(_prose(u)) for u in units]
    dropped = [float(u.no in ctx.dropped) for u in units]
    groups = {g: [0.0] * n for g in _GROUPS}
    for k, u in enumerate(units):
        r = ctx.dropped.get(u.no)
        g = _CATEGORY_GROUPS.get(r.category) if r is not None else None
        if g is not None:
            groups[g][k] = 1.0
    total_words = sum(words) or 1.0
    counts: dict[str, int] = {}
    for u in units:
        counts[u.norm] = counts.get(u.norm, 0) + 1
    region_ks = [k for k, u in enumerate(units) if u.no in ctx.region]
    lo = region_ks[0] if region_ks else None
    hi = region_ks[-1] if region_ks else None
    first_thread = next((k for k, u in enumerate(units) if u.no in ctx.in_thread), n)
    page_prose, page_log = float(sum(prose)), math.log1p(total_words)
    out: dict[int, list[float]] = {}
    before = 0.0
    for k, u in enumerate(units):
        before += words[k]
        if u.no in ctx.in_thread:
            continue
        x = _shape(u)
        x += [float(u.kind == kind) for kind in _KINDS]
        x += [float(u.level), float(u.quote), float(u.marker == "number"),
              float(u.item.depth + 1) if u.item is not None else 0.0,
              float(u.gap_before), float(k + 1 < n and units[k + 1].gap_before),
              float(is_dateline(u.text)), float(counts[u.norm] - 1)]
        if lo is None or hi is None:
            dist, after = float(REGION_DISTANCE_CAP), 0.0
        else:
            dist = float(min(REGION_DISTANCE_CAP, max(0, lo - k, k - hi)))
            after = float(k > hi)
        x += [ctx.scores.get(u.no, 0.0), float(u.no in ctx.region), dist, after,
              float(u.no in ctx.link_lines), float(u.no in ctx.teaser_lines),
              k / max(1, n - 1), (before - words[k]) / total_words, float(k > first_thread)]
        x += [words[k - 1] if k else 0.0, words[k + 1] if k + 1 < n else 0.0,
              prose[k - 1] if k else 0.0, prose[k + 1] if k + 1 < n else 0.0,
              dropped[k - 1] if k else 0.0, dropped[k + 1] if k + 1 < n else 0.0,
              words[k - 2] if k > 1 else 0.0, words[k + 2] if k + 2 < n else 0.0]
        x += [_window(log_words, k, 3), _window(prose, k, 3), _window(prose, k, 10), _window(dropped, k, 5)]
        x += [_window(groups[g], k, 5) for g in _GROUPS]
        x += [page_prose, page_log]
        out[u.no] = x
    return out


def feature(x: list[float], name: str) -> float:
    return x[_INDEX[name]]
