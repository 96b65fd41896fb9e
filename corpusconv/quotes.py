"""Block quotations and their attributions, found in article paragraphs.

Attribution forms, all generalised from how blogs print quotations:

* ``… text ~ Author, Title`` — a tilde attribution closing the paragraph;
* ``… text.” — Author`` / ``– Author`` — a dash attribution after closing punctuation;
* ``… text. Author Name`` — a title-cased name trailing the last sentence (no marker);
* a separate paragraph that is only ``— Author`` or ``~ Author``.

A quotation may span paragraphs; it reaches back from the attributed paragraph only on
evidence: an introducing paragraph ending in ``:`` just before it, or a continuation
signal (the attributed paragraph opens with an ellipsis, or the previous one leaves a
quotation mark open).  Without evidence the quote is the attributed paragraph alone.

Unattributed block quotations are recognised where the rendered text still marks them:
paragraphs indented deeper than the article (renderers indent ``<blockquote>``),
paragraphs wholly inside quotation marks, and a paragraph introduced by a verb of
saying and a colon ("Felix Salmon explains:").

Two more marks come from how the page was laid out and rendered:

* a pull quote: a short paragraph between body paragraphs whose words are a sentence of
  a longer article paragraph (magazines repeat a sentence as a large ``<blockquote>``),
  optionally with a short attribution line joined under it;
* a single newline: the renderer separates ``<p>`` blocks with a blank line but joins a
  ``<blockquote>`` to the text beside it with one newline.  On a page whose prose is
  blank-separated, a line joined under an introducing sentence ending in ``:`` (or ``,``
  before a line wholly in quotation marks) opens a quotation, and the next single
  newline between prose lines closes it.

Most block quotations carry no such mark in plain text; those stay paragraphs.
"""

from __future__ import annotations

import re

from . import article
from .model import Block

# Longest attribution we accept, in words: "Glick & Meyers, Masochism: Current Psychoanalytic
# Perspectives" is 7; book titles run longer.
MAX_ATTRIBUTION_WORDS = 14
MAX_TRAILING_NAME_WORDS = 10
MIN_QUOTE_WORDS = 6
MIN_TRAILING_NAME_WORDS = 2  # "— Obama" alone could be any trailing word

_TILDE = re.compile(r"^(?P<body>.*\S)\s+~\s*(?P<attr>[^~]{2,160})$", re.S)
_DASH = re.compile(r"^(?P<body>.*[.!?…\"”’)])\s*[—–]\s*(?P<attr>[^—–]{2,160})$", re.S)
_HYPHEN = re.compile(r"^(?P<body>.*[\"”])\s+-{1,2}\s*(?P<attr>[A-Z][^-]{1,160})$", re.S)
_SEPARATE = re.compile(r"^\s*(?:[—–~]|--)\s*(?P<attr>\S.{1,160})$", re.S)
_TRAILING = re.compile(r"^(?P<body>.*[.!?…\"”])\s+(?P<attr>[A-Z][^.!?…\"”]{2,120}?)\.?$", re.S)
_CONNECTORS = {"&", "and", "of", "the", "de", "von", "van", "der", "la", "le", "du", "in", "on", "a",
               "an", "for", "to", "y", "da", "di", "bin", "al"}
_CONTINUES = re.compile(r"^\s*(?:…|\.\.\.|[a-z])")
# A picture's credit line ("Photo: Agency", "Image by Name") closes a caption, not a quotation.
_CREDIT = re.compile(r"^(?:photo(?:graph)?s?|image|picture|pic|illustration|graphic|video|credit|source|"
                     r"courtesy|foto|bild)\b\s*(?::|by\b|©|\(c\))", re.I)


