"""The article: where it starts and ends, its title/date/byline, and its blocks.

Where: the main text is the contiguous run of lines with the most prose in it (the
maximum-sum subarray of per-line scores, as in Finn et al.'s Body Text Extraction):
long sentence-like lines score their word count, short link-like lines a penalty, known
boilerplate a larger one, code a neutral zero.  Each further line in an unbroken run of
non-content costs more than the last (``escalate``), so the article can step over a
caption or a share bar but not over a stretch of widgets to a sidebar text; a comment
thread and a "Related posts"-style heading are walls it cannot cross.  A post header
(dateline beside a heading, or a heading the comment section names) early in the run
moves its start past a blog description or sidebar printed above the post.

Title: a heading-like line near the article's start, scored on evidence: beside a
dateline or byline, directly above the article, quoted by the comment section, share
texts or other short lines, title case, length; against: one- or two-word names,
captions, a person's name beside a dateline (a byline), controls ("View PDF/Print
Mode"), the site's name (printed in the footer), a line that wraps another heading
("Share …: X"), distance.  A lower-case title counts only where its position says
"title"; a chosen heading that shortens a fuller one printed above gives way to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from os.path import commonprefix

from .dates import TIME_RE, date_and_time_span, is_dateline
from .segment import SECTION_BREAK
from .units import LineCount, LinePredicate, PositionPredicate, Unit
from .model import Block
from .rules import lower_matches_like_ignorecase

# Per-line scores for the body-text search.
PROSE_MIN_WORDS = 10          # a line this long counts as prose whatever its punctuation
SENTENCE_MIN_WORDS = 5        # a shorter line needs sentence punctuation to count
SHORT_LINE_PENALTY = 3
BOILERPLATE_PENALTY = 6
THREAD_WALL = -10_000
WIDGET_WALL = -9_999          # a rule with wall = true ("Related posts" and the like)
MIN_ARTICLE_SCORE = 40        # words of net prose that make a run an article
# Title search window, in non-blank lines above / into the article.
TITLE_LOOKBACK = 20
REPEAT_BONUS = 1.5
TITLE_DISTANCE_COST = 0.15    # per non-blank line between a candidate and the article
ADJACENT_BONUS = 1.5          # directly above the article (or above its dateline)
TITLE_REPEAT_MIN_WORDS = 4     # a title printed twice (breadcrumb, share text); site names are shorter
SHORT_TITLE_WORDS = 2         # "Mozilla", "Tone Deaf": site and section names
SHORT_TITLE_PENALTY = 2
PIPE_TITLE_MIN_WORDS = 6
TITLE_LOOKAHEAD = 6
TITLE_INSIDE_REACH = 2        # a title may be one of the article run's first lines
TITLE_SKIP_REMOVED = 3        # removed lines (image names, credits) looked past below a title
TITLE_MAX_WORDS = 20
TITLE_MAX_CHARS = 200
SUBHEADING_MAX_WORDS = 12
SUBHEADING_ANY_CASE_MAX_WORDS = 6  # shorter sub-headings need not be in title case
TIME_LINE_MAX_WORDS = 6        # "5:53 PM", "Updated 10:14 AM EDT": a time, not a title
DATE_LINE_MAX_OTHER_WORDS = 4  # "May 06, 2022 News": a dateline with a section name
TITLE_MIN_LETTER_SHARE = 0.6
SPEAKER_MIN_TURNS = 2         # each speaker of a dialogue speaks at least this often
DIALOGUE_MIN_TURNS = 4
DIALOGUE_MIN_SPEAKERS = 2

# A sentence ends in . ! ? … : ; possibly inside closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…:;][\"”’)\]]*$")
TITLE_CASE_SHARE = 0.6
# Titles may ask or exclaim; a line ending like a statement is body text.
_STATEMENT_END = re.compile(r"[.:;][\"”’)\]]*$")
FORWARD_EXTENSION = 3         # short sentence lines just after the article still belong to it
CLOSING_HEADING_MAX_WORDS = 4  # a shorter title-case line after the article is a heading, not a closing line
_BYLINE = re.compile(r"^(?:by|posted by|written by|words by|author:?|story by)\s+(?P<name>[^\d|•·,]{2,60}?)"
                     r"(?:\s*(?:[|•·,]|\bon\b|\bin\b|\d).*)?$", re.I)
_BY_INSIDE = re.compile(r"\b[Bb][Yy]\s+(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})")
_SPEAKER = re.compile(r"^(?P<who>[A-Z][\w.'’-]{0,20}(?:\s[A-Z][\w.'’-]{0,20}){0,2}):\s+(?P<rest>\S.*)$", re.S)


# A group of consecutive lines (no blank between) with few sentence endings is a link
# list (related posts, "most popular", tag clouds), however long its headlines are.
LINK_BLOCK_MIN_LINES = 3
LINK_BLOCK_SENTENCE_SHARE = 0.3
# A paragraph this long that ends like a sentence is prose, never part of a link list
# (renderers that do not blank-separate paragraphs put it beside the lines around it).
LINK_BLOCK_PROSE_WORDS = 30
# ...or a group where at least half the lines are short fragments (teaser lists: headline,
# kicker, "By staff", time).
TEASER_SHORT_SHARE = 0.5


def link_block_lines(seq: list[Unit]) -> set[int]:
    """Line numbers of lines inside dense groups of mostly unpunctuated lines."""
    out: set[int] = set()
    group: list[Unit] = []

    def close():
        if len(group) >= LINK_BLOCK_MIN_LINES:
            ends = sum(1 for ln in group if _SENTENCE_END.search(ln.text))
            short = sum(1 for ln in group if ln.words < SENTENCE_MIN_WORDS or not _SENTENCE_END.search(ln.text))
            if ends < LINK_BLOCK_SENTENCE_SHARE * len(group) or short >= TEASER_SHORT_SHARE * len(group):
                out.update(ln.no for ln in group)
        group.clear()

    for ln in seq:
        prose = ln.words >= LINK_BLOCK_PROSE_WORDS and _SENTENCE_END.search(ln.text) is not None
        if group and (ln.no != group[-1].no + 1 or ln.item is not None or prose):
            close()
        if ln.item is None and not prose:
            group.append(ln)
    close()
    return out


# Each further non-content line in an unbroken run costs more, so the article can step
# over a caption or a share bar but not over a long stretch of widgets to a sidebar text.
RUN_ESCALATION = 0.4
RUN_RESET_SCORE = 10          # a line this strong (in words) ends a run of widgets
# List items of a few words (ingredients, steps, bullet points) are weak evidence either way;
# one- and two-word items are navigation-like.
LIST_ITEM_MIN_WORDS = 3
LIST_ITEM_PENALTY = 0.5


def escalate(scores: list[float]) -> list[float]:
    """Scale negative scores by how long the run of negative lines has been so far."""
    out, run = [], 0
    for s in scores:
        if s < 0:
            run += 1
            out.append(s * (1 + RUN_ESCALATION * (run - 1)))
        else:
            # One short line of prose amid widgets does not wipe the slate clean.
            run = 0 if s >= RUN_RESET_SCORE else run // 2
            out.append(s)
    return out


# A long unbroken stretch of non-content lines that phrase rules recognise as chrome
# (share bars, "Tags", footers, form labels) separates the article from whatever text
# follows (a sidebar "About" box, a podcast teaser): however much prose lies beyond, the
# article does not run across it.  Shorter stretches, or stretches without rule evidence
# (an ingredient list, a poem), only cost their escalating penalties.
WIDGET_RUN_LINES = 10
WIDGET_RUN_DROPS = 3


def widget_run_walls(scores: list[float]) -> list[float]:
    """``scores`` with each qualifying stretch turned into walls, from its first to its last
    rule-removed line (the lines around them may still be a closing sentence or a lead-in)."""
    out = list(scores)
    k, n = 0, len(scores)
    while k < n:
        if not (WIDGET_WALL < scores[k] < 0):
            k += 1
            continue
        j = k
        while j < n and WIDGET_WALL < scores[j] < 0:
            j += 1
        drops = [x for x in range(k, j) if scores[x] == -BOILERPLATE_PENALTY]
        if j - k >= WIDGET_RUN_LINES and len(drops) >= WIDGET_RUN_DROPS:
            for x in range(drops[0], drops[-1] + 1):
                out[x] = WIDGET_WALL
        k = j
    return out


# Source code in technical posts: neutral, so a snippet neither ends the article nor
# counts as prose.  A code line starts like code, ends with a brace or semicolon, or holds
# a call, an assignment or an arrow; the patterns are split by what they need so that a
# prose line is ruled out by a few substring tests instead of a scan per position.
_CODE_START = re.compile(r"\s*(?://|#include|import |from \S+ import|def |class |return\b|var |let |const |"
                         r"function\b|<\w+[^>]*>)|\s*[})\]]+[;,)]*\s*$")
_CODE_EQUALS = re.compile(r"\s=\s|==|=>")
_CODE_CALL = re.compile(r"\w\([^)]*\)\s*[;{]")
CODE_SYMBOL_SHARE = 0.06
_CODE_SYMBOLS = "{}()[];=<>/\\\"'$_.:"


def _code_shape(text: str) -> bool:
    return (("=" in text and _CODE_EQUALS.search(text) is not None) or "->" in text
            or ("(" in text and _CODE_CALL.search(text) is not None)
            or text.rstrip()[-1:] in ("{", "}", ";")
            or _CODE_START.match(text) is not None)


def is_code(text: str) -> bool:
    if not _code_shape(text):
        return False
    symbols = sum(1 for ch in text if ch in _CODE_SYMBOLS)
    return symbols >= CODE_SYMBOL_SHARE * len(text)


def line_score(ln: Unit, dropped: bool, in_link_block: bool = False) -> float:
    if dropped:
        return -BOILERPLATE_PENALTY
    if is_code(ln.text):
        return 0
    if in_link_block:
        return -max(SHORT_LINE_PENALTY, ln.words / 2)
    if ln.item is not None and ln.words >= LIST_ITEM_MIN_WORDS and ln.words < PROSE_MIN_WORDS:
        return -LIST_ITEM_PENALTY
    if SECTION_BREAK.match(ln.text):
        return 0
    if ln.words >= PROSE_MIN_WORDS:
        return ln.words
    if ln.words >= SENTENCE_MIN_WORDS and _SENTENCE_END.search(ln.text) and not is_title_case(ln.text):
        return ln.words
    return -SHORT_LINE_PENALTY


def is_title_case(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalpha()]
    return bool(words) and sum(w[:1].isupper() for w in words) >= TITLE_CASE_SHARE * len(words)


def is_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def best_region(scores: list[float]) -> tuple[int, int] | None:
    """Indices (i, j) of the maximum-sum contiguous run; None if no run is positive."""
    best, best_span = 0.0, None
    cur, start = 0.0, 0
    for k, s in enumerate(scores):
        if cur <= 0:
            cur, start = s, k
        else:
            cur += s
        if cur > best:
            best, best_span = cur, (start, k)
    return best_span


def is_ui_label(ln: Unit) -> bool:
    """A short line starting with a command ("View PDF/Print Mode", "Download Free Trial")."""
    return ln.words <= UI_LABEL_MAX_WORDS and _UI_VERB.match(ln.text) is not None


def _capital_start(t: str) -> bool:
    """Starts like a heading: a capital, a digit, an opening quote or bracket, or a word
    with a capital inside ("iOS 13 will…", "eBay buys…")."""
    if t[0].isupper() or t[0].isdigit() or t[0] in "“\"'‘{[(«¿¡#":
        return True
    first = t.split(None, 1)[0]
    return t[0].islower() and any(ch.isupper() for ch in first[1:])


def is_heading_like(ln: Unit, any_case: bool = False) -> bool:
    """A line that could be a heading; ``any_case`` also admits one starting in lower case
    (some blogs write titles all in lower case: only where the position says "title")."""
    t = ln.text
    if not t or ln.words == 0 or ln.words > TITLE_MAX_WORDS or len(t) > TITLE_MAX_CHARS:
        return False
    if t[-1] in ",;":
        return False
    if not (any_case or _capital_start(t)):
        return False
    if is_dateline(t) or TIME_RE.search(t) and ln.words <= TIME_LINE_MAX_WORDS:
        return False
    found = date_and_time_span(t)
    if found:
        rest = (t[:found[1][0]] + " " + t[found[1][1]:]).split()
        if len(rest) <= DATE_LINE_MAX_OTHER_WORDS:
            return False
    letters = sum(ch.isalpha() for ch in t)
    return letters >= TITLE_MIN_LETTER_SHARE * len(t.replace(" ", ""))


def find_byline(text: str) -> str | None:
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


# A post header (dateline next to a heading) inside the first part of the best run means
# the run began in a sidebar or blog description printed above the post.
POST_HEADER_MAX_SHARE = 0.5


def post_header_start(seq: list[Unit], start: int, end: int, scores: list[float],
                      named_by_comments: LinePredicate = lambda ln: False) -> int:
    """Where the post begins if a post header sits early in seq[start:end+1]: a dateline
    beside a heading, or a heading that the comment section names ("12 comments to X")."""
    total = sum(s for s in scores[start:end + 1] if s > 0) or 1.0
    before = 0.0
    for k in range(start, end):
        a, b = seq[k], seq[k + 1]
        if ((is_dateline(a.text) and is_heading_like(b)) or (is_heading_like(a) and is_dateline(b.text))
                or (k > start and is_heading_like(a) and named_by_comments(a))):
            return k if k > start else start
        before += max(0.0, scores[k])
        if before > POST_HEADER_MAX_SHARE * total:
            break
    return start


@dataclass
class Heading:
    title: Unit | None
    date_line: Unit | None
    byline: Unit | None
    author: str | None


_PERSON_NAME = re.compile(r"^[A-Z][a-z]+(?: [A-Z]\.?)?(?: [A-Z][a-z'’-]+){1,2}$")
PERSON_NEAR_DATE_PENALTY = 4
_CAPTION = re.compile(r"\b(?:photo|image|picture|credit|getty|afp|reuters|shutterstock|illustration)\b", re.I)
# Short headings that start with a command are controls and calls to action, not titles.
_UI_VERB = re.compile(r"(?:view|print|download|share|read|click|subscribe|follow|sign|log|register|join|get|see|"
                      r"buy|shop|watch|listen|save|email|send|skip|jump|back|go|load|show|hide|open|close|copy|"
                      r"add|leave|post|submit|search|explore|discover|learn|find|try|start|continue|return)\b", re.I)
UI_LABEL_MAX_WORDS = 5
UI_LABEL_PENALTY = 3
SITE_NAME_PENALTY = 4
WRAPPER_PENALTY = 4
WRAPPED_MIN_CHARS = 15        # a heading this long, quoted at the end of another line
MENTION_BONUS = 3             # per other line quoting the candidate (share text, "12 comments on X")
MENTION_BONUS_CAP = 6
SHORT_MENTION_BONUS = 2
SHORT_MENTION_BONUS_CAP = 4
_NOT_TITLE_CHARS = re.compile(r"[«»]|:$|^\W*$")


# The chosen heading may be a shortened echo of the title printed further up (an image's
# alt text "The Doobie Brothers", a section heading "How to Grow X: What You Need"): a
# longer heading above that starts with the same words is the title.
TITLE_FAMILY_LOOKBACK = 40
TITLE_FAMILY_MIN_PREFIX = 15
TITLE_FAMILY_PREFIX_SHARE = 0.6
_SITE_SUFFIX_SEPARATORS = ("-", "|", "–", "—", "::", "«", "»", "·")


def _full_title_above(seq: list[Unit], best: int, start: int, usable: LinePredicate) -> int:
    cand = seq[best]
    for k in range(best - 1, max(-1, min(best, start) - TITLE_FAMILY_LOOKBACK - 1), -1):
        ln = seq[k]
        if len(ln.norm) <= len(cand.norm) or ln.item is not None or not usable(ln) or not is_heading_like(ln):
            continue
        shared = len(commonprefix([ln.norm, cand.norm]))
        if shared == len(cand.norm) and ln.norm[shared:].lstrip(" ?!.,;'\"’”)]").startswith(_SITE_SUFFIX_SEPARATORS):
            continue  # "Title - Site Name": the page's <title> line, not a fuller title
        if shared >= TITLE_FAMILY_MIN_PREFIX and shared >= TITLE_FAMILY_PREFIX_SHARE * len(cand.norm):
            return k
    return best


@dataclass(frozen=True)
class _TitleClues:
    """What the page says about the lines near the article, for scoring title candidates."""

    seq: list[Unit]
    start: int
    mentions: LineCount
    repeats: LineCount
    usable: LinePredicate
    in_footer: LinePredicate
    nearby: list[str]  # the longer lines' texts: a title quoted at the end of one of them


# A title's usual length: shorter is a label, longer a sentence.
TITLE_TYPICAL_MIN_WORDS = 3
TITLE_TYPICAL_MAX_WORDS = 15
# Lines above and below the title searched for its dateline and byline.
TITLE_META_BELOW = 3
TITLE_META_ABOVE = 3
BYLINE_MAX_WORDS = 12


def find_title(seq: list[Unit], start: int, mentions: LineCount, repeats: LineCount, usable: LinePredicate,
               trace: list | None = None, in_footer: LinePredicate = lambda ln: False) -> Heading:
    """Pick the title near ``seq[start]`` (the first article line); see module docstring.

    ``mentions(line)`` counts other lines that quote the line's text inside them (comment
    headings, "Leave a reply to …"); ``repeats(line)`` counts identical lines (site chrome);
    ``in_footer(line)`` tells whether the site footer names it ("© 2012 X", "X is proudly
    powered by …"): the site's name, not the post's.  Candidates are the heading-like lines
    placed where a title stands (:func:`_placed_as_title`); the best score wins
    (:func:`_title_score`); its dateline and byline are looked for beside it.
    """
    lo = max(0, start - TITLE_LOOKBACK)
    hi = min(len(seq), start + TITLE_LOOKAHEAD)
    clues = _TitleClues(seq, start, mentions, repeats, usable, in_footer,
                        [seq[k].norm for k in range(lo, hi) if len(seq[k].norm) >= WRAPPED_MIN_CHARS])
    best, best_score = None, 0.0
    for k in range(lo, hi):
        ln = seq[k]
        if not usable(ln) or ln.item is not None or not is_heading_like(ln, any_case=True):
            continue
        near_date = any(is_dateline(seq[j].text) or find_byline(seq[j].text)
                        for j in (k - 1, k + 1) if 0 <= j < len(seq))
        if not _placed_as_title(clues, k, near_date) or not _reads_as_title(ln):
            continue
        score = _title_score(clues, k, near_date)
        if trace is not None:
            trace.append((round(score, 2), ln.no, ln.text[:60]))
        if score > best_score:
            best, best_score = k, score
    if best is None:
        return Heading(None, None, None, None)
    return _title_with_meta(seq, _full_title_above(seq, best, start, usable))


def _placed_as_title(clues: _TitleClues, k: int, near_date: bool) -> bool:
    """Whether line ``k`` stands where a title does: above the article, or inside it only
    on evidence (a dateline/byline beside it, or the article's very first line reading as
    a heading above a paragraph: long news titles score as prose)."""
    seq, start, ln = clues.seq, clues.start, clues.seq[k]
    inside = k >= start
    # The next line that stays on the page (an image file name or a caption credit
    # between a title and its first paragraph is removed).
    nxt = next((j for j in range(k + 1, min(len(seq), k + 1 + TITLE_SKIP_REMOVED)) if clues.usable(seq[j])),
               None)
    opens_article = (start <= k <= start + TITLE_INSIDE_REACH and nxt is not None
                     and not _STATEMENT_END.search(ln.text.rstrip("…"))
                     and seq[nxt].words >= PROSE_MIN_WORDS)
    if inside and not (near_date or opens_article):
        return False
    # A title in lower case only where the position itself says "title".
    return opens_article or (near_date and inside) or is_heading_like(ln)


def _reads_as_title(ln: Unit) -> bool:
    """Not a byline, a label ending in a colon, or a menu ("Home | About | Contact"; long
    titles do carry "| subtitle")."""
    if _NOT_TITLE_CHARS.search(ln.text) or find_byline(ln.text):
        return False
    return "|" not in ln.text or ln.words >= PIPE_TITLE_MIN_WORDS


def _title_score(clues: _TitleClues, k: int, near_date: bool) -> float:
    """How much line ``k`` looks like the post's title (see the module docstring)."""
    seq, start, ln = clues.seq, clues.start, clues.seq[k]
    score = 1.0
    score += 3 if near_date else 0
    if near_date and _PERSON_NAME.match(ln.text):
        score -= PERSON_NEAR_DATE_PENALTY  # "Jason Cipriani" above "November 18, 2019": a byline
    # Share texts and comment headings quote a post's title; site and section names
    # ("Business", "Tone Deaf") are quoted too, but are short.
    if ln.words > SHORT_TITLE_WORDS:
        score += min(MENTION_BONUS_CAP, MENTION_BONUS * clues.mentions(ln))
    else:
        score += min(SHORT_MENTION_BONUS_CAP, SHORT_MENTION_BONUS * clues.mentions(ln))
    # The title is often printed twice (breadcrumb, heading, share text); menus repeat
    # too, but as list items, which are not candidates.
    if ln.words >= TITLE_REPEAT_MIN_WORDS:  # blog and section names repeat too, but are short
        score += REPEAT_BONUS * min(2, clues.repeats(ln))
    if ln.words <= SHORT_TITLE_WORDS:
        score -= SHORT_TITLE_PENALTY
    score -= 3 if _CAPTION.search(ln.text) else 0
    if clues.in_footer(ln):
        score -= SITE_NAME_PENALTY
    if any(len(ln.norm) > len(o) and ln.norm.endswith(o) for o in clues.nearby):
        score -= WRAPPER_PENALTY  # "Share All sharing options for: X", "Comments on X": X is the title
    if is_ui_label(ln):
        score -= UI_LABEL_PENALTY  # "View PDF/Print Mode", "Download Free Trial": a control
    score += 1 if TITLE_TYPICAL_MIN_WORDS <= ln.words <= TITLE_TYPICAL_MAX_WORDS else 0
    score -= 1.5 if ln.text.endswith(".") and not ln.text.endswith("...") else 0
    score += 0.25 * min(ln.words, 10)
    score += 1 if is_title_case(ln.text) else 0
    score -= TITLE_DISTANCE_COST * abs(start - k)
    # Directly followed by the article (or by its dateline) is the usual layout.
    if k + 1 < len(seq) and (k + 1 == start or is_dateline(seq[k + 1].text)):
        score += ADJACENT_BONUS
    return score


def _title_with_meta(seq: list[Unit], best: int) -> Heading:
    """The title ``seq[best]`` with the dateline and byline beside it (below first)."""
    date_line = byline = None
    author = None
    near = (list(range(best + 1, min(len(seq), best + 1 + TITLE_META_BELOW)))
            + list(range(max(0, best - TITLE_META_ABOVE), best)))
    for j in near:
        t = seq[j].text
        if date_line is None and date_and_time_span(t) and (is_dateline(t) or find_byline(t)):
            date_line = seq[j]
            author = author or find_byline(t)
            if author:
                byline = None
        elif byline is None and author is None and find_byline(t) and seq[j].words <= BYLINE_MAX_WORDS:
            byline, author = seq[j], find_byline(t)
    return Heading(seq[best], date_line, byline, author)


def paragraphs_from_lines(lines: list[Unit]) -> list[Block]:
    """Group article lines into blocks: paragraphs (hard wraps joined), list items, breaks."""
    blocks: list[Block] = []
    cur: list[Unit] = []

    def flush():
        if cur:
            text = " ".join(ln.text for ln in cur)
            blocks.append(Block("paragraph", text, (cur[0].no, cur[-1].no), tuple(ln.no for ln in cur)))
            cur.clear()

    item_block: dict[int, Block] = {}
    for ln in lines:
        if cur and ln.no != cur[-1].no + 1:
            flush()
        if SECTION_BREAK.match(ln.text):
            flush()
            blocks.append(Block("section_break", "", (ln.no, ln.no), (ln.no,)))
        elif ln.item is not None:
            flush()
            b = item_block.get(id(ln.item))
            if b is not None and blocks and blocks[-1] is b:
                b.text += " " + ln.text
                b.lines = (b.lines[0], ln.no)
                b.source_lines += (ln.no,)
            else:
                b = Block("list_item", ln.body if ln.marker else ln.text, (ln.no, ln.no), (ln.no,))
                item_block[id(ln.item)] = b
                blocks.append(b)
        else:
            cur.append(ln)
    flush()
    return blocks


# Link labels glued to the end of a paragraph by the renderer.
_TRAILING_REMNANT = re.compile(
    r"\s*(?P<r>\((?:continue reading|read more|more|click here|via)[^()]{0,40}\)|"
    r"(?:continue reading|read more|read the rest of (?:this|the) (?:entry|post|article))\s*(?:[→»…]|\.\.\.)?)$",
    re.I)


# A remnant is a few words long: search only the end of a paragraph (unless the match
# reaches the start of that window, where leading space may extend it further left).
REMNANT_WINDOW = 200


# Every remnant contains one of these (lower-cased); most paragraphs contain none.
_REMNANT_KEYS = ("continue reading", "read more", "read the rest of", "(more", "(click here", "(via")


def _trailing_remnant(text: str):
    pos = max(0, len(text) - REMNANT_WINDOW)
    tail = text[pos:]
    if not any(k in tail.lower() for k in _REMNANT_KEYS) and lower_matches_like_ignorecase(tail):
        return None
    m = _TRAILING_REMNANT.search(text, pos)
    if m is not None and pos and m.start() == pos:
        m = _TRAILING_REMNANT.search(text)
    return m


def strip_remnants(blocks: list[Block]) -> list[tuple[int, str]]:
    """Cut trailing link remnants off paragraphs; return (line, removed text) pairs."""
    cut = []
    for b in blocks:
        if b.type not in ("paragraph", "list_item", "quote", "turn"):
            continue
        m = _trailing_remnant(b.text)
        if m and m.start() > 0:
            cut.append((b.lines[1], m.group("r")))
            b.text = b.text[: m.start()].rstrip()
    return cut


def mark_headings(blocks: list[Block]) -> list[Block]:
    """One-line, title-like paragraphs followed by more content are sub-headings."""
    for i, b in enumerate(blocks[:-1]):
        if (b.type == "paragraph" and len(b.source_lines) == 1 and len(b.text.split()) <= SUBHEADING_MAX_WORDS
                and not _SENTENCE_END.search(b.text) and b.text[:1].isupper()
                and (is_title_case(b.text) or len(b.text.split()) <= SUBHEADING_ANY_CASE_MAX_WORDS)):
            b.type = "heading"
    return blocks


def extend_region(seq: list[Unit], end: int, blocked: PositionPredicate) -> int:
    """Let the article keep a few short closing sentences ("Enjoy!", "Ann: You're welcome.")."""
    k = end + 1
    while k < len(seq) and k <= end + FORWARD_EXTENSION and not blocked(k):
        ln = seq[k]
        if ln.item is not None or not is_sentence(ln.text) or is_title_case(ln.text) and ln.words < CLOSING_HEADING_MAX_WORDS:
            break
        end = k
        k += 1
    return end


def apply_dialogue(blocks: list[Block]) -> list[Block]:
    """Turn 'Name: text' paragraphs into turns when the page is a conversation."""
    counts: dict[str, int] = {}
    for b in blocks:
        if b.type == "paragraph":
            m = _SPEAKER.match(b.text)
            if m:
                counts[m.group("who")] = counts.get(m.group("who"), 0) + 1
    speakers = {w for w, c in counts.items() if c >= SPEAKER_MIN_TURNS}
    if len(speakers) < DIALOGUE_MIN_SPEAKERS or sum(counts[w] for w in speakers) < DIALOGUE_MIN_TURNS:
        return blocks
    out: list[Block] = []
    turn: Block | None = None
    for b in blocks:
        m = _SPEAKER.match(b.text) if b.type == "paragraph" else None
        if m and m.group("who") in speakers:
            turn = Block("turn", m.group("rest").strip(), b.lines, b.source_lines, speaker=m.group("who"))
            out.append(turn)
        elif b.type == "paragraph" and turn is not None and out and out[-1] is turn:
            turn.text += "\n\n" + b.text
            turn.lines = (turn.lines[0], b.lines[1])
            turn.source_lines += b.source_lines
        else:
            turn = None
            out.append(b)
    return out
