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
saying and a colon ("Felix Salmon explains:").  Most block quotations carry no such
mark in plain text; those stay paragraphs.
"""

from __future__ import annotations

import re

from .model import Block

# Longest attribution we accept, in words: "Glick & Meyers, Masochism: Current Psychoanalytic
# Perspectives" is 7; book titles run longer.
MAX_ATTRIBUTION_WORDS = 14
MAX_TRAILING_NAME_WORDS = 10
MIN_QUOTE_WORDS = 6

_TILDE = re.compile(r"^(?P<body>.*\S)\s+~\s*(?P<attr>[^~]{2,160})$", re.S)
_DASH = re.compile(r"^(?P<body>.*[.!?…\"”’)])\s*[—–]\s*(?P<attr>[^—–]{2,160})$", re.S)
_HYPHEN = re.compile(r"^(?P<body>.*[\"”])\s+-{1,2}\s*(?P<attr>[A-Z][^-]{1,160})$", re.S)
_SEPARATE = re.compile(r"^\s*(?:[—–~]|--)\s*(?P<attr>\S.{1,160})$", re.S)
_TRAILING = re.compile(r"^(?P<body>.*[.!?…\"”])\s+(?P<attr>[A-Z][^.!?…\"”]{2,120}?)\.?$", re.S)
_CONNECTORS = {"&", "and", "of", "the", "de", "von", "van", "der", "la", "le", "du", "in", "on", "a",
               "an", "for", "to", "y", "da", "di", "bin", "al"}
_CONTINUES = re.compile(r"^\s*(?:…|\.\.\.|[a-z])")


def _looks_like_name(attr: str, max_words: int) -> bool:
    """Title-cased words (a name, optionally ', Title'), no sentence inside."""
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
                and len(attr.split()) >= 2):
            return body, attr.rstrip("."), ""
    return None


def separate_attribution(text: str) -> str | None:
    """The attribution in a paragraph that is only ``— Author`` / ``~ Author``."""
    m = _SEPARATE.match(text)
    if m and len(m.group("attr").split()) <= MAX_ATTRIBUTION_WORDS and "\n" not in text.strip():
        attr = m.group("attr").strip()
        if attr[:1].isupper():
            return attr.rstrip(".")
    return None


def quote_start(paragraphs: list[str], k: int, is_plain: list[bool]) -> int:
    """Index of the first paragraph of the quotation whose attribution closes paragraph ``k``.

    ``is_plain[j]`` tells whether paragraph j is ordinary prose that may join a quote.
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
        attr = body = None
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
_INTRODUCES = re.compile(
    r"\b(?:says?|said|writes?|wrote|explains?|explained|notes?|noted|puts? it|argues?|argued|"
    r"according to|reads?|statements?|declared|stated|tweeted|posted|quote[sd]?|here it is|"
    r"as follows|in (?:his|her|their) words)\b[^.!?]{0,80}:\s*$", re.I)


def _wholly_quoted(text: str) -> bool:
    if not _WHOLLY_QUOTED.match(text) or len(text.split()) < MIN_BLOCK_QUOTE_WORDS:
        return False
    # One quotation, not dialogue: the opening mark is not closed and reopened mid-way.
    return text.count("“") <= 1 and text.count("”") <= 1 or text.count('"') == 2


def mark_block_quotes(blocks: list[Block], indented: set[int]) -> list[Block]:
    """Unattributed block quotations (see the module docstring).  Consecutive indented
    paragraphs form one quotation."""
    out: list[Block] = []
    open_indented: Block | None = None  # the indented quotation the next paragraph may extend
    for b in blocks:
        is_indented = b.type == "paragraph" and b.source_lines and all(n in indented for n in b.source_lines)
        if is_indented and open_indented is not None and out and out[-1] is open_indented:
            open_indented.text += "\n\n" + b.text
            open_indented.lines = (open_indented.lines[0], b.lines[1])
            open_indented.source_lines += b.source_lines
            continue
        introduced = (b.type == "paragraph" and out and out[-1].type == "paragraph"
                      and out[-1].text.rstrip().endswith(":")  # cheap test before the regex
                      and _INTRODUCES.search(out[-1].text) is not None)
        if b.type == "paragraph" and (is_indented or introduced or _wholly_quoted(b.text)):
            q = Block("quote", b.text, b.lines, b.source_lines)
            open_indented = q if is_indented else None
            out.append(q)
            continue
        out.append(b)
    return out