def _looks_like_name(attr: str, max_words: int) -> bool:
    """Title-cased words (a name, optionally ', Title'), no sentence inside; not a credit line.

    >>> _looks_like_name("Glick & Meyers, Masochism", 14), _looks_like_name("Mary Beard", 14)
    (True, True)
    >>> _looks_like_name("the gardener", 14), _looks_like_name("Jane Doe said hello", 14)
    (False, False)
    >>> _looks_like_name("Anne Marie Louise de la Tour", 3)  # too many words
    False
    >>> _looks_like_name("Photo: Coastline Gazette", 14)  # a picture's credit
    False
    """
    if _CREDIT.match(attr):
        return False
    words = attr.replace(",", " ").replace(":", " ").split()
    if not words or len(words) > max_words:
        return False
    if not words[0][:1].isupper():
        return False
    caps = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit() or w.lower() in _CONNECTORS
               or w in ("&", "(", ")"))
    return caps == len(words)


def split_attribution(text: str) -> tuple[str, str, str] | None:
    """Split a paragraph into (quote text, attribution, marker) if it ends with one.

    ``marker`` is ``~``, ``—`` or ``""`` (trailing name).  Returns ``None`` otherwise.

    >>> split_attribution("Leave it be and let it breathe. ~ Arthur Pym, plot 17")
    ('Leave it be and let it breathe.', 'Arthur Pym, plot 17', '~')
    >>> split_attribution("“Soil is like a good loaf.” — Arthur Pym")
    ('“Soil is like a good loaf.”', 'Arthur Pym', '—')
    >>> split_attribution('"Nobody expects it" -- Monty Python')
    ('"Nobody expects it"', 'Monty Python', '—')
    >>> split_attribution("The soil is like a good loaf and should be left alone. Arthur Pym")
    ('The soil is like a good loaf and should be left alone.', 'Arthur Pym', '')

    A dash inside a sentence, or a lower-case tail, is no attribution:

    >>> split_attribution("It was raining — so we stayed in"), split_attribution("We left. then we ate")
    (None, None)
    """
    m = _TILDE.match(text)
    if m and len(m.group("attr").split()) <= MAX_ATTRIBUTION_WORDS:
        return m.group("body").strip(), m.group("attr").strip().rstrip("."), "~"
    for pat in (_DASH, _HYPHEN):
        m = pat.match(text)
        if m and _looks_like_name(m.group("attr").strip().rstrip("."), MAX_ATTRIBUTION_WORDS):
            return m.group("body").strip(), m.group("attr").strip().rstrip("."), "—"
    m = _TRAILING.match(text)
    if m:
        attr = m.group("attr").strip()
        body = m.group("body").strip()
        if (len(body.split()) >= MIN_QUOTE_WORDS and _looks_like_name(attr, MAX_TRAILING_NAME_WORDS)
                and len(attr.split()) >= MIN_TRAILING_NAME_WORDS):
            return body, attr.rstrip("."), ""
    return None


_TWEET_HANDLE = re.compile(r"\(@\w{1,15}\)")


def separate_attribution(text: str) -> str | None:
    """The attribution in a paragraph that is only ``— Author`` / ``~ Author``.

    >>> separate_attribution("— Arthur Pym"), separate_attribution("-- Mark Twain")
    ('Arthur Pym', 'Mark Twain')
    >>> separate_attribution("— rubito (@studiodelatorre) May 2")
    'rubito (@studiodelatorre) May 2'
    >>> separate_attribution("— and then we left"), separate_attribution("Arthur Pym")
    (None, None)
    """
    m = _SEPARATE.match(text)
    if m and len(m.group("attr").split()) <= MAX_ATTRIBUTION_WORDS and "\n" not in text.strip():
        attr = m.group("attr").strip()
        if _CREDIT.match(attr):
            return None
        # a tweet's signature keeps its author's own spelling: "— rubito (@studiodelatorre) …"
        if attr[:1].isupper() or _TWEET_HANDLE.search(attr):
            return attr.rstrip(".")
    return None


