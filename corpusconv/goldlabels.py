"""Gold labels for the physical lines of a rendered page, and site-grouped folds.

Used at fit and evaluation time only (``bench/``, a ``fit`` step), never while converting;
standard library only, and nothing here imports the engine.

:func:`label_lines` gives every physical line of a rendered page (lynx, w3m, html2text,
inscriptis, resiliparse, ...) the part of the gold it holds: ``title``, ``article``,
``quote`` (article text inside a gold quotation), ``comment`` (with the comment's index,
depth and parent), ``boilerplate`` (a gold boilerplate snippet, or a comment-chrome line
such as "Reply"), or ``other``; ``None`` for a blank line.  It aligns the page's word
tokens with the gold texts *as sequences* (a patience-diff style alignment on unique
shingles, refined inside the gaps), so hard-wrapped paragraphs, inline Markdown link
targets, emphasis markers and column indentation do not matter, and a short line such as
"Home" is never called article merely because the word occurs in the article.

Gold format (one JSON object per page; the realweb dev set's ``gold/NAME.json`` files are
in it, and a user's own labelled pages need only the keys marked *required*)::

    {
      "title": "The page's headline" | null,                  # required (may be null)
      "article": {"paragraphs": ["text", ...]},                # required: article text in
                                                               #   page order, quotations
                                                               #   included, title excluded
      "quotes": [{"full_text": "...", "text": "..."}],         # optional: block quotations
                                                               #   (full_text = text + attribution)
      "comments": [{"paragraphs": ["..."] | "text": "...",     # optional, in page order
                    "depth": 0, "parent": null | INDEX}],      #   parent: index in this list
      "boilerplate": ["site chrome line", ...],                # optional: snippets, any order
      "comment_chrome": ["Reply", ...],                        # optional: comment action lines
      "source": {"site": "example.com", "url": "https://..."}  # for site_folds (site, else
    }                                                          #   the URL's host)

Texts are compared on lower-cased NFKC word tokens, so spacing, line breaks and
punctuation in the gold need not match the rendering.  Gold quirks handled: an early
article paragraph that is the title itself is the title's line; a quotation the article
gold holds only inside a longer paragraph (a pull quote) is the occurrence that stands as
a block of its own.  A line holds one label; ``LineLabel.parts`` lists every gold part on
it, for lines that hold two (html2text joins a comment's last words and the next author
line; inscriptis and w3m put table columns side by side).

:func:`oracle_record` builds the record a perfect line classifier would output (used by
``bench/oracle_labels.py`` to check the labels), :func:`site_folds` the site-grouped
folds of ``bench/crossval.py``.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import urlsplit

LABELS = ("title", "article", "quote", "comment", "boilerplate", "other")

# A line takes the label of the gold part holding most of its tokens when at least this
# share of its tokens is aligned to the gold; below it the line is mostly something the
# gold does not name (an author line, a date, an avatar name) and is "other".
LINE_SHARE = 0.5
# Shingle sizes tried, longest first, when anchoring one stretch of page on the gold.
SHINGLES = (4, 3, 2, 1)
# Where the page stretch is much longer than the gold stretch (a sidebar between two
# article paragraphs), a gold word is looked for only as part of a shingle of at least
# this many tokens: a lone common word in the sidebar is not the article's.
SAFE_SHINGLE = 3
GAP_RATIO, GAP_SLACK = 2, 8
# A shingle occurring more often than this in the page stretch is no anchor.
MAX_PAGE_OCCURRENCES = 4
# Longest stretch (page tokens x gold tokens) aligned by exhaustive LCS when no unique
# shingle is left.
LCS_CELLS = 2500
# A gold unit (paragraph, comment) of at least this many tokens that the in-order
# alignment matched for less than half is looked for again in the unclaimed text: pages
# do not always render the gold in the gold's order.
RESCUE_MIN_TOKENS = 4
RESCUE_SHARE = 0.5
# Boilerplate snippets and titles shorter than this must cover whole lines to count.
SHORT_SNIPPET = 4
# Some article golds hold the headline as one of their first paragraphs although the
# title is given apart (the realweb README says they never do; 43 of its pages do): such
# a paragraph among the first TITLE_PARAGRAPHS is the title's line, not article text.
TITLE_PARAGRAPHS = 6

_TOKEN = re.compile(r"[^\W_]+")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
# Renderer markup that is not page text: Markdown images (whole) and link targets with
# their optional "title" (the text of a link stays); html2text wraps a target after a
# hyphen and a title at its spaces.  Also emphasis underscores.
_MD_LINK_TAIL = r"\((?:[^\s)]|(?<=-)\n)*(?:\s+\"[\s\S]{0,300}?\")?\)"  # a title may hold quotes
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]" + _MD_LINK_TAIL)
_MD_TARGET = re.compile(r"\]" + _MD_LINK_TAIL)
_MD_EMPHASIS = re.compile(r"(?<![\w_])(_{1,2})(?=[^\s_])([\s\S]{0,300}?[^\s_])\1(?![\w_])")  # _x_, __x__


@dataclass(frozen=True)
class LineLabel:
    """The gold part one physical line holds.

    ``tokens`` counts the line's word tokens (markup cut) and ``share`` is the share of
    them aligned to the gold part named.  A line without word tokens ("[...]", an image)
    takes the label of the nearest lines with words above and below when both are the
    same gold unit, else is ``other`` (``share`` 0.0 either way).  ``index`` is the
    article paragraph (``article``), the gold quote (``quote``), the gold comment
    (``comment``) or the boilerplate snippet (``boilerplate``; ``None`` for a
    comment-chrome line and for ``title``); ``depth`` and ``parent`` are the gold
    comment's.
    """

    label: str
    share: float
    tokens: int
    index: int | None = None
    depth: int | None = None
    parent: int | None = None
    # every gold part on the line as (label, index, tokens), most tokens first: a line
    # can hold the end of a comment and the next comment's author line, and a unit built
    # of several lines is labelled best from the sum of its lines' parts
    parts: tuple[tuple[str, int | None, int], ...] = ()


# ------------------------------------------------------------------------------------
# Tokens
# ------------------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    """Lower-cased NFKC word tokens (letters and digits; ``_`` separates)."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", _INVISIBLE.sub("", text or "")).lower())


