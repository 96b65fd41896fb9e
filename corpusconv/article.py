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

Title candidates: :func:`is_heading_like` says which lines could be a heading (the title
search itself, its features and its pick are in :mod:`corpusconv.titles`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .dates import TIME_RE, date_and_time_span, is_dateline
from .segment import SECTION_BREAK
from .units import LinePredicate, PositionPredicate, Unit
from .model import Block
from .rules import lower_matches_like_ignorecase

# ASCII capitals and digits, counted by deleting bytes: a table lookup a byte, several
# times cheaper than a regex scan or a call a character (the article and title features
# count them in every unit; most units are ASCII).
ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
ASCII_DIGITS = b"0123456789"


def deleted(b: bytes, chars: bytes) -> int:
    """How many bytes of ``b`` are among ``chars``.

    >>> deleted(b"Hello World 42", ASCII_UPPER), deleted(b"Hello World 42", ASCII_DIGITS)
    (2, 2)
    """
    return len(b) - len(b.translate(None, chars))


# Per-line scores for the body-text search.
PROSE_MIN_WORDS = 10          # a line this long counts as prose whatever its punctuation
SENTENCE_MIN_WORDS = 5        # a shorter line needs sentence punctuation to count
SHORT_LINE_PENALTY = 3
BOILERPLATE_PENALTY = 6
THREAD_WALL = -10_000
WIDGET_WALL = -9_999          # a rule with wall = true ("Related posts" and the like)
MIN_ARTICLE_SCORE = 40        # words of net prose that make a run an article
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
FORWARD_EXTENSION = 3         # short sentence lines just after the article still belong to it
CLOSING_HEADING_MAX_WORDS = 4  # a shorter title-case line after the article is a heading, not a closing line
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
    """Most words start with a capital (asked of every unit the article model rates).

    >>> is_title_case("How to Grow Tomatoes in Pots"), is_title_case("how to grow 3 tomatoes")
    (True, False)
    """
    initials = [w[0] for w in text.split() if w[0].isalpha()]   # split() yields no empty words
    return bool(initials) and sum(map(str.isupper, initials)) >= TITLE_CASE_SHARE * len(initials)


def is_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


# Sentence prose has at most one link per this many words (a teaser or link list has more).
PROSE_MAX_LINK_SHARE = 0.1


def is_sentence_prose(u: Unit, min_words: int = PROSE_MIN_WORDS) -> bool:
    """A unit of at least ``min_words`` words that ends like a sentence, with few links."""
    return u.words >= min_words and u.links <= PROSE_MAX_LINK_SHARE * u.words and is_sentence(u.text)


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
    return _heading_like(ln.text, ln.words, any_case)


# The title search asks about the same units for every candidate near them: answered once.
HEADING_LIKE_CACHE = 65_536


@lru_cache(maxsize=HEADING_LIKE_CACHE)
def _heading_like(t: str, words: int, any_case: bool) -> bool:
    if not t or words == 0 or words > TITLE_MAX_WORDS or len(t) > TITLE_MAX_CHARS:
        return False
    if t[-1] in ",;":
        return False
    if not (any_case or _capital_start(t)):
        return False
    if is_dateline(t) or TIME_RE.search(t) and words <= TIME_LINE_MAX_WORDS:
        return False
    found = date_and_time_span(t)
    if found:
        rest = (t[:found[1][0]] + " " + t[found[1][1]:]).split()
        if len(rest) <= DATE_LINE_MAX_OTHER_WORDS:
            return False
    letters = sum(map(str.isalpha, t))   # a C-level loop, not a generator a character
    return letters >= TITLE_MIN_LETTER_SHARE * len(t.replace(" ", ""))


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