def quote_start(paragraphs: list[str], k: int, is_plain: list[bool]) -> int:
    """Index of the first paragraph of the quotation whose attribution closes paragraph ``k``.

    ``is_plain[j]`` tells whether paragraph j is ordinary prose that may join a quote.

    >>> plain = [True, True, True]
    >>> quote_start(["He told me:", "It was the best year.", "After."], 1, plain)  # introduced
    1
    >>> quote_start(["He wrote:", "The first part of it.", "The second part. ~ Jo"], 2, plain)
    1
    >>> quote_start(["“It began in the spring,", "… and it never stopped. ~ Jo"], 1, plain)
    0
    >>> quote_start(["An ordinary paragraph.", "A quotation. ~ Jo"], 1, plain)  # no evidence
    1
    """
    if k >= 1 and paragraphs[k - 1].rstrip().endswith(":"):
        return k
    if (k >= 2 and is_plain[k - 1] and paragraphs[k - 2].rstrip().endswith(":")
            and not paragraphs[k - 1].rstrip().endswith(":")):
        return k - 1
    if k >= 1 and is_plain[k - 1]:
        prev = paragraphs[k - 1]
        if _CONTINUES.match(paragraphs[k]) or prev.count("“") > prev.count("”"):
            return k - 1
    return k


def apply_quotes(blocks: list[Block]) -> list[Block]:
    """Merge attributed paragraphs (and the paragraphs they span) into quote blocks."""
    out: list[Block] = []
    for b in blocks:
        attr: str | None = None
        body = ""  # set with attr
        absorbed: tuple[int, ...] = ()
        if b.type == "paragraph":
            sep = separate_attribution(b.text)
            if sep and out and out[-1].type == "paragraph":
                attr, absorbed = sep, b.source_lines
                b_last = out.pop()
                body, last_lines, last_src = b_last.text, b_last.lines, b_last.source_lines
                last_lines = (last_lines[0], b.lines[1])
                last_src = last_src + absorbed
            else:
                split = split_attribution(b.text)
                if split:
                    body, attr, _ = split
                    last_lines, last_src = b.lines, b.source_lines
        if attr is None:
            out.append(b)
            continue
        texts = [x.text for x in out] + [body]
        plain = [x.type == "paragraph" for x in out] + [True]
        start = quote_start(texts, len(texts) - 1, plain)
        taken = out[start:]
        del out[start:]
        paragraphs = [x.text for x in taken] + [body]
        first = taken[0].lines[0] if taken else last_lines[0]
        src = tuple(n for x in taken for n in x.source_lines) + last_src
        out.append(Block("quote", "\n\n".join(paragraphs), (first, last_lines[1]), src, attribution=attr))
    return out


# A paragraph wholly inside quotation marks: “…” or ‘…’ (an attribution may follow).
_WHOLLY_QUOTED = re.compile(r"^\s*[“‘\"]\S.*[”’\"]\s*(?:[~—–-]+\s*\S.{0,100})?$", re.S)
MIN_BLOCK_QUOTE_WORDS = 6
# A paragraph ending in a colon after a verb of saying introduces a quotation:
# "Felix Salmon explains:", "According to his blog entry on the matter:", "Here it is:".
# The verbs are the common English reporting verbs, not a list grown from one page.
_INTRODUCES = re.compile(
    r"\b(?:says?|said|writes?|wrote|explains?|explained|notes?|noted|puts? it|argues?|argued|claims?|claimed|"
    r"adds?|added|asks?|asked|tells?|told|recalls?|recalled|concludes?|concluded|insists?|insisted|"
    r"warns?|warned|observes?|observed|replies|replied|responds?|responded|announce[sd]?|admits?|admitted|"
    r"according to|reads?|statements?|declared|stated|tweeted|posted|quote[sd]?|here it is|"
    r"as follows|in (?:his|her|their) words)\b[^.!?]{0,80}:\s*$", re.I)