def _cut(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")  # the line count must not change


def visible_lines(lines: list[str]) -> list[str]:
    """The lines with renderer markup cut: Markdown images and link targets (which
    html2text may break over lines) and emphasis underscores.  Same line count; this
    is the text the alignment reads (and what an ideal line classifier would keep)."""
    text = "\n".join(lines)
    if "](" in text:
        text = _MD_TARGET.sub(_cut, _MD_IMAGE.sub(_cut, text))
    if "_" in text:
        text = _MD_EMPHASIS.sub(r"\2", text)
    return text.split("\n")


@dataclass
class _Page:
    toks: list[str]           # page word tokens, in order
    line_of: list[int]        # 0-based line of each token
    first: dict[int, int]     # line -> index of its first token
    last: dict[int, int]      # line -> index of its last token


def _page_tokens(lines: list[str]) -> _Page:
    page = _Page([], [], {}, {})
    for no, text in enumerate(visible_lines(lines)):
        found = tokens(text)
        if found:
            page.first[no] = len(page.toks)
            page.toks.extend(found)
            page.line_of.extend([no] * len(found))
            page.last[no] = len(page.toks) - 1
    return page


# ------------------------------------------------------------------------------------
# Sequence alignment (page tokens against gold tokens, order kept)
# ------------------------------------------------------------------------------------
def _lis(cands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of (p, g) pairs increasing in both (``cands`` sorted by p)."""
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(cands)
    for i, (_, g) in enumerate(cands):
        j = bisect.bisect_left(tails, g)
        if j == len(tails):
            tails.append(g)
            tail_idx.append(i)
        else:
            tails[j], tail_idx[j] = g, i
        prev[i] = tail_idx[j - 1] if j else -1
    chain, i = [], tail_idx[-1] if tail_idx else -1
    while i >= 0:
        chain.append(cands[i])
        i = prev[i]
    return chain[::-1]


def _anchors(P: list[str], G: list[str], box: tuple[int, int, int, int], k: int) -> list[tuple[int, int]]:
    """Shingles of ``k`` tokens unique in the gold stretch and rare in the page stretch,
    as (page, gold) start pairs of the longest consistent chain."""
    p0, p1, g0, g1 = box
    gcount = Counter(tuple(G[i:i + k]) for i in range(g0, g1 - k + 1))
    gpos = {tuple(G[i:i + k]): i for i in range(g0, g1 - k + 1) if gcount[tuple(G[i:i + k])] == 1}
    if not gpos:
        return []
    ppos: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(p0, p1 - k + 1):
        gram = tuple(P[i:i + k])
        if gram in gpos:
            ppos[gram].append(i)
    cands = sorted((pi, gpos[gram]) for gram, pis in ppos.items()
                   if len(pis) <= MAX_PAGE_OCCURRENCES for pi in pis)
    return _lis(cands)


def _runs(chain: list[tuple[int, int]], k: int) -> list[tuple[int, int, int]]:
    """Merge anchors into non-overlapping diagonal runs (page start, gold start, length)."""
    runs: list[list[int]] = []
    for p, g in chain:
        if runs:
            rp, rg, n = runs[-1]
            if p - g == rp - rg and p <= rp + n:
                runs[-1][2] = max(n, p + k - rp)
                continue
            if p < rp + n or g < rg + n:
                continue  # overlaps the previous run on another diagonal
        runs.append([p, g, k])
    return [(p, g, n) for p, g, n in runs]


def _lcs(P: list[str], G: list[str], box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    p0, p1, g0, g1 = box
    n, m = p1 - p0, g1 - g0
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = (table[i + 1][j + 1] + 1 if P[p0 + i] == G[g0 + j]
                           else max(table[i + 1][j], table[i][j + 1]))
    out, i, j = [], 0, 0
    while i < n and j < m:
        if P[p0 + i] == G[g0 + j]:
            out.append((p0 + i, g0 + j))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def _trim(P: list[str], G: list[str], box: tuple[int, int, int, int],
          out: list[tuple[int, int]]) -> tuple[int, int, int, int]:
    """Match equal tokens at both ends of a stretch (they continue the runs around it)."""
    p0, p1, g0, g1 = box
    while p0 < p1 and g0 < g1 and P[p0] == G[g0]:
        out.append((p0, g0))
        p0, g0 = p0 + 1, g0 + 1
    while p1 > p0 and g1 > g0 and P[p1 - 1] == G[g1 - 1]:
        out.append((p1 - 1, g1 - 1))
        p1, g1 = p1 - 1, g1 - 1
    return p0, p1, g0, g1


def align(P: list[str], G: list[str]) -> list[tuple[int, int]]:
    """Order-keeping alignment of two token lists: the matched (P index, G index) pairs.

    Unique shingles anchor the alignment (longest first); each stretch between anchors is
    aligned again on its own, so repeated words are matched only where the text around
    them matches too.
    """
    out: list[tuple[int, int]] = []
    stack = [(0, len(P), 0, len(G))]
    while stack:
        box = _trim(P, G, stack.pop(), out)
        p0, p1, g0, g1 = box
        if p0 >= p1 or g0 >= g1:
            continue
        comparable = (p1 - p0) <= GAP_RATIO * (g1 - g0) + GAP_SLACK
        runs: list[tuple[int, int, int]] = []
        for k in SHINGLES:
            if k < SAFE_SHINGLE and not comparable:
                break
            runs = _runs(_anchors(P, G, box, k), k)
            if runs:
                break
        if not runs:
            if comparable and (p1 - p0) * (g1 - g0) <= LCS_CELLS:
                out.extend(_lcs(P, G, box))
            continue
        cur_p, cur_g = p0, g0
        for p, g, n in runs:
            stack.append((cur_p, p, cur_g, g))
            out.extend((p + i, g + i) for i in range(n))
            cur_p, cur_g = p + n, g + n
        stack.append((cur_p, p1, cur_g, g1))
    return sorted(out)


# ------------------------------------------------------------------------------------
# The gold as one token stream: article paragraphs (quotations marked), then comments
# ------------------------------------------------------------------------------------
@dataclass
class _Gold:
    toks: list[str]
    kind: list[str]                           # "title" | "article" | "quote" | "comment", per token
    unit: list[int]                           # paragraph / quote / comment index (-1: title)
    spans: list[tuple[int, int]]              # token spans of the paragraphs and comments


def _comment_text(c: Mapping) -> str:
    paras = c.get("paragraphs") or []
    return " ".join(p for p in paras if p) if paras else str(c.get("text") or "")


def _find(hay: list[str], needle: list[str], lo: int, hi: int) -> int:
    """First start of ``needle`` in ``hay[lo:hi]``, or -1."""
    n = len(needle)
    for i in range(lo, hi - n + 1):
        if hay[i] == needle[0] and hay[i:i + n] == needle:
            return i
    return -1


def _title_paragraph(gold: Mapping, paragraphs: list) -> int:
    """Index of the first early article paragraph that is the title itself, or -1."""
    title = tokens(str(gold.get("title") or ""))
    for i, text in enumerate(paragraphs[:TITLE_PARAGRAPHS]):
        if title and tokens(str(text or "")) == title:
            return i
    return -1


def _add(g: _Gold, toks: list[str], kind: str, unit: int) -> None:
    g.spans.append((len(g.toks), len(g.toks) + len(toks)))
    g.toks.extend(toks)
    g.kind.extend([kind] * len(toks))
    g.unit.extend([unit] * len(toks))


def _mark_quotes(g: _Gold, quotes: list, paras: list[list[str]]) -> list[tuple[int, list[str]]]:
    """Mark each gold quotation in the article stream (its full text, else its text);
    return the quotations that are not whole paragraphs there: part of a longer paragraph
    (a pull quote, which pages show on its own lines *and* inside the paragraph, while the
    article gold has it only in the paragraph) or missing from the article gold."""
    offs = [sum(len(p) for p in paras[:i]) for i in range(len(paras))]
    ends = {o + len(p) for o, p in zip(offs, paras)}
    n_article = offs[-1] + len(paras[-1]) if paras else 0
    apart = []
    for qi, q in enumerate(quotes):
        texts = [t for t in (tokens(str(q.get(k) or "")) for k in ("full_text", "text")) if t]
        found = [(t, at) for t, at in ((t, _find(g.toks, t, 0, n_article)) for t in texts) if at >= 0]
        if found:
            qt, at = found[0]
            for i in range(at, at + len(qt)):
                g.kind[i], g.unit[i] = "quote", qi
        if texts and not any(at in offs and at + len(t) in ends for t, at in found):
            apart.append((qi, found[0][0] if found else texts[0]))
    return apart


def _gold_stream(gold: Mapping) -> tuple[_Gold, list[tuple[int, list[str]]]]:
    """The article paragraphs (the title's own paragraph marked, quotations marked), then
    the comments, as one token stream; and the quotations that are not whole paragraphs."""
    g = _Gold([], [], [], [])
    texts = list((gold.get("article") or {}).get("paragraphs") or [])
    paras = [tokens(str(p or "")) for p in texts]
    heading = _title_paragraph(gold, texts)
    for i, toks in enumerate(paras):
        _add(g, toks, "title" if i == heading else "article", -1 if i == heading else i)
    apart = _mark_quotes(g, list(gold.get("quotes") or []), paras)
    for ci, c in enumerate(gold.get("comments") or []):
        _add(g, tokens(_comment_text(c)), "comment", ci)
    return g, apart


# ------------------------------------------------------------------------------------
# Claiming page tokens
# ------------------------------------------------------------------------------------
_Claims = list  # per page token: None or (kind, unit)


def _claim_stream(page: _Page, gold: _Gold, claims: _Claims) -> None:
    """Claim the free page tokens aligned to the gold stream."""
    free = [p for p, c in enumerate(claims) if c is None]
    origin: dict[int, int] = {}
    pairs = [(free[p], g) for p, g in align([page.toks[p] for p in free], gold.toks)]
    for p, g in pairs:
        _claim(claims, origin, gold, p, g)
    _claim_between(page, gold, claims, origin, pairs)
    _claim_rescue(page, gold, claims, origin)


def _is_block(page: _Page, s: int, n: int) -> bool:
    """Whether tokens ``s .. s+n-1`` are whole lines with a line without words (blank, a
    rule, Markdown's ``>>>``) or the page's edge before and after them: a block of their
    own."""
    first, last = page.line_of[s], page.line_of[s + n - 1]
    return _is_whole(page, s, n) and first - 1 not in page.first and last + 1 not in page.first


def _claim_pull_quotes(page: _Page, claims: _Claims, apart: list[tuple[int, list[str]]],
                       by_token: Mapping[str, list[int]]) -> None:
    """A quotation that is not whole paragraphs of the article gold is the occurrence
    that stands on its own lines (a block of its own first) when the page shows its text
    twice, or once as a block of its own; otherwise it stays in its paragraph."""
    for qi, qt in apart:
        starts = _occurrences(page, claims, qt, False, by_token)
        whole = sorted((not _is_block(page, s, len(qt)), s) for s in starts if _is_whole(page, s, len(qt)))
        if whole and (len(starts) > 1 or not whole[0][0]):
            for i in range(whole[0][1], whole[0][1] + len(qt)):
                claims[i] = ("quote", qi)


def _claim(claims: _Claims, origin: dict[int, int], gold: _Gold, p: int, g: int) -> None:
    claims[p] = (gold.kind[g], gold.unit[g])
    origin[p] = g


def _claim_between(page: _Page, gold: _Gold, claims: _Claims, origin: dict[int, int],
                   pairs: list[tuple[int, int]]) -> None:
    """A gold unit the alignment left wholly unmatched (a two-word comment between long
    author and date lines) is its exact text between the page tokens of the units around
    it (on whole lines if it can be)."""
    golds = [g for _, g in pairs]  # increasing, like the page positions
    for s, e in gold.spans:
        i = bisect.bisect_left(golds, s)
        if s == e or (i < len(golds) and golds[i] < e):
            continue
        lo = pairs[i - 1][0] + 1 if i else 0
        hi = pairs[i][0] if i < len(pairs) else len(page.toks)
        needle, n = gold.toks[s:e], e - s
        starts = [q for q in range(lo, hi - n + 1) if page.toks[q:q + n] == needle and not any(claims[q:q + n])]
        if starts:
            best = min(starts, key=lambda q: (not _is_whole(page, q, n), q))
            for k in range(n):
                _claim(claims, origin, gold, best + k, s + k)


def _claim_rescue(page: _Page, gold: _Gold, claims: _Claims, origin: dict[int, int]) -> None:
    """Second chance, out of order, for the units the in-order pass mostly missed."""
    matched = [False] * len(gold.toks)
    for g in origin.values():
        matched[g] = True
    todo = [g for s, e in gold.spans if e - s >= RESCUE_MIN_TOKENS
            and sum(matched[s:e]) < RESCUE_SHARE * (e - s) for g in range(s, e) if not matched[g]]
    if todo:
        free = [p for p, c in enumerate(claims) if c is None]
        for p, g in align([page.toks[p] for p in free], [gold.toks[g] for g in todo]):
            _claim(claims, origin, gold, free[p], todo[g])


def _is_whole(page: _Page, s: int, n: int) -> bool:
    """Whether tokens ``s .. s+n-1`` are the whole text of the lines they are on."""
    return page.first[page.line_of[s]] == s and page.last[page.line_of[s + n - 1]] == s + n - 1


def _occurrences(page: _Page, claims: _Claims, needle: list[str], whole_lines: bool,
                 by_token: Mapping[str, list[int]]) -> list[int]:
    """Starts of unclaimed exact occurrences of ``needle`` (covering whole lines if asked)."""
    pivot = min(range(len(needle)), key=lambda i: len(by_token.get(needle[i], ())))
    n, out = len(needle), []
    for q in by_token.get(needle[pivot], ()):
        s = q - pivot
        if s < 0 or page.toks[s:s + n] != needle or any(claims[s:s + n]):
            continue
        if whole_lines and not _is_whole(page, s, n):
            continue
        out.append(s)
    return out


def _claim_title(page: _Page, claims: _Claims, title: str, by_token: Mapping[str, list[int]]) -> None:
    """The title occurrence nearest the article start (whole-line occurrences first)."""
    t = tokens(title)
    if not t or any(c and c[0] == "title" for c in claims):
        return  # no title, or the gold's article already placed it
    starts = _occurrences(page, claims, t, len(t) < SHORT_SNIPPET, by_token)
    if not starts:
        return
    body = [p for p, c in enumerate(claims) if c and c[0] in ("article", "quote")]
    origin = body[0] if body else 0
    best = min(starts, key=lambda s: (not _is_whole(page, s, len(t)), abs(origin - s), s))
    for i in range(best, best + len(t)):
        claims[i] = ("title", -1)


def _claim_snippets(page: _Page, claims: _Claims, gold: Mapping, by_token: Mapping[str, list[int]]) -> None:
    """Every unclaimed occurrence of a boilerplate snippet (longest first), then of a
    comment-chrome line (whole lines only)."""
    snippets = [(tokens(str(s or "")), i, False) for i, s in enumerate(gold.get("boilerplate") or [])]
    snippets += [(tokens(str(s or "")), -1, True) for s in gold.get("comment_chrome") or []]
    for t, index, chrome in sorted((s for s in snippets if s[0]), key=lambda s: (-len(s[0]), s[1])):
        for s in _occurrences(page, claims, t, chrome or len(t) < SHORT_SNIPPET, by_token):
            for i in range(s, s + len(t)):
                claims[i] = ("boilerplate", index)


# ------------------------------------------------------------------------------------
# Lines
# ------------------------------------------------------------------------------------
_PRIORITY = {"title": 0, "quote": 1, "article": 2, "comment": 3, "boilerplate": 4}


def _line_label(claims: _Claims, lo: int, hi: int, comments: list) -> LineLabel:
    n = hi - lo
    got = Counter(c for c in claims[lo:hi] if c)  # insertion order: first on the line first
    parts = tuple((k, None if u < 0 else u, c)
                  for (k, u), c in sorted(got.items(), key=lambda kv: (-kv[1], _PRIORITY[kv[0][0]])))
    matched = sum(got.values())
    if matched < LINE_SHARE * n:
        return LineLabel("other", matched / n, n, parts=parts)
    kinds: Counter = Counter()
    for (k, _), c in got.items():
        kinds[k] += c
    kind = min(kinds, key=lambda k: (-kinds[k], _PRIORITY[k]))
    unit = max((u for k, u in got if k == kind), key=lambda u: got[(kind, u)])
    share = kinds[kind] / n
    if kind == "comment":
        c = comments[unit]
        return LineLabel(kind, share, n, unit, c.get("depth"), c.get("parent"), parts)
    return LineLabel(kind, share, n, None if unit < 0 else unit, parts=parts)


def _inherit(labels: list[LineLabel | None], no: int, step: int) -> LineLabel | None:
    """The nearest line with tokens from ``no`` in direction ``step``."""
    i = no + step
    while 0 <= i < len(labels):
        lab = labels[i]
        if lab is not None and lab.tokens:
            return lab
        i += step
    return None


def label_lines(lines: list[str], gold: Mapping) -> list[LineLabel | None]:
    """One :class:`LineLabel` per physical line of a rendered page (``None`` if blank).

    ``gold`` is in the format of the module docstring.  Pages the gold does not cover
    (no article, no comments) give ``other`` and ``boilerplate`` lines only.
    """
    page = _page_tokens(lines)
    stream, apart = _gold_stream(gold)
    by_token: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(page.toks):
        by_token[t].append(i)
    claims: _Claims = [None] * len(page.toks)
    _claim_pull_quotes(page, claims, apart, by_token)
    _claim_stream(page, stream, claims)
    _claim_title(page, claims, str(gold.get("title") or ""), by_token)
    _claim_snippets(page, claims, gold, by_token)
    comments = list(gold.get("comments") or [])
    labels: list[LineLabel | None] = [None] * len(lines)
    for no in page.first:
        labels[no] = _line_label(claims, page.first[no], page.last[no] + 1, comments)
    for no, text in enumerate(lines):
        if text.strip() and labels[no] is None:
            # a line without words ("[...]", an image) inside one gold unit is part of it
            up, down = _inherit(labels, no, -1), _inherit(labels, no, 1)
            same = up and down and up.label == down.label != "other" and up.index == down.index
            labels[no] = (LineLabel(up.label, 0.0, 0, up.index, up.depth, up.parent)
                          if same and up else LineLabel("other", 0.0, 0))
    return labels


# ------------------------------------------------------------------------------------
# The oracle: what a perfect line classifier would output
# ------------------------------------------------------------------------------------
ARTICLE_LABELS = ("title", "article", "quote")


def _runs_of(labels: list[LineLabel | None], wanted: tuple[str, ...]) -> list[tuple[LineLabel, list[int]]]:
    """Runs of consecutive non-blank lines with the same label and index, for the labels
    in ``wanted``.  A blank line ends a run, except inside one quotation: a quotation of
    several paragraphs is one quote block."""
    runs: list[tuple[LineLabel, list[int]]] = []
    prev: LineLabel | None = None
    for no, lab in enumerate(labels):
        if lab is None and prev is not None and prev.label == "quote":
            continue
        if lab is None or lab.label not in wanted:
            prev = None
            continue
        if prev is not None and (prev.label, prev.index) == (lab.label, lab.index):
            runs[-1][1].append(no)
        else:
            runs.append((lab, [no]))
        prev = lab
    return runs


def oracle_record(page_id: str, lines: list[str], labels: list[LineLabel | None], gold: Mapping) -> dict:
    """A JSON Lines record (the keys the realweb scorer reads, in corpusconv's layout)
    built from the gold line labels alone: the title and article are exactly the lines
    labelled title / article / quote (wrapped lines joined, markup removed), the comments
    the lines labelled comment, grouped by gold comment, with the gold depth, parent and
    author.  Scoring it measures the labels, not an engine."""
    text = [" ".join(t.split()) for t in visible_lines(lines)]
    title = " ".join(text[no] for no, lab in enumerate(labels) if lab and lab.label == "title") or None
    blocks = [{"type": "quote" if lab.label == "quote" else "paragraph",
               "text": " ".join(text[no] for no in nos), "speaker": None, "attribution": None,
               "lines": [nos[0] + 1, nos[-1] + 1]}
              for lab, nos in _runs_of(labels, ("article", "quote"))]
    owned: dict[int, list[int]] = defaultdict(list)
    for no, lab in enumerate(labels):
        if lab and lab.label == "comment" and lab.index is not None:
            owned[lab.index].append(no)
    gold_comments = list(gold.get("comments") or [])
    comments = []
    for index in sorted(owned):
        c, nos = gold_comments[index], owned[index]
        parent = c.get("parent")
        comments.append({"id": f"c{index}", "parent": None if parent is None else f"c{parent}",
                         "depth": c.get("depth"), "author": c.get("author"), "date": None,
                         "text": " ".join(text[no] for no in nos), "lines": [nos[0] + 1, nos[-1] + 1]})
    return {"id": page_id, "title": title, "blocks": blocks, "comments": comments}


# ------------------------------------------------------------------------------------
# Site-grouped folds
# ------------------------------------------------------------------------------------
def site_of(gold: Mapping, default: str = "") -> str:
    """The page's site: ``source.site``, else the host of ``source.url`` (without
    ``www.``), else ``default``."""
    source = gold.get("source") or {}
    site = str(source.get("site") or "").strip().lower()
    if not site and source.get("url"):
        site = (urlsplit(str(source["url"])).hostname or "").lower()
        site = site[4:] if site.startswith("www.") else site
    return site or default


def site_folds(golds: Mapping[str, Mapping], k: int = 5) -> dict[str, int]:
    """Assign every page to one of ``k`` folds (0 .. k-1) so that all pages of a site share
    a fold and the folds hold about as many pages each.

    Deterministic without a random state: sites are placed largest first (ties broken by
    a hash of the site name, so neighbouring names do not clump) into the fold that holds
    the fewest pages so far (ties: the lowest fold number).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    by_site: dict[str, list[str]] = defaultdict(list)
    for name in sorted(golds):
        by_site[site_of(golds[name], default=name)].append(name)
    order = sorted(by_site, key=lambda s: (-len(by_site[s]), hashlib.sha1(s.encode()).hexdigest(), s))
    sizes, folds = [0] * k, {}
    for site in order:
        fold = min(range(k), key=lambda i: (sizes[i], i))
        sizes[fold] += len(by_site[site])
        for name in by_site[site]:
            folds[name] = fold
    return folds


def load_golds(folder: str | Path, names: Iterable[str] | None = None) -> dict[str, dict]:
    """The gold files ``NAME.json`` of a folder, by page name (all, or only ``names``)."""
    wanted = None if names is None else set(names)
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(Path(folder).glob("*.json")) if wanted is None or p.stem in wanted}