def _wholly_quoted(text: str) -> bool:
    """One quotation from the first character to the last (not dialogue, not a snippet).

    >>> _wholly_quoted("“People think a shop like this sells sweets. It sells the fact that somebody is here.”")
    True
    >>> _wholly_quoted("“Hi,” she said. “Hello,” he said, and they walked on."), _wholly_quoted("“Short.”")
    (False, False)
    """
    if not _WHOLLY_QUOTED.match(text) or len(text.split()) < MIN_BLOCK_QUOTE_WORDS:
        return False
    # One quotation, not dialogue: the opening mark is not closed and reopened mid-way.
    return text.count("“") <= 1 and text.count("”") <= 1 or text.count('"') == 2


# Renderers indent code (<pre>) and some lists as they indent <blockquote>, and "as
# follows:" introduces code as often as a quotation: an indented or introduced block is a
# quotation only if it reads as prose - this many words in all, this many a line on
# average (a column of country names has one or two), and no line of code.
INDENTED_QUOTE_MIN_WORDS = MIN_BLOCK_QUOTE_WORDS
INDENTED_QUOTE_MIN_LINE_WORDS = 4
_CODE_LINE = re.compile(r"[;{}]\s*$|//|<-|\w\(|^\s*[\w.\[\]\"']+\s*[+\-*/]?=\s")


def _quotable(b: Block, line_text: dict[int, str] | None) -> bool:
    words = len(_tokens(b.text))
    lines = [line_text[n] for n in b.source_lines if n in line_text] if line_text else [b.text]
    if words < INDENTED_QUOTE_MIN_WORDS or words < INDENTED_QUOTE_MIN_LINE_WORDS * max(1, len(lines)):
        return False
    return not any(_CODE_LINE.search(t) for t in lines)


# Units are numbered with one number for a blank gap between them (corpusconv.units).
ADJACENT_UNIT_STEP = 2


def _next_to(before: Block, b: Block) -> bool:
    """Nothing but a blank line between the two blocks: an introducing sentence does not
    introduce what follows a removed or consumed line (a title, a widget) below it."""
    return b.lines[0] - before.lines[1] <= ADJACENT_UNIT_STEP


def mark_block_quotes(blocks: list[Block], indented: set[int], line_text: dict[int, str] | None = None,
                      separated: bool = False) -> list[Block]:
    """Unattributed block quotations (see the module docstring).  Consecutive indented
    paragraphs form one quotation.  With the page's lines (``line_text``), a quotation
    introduced by a colon ends at a single newline between two prose lines on a page that
    separates its paragraphs with blank lines (``separated``, see
    :func:`page_blank_separated`)."""
    close_lines = line_text if separated else None  # the lines a closing join is looked for in
    out: list[Block] = []
    open_indented: Block | None = None  # the indented quotation the next paragraph may extend
    for b in blocks:
        is_indented = (b.type == "paragraph" and b.source_lines and all(n in indented for n in b.source_lines)
                       and _quotable(b, line_text))
        if is_indented and open_indented is not None and out and out[-1] is open_indented:
            open_indented.text += "\n\n" + b.text
            open_indented.lines = (open_indented.lines[0], b.lines[1])
            open_indented.source_lines += b.source_lines
            continue
        introduced = (b.type == "paragraph" and out and out[-1].type == "paragraph"
                      and _next_to(out[-1], b)
                      and out[-1].text.rstrip().endswith(":")  # cheap test before the regex
                      and _INTRODUCES.search(out[-1].text) is not None
                      and _quotable(b, line_text))
        if b.type == "paragraph" and (is_indented or introduced or _wholly_quoted(b.text)):
            end = None
            if (introduced and not is_indented and close_lines is not None
                    and all(n in close_lines for n in b.source_lines)):
                end = _closing_join(b.source_lines, close_lines)
            if end is not None and close_lines is not None:
                out.extend(_split_block(b, end, close_lines, "quote", "paragraph"))
                open_indented = None
                continue
            q = Block("quote", b.text, b.lines, b.source_lines)
            open_indented = q if is_indented else None
            out.append(q)
            continue
        out.append(b)
    return out


# ---------------------------------------------------------------------------------------
# Cues from the page's layout and its rendering.  On the realweb development set (78
# pages, 45 gold <blockquote> quotations) each fires only on gold quotations: pull quotes
# 5 of 5, quotations joined under their intro 4 of 4.  Unnarrowed, the same signals are
# weak: a single newline beside a line 20 of 70 quote lines vs 802 of 2405 other article
# lines, a line after a colon 14 vs 74, a repeat inside another line 7 vs 41.
# ---------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\w+")
_SENTENCE_CLOSE = re.compile(r"[.!?…][\"”’')\]]*$|[\"”’]$")
_LIST_START = re.compile(r"^\s*(?:[•◦▪‣○■□►➢·*+\-]|\d{1,3}[.)])\s")

# A pull quote (a sentence of the article printed again, larger, beside it) repeats at
# least this many words of a longer paragraph; shorter repeats are headings and labels.
PULL_QUOTE_MIN_WORDS = 6
# ... and is at most this long: a pull quote is a sentence or two, not a paragraph.
PULL_QUOTE_MAX_WORDS = 60
# A pull quote is one line, or two with the attribution printed under it.
PULL_QUOTE_WITH_ATTRIBUTION_LINES = 2
# See mark_pull_quotes: more candidates than this opening with the same three words are
# a template.
PULL_QUOTE_MAX_SHARED_START = 8
# An attribution line printed under a quotation ("News industry analyst Ken Doctor",
# "-Chinedum Okwudire"): short, and no sentence punctuation at its end.
MAX_ATTRIBUTION_LINE_WORDS = 8
# Prose lines for the single-newline cue: shorter lines are labels, list rows, captions.
JOIN_PROSE_MIN_WORDS = 6
# An introducing line ("… that went something like this (I'm paraphrasing):") is a
# sentence; "Ingredients:", "Instructions:", "Blogger Disclosure:" are labels.
INTRO_MIN_WORDS = 5
# The renderer separates <p> blocks with a blank line, but joins a <blockquote> to the
# text beside it with a single newline.  The cue is read only on pages whose prose
# paragraphs are blank-separated: at most this share of adjacent prose lines is joined
# (dev set: quote pages 0.05-0.29; pages that print <br>-separated text 0.4-1.0).
JOINED_PROSE_MAX_SHARE = 0.3
# A quotation opened by the cue runs on over at most this many blank-separated
# paragraphs to the single newline that closes it.
JOINED_QUOTE_MAX_PARAGRAPHS = 4


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def attribution_line(text: str) -> str | None:
    """``text`` as an attribution printed on its own line under a quotation, or None.

    >>> attribution_line("— Alfred Korzybski"), attribution_line("Village baker Anna Berg")
    ('Alfred Korzybski', 'Village baker Anna Berg')
    >>> attribution_line("and then we left"), attribution_line("We left at six.")
    (None, None)
    """
    t = text.strip()
    body = t.lstrip("—–~-").strip()
    marked = body != t  # "-Chinedum Okwudire": a dash marks it; else it opens with a capital
    if not body or not (marked or body[:1].isupper()):
        return None
    if len(body.split()) > MAX_ATTRIBUTION_LINE_WORDS or _SENTENCE_CLOSE.search(body):
        return None
    if not any(w[:1].isupper() for w in body.split()):  # a name is in it somewhere
        return None
    return body


def is_quotation_line(text: str, article_norms: list[str], norm: str) -> bool:
    """A line that reads as a quotation an attribution may be printed under: wholly inside
    quotation marks, or a sentence the article prints again in a longer paragraph (a pull
    quote)."""
    if _wholly_quoted(text):
        return True
    return bool(norm) and _SENTENCE_CLOSE.search(text.rstrip()) is not None and any(
        len(n) > len(norm) and norm in n for n in article_norms)


# A teaser excerpt cut off with an ellipsis repeats the start of a paragraph too; a pull
# quote is a whole sentence.
_TRUNCATED = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$")


#: A pull-quote candidate: its text, its words, the attribution printed under it (or
#: None), and its source lines.
_PullCandidate = tuple[str, list[str], "str | None", tuple[int, ...]]


def mark_pull_quotes(blocks: list[Block], line_text: dict[int, str]) -> list[Block]:
    """Pull quotes: a short paragraph whose words are a sentence of a longer article
    paragraph (magazines print the sentence again as a <blockquote>).  A short attribution
    line joined under it ("News industry analyst Ken Doctor") becomes its attribution."""
    line_toks: dict[int, list[str]] = {}  # each line is tokenised once
    cands = _pull_quote_candidates(blocks, line_text, line_toks)
    if not cands:
        return blocks
    out = list(blocks)
    for i in _repeated_in_longer_lines(blocks, line_text, cands, line_toks):
        body, _, attr, src = cands[i]
        out[i] = Block("quote", body, blocks[i].lines, blocks[i].source_lines, attribution=attr)
    return out


def _pull_quote_candidates(blocks: list[Block], line_text: dict[int, str], line_toks: dict[int, list[str]]
                           ) -> dict[int, _PullCandidate]:
    """Short sentences standing between body paragraphs, by block index (their first
    lines' words are kept in ``line_toks``)."""
    cands: dict[int, _PullCandidate] = {}
    for i, b in enumerate(blocks):
        # A pull quote stands between body paragraphs; after a heading the same shape is a
        # standfirst (a teaser's summary, repeated by its first paragraph).
        after_body = i > 0 and (blocks[i - 1].type in ("quote", "list_item")
                                or blocks[i - 1].type == "paragraph" and _is_prose_paragraph(blocks[i - 1].text))
        if b.type != "paragraph" or not after_body or any(n not in line_text for n in b.source_lines):
            continue
        src = b.source_lines
        attr = attribution_line(line_text[src[-1]]) if len(src) >= PULL_QUOTE_WITH_ATTRIBUTION_LINES else None
        if len(src) > (PULL_QUOTE_WITH_ATTRIBUTION_LINES if attr else 1):
            continue
        body = line_text[src[0]].strip()
        toks = line_toks[src[0]] = _tokens(body)
        if PULL_QUOTE_MIN_WORDS <= len(toks) <= PULL_QUOTE_MAX_WORDS and _SENTENCE_CLOSE.search(body) \
                and not _TRUNCATED.search(body):
            cands[i] = (body, toks, attr, src)
    return cands


def _repeated_in_longer_lines(blocks: list[Block], line_text: dict[int, str], cands: dict[int, _PullCandidate],
                              line_toks: dict[int, list[str]]) -> set[int]:
    """The candidates repeated within one longer line of the article.

    (Within one line: a label joined above a repeated line - "Author: X" over a recipe
    summary printed twice - contains it only across lines.)  Candidates are found by their
    first three words, so each line is read once rather than compared with every candidate.
    """
    by_start: dict[tuple[str, ...], list[int]] = {}
    keys = {}
    for i, (_, toks, _, _) in cands.items():
        by_start.setdefault(tuple(toks[:3]), []).append(i)
        keys[i] = " " + " ".join(toks) + " "
    # Many paragraphs opening with the same three words are a template ("Click here to
    # read …"), not pull quotes; dropping them also bounds the work on such pages.
    by_start = {t: v for t, v in by_start.items() if len(v) <= PULL_QUOTE_MAX_SHARED_START}
    repeated: set[int] = set()
    for b in blocks:
        if b.type not in ("paragraph", "quote"):
            continue
        for n in b.source_lines:
            known = line_toks.get(n)
            toks = known if known is not None else _tokens(line_text.get(n, ""))
            if len(toks) <= PULL_QUOTE_MIN_WORDS:
                continue
            line_key = None
            for triple in zip(toks, toks[1:], toks[2:]):
                for i in by_start.get(triple, ()):
                    ctoks, src = cands[i][1], cands[i][3]
                    if i in repeated or n in src or len(toks) <= len(ctoks):
                        continue
                    line_key = line_key or " " + " ".join(toks) + " "
                    if keys[i] in line_key:
                        repeated.add(i)
    return repeated


def _is_prose_paragraph(text: str) -> bool:
    """A paragraph of body text (the article's own prose, not a heading or a label)."""
    return len(text.split()) >= article.PROSE_MIN_WORDS and article.is_sentence(text.strip())


def _prose(text: str) -> bool:
    # words split on spaces: read for every line of the page, and as good as \w+ here
    return len(text.split()) >= JOIN_PROSE_MIN_WORDS and not _LIST_START.match(text)


def blank_separated(line_nos: list[int], line_text: dict[int, str], blank: set[int]) -> bool:
    """Whether this article separates its prose paragraphs with blank lines (so that a
    single newline between two prose lines is the renderer's mark of a block quotation)."""
    joined = separated = 0
    nos = set(line_nos)
    for n in line_nos:
        if not _prose(line_text[n]):
            continue
        if n + 1 in nos and _prose(line_text[n + 1]):
            # an introducing line's own join is the cue itself, not the page's habit
            joined += not line_text[n].rstrip().endswith((":", ","))
        elif n + 1 in blank and n + 2 in nos and _prose(line_text[n + 2]):
            separated += 1
    return separated > 0 and joined <= JOINED_PROSE_MAX_SHARE * (joined + separated)


def _joined_intro(first: str, second: str) -> bool:
    """``first`` introduces a quotation that the renderer joined under it as ``second``.

    >>> _joined_intro("When I asked him what he thought he said:", "Soil is like a good loaf, leave it be.")
    True
    >>> _joined_intro("He suggested a first step would be to,", "“Close the road for a month and see who complains.”")
    True
    >>> _joined_intro("Ingredients:", "Two cups of flour and a pinch of salt.")  # a label, not an introduction
    False
    """
    first = first.strip()
    # the joined line is a whole sentence (a quotation), not a list row or ingredient line
    if len(first.split()) < INTRO_MIN_WORDS or _LIST_START.match(first) or not _prose(second) \
            or not _SENTENCE_CLOSE.search(second.strip()):
        return False
    if first.endswith(":"):
        return True
    # "… he suggested a first step would be to," + a line wholly in quotation marks
    return first.endswith(",") and _wholly_quoted(second.strip())


def _split_block(b: Block, at: int, line_text: dict[int, str], head_kind: str, tail_kind: str
                 ) -> tuple[Block, Block]:
    """Split block ``b`` before its source line index ``at`` into two blocks of these types.

    The parts are cut from the block's own text, not rebuilt from the page's lines: earlier
    steps may have cut a remnant off its end ("(continue reading)"), which must stay cut.
    """
    a_src, b_src = b.source_lines[:at], b.source_lines[at:]
    head_text = " ".join(line_text[n] for n in a_src)
    if b.text.startswith(head_text + " "):
        tail_text = b.text[len(head_text) + 1:]
    else:  # the text was changed at its start: rebuild both parts from the lines
        tail_text = " ".join(line_text[n] for n in b_src)
    head = Block(head_kind, head_text, (a_src[0], a_src[-1]), a_src)
    tail = Block(tail_kind, tail_text, (b_src[0], b_src[-1]), b_src)
    return head, tail


def page_blank_separated(blocks: list[Block], line_text: dict[int, str], blank: set[int]) -> bool:
    """:func:`blank_separated` over the lines of the article's paragraphs."""
    return blank_separated([n for b in blocks if b.type == "paragraph" for n in b.source_lines if n in line_text],
                           line_text, blank)


def mark_joined_quotes(blocks: list[Block], line_text: dict[int, str], separated: bool) -> list[Block]:
    """Block quotations the renderer joined to their introducing sentence with a single
    newline ("… exchanges like this:" / "President Obama: You know Governor, …").  The
    quotation runs on to the next single newline between two prose lines (its closing
    edge) when one comes within a few paragraphs, else it is the joined text alone."""
    if not separated:  # see page_blank_separated
        return blocks
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        cut = _joined_cut(b, line_text)
        if cut is None:
            out.append(b)
            i += 1
            continue
        head, quote = _split_block(b, cut, line_text, "paragraph", "quote")
        out.append(head)
        rest = None
        # Where does it close?  A single newline inside the quote's own lines, or inside
        # one of the next few paragraphs.
        end = _closing_join(quote.source_lines, line_text)
        if end is not None:
            quote, rest = _split_block(quote, end, line_text, "quote", "paragraph")
            i += 1
        else:
            i, rest = _run_on(blocks, i, quote, line_text)
        out.append(quote)
        if rest is not None:
            out.append(rest)
    return out


def _joined_cut(b: Block, line_text: dict[int, str]) -> int | None:
    """Where in paragraph ``b`` a quotation joined under its introducing line begins."""
    src = b.source_lines
    if b.type != "paragraph" or not all(n in line_text for n in src):
        return None
    return next((k for k in range(1, len(src))
                 if src[k] == src[k - 1] + 1 and _joined_intro(line_text[src[k - 1]], line_text[src[k]])), None)


def _run_on(blocks: list[Block], i: int, quote: Block, line_text: dict[int, str]) -> tuple[int, Block | None]:
    """Extend ``quote`` (opened in ``blocks[i]``) over the paragraphs after it: up to a
    closing edge within a few of them, else over the exchange it opens.  Returns the index
    of the next block to read and the rest of the paragraph the quotation closed in."""
    k = i + 1
    taken: list[Block] = []
    rest = None
    while k < len(blocks) and len(taken) < JOINED_QUOTE_MAX_PARAGRAPHS and blocks[k].type == "paragraph" \
            and all(n in line_text for n in blocks[k].source_lines):
        e = _closing_join(blocks[k].source_lines, line_text)
        if e is not None:
            last, rest = _split_block(blocks[k], e, line_text, "paragraph", "paragraph")
            taken.append(last)
            break
        taken.append(blocks[k])
        k += 1
    if rest is None:
        # No closing edge: only the joined text is known to be quoted, and the
        # paragraphs after it that carry on an exchange it opened ("President
        # Obama: …" / "Governor Romney: …").
        k = i
        taken = []
        if _EXCHANGE_LABEL.match(quote.text):
            while k + 1 < len(blocks) and len(taken) < JOINED_QUOTE_MAX_PARAGRAPHS \
                    and blocks[k + 1].type == "paragraph" and _EXCHANGE_LABEL.match(blocks[k + 1].text):
                k += 1
                taken.append(blocks[k])
    for t in taken:
        quote.text += "\n\n" + t.text
        quote.source_lines += t.source_lines
    quote.lines = (quote.source_lines[0], quote.source_lines[-1])
    return k + 1, rest


# A line of a quoted exchange opens with its speaker's label: "Tweet 1: …", "President
# Obama: …" (one to three words, the first capitalised).
_EXCHANGE_LABEL = re.compile(r"^[A-Z][\w.'’-]*(?:\s[\w.'’-]+){0,2}:\s+\S")


def _closing_join(src: tuple[int, ...], line_text: dict[int, str]) -> int | None:
    """Index in ``src`` of the first prose line joined by a single newline to the prose
    line before it (the edge between a quotation and the text after it)."""
    for k in range(1, len(src)):
        if src[k] == src[k - 1] + 1 and _prose(line_text[src[k - 1]]) and _prose(line_text[src[k]]):
            return k
    return None
